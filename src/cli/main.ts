import { Command, CommanderError } from 'commander';
import { PRODUCER_VERSION } from '../io/version.ts';
import { registerCommands } from './commands.ts';
import { addProgramNotes, groupedProgramHelp, VERB_GROUPS } from './help.ts';
import { EXIT_OK, EXIT_STATUS, exitStatusRows, reportError } from './report_error.ts';

/** The `headstart` program with every verb, not yet run. */
export function buildProgram(): Command {
  const program = new Command('headstart')
    .description('Per-user gesture calibration for EMG/EEG wearables, offline: a frozen int8 feature extractor (TensorFlow Lite) plus a small head trained for each wearer.')
    .version(PRODUCER_VERSION, '-V, --version')
    // Errors are reported by runProgram (one line, or JSON), not by commander.
    .configureOutput({ outputError: () => undefined })
    .exitOverride();
  registerCommands(program);
  groupedProgramHelp(program, VERB_GROUPS);
  addProgramNotes(
    program,
    ['`headstart <verb> --help` explains a verb, with examples. New here? `headstart demo` runs the whole story in a minute, with no hardware.'],
    { title: 'Exit status:', rows: exitStatusRows() },
    ['With --json, an error is one JSON object on stderr: {"error":{"code","class","message",...details}}.'],
  );
  return program;
}

/** The verb named by the arguments (for errors raised before its action runs). */
function commandOf(program: Command, args: string[]): Command {
  let command = program;
  for (const arg of args) {
    if (arg === '--') break;
    if (arg.startsWith('-')) continue;
    const sub = command.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (!sub) break;
    command = sub;
  }
  return command;
}

function hasJsonOption(command: Command): boolean {
  return command.options.some((o) => o.long === '--json');
}

/** Runs the program on `argv` (node, script, args...) and returns the exit status; failures are reported on stderr. */
export async function runProgram(program: Command, argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let running: Command | undefined;
  program.hook('preAction', (_self, action) => {
    running = action;
  });
  try {
    await program.parseAsync(argv);
    return EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError && (err.code === 'commander.helpDisplayed' || err.code === 'commander.version')) return EXIT_OK;
    // Help shown because a verb was missing (`headstart`, `headstart profile`): the help was the message.
    if (err instanceof CommanderError && err.code === 'commander.help') return EXIT_STATUS.usage;
    const args = argv.slice(2);
    const command = running ?? commandOf(program, args);
    const json = running ? running.opts()['json'] === true : hasJsonOption(command) && args.slice(0, args.includes('--') ? args.indexOf('--') : undefined).includes('--json');
    return reportError(err, {
      ...(command !== program ? { command } : {}),
      json,
      write: (text) => process.stderr.write(text),
      debug: Boolean(env['HEADSTART_DEBUG']),
    });
  }
}

/** Entry point of the `headstart` bin. Returns the process exit status. */
export async function main(argv: string[]): Promise<number> {
  return runProgram(buildProgram(), argv);
}
