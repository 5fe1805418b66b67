import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateManifest } from '../../src/core/model_package/manifest.ts';
import { runCli } from '../helpers/cli.ts';
import { scratchDir } from '../helpers/scratch_dir.ts';
import { EXIT_STATUS } from '../../src/cli/report_error.ts';

const FIXTURE = 'test/fixtures/myo';

test('pretrain writes a valid package that evaluate scores per person and k, with a from-scratch comparison', (t) => {
  const out = join(scratchDir(t), 'pkg');
  const pre = runCli(['pretrain', '--data', `${FIXTURE}/PreTrainingDataset`, '--out', out, '--epochs', '2', '--train-hop', '20', '--batch', '64', '--json'], { timeoutMs: 300_000 });
  assert.equal(pre.status, 0, pre.stderr);
  const report = JSON.parse(pre.stdout);
  assert.equal(report.history.length, 2);
  assert.match(pre.stderr, /epoch 1: loss .* windows\/s/);
  const manifest = validateManifest(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')));
  assert.equal(manifest.channels, 8);
  assert.equal(manifest.sampleRate, 200);
  assert.equal(manifest.classes.length, 7);
  assert.ok(existsSync(join(out, 'float', 'model.json')) && existsSync(join(out, 'float', 'weights.bin')));

  const ev = runCli(['evaluate', '--package', out, '--data', `${FIXTURE}/EvaluationDataset`, '--cycles', '0,1,2', '--scratch-steps', '5', '--json'], { timeoutMs: 300_000 });
  assert.equal(ev.status, 0, ev.stderr);
  const res = JSON.parse(ev.stdout);
  assert.deepEqual(res.people.sort(), ['Female1', 'Male2']);
  assert.deepEqual(res.summary.map((s: { k: number }) => s.k), [0, 1, 2]);
  for (const r of res.results) {
    assert.ok(r.accuracy >= 0 && r.accuracy <= 1);
    assert.ok(r.testWindows > 0);
    if (r.k > 0) assert.equal(typeof r.scratchAccuracy, 'number');
    // Every k >= 1 has the classical columns, scored on the same windows.
    if (r.k > 0) for (const c of ['classical', 'classicalRich']) assert.ok(r.baselines[c] >= 0 && r.baselines[c] <= 1, `${c} at k=${r.k}`);
    else assert.equal(r.baselines, undefined);
  }
  assert.deepEqual(res.baselines.map((b: { k: number }) => b.k), [1, 2]);
  for (const b of res.baselines) {
    const s = res.summary.find((x: { k: number }) => x.k === b.k);
    const means = [b.classical.mean, b.classicalRich.mean, ...(b.classicalPrior ? [b.classicalPrior.mean] : [])];
    assert.ok(Math.abs(b.transferMinusBest - (s.mean - Math.max(...means))) < 1e-12, 'the headline is transfer minus the best column');
    assert.equal(b[b.best].mean, Math.max(...means));
  }
  // Two calibration cycles see twice the windows of one.
  const female = res.results.filter((r: { person: string }) => r.person === 'Female1');
  assert.equal(female[2].calibrationWindows, 2 * female[1].calibrationWindows);
  // Even a barely trained extractor with a calibrated head beats chance (1/7) by a wide margin.
  assert.ok(res.summary[2].mean > 0.4, `k=2 mean ${res.summary[2].mean}`);
});

test('evaluate explains what is missing', () => {
  const r = runCli(['evaluate', '--package', 'no/such/package', '--data', `${FIXTURE}/EvaluationDataset`]);
  assert.equal(r.status, EXIT_STATUS.input);
  assert.match(r.stderr, /no such model package folder \[FILE_NOT_FOUND\]/);
  const r2 = runCli(['evaluate', '--package', 'x', '--cycles', '1,a']);
  assert.equal(r2.status, EXIT_STATUS.usage);
  assert.match(r2.stderr, /--cycles must be a whole number from 0 to 1000, got "a"/);
  const empty = runCli(['evaluate', '--package', 'x', '--cycles', '']);
  assert.match(empty.stderr, /--cycles must be a comma-separated list, each a whole number from 0 to 1000, got "" \[BAD_OPTION\]/);
  // More cycles than the calibration recordings hold: refused before any work, not trained on fewer under the k asked for.
  const many = runCli(['evaluate', '--package', 'no/such/package', '--data', `${FIXTURE}/EvaluationDataset`, '--cycles', '1,99', '--json']);
  assert.equal(many.status, EXIT_STATUS.usage, many.stderr);
  const err = JSON.parse(many.stderr).error;
  assert.equal(err.code, 'BAD_OPTION');
  assert.match(err.message, /^k = 99 calibration cycles asked for, but not every person's calibration holds that many \(Female1 has 4, Male2 has 4\); ask for k from 0 to 4$/);
  assert.match(err.hint, /--cycles <list> chooses the values of k/);
  const four = runCli(['evaluate', '--package', 'no/such/package', '--data', `${FIXTURE}/EvaluationDataset`, '--cycles', '4']);
  assert.equal(four.status, EXIT_STATUS.input, 'k = 4 fits: the run goes on to the package');
  const neither = runCli(['evaluate', '--package', 'x']);
  assert.equal(neither.status, EXIT_STATUS.usage);
  assert.match(neither.stderr, /give --data <Myo evaluation folder>, or both --calib <glob> and --test <glob> \[MISSING_OPTION\]/);
});
