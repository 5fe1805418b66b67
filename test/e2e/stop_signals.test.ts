/**
 * Every long-running verb stops cleanly on SIGINT, SIGTERM and SIGHUP: the
 * board gets STOP, child processes (socat) and temporary files go, the verb
 * says what it kept and how to go on, and exits with its documented status
 * (run and sim: 0 with their summary; the others: 130, INTERRUPTED). Each
 * wait is bounded: a verb that does not stop fails the test instead of
 * hanging it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildPlan } from '../../src/device/calibration/plan.ts';
import { loadProtocol } from '../../src/device/calibration/protocol.ts';
import { MYO_GESTURES, readMyoSession } from '../../src/io/datasets/myo.ts';
import { personFromDataset, personScript } from '../../src/sim/person_script.ts';
import type { ReplayScript } from '../../src/sim/replay_script.ts';
import { startVirtualBoardOnPty } from '../../src/sim/run_on_pty.ts';
import { EXIT_STATUS } from '../../src/cli/report_error.ts';
import { calibrateArgs, PERSON, spawnCli, type Spawned, writeTestPackage as writeCalibrationPackage } from '../helpers/calibration_fixtures.ts';
import { writeTestPackage } from '../helpers/device_package.ts';
import { calibrate } from '../helpers/live_run.ts';
import { ptySkipReason } from '../helpers/pty.ts';
import { scratchDir } from '../helpers/scratch_dir.ts';

const BIN = fileURLToPath(new URL('../../bin/headstart.js', import.meta.url));
const skip = ptySkipReason() ?? (existsSync(BIN) ? undefined : 'bin not built: run `npm run build`');
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const FIXTURE = fileURLToPath(new URL('../fixtures/myo', import.meta.url));
/** Far above any clean stop (the CLI's own grace is 10 s), far below a hang. */
const STOP_BOUND_MS = 30_000;

async function until(check: () => boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Output seen so far by a spawned CLI (spawnCli keeps it only for `done`). */
function watch(run: Spawned): { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  run.child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  run.child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return { out: () => out, err: () => err };
}

/** The exit of a signalled CLI, or a failure (and a kill) when it does not stop in time. */
async function stopped(run: Spawned, what: string) {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      run.child.kill('SIGKILL');
      reject(new Error(`${what} did not stop within ${STOP_BOUND_MS} ms of the signal`));
    }, STOP_BOUND_MS);
  });
  try {
    return await Promise.race([run.done, bound]);
  } finally {
    clearTimeout(timer);
  }
}

function childPids(pid: number): number[] {
  const r = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).map(Number);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A host that sends START, reads a little and is killed with SIGKILL mid-stream: the pty is left unread. */
function vanishingHost(port: string): void {
  const script = `
    import { BoardSession } from ${JSON.stringify(fileURLToPath(new URL('../../src/device/transports/board_session.ts', import.meta.url)))};
    import { SerialTransport } from ${JSON.stringify(fileURLToPath(new URL('../../src/device/transports/serial.ts', import.meta.url)))};
    const board = new BoardSession({ transport: new SerialTransport({ path: ${JSON.stringify(port)}, baudRate: 2000000 }) });
    await board.start();
    process.kill(process.pid, 'SIGKILL');`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.signal, 'SIGKILL', `the host did not start: ${r.stderr}`);
}

for (const signal of SIGNALS) {
  test(`sim: ${signal} after its host was killed mid-stream ends it (0, the totals), with socat and the pty links gone`, { skip }, async (t) => {
    const dir = scratchDir(t);
    const port = join(dir, 'board');
    const run = spawnCli(['sim', '--pty', port, '--replay', join(FIXTURE, 'EvaluationDataset', 'Female1', 'Test0'), '--speed', 'max', '--json']);
    const seen = watch(run);
    t.after(() => run.child.kill('SIGKILL'));
    await until(() => seen.out().includes('"ready"'), 'the virtual board');
    const socat = childPids(run.child.pid!);
    assert.ok(socat.length > 0, 'socat runs under sim');
    vanishingHost(port);
    run.child.kill(signal);
    const r = await stopped(run, 'sim');
    assert.equal(r.status, 0, r.stderr);
    const end = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.equal(end.event, 'end');
    assert.equal(end.reason, signal === 'SIGINT' ? 'interrupted' : `stopped by ${signal}`);
    await until(() => socat.every((pid) => !alive(pid)), 'socat to exit', 5000);
    assert.ok(!existsSync(port) && !existsSync(`${port}.board`), 'the pty links are removed');
  });
}

test('sim: samples per frame its frames cannot hold are refused before socat starts, and it exits', { skip }, (t) => {
  const dir = scratchDir(t);
  const r = spawnSync(process.execPath, [BIN, 'sim', '--pty', join(dir, 'board'), '--replay', join(FIXTURE, 'EvaluationDataset', 'Female1', 'Test0'), '--samples-per-frame', '64'], { encoding: 'utf8', timeout: STOP_BOUND_MS });
  assert.equal(r.error, undefined, 'it exits by itself');
  assert.equal(r.status, EXIT_STATUS.usage, r.stderr);
  assert.match(r.stderr, /samples per frame must be a whole number in 1\.\.63 for 8 channels .*\[BAD_OPTION\]\nhint: --samples-per-frame <n> /);
  assert.ok(!existsSync(join(dir, 'board')), 'no pty pair was made');
});

/** A board in this process on a socat pty, looping a labelled synthetic recording; the commands it receives are recorded. */
async function loopingBoard(t: { after(fn: () => Promise<void> | void): void }, dir: string, script: ReplayScript, speed: number) {
  const running = await startVirtualBoardOnPty({ ptyPath: join(dir, 'board'), script, speed, loop: true });
  t.after(() => running.stop());
  const commands: string[] = [];
  running.board.on('command', (f) => commands.push(f.command));
  return { running, commands, port: join(dir, 'board') };
}

function syntheticScript(): ReplayScript {
  const channels = 8;
  const samples = new Float32Array(2000 * channels);
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(40 * Math.sin(i / 7) * ((i % channels) + 1));
  return { source: 'synthetic', channels, rate: 200, samples, labels: [{ at: 0, label: 0 }, { at: 1000, label: 1 }] } as ReplayScript;
}

for (const signal of SIGNALS) {
  test(`run: ${signal} sends STOP and ends with the summary (0)`, { skip }, async (t) => {
    const dir = scratchDir(t);
    const pkg = writeTestPackage(join(dir, 'pkg'));
    const rec = (label: number) => ({ source: `r${label}`, channels: 8, rate: 200, samples: Float32Array.from({ length: 400 * 8 }, (_, i) => ((i * (label + 3)) % 50) - 25), label, rep: 0 });
    calibrate(join(dir, 'data'), pkg.dir, 'ann', [rec(0), rec(1)], ['lda']);
    const board = await loopingBoard(t, dir, syntheticScript(), 5);
    const run = spawnCli(['run', '--port', board.port, '--baud', '2000000', '--profile', 'ann', '--data-dir', join(dir, 'data'), '--runtime', 'ts']);
    const seen = watch(run);
    t.after(() => run.child.kill('SIGKILL'));
    await until(() => seen.err().includes("running 'ann'"), 'run to start');
    run.child.kill(signal);
    const r = await stopped(run, 'run');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^interrupted: \d+ windows/);
    assert.equal(board.commands.at(-1), 'stop', `STOP was the last command (got ${board.commands.join(', ')})`);
  });
}

test('run: the board going away and coming back is said as it happens, in text and as JSON events', { skip }, async (t) => {
  const dir = scratchDir(t);
  const pkg = writeTestPackage(join(dir, 'pkg'));
  const rec = (label: number) => ({ source: `r${label}`, channels: 8, rate: 200, samples: Float32Array.from({ length: 400 * 8 }, (_, i) => ((i * (label + 3)) % 50) - 25), label, rep: 0 });
  calibrate(join(dir, 'data'), pkg.dir, 'ann', [rec(0), rec(1)], ['lda']);
  let board = await loopingBoard(t, dir, syntheticScript(), 5);
  const run = spawnCli(['run', '--port', board.port, '--baud', '2000000', '--profile', 'ann', '--data-dir', join(dir, 'data'), '--runtime', 'ts', '--json']);
  const seen = watch(run);
  t.after(() => run.child.kill('SIGKILL'));
  await until(() => seen.err().includes("running 'ann'"), 'run to start');
  // Unplugged: socat and the links go; then a board comes back on the same path.
  await board.running.stop();
  await until(() => seen.err().includes('board disconnected'), 'the disconnect line');
  board = await loopingBoard(t, dir, syntheticScript(), 5);
  await until(() => seen.err().includes('board reconnected after'), 'the reconnect line');
  run.child.kill('SIGINT');
  const r = await stopped(run, 'run');
  assert.equal(r.status, 0, r.stderr);
  const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; state?: string });
  assert.deepEqual(events.filter((e) => e.event === 'link').map((e) => e.state), ['disconnected', 'reconnected']);
  assert.equal(events.at(-1)!.event, 'summary');
  // Not one progress line every few seconds while the board was away: one line said it.
  assert.equal(seen.err().match(/board disconnected/g)!.length, 1);
});

test('calibrate: a signal mid-session sends STOP, keeps the journal and says how to resume (130)', { skip }, async (t) => {
  const dir = scratchDir(t);
  writeCalibrationPackage(join(dir, 'package'));
  const protocol = loadProtocol('calibration/quick5.json');
  const plan = buildPlan(protocol, { rate: 200, timeScale: 0.4 });
  const person = personFromDataset(readMyoSession(PERSON), MYO_GESTURES, protocol.gestures.map((g) => g.id));
  const board = await loopingBoard(t, dir, personScript(person, plan, plan.trials), 5);
  const run = spawnCli(calibrateArgs(dir, ['--protocol', 'calibration/quick5.json', '--time-scale', '0.4']));
  const seen = watch(run);
  t.after(() => run.child.kill('SIGKILL'));
  await until(() => seen.err().includes('trial 3/'), 'the third trial');
  run.child.kill('SIGHUP');
  const r = await stopped(run, 'calibrate');
  assert.equal(r.status, EXIT_STATUS.interrupted, r.stderr);
  const journal = join(dir, 'data', 'profiles', 'alice', 'calibration', 'journal.hsrec');
  assert.match(r.stderr, new RegExp(`the calibration of 'alice' was interrupted: 2 of ${plan.trials.length} trials are recorded and kept in ${journal.replace(/[.]/g, '\\.')}; .* \\[INTERRUPTED\\]\\nhint: run the same command with --resume to continue where it stopped\\n$`));
  assert.ok(existsSync(journal));
  assert.equal(board.commands.at(-1), 'stop', 'STOP was the last command the board got');
});

test('evaluate: a signal stops it between steps, says how many people were scored and how to go on (130)', { skip: existsSync(BIN) ? undefined : 'bin not built' }, async (t) => {
  const run = spawnCli(['evaluate', '--package', 'models/myo8-200hz', '--data', join(FIXTURE, 'EvaluationDataset'), '--cycles', '1,2,3,4', '--no-scratch']);
  const seen = watch(run);
  t.after(() => run.child.kill('SIGKILL'));
  await until(() => seen.err().includes('evaluate 0%'), 'the first person', 120_000);
  run.child.kill('SIGINT');
  const r = await stopped(run, 'evaluate');
  assert.equal(r.status, EXIT_STATUS.interrupted, r.stderr);
  assert.match(r.stderr, /headstart: stopped by SIGINT: the evaluation stopped with [01] of 2 people scored; nothing was written\. Run the same command again.* \[INTERRUPTED\]\n$/);
  assert.equal(r.stdout, '');
});

test('pretrain: a signal stops it between batches; nothing is written (130)', { skip: existsSync(BIN) ? undefined : 'bin not built' }, async (t) => {
  const out = join(scratchDir(t), 'pkg');
  const run = spawnCli(['pretrain', '--data', join(FIXTURE, 'PreTrainingDataset'), '--out', out, '--epochs', '50', '--train-hop', '20', '--batch', '64']);
  const seen = watch(run);
  t.after(() => run.child.kill('SIGKILL'));
  await until(() => /pretrain \d+%/.test(seen.err()), 'the first batch', 120_000);
  run.child.kill('SIGTERM');
  const r = await stopped(run, 'pretrain');
  assert.equal(r.status, EXIT_STATUS.interrupted, r.stderr);
  assert.match(r.stderr, new RegExp(`headstart: stopped by SIGTERM: pretraining stopped in epoch 1 of 50; nothing was written to ${out.replace(/[.]/g, '\\.')} .* \\[INTERRUPTED\\]\\n$`));
  assert.ok(!existsSync(out));
});

test('export: a signal stops it before it writes; the package is as it was (130)', { skip: existsSync(BIN) ? undefined : 'bin not built' }, async (t) => {
  const pkg = join(scratchDir(t), 'pkg');
  cpSync('models/myo8-200hz', pkg, { recursive: true });
  const before = readFileSync(join(pkg, 'extractor.tflite'));
  const manifest = readFileSync(join(pkg, 'manifest.json'), 'utf8');
  const run = spawnCli(['export', '--package', pkg, '--data', join(FIXTURE, 'PreTrainingDataset')]);
  const seen = watch(run);
  t.after(() => run.child.kill('SIGKILL'));
  await until(() => seen.err().includes('reading representative data'), 'the export to start', 120_000);
  run.child.kill('SIGHUP');
  const r = await stopped(run, 'export');
  assert.equal(r.status, EXIT_STATUS.interrupted, r.stderr);
  assert.match(r.stderr, /headstart: stopped by SIGHUP: the export was stopped before it wrote anything; .* is as it was\. Run the same command again to export \[INTERRUPTED\]\n$/);
  assert.deepEqual(readFileSync(join(pkg, 'extractor.tflite')), before);
  assert.equal(readFileSync(join(pkg, 'manifest.json'), 'utf8'), manifest);
});
