/**
 * Every verb, given random and hostile arguments (numbers out of range, NaN,
 * huge, empty, terminal escapes; paths that are missing, folders, fifos,
 * empty or garbage files), must fail the way the README says: one error line
 * (or one JSON object with --json) naming a code, the exit status of that
 * code's class, no stack trace, never an internal error, and never a hang.
 * The cases are drawn from a fixed seed, a dozen per verb (most of the time is Node starting), run a
 * few at a time.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { ERROR_CODES, isErrorCode } from '../../src/core/error_codes.ts';
import { createRng } from '../../src/core/rng.ts';
import { buildProgram } from '../../src/cli/main.ts';
import { EXIT_STATUS } from '../../src/cli/report_error.ts';
import { scratchDir } from '../helpers/scratch_dir.ts';

const BIN = fileURLToPath(new URL('../../bin/headstart.js', import.meta.url));
const SEED = 20_141;
const CASES_PER_VERB = 12;
const CASE_TIMEOUT_MS = 40_000;
const AT_ONCE = 3;

/** Text that is never a valid number, count or name of a choice. */
const NEVER_VALID = ['NaN', '', '   ', '1e400', '-1e400', 'Infinity', '-Infinity', '0x10', 'abc', '1,,2', '\u001b[2J\u001b[31m', '9'.repeat(400), '--', '-'];
/** Numbers at or past the edges of what options take. */
const EDGES = ['-1', '0', '-0', '1e10', '3.7', '99999999999999999999', '2147483648', '1e-400'];

interface Paths {
  missing: string;
  folder: string;
  fifo: string | undefined;
  empty: string;
  garbage: string;
  long: string;
}

function hostilePaths(dir: string): Paths {
  const folder = join(dir, 'a-folder');
  mkdirSync(folder);
  const empty = join(dir, 'empty.bin');
  writeFileSync(empty, '');
  const garbage = join(dir, 'garbage.tflite');
  writeFileSync(garbage, Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 131 + 7) % 256)));
  const fifo = join(dir, 'a-fifo');
  const made = spawnSync('mkfifo', [fifo]).status === 0;
  return { missing: join(dir, 'no', 'such', 'thing'), folder, fifo: made ? fifo : undefined, empty, garbage, long: join(dir, 'x'.repeat(300), 'y'.repeat(300)) };
}

/** Every verb as its command path (`profile show` included), with its command object. */
function verbs(): { path: string[]; command: Command }[] {
  const out: { path: string[]; command: Command }[] = [];
  const walk = (c: Command, path: string[]): void => {
    if (c.commands.length === 0) out.push({ path, command: c });
    for (const sub of c.commands) walk(sub, [...path, sub.name()]);
  };
  for (const c of buildProgram().commands) walk(c, [c.name()]);
  return out;
}

/** Verbs whose every argument may be valid by chance and then do long work (the demo, the doctor): only never-valid values for them. */
const LONG_WITHOUT_INPUT = new Set(['demo', 'doctor', 'ports']);

function drawCase(rng: ReturnType<typeof createRng>, verb: { path: string[]; command: Command }, paths: Paths): string[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.next() * xs.length)]!;
  const pathPool = [paths.missing, paths.folder, paths.empty, paths.garbage, paths.long, '/dev/null', ...(paths.fifo ? [paths.fifo] : [])];
  const careful = LONG_WITHOUT_INPUT.has(verb.path[0]!);
  const value = (): string => {
    const r = rng.next();
    if (careful) return r < 0.5 ? pick(NEVER_VALID) : pick(pathPool);
    return r < 0.4 ? pick(NEVER_VALID) : r < 0.6 ? pick(EDGES) : pick(pathPool);
  };
  const args = [...verb.path];
  for (const a of verb.command.registeredArguments) {
    if (a.required || rng.next() < 0.7) args.push(a.variadic ? value() : value());
  }
  const options = verb.command.options.filter((o) => o.long && o.long !== '--help' && o.long !== '--version');
  const takesValue = options.filter((o) => o.required || o.optional);
  const chosen = new Set(options.filter((o) => o.mandatory));
  const extra = Math.floor(rng.next() * 4);
  for (let i = 0; i < extra && options.length > 0; i++) chosen.add(pick(options));
  // Something hostile in every case: a verb with nothing required gets a bad value for one of its options, or an unknown one.
  // A verb that would do long work with valid values (the demo) always gets one option that can never be valid.
  const strict = takesValue.filter((o) => !/<(dir|file|path|port|user)>/.test(o.flags));
  let sure: string[] = [];
  if (careful && strict.length > 0) {
    const o = pick(strict);
    chosen.delete(o);
    sure = [o.long!, pick(NEVER_VALID.filter((v) => !v.startsWith('-')))];
  } else if (careful || (verb.command.registeredArguments.length === 0 && chosen.size === 0)) {
    if (!careful && takesValue.length > 0 && rng.next() < 0.7) chosen.add(pick(takesValue));
    else args.push(rng.next() < 0.5 ? '--frobnicate' : 'extra-argument');
  }
  for (const o of chosen) {
    args.push(o.long!);
    if (o.required || o.optional) args.push(value());
  }
  args.push(...sure);
  if (rng.next() < 0.15) args.push('--frobnicate');
  return args;
}

interface Outcome {
  args: string[];
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

function runCase(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }, CASE_TIMEOUT_MS);
    child.once('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ args, status, signal, stdout, stderr, timedOut });
    });
  });
}

/** What is wrong with one outcome, or undefined when it is as documented. */
function problem(o: Outcome): string | undefined {
  if (o.timedOut) return `did not exit within ${CASE_TIMEOUT_MS} ms`;
  if (o.signal) return `killed by ${o.signal}`;
  if (/^\s+at .+[(:]\d+/m.test(o.stderr) || /\n\s*\^\s*\n/.test(o.stderr)) return 'printed a stack trace';
  if (o.status === 0) return undefined;
  const json = o.args.includes('--json') && o.stderr.trim().startsWith('{');
  let code: string | undefined;
  if (json) {
    const lines = o.stderr.trim().split('\n');
    if (lines.length !== 1) return `--json: ${lines.length} lines on stderr, not one object`;
    try {
      code = (JSON.parse(lines[0]!) as { error?: { code?: string } }).error?.code;
    } catch {
      return '--json: stderr is not a JSON object';
    }
  } else {
    code = /^headstart: .* \[([A-Z_]+)\]$/m.exec(o.stderr)?.[1];
  }
  // Commander's own usage output (a verb missing after `profile`) is the help: exit 2 with no code.
  if (code === undefined) return o.status === EXIT_STATUS.usage && /^Usage: /m.test(o.stderr) ? undefined : `exit ${o.status} without an error line naming a code`;
  if (!isErrorCode(code)) return `unknown code ${code}`;
  if (code === 'INTERNAL') return 'an internal error (a bug)';
  const expected = EXIT_STATUS[ERROR_CODES[code].class];
  if (o.status !== expected) return `${code} (${ERROR_CODES[code].class}) exited ${o.status}, documented ${expected}`;
  return undefined;
}

test('every verb fails as documented on random and hostile arguments: one error line, its class\'s exit status, no stack trace, no hang', { timeout: 30 * 60_000 }, async (t) => {
  const dir = scratchDir(t, 'hs-robust-');
  const paths = hostilePaths(dir);
  const home = join(dir, 'home');
  mkdirSync(home);
  // Nothing of the user's: profiles, the home folder and temporary files all go to the scratch folder.
  const env = { ...process.env, HOME: home, HEADSTART_DATA_DIR: join(dir, 'data'), TMPDIR: dir, HEADSTART_DEBUG: '' };
  const rng = createRng(SEED);
  const cases = verbs().flatMap((v) => Array.from({ length: CASES_PER_VERB }, () => drawCase(rng, v, paths)));
  const failures: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const args = cases[next++]!;
      const outcome = await runCase(args, env, dir);
      const wrong = problem(outcome);
      if (wrong) failures.push(`${wrong}: headstart ${args.map((a) => JSON.stringify(a)).join(' ')}\n    ${outcome.stderr.trim().split('\n').slice(0, 6).join('\n    ')}`);
    }
  };
  await Promise.all(Array.from({ length: AT_ONCE }, worker));
  t.diagnostic(`${cases.length} cases over ${verbs().length} verbs (seed ${SEED})`);
  assert.deepEqual(failures, [], `${failures.length} of ${cases.length} cases went wrong:\n${failures.join('\n')}`);
});
