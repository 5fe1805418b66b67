// The seconds protocol of `evaluate` (EEG): the EEG package on one eegmat person who was not among its
// pretraining people, through the built bin: k = 0, then calibration on the first C seconds of each
// state, balanced accuracy beside the classical columns of the same windows; with --adapt, each of them
// also adapting over the later windows in time order, by the same code.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';

const EEGMAT = '../shared/datasets/eegmat';
const PACKAGE = 'models/eeg8-250hz';

test('evaluate --calib-seconds scores an EEG person at C = 0 and C = 10 s, with the classical columns beside, adapted or not', (t) => {
  if (!existsSync(EEGMAT)) return t.skip(`${EEGMAT} is missing (the eegmat data set of ../shared)`);
  const run = runCli(['evaluate', '--package', PACKAGE, '--data', EEGMAT, '--calib-seconds', '10', '--people', 'Subject24', '--runtime', 'native', '--no-scratch', '--adapt', '--json'], { timeoutMs: 300_000 });
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.equal(report.accuracy, 'balanced');
  assert.deepEqual(report.people, ['Subject24']);
  assert.deepEqual(report.summary.map((s: { k: number }) => s.k), [0, 10]);
  for (const r of report.results) {
    assert.ok(r.accuracy > 0.5 && r.accuracy <= 1, `C=${r.k}: ${r.accuracy} is above chance`);
    assert.ok(r.testWindows > 0);
    assert.ok(r.baselines.classical >= 0 && r.baselines.classical <= 1);
    if (r.k > 0) assert.ok(r.calibrationWindows > 0 && r.baselines.classicalPrior >= 0 && r.baselines.classicalPrior <= 1);
  }
  const ten = report.summary.find((s: { k: number }) => s.k === 10);
  // Band power alone and with its prior, and the rich columns: what the transfer head reads beside the embedding
  // (band power and covariance), without it, alone and with its block of the transfer prior.
  assert.deepEqual(Object.keys(ten.baselines).sort(), ['classical', 'classicalPrior', 'classicalRich', 'classicalRichPrior']);
  const bestMean = Math.max(...Object.values(ten.baselines as Record<string, { mean: number }>).map((b) => b.mean));
  assert.ok(Math.abs(ten.overBestBaseline - (ten.mean - bestMean)) < 1e-12, 'the headline is transfer minus the best column');
  // Adaptation (C > 0 only: the population head has no calibration to adapt from): transfer and both classical columns.
  const adapted = report.results.find((r: { k: number }) => r.k === 10).adapted;
  assert.ok(adapted && adapted.accuracy > 0.5 && adapted.accuracy <= 1, 'an adapted figure at C = 10');
  assert.deepEqual(Object.keys(adapted.baselines).sort(), ['classical', 'classicalPrior', 'classicalRich', 'classicalRichPrior']);
  const bestAdapted = Math.max(...(Object.values(ten.adaptedBaselines) as number[]));
  assert.ok(Math.abs(ten.adaptedOverBestBaseline - (ten.adaptedMean - bestAdapted)) < 1e-12);
  t.diagnostic(`Subject24, C = 10 s: ${(100 * ten.mean).toFixed(2)} % as calibrated (best classical ${(100 * bestMean).toFixed(2)} %), ${(100 * ten.adaptedMean).toFixed(2)} % adapting (${adapted.updates} updates, ${adapted.resets} resets); best classical adapted ${(100 * bestAdapted).toFixed(2)} %`);
});
