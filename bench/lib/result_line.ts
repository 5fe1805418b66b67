/**
 * The one JSON line every benchmark prints on stdout after its table: its
 * figures, what was measured (the commit, and whether the tree had changes
 * not committed) and where (CPU, cores, load, Node, platform), so a figure
 * in RESULTS.md can be traced to a run. `npm run bench` collects these lines.
 *
 *   printResultLine('decoder', { parsers: [...] });
 *   // {"bench":"decoder","figures":{...},"args":[...],"commit":"1a2b...","dirty":false,"machine":{...},"at":"2025-..."}
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

/** Marks a line of a benchmark's output as its result line (what `npm run bench` looks for). */
export const RESULT_KEY = 'bench';

export interface ResultLine {
  bench: string;
  figures: Record<string, unknown>;
  /** The benchmark's own command-line arguments. */
  args: string[];
  /** `git rev-parse HEAD` of the checkout, null outside a git checkout. */
  commit: string | null;
  /** True when tracked or untracked files differ from that commit (the figures may not be the commit's). */
  dirty: boolean | null;
  machine: { cpu: string; cores: number; memoryGB: number; load1: number; node: string; platform: string };
  at: string;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

export function resultLine(bench: string, figures: Record<string, unknown>): ResultLine {
  const commit = git(['rev-parse', 'HEAD']);
  const status = commit === null ? null : git(['status', '--porcelain']);
  const cpu = cpus();
  return {
    bench,
    figures,
    args: process.argv.slice(2),
    commit,
    dirty: status === null ? null : status !== '',
    machine: {
      cpu: cpu[0]?.model.trim() ?? 'unknown',
      cores: cpu.length,
      memoryGB: Math.round(totalmem() / 2 ** 30),
      load1: Number(loadavg()[0]!.toFixed(2)),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    at: new Date().toISOString(),
  };
}

/** Prints the result line (one line of JSON on stdout). */
export function printResultLine(bench: string, figures: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(resultLine(bench, figures)) + '\n');
}

/** Exit status of a benchmark that cannot run here (data, socat or a package missing): `npm run bench` reports it as skipped. */
export const CANNOT_RUN = 2;

/** Says why the benchmark cannot run here and exits with CANNOT_RUN. */
export function cannotRun(why: string): never {
  process.stderr.write(`cannot run here: ${why}\n`);
  process.exit(CANNOT_RUN);
}
