#!/usr/bin/env node
// A small application on headstart's library API: a fist toggles a light,
// an open hand says hello. Without hardware it runs against virtual boards
// that play a recorded person (the demo's Male0, shipped with headstart):
// one follows this folder's protocol for the calibration, the other plays
// the same person's later recording live.
//
//   node examples/fist-toggle/app.mjs                      # virtual boards
//   node examples/fist-toggle/app.mjs --port /dev/ttyACM0  # a real board: you follow the prompts
//
// It prints one JSON line per thing that happens (calibrated, light, hello,
// done), so that another program (or a test) can read it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { calibrate, createRecognizer, loadModelPackage, openBoard, shippedAssets } from 'headstart';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    speed: { type: 'string', default: '10' },
    'data-dir': { type: 'string' },
    runtime: { type: 'string', default: 'auto' },
  },
});
const speed = Number(args.speed);
const protocol = join(dirname(fileURLToPath(import.meta.url)), 'protocol.json');
const say = (line) => process.stdout.write(JSON.stringify(line) + '\n');

const model = loadModelPackage(); // the package shipped with headstart
const person = join(shippedAssets().demoData, 'EvaluationDataset', 'Male0');
const calibrationBoard = args.port ? openBoard({ port: args.port }) : openBoard({ sim: { replay: join(person, 'training0'), follow: protocol, speed } });
const liveBoard = args.port ? calibrationBoard : openBoard({ sim: { replay: join(person, 'Test0'), speed } });

const dataDir = args['data-dir'] ?? mkdtempSync(join(tmpdir(), 'fist-toggle-'));
try {
  // Collect and train: the guided calibration, its prompts on stderr.
  const calibrated = await calibrate({
    model,
    board: calibrationBoard,
    protocol,
    user: 'example',
    dataDir,
    runtime: args.runtime,
    onEvent: (e) => {
      if (e.type === 'trial') process.stderr.write(`${e.trial.gestureInfo.prompt} (${e.trial.index + 1}/${e.trial.total})\n`);
    },
  });
  const cv = calibrated.trained.cv;
  say({ event: 'calibrated', head: calibrated.trained.head.kind, heldOutAccuracy: cv.accuracy[cv.chosen] ?? null, verdict: calibrated.verdict.pass });

  // Listen: gesture changes drive the application.
  const recognizer = createRecognizer({ model, profile: calibrated.profile, runtime: args.runtime });
  const live = recognizer.listen(liveBoard, { idleStopMs: 2000 });
  let light = false;
  live.on('gesture', (e) => {
    if (e.gesture === 'hand-close') {
      light = !light;
      say({ event: 'light', on: light, t: e.t });
    } else if (e.gesture === 'hand-open') {
      say({ event: 'hello', t: e.t, confidence: e.confidence });
    }
  });
  process.once('SIGINT', () => live.stop('interrupted'));
  await live.start();
  const result = await live.done();
  say({ event: 'done', reason: result.reason, windows: result.pipeline.windows, runtime: recognizer.runtime });
} finally {
  await calibrationBoard.close();
  await liveBoard.close();
  if (!args['data-dir']) rmSync(dataDir, { recursive: true, force: true });
}
