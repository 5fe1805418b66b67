// Cyton values above ±32,767 µV are kept exactly from the board to the
// calibration journal to the windows calibration trains on, and the live
// pipeline sees the same values: nothing is rounded to int16 or clamped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WindowSet } from '../../../src/core/window_set.ts';
import { sliceWindows } from '../../../src/core/windowing.ts';
import { buildPlan } from '../../../src/device/calibration/plan.ts';
import { loadProtocol } from '../../../src/device/calibration/protocol.ts';
import { runCalibration } from '../../../src/device/calibration/session.ts';
import type { CalibrationModel } from '../../../src/device/calibration/training.ts';
import { Windower } from '../../../src/device/pipeline/windower.ts';
import { trainProfileHead } from '../../../src/device/profiles/train.ts';
import { BoardSession } from '../../../src/device/transports/board_session.ts';
import { createLoopbackPair } from '../../../src/device/transports/loopback.ts';
import { readRecordingFile } from '../../../src/io/datasets/hsrec.ts';
import { CytonBoard } from '../../../src/sim/cyton_board.ts';
import { personScript } from '../../../src/sim/person_script.ts';
import type { Recording } from '../../../src/core/signal.ts';
import { scratchDir } from '../../helpers/scratch_dir.ts';
import { throughAdc } from '../../helpers/cyton.ts';

const RATE = 250;

/** A state of mind as 8 channels of microvolts on DC offsets of tens of millivolts: rest with 10 Hz, arithmetic with 6 Hz. */
function state(label: number, seconds: number): Recording {
  const n = seconds * RATE;
  const samples = new Float32Array(n * 8);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 8; c++) samples[i * 8 + c] = (c % 2 ? -1 : 1) * (45000 + 11000 * c) + 30 * Math.sin((2 * Math.PI * (label === 0 ? 10 : 6) * i) / RATE + c) + 5 * Math.sin(i * 0.73 * (c + 1));
  }
  return { source: `state ${label}`, channels: 8, rate: RATE, samples, label };
}

test('Cyton values above ±32,767 µV: kept exactly from board to journal to the calibration windows and the live pipeline', async (t) => {
  const protocol = loadProtocol('calibration/eeg-mental2.json');
  const timeScale = 0.25;
  const plan = buildPlan(protocol, { rate: RATE, timeScale });
  const script = personScript({ byGesture: [[state(0, 30)], [state(1, 30)]], restGesture: 0 }, plan, plan.trials);
  let trainedOn: WindowSet | undefined;
  const model: CalibrationModel = {
    name: 'full-resolution',
    extractorSha256: '0'.repeat(64),
    channels: 8,
    rate: RATE,
    window: { length: 125, hop: 125 },
    trainHead: async (set, classes) => {
      trainedOn = set;
      const data = new Float32Array(set.count * 8);
      for (let w = 0; w < set.count; w++) for (let c = 0; c < 8; c++) data[w * 8 + c] = set.x[w * set.length * 8 + c]! / 1000;
      return trainProfileHead({ embeddings: { count: set.count, dim: 8, data }, labels: set.y, classes: classes.length }, set.rep, { methods: ['ncm'] });
    },
  };
  const pair = createLoopbackPair();
  const board = new CytonBoard(script, pair.board, { speed: Number.POSITIVE_INFINITY });
  await board.powerOn();
  const result = await runCalibration({
    board: new BoardSession({ transport: pair.host, format: 'cyton', helloTimeoutMs: 500 }),
    protocol,
    user: 'cyton-wearer',
    dataDir: scratchDir(t),
    model,
    view: { event: () => undefined },
    timeScale,
    random: () => 0.5,
  });
  await board.powerOff();

  // Board -> journal: float32, every value exactly the ADC's (counts times the scale factor), none clamped.
  const journal = readRecordingFile(result.journalPath);
  assert.equal(journal.header.sampleFormat, 'float32');
  const expected = Float32Array.from(script.samples.subarray(0, journal.samples.length), (v) => throughAdc(v));
  assert.ok(journal.samples.length >= plan.trials.length * (plan.countdown + plan.hold) * 8);
  assert.deepEqual(journal.samples, expected);
  const largest = journal.samples.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  assert.ok(largest > 100000, `the journal holds ${largest} µV`);
  assert.equal(board.stats.clipped, 0);
  // The generated prompt is in the journal.
  assert.ok(journal.markers.some((m) => m.kind === 'trial' && /from 5500 in steps of 55/.test(m.text ?? '')));

  // Journal -> calibration windows: the same values (this model has no filters).
  assert.ok(trainedOn && trainedOn.count > 0);
  const inJournal = new Set(journal.samples);
  for (const v of trainedOn.x) assert.ok(inJournal.has(v), `window value ${v} is not a journal value`);
  assert.ok(trainedOn.x.some((v) => Math.abs(v) > 32767));

  // Board -> live pipeline: the same values, window for window.
  const live = createLoopbackPair();
  const again = new CytonBoard(script, live.board, { speed: Number.POSITIVE_INFINITY });
  await again.powerOn();
  const session = new BoardSession({ transport: live.host, format: 'cyton', helloTimeoutMs: 500 });
  const windower = new Windower({ channels: 8, boardRate: RATE, modelRate: RATE, window: model.window });
  const windows: number[] = [];
  const wanted = Math.floor(journal.samples.length / 8 / 125);
  const done = new Promise<void>((resolve) =>
    session.on('frame', (f) =>
      windower.push(f, (w) => {
        if (w.index < wanted) windows.push(...w.data);
        if (w.index === wanted - 1) resolve();
      }),
    ),
  );
  await session.start();
  await done;
  await session.close();
  await again.powerOff();
  assert.deepEqual(Float32Array.from(windows), sliceWindows(journal.samples.slice(0, wanted * 125 * 8), 8, model.window));
});
