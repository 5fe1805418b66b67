/**
 * Help texts: the verbs grouped by workflow in `headstart --help`, and the
 * notes and examples under each verb's options. Prose is written without
 * line breaks and wrapped here at the terminal's width (80 columns when the
 * output is not a terminal), as commander wraps descriptions; examples are
 * printed as written, one command per line, to be copied.
 */
import { Help, type Command } from 'commander';

export interface VerbGroup {
  title: string;
  verbs: string[];
}

/** The verbs in the order a new user meets them. */
export const VERB_GROUPS: readonly VerbGroup[] = [
  { title: 'Start here', verbs: ['demo', 'doctor'] },
  { title: 'Data and training', verbs: ['dataset', 'convert', 'pretrain', 'evaluate', 'export', 'package'] },
  { title: 'On the device', verbs: ['ports', 'calibrate', 'record', 'run', 'profile'] },
  { title: 'Tools', verbs: ['sim', 'decode', 'inspect', 'infer'] },
];

function helpWidth(command: Command, toStderr: boolean): number {
  const out = command.configureOutput();
  return (toStderr ? out.getErrHelpWidth?.() : out.getOutHelpWidth?.()) ?? 80;
}

export interface HelpNotes {
  /** Paragraphs of prose, each one line of source text. */
  notes?: string[];
  /** Example command lines ("$ headstart ...", or "# a comment"), printed as written. */
  examples: string[];
  /** The heading of the examples (default "Examples:", or "Example:" for one). */
  examplesTitle?: string;
}

/** Adds notes and examples after a verb's options. */
export function addHelpNotes(command: Command, { notes = [], examples, examplesTitle }: HelpNotes): Command {
  return command.addHelpText('after', (context) => {
    const width = helpWidth(command, context.error);
    const helper = new Help();
    const paragraphs = notes.map((p) => helper.wrap(p, width, 0));
    const title = examplesTitle ?? (examples.length === 1 ? 'Example:' : 'Examples:');
    const blocks = [...paragraphs, [title, ...examples.map((e) => `  ${e}`)].join('\n')];
    return '\n' + blocks.join('\n\n') + '\n';
  });
}

/** The program's own help: usage, options, then the verbs by workflow group. */
export function groupedProgramHelp(program: Command, groups: readonly VerbGroup[]): void {
  program.configureHelp({
    formatHelp(cmd, helper) {
      if (cmd !== program) return Help.prototype.formatHelp.call(helper, cmd, helper);
      const width = helper.helpWidth ?? 80;
      // Verbs by name alone: their arguments and options are in each verb's own help.
      const termWidth = Math.max(helper.longestOptionTermLength(cmd, helper), ...helper.visibleCommands(cmd).map((c) => c.name().length));
      const item = (term: string, description: string): string =>
        '  ' + helper.wrap(`${term.padEnd(termWidth + 2)}${description}`, width - 2, termWidth + 2).replace(/\n/g, '\n  ');
      const visible = helper.visibleCommands(cmd);
      const byName = new Map(visible.map((c) => [c.name(), c]));
      const listed = new Set<string>();
      const out = [`Usage: ${helper.commandUsage(cmd)}`, '', helper.wrap(helper.commandDescription(cmd), width, 0), ''];
      out.push('Options:', ...helper.visibleOptions(cmd).map((o) => item(helper.optionTerm(o), helper.optionDescription(o))), '');
      for (const g of groups) {
        const verbs = g.verbs.map((v) => byName.get(v)).filter((c): c is Command => c !== undefined);
        if (verbs.length === 0) continue;
        out.push(`${g.title}:`, ...verbs.map((c) => item(c.name(), helper.subcommandDescription(c))), '');
        for (const c of verbs) listed.add(c.name());
      }
      const others = visible.filter((c) => !listed.has(c.name()));
      if (others.length > 0) out.push('More:', ...others.map((c) => item(c.name(), helper.subcommandDescription(c))), '');
      return out.join('\n');
    },
  });
}

/** Text after the program's own help: paragraphs wrapped at the width, and a table whose descriptions wrap under themselves. */
export function addProgramNotes(program: Command, paragraphs: string[], table: { title: string; rows: [string, string][] }, closing: string[]): void {
  program.addHelpText('after', (context) => {
    const width = helpWidth(program, context.error);
    const helper = new Help();
    const termWidth = Math.max(...table.rows.map(([term]) => term.length));
    const rows = table.rows.map(([term, text]) => '  ' + helper.wrap(`${term.padEnd(termWidth + 2)}${text}`, width - 2, termWidth + 2).replace(/\n/g, '\n  '));
    const blocks = [...paragraphs.map((p) => helper.wrap(p, width, 0)), [`${table.title}`, ...rows].join('\n'), ...closing.map((p) => helper.wrap(p, width, 0))];
    return '\n' + blocks.join('\n\n') + '\n';
  });
}
