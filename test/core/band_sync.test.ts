import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyBandCorrection, channelCovariance, correctionPlan, estimateBandCorrection, rotateCovariance } from '../../src/core/band_sync.ts';
import { rotateBand } from '../../src/core/band_rotation.ts';
import { createRng } from '../../src/core/rng.ts';
import { readMyoFile } from '../../src/io/datasets/myo.ts';

const FIXTURE = new URL('../fixtures/myo/EvaluationDataset/', import.meta.url).pathname;
const C = 8;

test('the covariance of a turned band is R C R^T', () => {
  const rng = createRng(2);
  const x = Float32Array.from({ length: 500 * C }, () => rng.normal());
  for (let t = 0; t < 500; t++) x[t * C + 3] += 3 * x[t * C + 2];
  for (const s of [0.3, 1, -1.6]) {
    const direct = channelCovariance(rotateBand(x, C, s), C);
    const predicted = rotateCovariance(channelCovariance(x, C), C, s);
    direct.forEach((v, i) => assert.ok(Math.abs(v - predicted[i]) < 1e-3 * (1 + Math.abs(v)), `shift ${s} entry ${i}`));
  }
});

test('sync recovers a known turn of a real recording from 2 s of the same gesture held later', () => {
  // Calibration: the first 4 s of hand open in training0; later: 2 s of the same gesture in Test0, the band turned.
  for (const person of ['Female1', 'Male2']) {
    const calib = readMyoFile(`${FIXTURE}${person}/training0/classe_6.dat`).samples;
    const later = readMyoFile(`${FIXTURE}${person}/Test0/classe_6.dat`).samples;
    const reference = channelCovariance(calib, C, 100, 900);
    for (const turn of [0.5, 1, -0.75]) {
      const observed = channelCovariance(rotateBand(later, C, turn), C, 300, 700);
      const est = estimateBandCorrection(reference, observed, C);
      assert.ok(Math.abs(est.shift - turn) <= 0.25, `${person}: turned ${turn}, estimated ${est.shift}`);
      assert.ok(est.mismatch < est.mismatchUnturned);
    }
  }
});

test('gains are recovered and the correction undoes turn and gains', () => {
  const rng = createRng(9);
  const frames = 2000;
  // A spatially smooth signal around the band, strongest at one place (so a turn shows), and a little noise.
  const x = new Float32Array(frames * C);
  for (let t = 0; t < frames; t++) {
    const a = 2 * rng.normal();
    const b = 0.5 * rng.normal();
    for (let c = 0; c < C; c++) x[t * C + c] = a * Math.exp(-(((c - 2) / 1.5) ** 2)) + b * Math.cos((2 * Math.PI * c) / C) + 0.1 * rng.normal();
  }
  const gains = [1.5, 0.8, 1, 1.2, 0.7, 1, 1.3, 0.9];
  const offsets = new Array(C).fill(0);
  const turned = rotateBand(x, C, 2);
  for (let i = 0; i < turned.length; i++) turned[i] /= gains[i % C];
  const est = estimateBandCorrection(channelCovariance(x, C), channelCovariance(turned, C), C);
  assert.ok(Math.abs(est.shift - 2) < 0.01, `shift ${est.shift}`);
  // The correction's gains act after turning back: electrode c's gain is the one of the electrode now at c.
  const corrected = Float32Array.from(turned);
  applyBandCorrection(corrected, correctionPlan(est, C), offsets);
  let err = 0;
  let norm = 0;
  for (let i = 0; i < x.length; i++) {
    err += (corrected[i] - x[i]) ** 2;
    norm += x[i] ** 2;
  }
  assert.ok(err / norm < 1e-3, `relative error ${err / norm}`);
});
