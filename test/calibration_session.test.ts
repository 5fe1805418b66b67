import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { trainProfileHead } from '../src/device/profiles/train.ts';
import { readMyoSession, MYO_GESTURES } from '../src/host/datasets/myo.ts';
import { createLoopbackPair } from '../src/device/transports/loopback.ts';
import { BoardSession } from '../src/device/transports/board_session.ts';
import { VirtualBoard } from '../src/device/sim/virtual_board.ts';
import { loadProtocol } from '../src/device/calibration/protocol.ts';
import { buildPlan } from '../src/device/calibration/plan.ts';
import { personFromDataset, personScript } from '../src/device/calibration/person_script.ts';
import { runCalibration } from '../src/device/calibration/session.ts';
import type { CalibrationModel } from '../src/device/calibration/training.ts';
import type { SessionEvent } from '../src/device/calibration/events.ts';
import { scratchDir } from './helpers/scratch_dir.ts';

const PERSON = 'data/demo/EvaluationDataset/Male0/training0';

/** A stand-in for a model package: per-channel log mean absolute value and waveform length as the embedding. */
function featureModel(): CalibrationModel {
  return {
    name: 'test-features',
    extractorSha256: '0'.repeat(64),
    channels: 8,
    rate: 200,
    window: { length: 52, hop: 10 },
    trainHead: async (set, classes) => {
      const dim = 2 * set.channels;
      const data = new Float32Array(set.count * dim);
      for (let w = 0; w < set.count; w++) {
        for (let c = 0; c < set.channels; c++) {
          let mav = 0;
          let wl = 0;
          for (let i = 0; i < set.length; i++) {
            const v = set.x[(w * set.length + i) * set.channels + c]!;
            mav += Math.abs(v);
            if (i > 0) wl += Math.abs(v - set.x[(w * set.length + i - 1) * set.channels + c]!);
          }
          data[w * dim + c] = Math.log1p(mav / set.length);
          data[w * dim + set.channels + c] = Math.log1p(wl / set.length);
        }
      }
      return trainProfileHead({ count: set.count, dim, data }, set.y, set.rep, classes.length, { kinds: ['lda', 'ncm'] });
    },
  };
}

test('a full in-process session over a loopback link: profile, report with a confusion matrix, finished journal', async (t) => {
  const dataDir = scratchDir(t);
  const protocol = loadProtocol('calibration/myo7.json');
  const timeScale = 0.5;
  const plan = buildPlan(protocol, { rate: 200, timeScale });
  const person = personFromDataset(readMyoSession(PERSON), MYO_GESTURES, protocol.gestures.map((g) => g.id));
  const pair = createLoopbackPair();
  const board = new VirtualBoard(personScript(person, plan, plan.trials), pair.board, { speed: Number.POSITIVE_INFINITY });
  await board.powerOn();
  const events: SessionEvent[] = [];
  const result = await runCalibration({
    board: new BoardSession({ transport: pair.host, helloTimeoutMs: 200 }),
    protocol,
    user: 'alice',
    dataDir,
    model: featureModel(),
    view: { event: (e) => events.push(e) },
    timeScale,
  });
  await board.powerOff();
  assert.equal(result.profile.user, 'alice');
  assert.ok(existsSync(result.profilePath));
  const html = readFileSync(result.reportPath, 'utf8');
  assert.ok(html.includes('id="confusion-matrix"'), 'the report has the confusion matrix');
  assert.ok(result.confusionText?.includes('Wrist flexion'));
  assert.equal(events.filter((e) => e.type === 'trial').length, 28);
  assert.ok(existsSync(result.journalPath));
  assert.ok(!existsSync(join(dataDir, 'profiles', 'alice', 'calibration', 'journal.hsrec')));
  console.log(result.confusionText, result.verdict.summary, result.trained.cv.accuracy);
  assert.ok((result.trained.cv.accuracy.lda ?? 0) > 0.7, `accuracy ${result.trained.cv.accuracy.lda}`);
});
