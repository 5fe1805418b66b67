// Runs every test/**/*.test.ts with node's built-in runner (Node 20 has no
// glob support in --test, so the files are listed here), then checks that
// the tests left nothing behind.
//
// The tests run with TMPDIR set to a folder of their own: every scratch
// folder, pty link and child process of this run lives under it or carries
// it in its environment, so what is left at the end is this run's (other
// runs on the same machine use other folders) and is reported as a failure:
// a temporary folder not removed, a socat or headstart process still running.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return find(path);
    return path.endsWith('.test.ts') ? [path] : [];
  });
}

// `--unit`: the fast loop, everything but test/e2e (tests that spawn the CLI
// or need socat, a C compiler, avr-gcc or simavr). Other arguments filter by
// path.
const args = process.argv.slice(2);
const SLOW = [join('test', 'host', 'export_package.test.ts'), join('test', 'device', 'calibration', 'session.test.ts')];
const unit = args.includes('--unit');
const filter = args.filter((a) => a !== '--unit');
const files = find('test')
  .filter((f) => !unit || !f.startsWith(join('test', 'e2e')))
  .filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)))
  .sort()
  // The longest files first, so that the two lanes end together instead of one waiting on a late long file.
  .sort((a, b) => Number(SLOW.includes(b)) - Number(SLOW.includes(a)));

const runTmp = mkdtempSync(join(tmpdir(), 'headstart-test-run-'));
// tsx keeps its compile cache in the temporary folder (tsx-<uid>). A fresh one each run would compile
// every source file again in every run; the run's cache entry points at one kept under node_modules.
const tsxCache = join('node_modules', '.cache', 'headstart-tsx');
mkdirSync(tsxCache, { recursive: true });
symlinkSync(join(process.cwd(), tsxCache), join(runTmp, `tsx-${process.getuid?.() ?? 0}`), 'dir');
// Two files at a time: much of the suite waits on pseudo-terminals, child
// processes and replays, so a 2-core machine has room for a second file.
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  // Screenshots the browser tests keep for people to look at go to a folder that outlives the run (unless one is given).
  env: { HEADSTART_SCREENSHOTS: join(tmpdir(), 'headstart-test-screenshots'), ...process.env, TMPDIR: runTmp },
});

/** Processes of this run still alive: their environment holds this run's TMPDIR (children inherit it). */
function leftoverProcesses() {
  const found = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    if (Number(pid) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      if (!environ.includes(`TMPDIR=${runTmp}`)) continue;
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').filter(Boolean).join(' ');
      found.push({ pid: Number(pid), cmdline });
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// A child told to stop a moment ago may still be on its way out.
let processes = leftoverProcesses();
for (let i = 0; i < 50 && processes.length > 0; i++) {
  sleep(100);
  processes = leftoverProcesses();
}
// tsx keeps its compile cache in the temporary folder (tsx-<uid>): the runner's, not a test's.
const folders = readdirSync(runTmp).filter((name) => !/^tsx-\d+$/.test(name));
const problems = [
  ...processes.map((p) => `process ${p.pid} still running: ${p.cmdline}`),
  ...folders.map((name) => `left in the temporary folder: ${join(runTmp, name)}`),
];
for (const p of processes) {
  try {
    process.kill(p.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
rmSync(runTmp, { recursive: true, force: true });
if (problems.length > 0) {
  process.stderr.write(`\nthe tests left ${problems.length} thing${problems.length === 1 ? '' : 's'} behind (now cleaned up):\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
  process.exit(result.status === 0 ? 1 : (result.status ?? 1));
}
if (files.length > 0) process.stdout.write('\nno test left a process or a temporary folder behind\n');
process.exit(result.status ?? 1);
