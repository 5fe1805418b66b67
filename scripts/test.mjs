// Runs every test/**/*.test.ts with node's built-in runner (Node 20 has no
// glob support in --test, so the files are listed here), then checks that
// the tests left nothing behind.
//
// The tests run with TMPDIR set to a folder of their own: every scratch
// folder, pty link and child process of this run lives under it or carries
// it in its environment, so what is left at the end is this run's (other
// runs on the same machine use other folders) and is reported as a failure:
// a temporary folder not removed, a socat or headstart process still running.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
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
// Files outside test/e2e run in two lanes, each one process importing its
// files in turn: a process of its own per file costs about 0.4 s of a core to
// start (node, the tsx loader, the modules), half the fast loop's time.
// Those files neither spawn the CLI nor leave state behind (a test that
// changes the working folder puts it back). A file that fails to load fails
// as a test named after it; the others of its lane still run. End-to-end
// files keep a process each.
const laneDir = join(runTmp, 'lanes');
mkdirSync(laneDir);
const inLanes = files.filter((f) => !f.startsWith(join('test', 'e2e')));
const lanes = [[], []];
inLanes.forEach((f, i) => lanes[i % 2].push(f));
const laneFiles = lanes
  .filter((lane) => lane.length > 0)
  .map((lane, i) => {
    const path = join(laneDir, `lane${i + 1}.test.mjs`);
    const body = [
      "import { test } from 'node:test';",
      `for (const file of ${JSON.stringify(lane.map((f) => join(process.cwd(), f)))}) {`,
      '  try {',
      '    await import(file);',
      '  } catch (err) {',
      "    test(`${file} loads`, () => { throw err; });",
      '  }',
      '}',
    ];
    writeFileSync(path, body.join('\n') + '\n');
    return path;
  });
// Two processes at a time: much of the end-to-end suite waits on pseudo-terminals, child
// processes and replays, so a 2-core machine has room for a second.
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...laneFiles, ...files.filter((f) => !inLanes.includes(f))], {
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
// tsx keeps its compile cache in the temporary folder (tsx-<uid>), and the lanes are the runner's, not a test's.
const folders = readdirSync(runTmp).filter((name) => !/^tsx-\d+$/.test(name) && name !== 'lanes');
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
