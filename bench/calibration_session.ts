/**
 * A whole calibration with a real model package and a real person: the
 * demo's Myo wearer (data/demo, Male0, training0) follows the myo7 protocol
 * at its written timing on a virtual board (streamed as fast as the link
 * takes); the head is trained on the device path (int8 extractor); then the
 * saved head is scored on the same person's later recording (Test0), which
 * the calibration never saw.
 *
 *   node --import tsx bench/calibration_session.ts [package dir]   (default models/myo8-200hz)
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '../src/tfjs/backend.ts';
import { predictClasses } from '../src/core/head/head.ts';
import { windowRecordings } from '../src/core/window_set.ts';
import { buildPlan } from '../src/device/calibration/plan.ts';
import { packageCalibrationModel } from '../src/device/calibration/package_model.ts';
import { personFromDataset, personScript } from '../src/sim/person_script.ts';
import { loadProtocol } from '../src/device/calibration/protocol.ts';
import { runCalibration } from '../src/device/calibration/session.ts';
import { embedWithRuntime } from '../src/io/extractor_embed.ts';
import { loadModelPackage } from '../src/io/model_package.ts';
import { openRuntime } from '../src/io/runtime/open_runtime.ts';
import { VirtualBoard } from '../src/sim/virtual_board.ts';
import { BoardSession } from '../src/device/transports/board_session.ts';
import { createLoopbackPair } from '../src/device/transports/loopback.ts';
import { MYO_GESTURES, readMyoSession } from '../src/io/datasets/myo.ts';
import { cannotRun, printResultLine } from './lib/result_line.ts';

const PERSON = 'data/demo/EvaluationDataset/Male0';
const packageDir = process.argv[2] ?? 'models/myo8-200hz';
if (!existsSync(join(packageDir, 'extractor.tflite'))) cannotRun(`${packageDir} has no exported extractor (npm run train:default && npm run export:default)`);

const backend = await selectBackend();
const protocol = loadProtocol('calibration/myo7.json');
const plan = buildPlan(protocol, { rate: 200 });
const person = personFromDataset(readMyoSession(join(PERSON, 'training0')), MYO_GESTURES, protocol.gestures.map((g) => g.id));
const model = packageCalibrationModel(packageDir);
const pair = createLoopbackPair();
const board = new VirtualBoard(personScript(person, plan, plan.trials), pair.board, { speed: Number.POSITIVE_INFINITY });
await board.powerOn();
const dataDir = mkdtempSync(join(tmpdir(), 'hs-cal-bench-'));
let trainingStarted = 0;
const result = await runCalibration({
  board: new BoardSession({ transport: pair.host, helloTimeoutMs: 200 }),
  protocol,
  user: 'male0',
  dataDir,
  model,
  view: { event: (e) => e.type === 'training' && (trainingStarted = performance.now()) },
});
const t1 = performance.now();
await board.powerOff();

// The saved head on the person's later recording, windows as the package cuts them.
const pkg = loadModelPackage(packageDir, { requireTflite: true });
const test = readMyoSession(join(PERSON, 'Test0'));
const set = windowRecordings(test, pkg.manifest.window, pkg.manifest.normalization);
const embeddings = embedWithRuntime(openRuntime(pkg.tflite!).runtime, pkg.manifest, set);
const predicted = predictClasses(result.profile.head, embeddings, set);
let correct = 0;
for (let i = 0; i < set.count; i++) if (predicted[i] === set.y[i]) correct++;
rmSync(dataDir, { recursive: true, force: true });

const cv = result.trained.cv;
console.log(`package ${pkg.manifest.name} (extractor ${pkg.manifest.extractor.tflite!.sha256.slice(0, 12)}), backend ${backend.name}, runtime ${model.fallbackReason ? 'ts' : 'native'}`);
console.log(`session: ${plan.trials.length} trials, ${(result.windows)} windows; head ${cv.chosen}; ${cv.method} cross-validation accuracy ${((cv.accuracy[cv.chosen] ?? 0) * 100).toFixed(2)} % (${Object.entries(cv.accuracy).map(([k, v]) => `${k} ${((v ?? 0) * 100).toFixed(2)} %`).join(', ')})`);
console.log(`per gesture: ${protocol.gestures.map((g, i) => `${g.id} ${((cv.perClass?.[i] ?? 0) * 100).toFixed(1)} %`).join(', ')}`);
console.log(`verdict: ${result.verdict.summary}`);
console.log(`the profile's head on ${PERSON}/Test0 (never seen): ${((100 * correct) / set.count).toFixed(2)} % of ${set.count} windows`);
console.log(`wall time after the last sample (embed, cross-validate, train, save, report): ${((t1 - trainingStarted) / 1000).toFixed(1)} s`);
printResultLine('calibration_session', {
  package: pkg.manifest.name,
  extractorSha256: pkg.manifest.extractor.tflite!.sha256,
  backend: backend.name,
  runtime: model.fallbackReason ? 'ts' : 'native',
  trials: plan.trials.length,
  windows: result.windows,
  head: cv.chosen,
  cv: { method: cv.method, chosen: cv.chosen, accuracy: cv.accuracy },
  perGesture: Object.fromEntries(protocol.gestures.map((g, i) => [g.id, cv.perClass?.[i] ?? null])),
  verdict: result.verdict.summary,
  test0: { windows: set.count, accuracy: correct / set.count },
  trainingWallSeconds: (t1 - trainingStarted) / 1000,
});
