import { Command, CommanderError } from 'commander';
import { HeadstartError } from '../core/errors.ts';
import { PRODUCER_VERSION } from '../io/version.ts';
import { registerCommands } from './commands.ts';

/** Entry point of the `headstart` bin. Returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('headstart')
    .description(
      'Per-user gesture calibration for EMG/EEG wearables, offline.\n' +
        'A frozen int8 feature extractor (TensorFlow Lite) plus a small head trained for each wearer.',
    )
    .version(PRODUCER_VERSION, '-V, --version')
    .showHelpAfterError()
    .exitOverride();
  registerCommands(program);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof HeadstartError) {
      process.stderr.write(`headstart: ${err.message} [${err.code}]\n`);
      return 1;
    }
    throw err;
  }
}
