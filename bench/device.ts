/**
 * The device runtime on one Myo evaluation person (../shared):
 *   1. head training: embed the calibration recording (1 cycle = 35 s, and
 *      all 4 cycles = 140 s of training0) with the int8 extractor, then time
 *      trainProfileHead (softmax, lda and ncm with held-out choice) as a
 *      share of the recording's duration;
 *   2. replay as fast as possible: `headstart sim --speed max` on a socat
 *      pty feeding `headstart run` (Test0 + Test1, 280 s of signal): the
 *      multiple of real time, windows dropped, latency (which includes the
 *      time a window waits in the queue while the board floods the link),
 *      peak resident memory;
 *   3. real time: the first cycle of Test0 (35 s) at speed 1, where the
 *      latency is the pipeline's own (frame arrival to result).
 * Package: models/myo8-200hz when exported, else the small test extractor
 * built in code (say which in RESULTS.md). Needs socat and `npm run build`.
 * Run: node --import tsx bench/device.ts [--person Male0] [--package <dir>]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { selectBackend } from '../src/tfjs/backend.ts';
import { windowRecordings } from '../src/core/window_set.ts';
import { readMyoSession } from '../src/io/datasets/myo.ts';
import { writeRecordingFile } from '../src/io/datasets/hsrec.ts';
import { loadModelPackage } from '../src/io/model_package.ts';
import { ExtractorStage } from '../src/device/pipeline/extractor_stage.ts';
import { ProfileStore } from '../src/device/profiles/store.ts';
import { trainProfileHead } from '../src/device/profiles/train.ts';
import { openRuntime } from '../src/io/runtime/index.ts';
import { socatAvailable } from '../src/sim/pty_pair.ts';
import { scriptFromRecordings } from '../src/sim/replay_script.ts';
import { writeTestPackage } from '../test/helpers/device_package.ts';
import { cannotRun, printResultLine } from './lib/result_line.ts';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const BIN = fileURLToPath(new URL('../bin/headstart.js', import.meta.url));
const person = arg('--person') ?? 'Male0';
const personDir = fileURLToPath(new URL(`../../shared/datasets/myoarmband/EvaluationDataset/${person}`, import.meta.url));
if (!existsSync(personDir)) cannotRun(`${personDir} is missing (../shared data sets)`);
if (!socatAvailable()) cannotRun('socat is not installed');
if (!existsSync(BIN)) cannotRun('build the CLI first: npm run build');

const work = mkdtempSync(join(tmpdir(), 'hs-bench-device-'));
const shipped = fileURLToPath(new URL('../models/myo8-200hz', import.meta.url));
const packageDir = arg('--package') ?? (existsSync(join(shipped, 'extractor.tflite')) ? shipped : writeTestPackage(join(work, 'test-package')).dir);
// The softmax head trains with TensorFlow.js: on the backend the CLI verbs choose.
const backend = await selectBackend();
const pkg = loadModelPackage(packageDir, { requireTflite: true });
const opened = openRuntime(pkg.tflite!);
const stage = new ExtractorStage(opened.runtime, pkg.manifest);
console.error(`package ${pkg.manifest.name} (${packageDir}), ${opened.runtime.kind} runtime, tfjs ${backend.name}, person ${person}`);

// 1. Head training.
const training = readMyoSession(join(personDir, 'training0'));
const trainingRows: string[] = [];
const trainingFigures: Record<string, unknown>[] = [];
let profileHead;
for (const cycles of [1, 4]) {
  const recordings = training.filter((r) => (r.rep ?? 0) < cycles);
  const seconds = recordings.reduce((n, r) => n + r.samples.length / r.channels / r.rate, 0);
  const set = windowRecordings(recordings, pkg.manifest.window);
  let t0 = performance.now();
  const embeddings = stage.embedWindows(set.x, set.count);
  const embedMs = performance.now() - t0;
  const times: number[] = [];
  let trained;
  for (let run = 0; run < 3; run++) {
    t0 = performance.now();
    trained = trainProfileHead({ embeddings, windows: set, labels: set.y, classes: pkg.manifest.classes.length }, set.rep, pkg.priors ? { prior: pkg.priors.transfer } : {});
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const trainMs = times[1]!;
  // The closed-form heads alone, to show where the time goes.
  t0 = performance.now();
  trainProfileHead({ embeddings, windows: set, labels: set.y, classes: pkg.manifest.classes.length }, set.rep, { methods: ['lda', 'ncm'] });
  const closedFormMs = performance.now() - t0;
  if (cycles === 1) profileHead = trained!;
  trainingRows.push(
    `| ${cycles} (${seconds.toFixed(0)} s, ${set.count} windows) | ${(embedMs / 1000).toFixed(2)} s | ${(trainMs / 1000).toFixed(2)} s | ${((100 * trainMs) / 1000 / seconds).toFixed(2)} % | ${(closedFormMs / 1000).toFixed(2)} s | ${trained!.head.kind} (${trained!.cv.method}: ${Object.entries(trained!.cv.accuracy).map(([k, a]) => `${k} ${(100 * a!).toFixed(1)} %`).join(', ')}) |`,
  );
  console.error(trainingRows.at(-1));
  trainingFigures.push({
    cycles,
    seconds,
    windows: set.count,
    embedSeconds: embedMs / 1000,
    trainSeconds: trainMs / 1000,
    trainShareOfRecording: trainMs / 1000 / seconds,
    closedFormSeconds: closedFormMs / 1000,
    head: trained!.head.kind,
    cv: { method: trained!.cv.method, accuracy: trained!.cv.accuracy },
  });
}

const dataDir = join(work, 'data');
new ProfileStore(dataDir).save({
  user: 'bench',
  extractorSha256: pkg.manifest.extractor.tflite!.sha256,
  package: { name: pkg.manifest.name, dir: packageDir },
  gestures: pkg.manifest.classes,
  head: profileHead!.head,
  cv: profileHead!.cv,
});

interface Summary {
  pipeline: { windows: number; dropped: number; boardSeconds: number; wallSeconds: number; latency: { p50Ms: number; p99Ms: number; maxMs: number } };
  board: { samples: number; missingFrames: number };
  maxRssMB: number;
  runtime: string;
  score: { accuracy: number; scored: number };
}

function child(argv: string[]): { out: () => string; err: () => string; done: Promise<number | null>; kill: () => void } {
  const p = spawn(process.execPath, [BIN, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { out: () => out, err: () => err, done: new Promise((r) => p.once('close', r)), kill: () => p.kill('SIGKILL') };
}

async function live(replay: string, speed: string, maxQueue: string): Promise<Summary> {
  const port = join(work, `board-${speed}`);
  const sim = child(['sim', '--pty', port, '--replay', replay, '--speed', speed, '--json']);
  while (!sim.out().includes('"ready"')) {
    if (sim.err().includes('headstart:')) throw new Error(sim.err());
    await new Promise((r) => setTimeout(r, 20));
  }
  const run = child(['run', '--port', port, '--baud', '2000000', '--profile', 'bench', '--data-dir', dataDir, '--score', '--json', '--idle-stop', '1', '--max-queue', maxQueue]);
  const code = await run.done;
  sim.kill();
  if (code !== 0) throw new Error(`run failed: ${run.err()}`);
  return JSON.parse(run.out().trim().split('\n').at(-1)!) as Summary;
}

function row(label: string, s: Summary): string {
  const p = s.pipeline;
  return (
    `| ${label} | ${p.boardSeconds.toFixed(0)} s in ${p.wallSeconds.toFixed(2)} s = ${(p.boardSeconds / p.wallSeconds).toFixed(1)}x | ${p.windows} / ${p.dropped} | ` +
    `${p.latency.p50Ms.toFixed(2)} / ${p.latency.p99Ms.toFixed(2)} ms | ${s.maxRssMB.toFixed(0)} MB | ${(100 * s.score.accuracy).toFixed(2)} % | ${s.board.missingFrames} |`
  );
}

// 2 and 3: the replays, as .hsrec files of the sessions (labels as markers).
const toFile = (name: string, recordings: ReturnType<typeof readMyoSession>): string => {
  const script = scriptFromRecordings(recordings);
  const path = join(work, `${name}.hsrec`);
  writeRecordingFile(path, { channels: script.channels, rate: script.rate, sampleFormat: 'int16', classes: pkg.manifest.classes }, script.samples, script.labels.map((l) => ({ at: l.at, kind: 'label', label: l.label })));
  return path;
};
const tests = toFile('test01', [...readMyoSession(join(personDir, 'Test0')), ...readMyoSession(join(personDir, 'Test1'))]);
const oneCycle = toFile('test0-cycle0', readMyoSession(join(personDir, 'Test0')).filter((r) => r.rep === 0));
const fast = await live(tests, 'max', '1000000');
console.error(row('max', fast));
const realTime = await live(oneCycle, '1', '64');
console.error(row('1', realTime));

console.log(`package: ${pkg.manifest.name}, extractor runtime: ${fast.runtime}, TensorFlow.js backend for the softmax head: ${backend.name}, person: ${person}\n`);
console.log('| calibration cycles | embed (int8 extractor) | head training, 3 kinds with held-out choice (median of 3) | training / recording | lda + ncm only | chosen head (held-out accuracy) |');
console.log('|---|---|---|---|---|---|');
for (const r of trainingRows) console.log(r);
console.log('\n| replay speed | signal / wall time | windows / dropped | latency p50 / p99 | peak RSS | live accuracy | frames lost |');
console.log('|---|---|---|---|---|---|---|');
console.log(row('max (Test0+Test1)', fast));
console.log(row('1 (Test0, cycle 0)', realTime));
const replayFigures = (speed: string, replay: string, s: Summary) => ({
  speed,
  replay,
  boardSeconds: s.pipeline.boardSeconds,
  wallSeconds: s.pipeline.wallSeconds,
  realTimeMultiple: s.pipeline.boardSeconds / s.pipeline.wallSeconds,
  windows: s.pipeline.windows,
  dropped: s.pipeline.dropped,
  latencyMs: s.pipeline.latency,
  maxRssMB: s.maxRssMB,
  accuracy: s.score.accuracy,
  scored: s.score.scored,
  framesLost: s.board.missingFrames,
});
printResultLine('device', {
  package: pkg.manifest.name,
  extractorSha256: pkg.manifest.extractor.tflite!.sha256,
  runtime: fast.runtime,
  backend: backend.name,
  person,
  training: trainingFigures,
  replays: [replayFigures('max', 'Test0+Test1', fast), replayFigures('1', 'Test0 cycle 0', realTime)],
});
rmSync(work, { recursive: true, force: true });
