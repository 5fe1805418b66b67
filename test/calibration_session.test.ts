import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readMyoSession, MYO_GESTURES } from '../src/host/datasets/myo.ts';
import { createLoopbackPair } from '../src/device/transports/loopback.ts';
import { BoardSession } from '../src/device/transports/board_session.ts';
import { VirtualBoard } from '../src/device/sim/virtual_board.ts';
import { loadProtocol } from '../src/device/calibration/protocol.ts';
import { buildPlan } from '../src/device/calibration/plan.ts';
import { personFromDataset, personScript } from '../src/device/calibration/person_script.ts';
import { runCalibration } from '../src/device/calibration/session.ts';
import type { SessionEvent } from '../src/device/calibration/events.ts';
import { scratchDir } from './helpers/scratch_dir.ts';
import { featureModel, PERSON, writeTestPackage } from './calibration_fixtures.ts';
import { packageCalibrationModel } from '../src/device/calibration/package_model.ts';

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
  // Prompts and muscles line up sample for sample: a misaligned session would score near chance.
  assert.ok((result.trained.cv.accuracy.lda ?? 0) > 0.9, `accuracy ${result.trained.cv.accuracy.lda}`);
});

test('the package model embeds with the int8 extractor and trains a head', async (t) => {
  const dir = scratchDir(t);
  writeTestPackage(dir);
  const model = packageCalibrationModel(dir, { runtime: 'ts' });
  assert.equal(model.channels, 8);
  const recordings = readMyoSession(PERSON).filter((r) => r.label! < 3);
  const { windowRecordings } = await import('../src/core/window_set.ts');
  const set = windowRecordings(recordings, model.window, model.normalization);
  const trained = await model.trainHead(set, ['a', 'b', 'c']);
  assert.equal(trained.head.classes, 3);
  assert.equal(trained.cv.method, 'repetitions');
  assert.ok(trained.cv.confusion && trained.cv.confusion.flat().reduce((a, b) => a + b, 0) === set.count);
});
