/**
 * `headstart run` end to end: the virtual board (`headstart sim`) plays a
 * labelled recording into a socat pseudo-terminal, `headstart run --score`
 * reads it live, and its per-window accuracy is compared with offline
 * figures computed here with the same profile head:
 *   - the replica: the same continuous stream cut into the same windows
 *     offline; the live run must match it exactly (same windows scored,
 *     same windows right), which shows nothing was lost or altered;
 *   - the evaluation protocol's figure: windows cut per recording file
 *     (as the offline evaluation does), which differ from the live ones only
 *     in where they start; the issue asks for the live figure within 1 point.
 * Windows that straddle a label change are not scored live (they hold two
 * gestures); the evaluation's per-file windows never straddle one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { predictClasses } from '../src/core/head/head.ts';
import type { Recording } from '../src/core/signal.ts';
import { windowRecordings } from '../src/core/window_set.ts';
import { sliceWindows, windowCount } from '../src/core/windowing.ts';
import { readMyoSession } from '../src/host/datasets/myo.ts';
import { writeRecordingFile } from '../src/host/datasets/hsrec.ts';
import { loadModelPackage } from '../src/device/model_package.ts';
import { ExtractorStage } from '../src/device/pipeline/extractor_stage.ts';
import { ProfileStore } from '../src/device/profiles/store.ts';
import { trainProfileHead } from '../src/device/profiles/train.ts';
import { openRuntime } from '../src/device/runtime/index.ts';
import { loadReplayScript } from '../src/device/sim/replay_source.ts';
import type { ReplayScript } from '../src/device/sim/replay_script.ts';
import { runCli } from './helpers/cli.ts';
import { MYO_GESTURE_NAMES, writeTestPackage } from './helpers/device_package.ts';
import { ptySkipReason } from './helpers/pty.ts';
import { scratchDir } from './helpers/scratch_dir.ts';

const BIN = fileURLToPath(new URL('../bin/headstart.js', import.meta.url));
const MYO_PERSON = fileURLToPath(new URL('../../shared/datasets/myoarmband/EvaluationDataset/Male0', import.meta.url));
const DEFAULT_PACKAGE = fileURLToPath(new URL('../models/myo8-200hz', import.meta.url));

interface RunSummary {
  event: 'summary';
  runtime: string;
  pipeline: { windows: number; inferred: number; dropped: number; samplesIn: number; latency: { count: number; p50Ms: number; p99Ms: number } };
  board: { samples: number; missingFrames: number; gaps: number; decoder: { crcFailures: number; droppedBytes: number } };
  score: { scored: number; correct: number; accuracy: number; straddling: number; unlabelled: number; confusion: number[][] };
}

interface Child {
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

function start(args: string[]): Child {
  const proc = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('close', (code) => resolve(code)));
  return { proc, stdout: () => out, stderr: () => err, exited };
}

async function waitFor(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Calibrates a profile in-process (embed with the package's extractor, train, save), as the calibration session does. */
function calibrate(dataDir: string, packageDir: string, user: string, recordings: Recording[]) {
  const pkg = loadModelPackage(packageDir, { requireTflite: true });
  const stage = new ExtractorStage(openRuntime(pkg.tflite!).runtime, pkg.manifest);
  const set = windowRecordings(recordings, pkg.manifest.window);
  const embeddings = stage.embedWindows(set.x, set.count);
  const trained = trainProfileHead(embeddings, set.y, set.rep, pkg.manifest.classes.length);
  return new ProfileStore(dataDir).save({
    user,
    extractorSha256: pkg.manifest.extractor.tflite!.sha256,
    package: { name: pkg.manifest.name, dir: packageDir },
    gestures: pkg.manifest.classes,
    head: trained.head,
    cv: trained.cv,
    calibration: { windows: set.count, repetitions: new Set(set.rep).size },
  });
}

/** Live run of `replay` through sim + run; returns the summary and the events. */
async function runLive(t: { after(fn: () => void): void }, work: string, dataDir: string, user: string, packageDir: string, replay: string[], runtime: string) {
  const port = join(work, 'board');
  const sim = start(['sim', '--pty', port, '--replay', ...replay, '--speed', 'max', '--json']);
  t.after(() => sim.proc.kill('SIGKILL'));
  await waitFor(() => sim.stdout().includes('"ready"') || sim.proc.exitCode !== null, 'the virtual board');
  assert.match(sim.stdout(), /"ready"/, `sim failed: ${sim.stderr()}`);
  const run = start(['run', '--port', port, '--baud', '2000000', '--profile', user, '--data-dir', dataDir, '--package', packageDir, '--score', '--json', '--idle-stop', '1.5', '--max-queue', '1000000', '--runtime', runtime]);
  t.after(() => run.proc.kill('SIGKILL'));
  const code = await run.exited;
  assert.equal(code, 0, `run failed: ${run.stderr()}`);
  await Promise.race([sim.exited, new Promise((r) => setTimeout(r, 5000))]);
  const lines = run.stdout().trim().split('\n').map((l) => JSON.parse(l) as { event: string });
  const summary = lines.find((l) => l.event === 'summary') as unknown as RunSummary;
  assert.ok(summary, `no summary in ${run.stdout()}`);
  return { summary, events: lines.filter((l) => l.event === 'gesture') as unknown as { marker: { kind: string; value: number } | null }[] };
}

/** The live windows, offline: the continuous stream cut at the same places, scored where one label covers the whole window. */
function replicaScore(script: ReplayScript, packageDir: string, head: Parameters<typeof predictClasses>[0]) {
  const pkg = loadModelPackage(packageDir, { requireTflite: true });
  const { length, hop } = pkg.manifest.window;
  const windows = sliceWindows(script.samples, script.channels, pkg.manifest.window);
  const count = windowCount(script.samples.length / script.channels, pkg.manifest.window);
  const predicted = predictClasses(head, new ExtractorStage(openRuntime(pkg.tflite!).runtime, pkg.manifest).embedWindows(windows, count));
  const labelAt = (i: number): number => {
    let label = -1;
    for (const c of script.labels) if (c.at <= i) label = c.label;
    return label;
  };
  let scored = 0;
  let correct = 0;
  for (let w = 0; w < count; w++) {
    const first = w * hop;
    const last = first + length - 1;
    const truth = labelAt(last);
    if (truth < 0 || script.labels.some((c) => c.at > first && c.at <= last)) continue;
    scored++;
    if (predicted[w] === truth) correct++;
  }
  return { windows: count, scored, correct, accuracy: correct / scored };
}

/** The offline evaluation's figure: windows cut per recording file, the same head. */
function evaluationScore(recordings: Recording[], packageDir: string, head: Parameters<typeof predictClasses>[0]) {
  const pkg = loadModelPackage(packageDir, { requireTflite: true });
  const set = windowRecordings(recordings, pkg.manifest.window);
  const predicted = predictClasses(head, new ExtractorStage(openRuntime(pkg.tflite!).runtime, pkg.manifest).embedWindows(set.x, set.count));
  let correct = 0;
  for (let i = 0; i < set.count; i++) if (predicted[i] === set.y[i]) correct++;
  return { windows: set.count, accuracy: correct / set.count };
}

async function myoProof(t: { after(fn: () => void): void; diagnostic(msg: string): void }, packageDir: string, runtime: string): Promise<void> {
  const work = scratchDir(t, 'hs-run-');
  const dataDir = join(work, 'data');
  const calibration = readMyoSession(join(MYO_PERSON, 'training0')).filter((r) => r.rep === 0);
  assert.equal(calibration.length, 7, 'one cycle: one 5 s recording of each of the 7 gestures');
  const profile = calibrate(dataDir, packageDir, 'male0', calibration);
  const replay = [join(MYO_PERSON, 'Test0'), join(MYO_PERSON, 'Test1')];
  const { summary, events } = await runLive(t, work, dataDir, 'male0', packageDir, replay, runtime);

  const script = loadReplayScript(replay);
  const samples = script.samples.length / script.channels;
  assert.equal(summary.board.samples, samples, 'every sample arrived');
  assert.equal(summary.board.missingFrames, 0, 'no frame lost');
  assert.equal(summary.board.decoder.crcFailures, 0);
  assert.equal(summary.pipeline.dropped, 0, 'no window dropped');
  assert.equal(summary.pipeline.inferred, summary.pipeline.windows);

  const replica = replicaScore(script, packageDir, profile.head);
  assert.equal(summary.pipeline.windows, replica.windows);
  assert.deepEqual([summary.score.scored, summary.score.correct], [replica.scored, replica.correct], 'live = the same windows offline, window for window');

  const evaluation = evaluationScore([...readMyoSession(replay[0]!), ...readMyoSession(replay[1]!)], packageDir, profile.head);
  t.diagnostic(
    `${runtime} runtime, head ${profile.head.kind} (cv ${profile.cv.method}): live ${(100 * summary.score.accuracy).toFixed(2)} % over ${summary.score.scored} windows ` +
      `(${summary.score.straddling} straddling not scored); offline evaluation ${(100 * evaluation.accuracy).toFixed(2)} % over ${evaluation.windows} windows; ` +
      `latency p50 ${summary.pipeline.latency.p50Ms.toFixed(2)} ms p99 ${summary.pipeline.latency.p99Ms.toFixed(2)} ms`,
  );
  assert.ok(Math.abs(summary.score.accuracy - evaluation.accuracy) <= 0.01, `live ${summary.score.accuracy} vs offline ${evaluation.accuracy}: more than 1 point apart`);
  assert.ok(events.length > 0 && events.every((e) => e.marker?.kind === 'label'), 'every event carries the true-label marker in force');
}

test('live replay of a Myo evaluation person with the small test extractor matches the offline figures', { timeout: 240_000 }, async (t) => {
  const skip = ptySkipReason() ?? (existsSync(MYO_PERSON) ? undefined : `${MYO_PERSON} is missing (the ../shared data sets)`) ?? (existsSync(BIN) ? undefined : 'bin not built: run `npm run build`');
  if (skip) return t.skip(skip);
  const pkg = writeTestPackage(join(scratchDir(t, 'hs-pkg-'), 'pkg'));
  await myoProof(t, pkg.dir, 'ts');
});

test('live replay of a Myo evaluation person with the exported default package matches the offline figures', { timeout: 300_000 }, async (t) => {
  const skip =
    ptySkipReason() ??
    (existsSync(MYO_PERSON) ? undefined : `${MYO_PERSON} is missing (the ../shared data sets)`) ??
    (existsSync(join(DEFAULT_PACKAGE, 'extractor.tflite')) ? undefined : `${DEFAULT_PACKAGE}/extractor.tflite is missing (made by \`headstart export\`)`);
  if (skip) return t.skip(skip);
  await myoProof(t, DEFAULT_PACKAGE, 'auto');
});

test('live replay of a synthetic labelled recording (no data set needed): every window inferred, live = offline', { timeout: 120_000 }, async (t) => {
  const skip = ptySkipReason() ?? (existsSync(BIN) ? undefined : 'bin not built: run `npm run build`');
  if (skip) return t.skip(skip);
  const work = scratchDir(t, 'hs-run-');
  const pkg = writeTestPackage(join(work, 'pkg'));
  // Seven "gestures", each a distinct mix of per-channel tones, 3 s each, twice over.
  const rate = 200;
  const segment = 600;
  const make = (label: number, rep: number): Recording => {
    const samples = new Float32Array(segment * 8);
    for (let i = 0; i < segment; i++) for (let c = 0; c < 8; c++) samples[i * 8 + c] = Math.round(60 * Math.sin((i * (c + 1) * (label + 2)) / 23 + rep) * (((label + c) % 4) + 1) / 4);
    return { source: `g${label}r${rep}`, channels: 8, rate, samples, label, rep };
  };
  const calibration = [0, 1].flatMap((rep) => MYO_GESTURE_NAMES.map((_, g) => make(g, rep)));
  const profile = calibrate(join(work, 'data'), pkg.dir, 'synth', calibration);
  assert.equal(profile.cv.method, 'repetitions');
  const test = MYO_GESTURE_NAMES.map((_, g) => make(g, 2));
  const all = new Float32Array(test.length * segment * 8);
  test.forEach((r, i) => all.set(r.samples, i * segment * 8));
  const replayFile = join(work, 'test.hsrec');
  writeRecordingFile(replayFile, { channels: 8, rate, sampleFormat: 'int16', classes: MYO_GESTURE_NAMES }, all, test.map((r, i) => ({ at: i * segment, kind: 'label', label: r.label! })));

  const { summary } = await runLive(t, work, join(work, 'data'), 'synth', pkg.dir, [replayFile], 'ts');
  assert.equal(summary.board.samples, test.length * segment);
  assert.equal(summary.pipeline.dropped, 0);
  const replica = replicaScore(loadReplayScript([replayFile]), pkg.dir, profile.head);
  assert.deepEqual([summary.pipeline.windows, summary.score.scored, summary.score.correct], [replica.windows, replica.scored, replica.correct]);
  assert.equal(summary.score.confusion.flat().reduce((a, b) => a + b, 0), summary.score.scored);
});

test('run refuses a board whose channel count is not the package\'s, and a profile made for another extractor', { timeout: 60_000 }, async (t) => {
  const skip = ptySkipReason() ?? (existsSync(BIN) ? undefined : 'bin not built: run `npm run build`');
  if (skip) return t.skip(skip);
  const work = scratchDir(t, 'hs-run-');
  const pkg = writeTestPackage(join(work, 'pkg'));
  const other = writeTestPackage(join(work, 'other'), { seed: 99 });
  const dataDir = join(work, 'data');
  const rec = (channels: number): Recording => ({ source: 'x', channels, rate: 200, samples: Float32Array.from({ length: 400 * channels }, (_, i) => (i * 7) % 50), label: 0, rep: 0 });
  calibrate(dataDir, pkg.dir, 'frank', [rec(8), { ...rec(8), label: 1 }]);

  const wrongExtractor = runCli(['run', '--port', join(work, 'nowhere'), '--profile', 'frank', '--data-dir', dataDir, '--package', other.dir]);
  assert.equal(wrongExtractor.status, 1);
  assert.match(wrongExtractor.stderr, /PROFILE_EXTRACTOR_MISMATCH/);
  assert.match(wrongExtractor.stderr, /calibrate 'frank' again/);

  const fourChannels = join(work, 'four.hsrec');
  writeRecordingFile(fourChannels, { channels: 4, rate: 200, sampleFormat: 'int16' }, rec(4).samples);
  const port = join(work, 'board');
  const sim = start(['sim', '--pty', port, '--replay', fourChannels, '--json']);
  t.after(() => sim.proc.kill('SIGKILL'));
  await waitFor(() => sim.stdout().includes('"ready"'), 'the virtual board');
  const run = start(['run', '--port', port, '--baud', '2000000', '--profile', 'frank', '--data-dir', dataDir]);
  assert.equal(await run.exited, 1);
  assert.match(run.stderr(), /BOARD_CHANNELS_MISMATCH/);
  assert.match(run.stderr(), /sends 4 channels but the model package .* was trained on 8/);
});

test('a 250 Hz board feeding a 200 Hz package is resampled live', { timeout: 60_000 }, async (t) => {
  const skip = ptySkipReason() ?? (existsSync(BIN) ? undefined : 'bin not built: run `npm run build`');
  if (skip) return t.skip(skip);
  const work = scratchDir(t, 'hs-run-');
  const pkg = writeTestPackage(join(work, 'pkg'));
  const tone = (rate: number, label: number, seconds: number): Recording => {
    const n = rate * seconds;
    const samples = new Float32Array(n * 8);
    for (let i = 0; i < n; i++) for (let c = 0; c < 8; c++) samples[i * 8 + c] = Math.round(50 * Math.sin((2 * Math.PI * (5 + 3 * label + c) * i) / rate));
    return { source: `tone${label}@${rate}`, channels: 8, rate, samples, label, rep: 0 };
  };
  calibrate(join(work, 'data'), pkg.dir, 'resampled', [tone(200, 0, 3), tone(200, 1, 3)]);
  const board = join(work, 'board250.hsrec');
  writeRecordingFile(board, { channels: 8, rate: 250, sampleFormat: 'int16' }, tone(250, 1, 10).samples, [{ at: 0, kind: 'label', label: 1 }]);
  const { summary } = await runLive(t, work, join(work, 'data'), 'resampled', pkg.dir, [board], 'ts');
  const s = summary as unknown as { pipeline: { resampling: boolean; windows: number; dropped: number }; board: { samples: number } };
  assert.equal(s.board.samples, 2500);
  assert.equal(s.pipeline.resampling, true);
  // 2500 board samples at 250 Hz are 2000 model samples at 200 Hz: (2000 - 52) / 5 + 1 windows.
  assert.equal(s.pipeline.windows, 390);
  assert.equal(s.pipeline.dropped, 0);
});
