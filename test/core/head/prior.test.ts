import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Embeddings } from '../../../src/core/head/embeddings.ts';
import { argmaxRows, type LinearHeadData, scoreInputInto } from '../../../src/core/head/head.ts';
import { CLASSICAL_INPUT } from '../../../src/core/head/head_input.ts';
import { trainPriorLdaHead } from '../../../src/core/head/lda.ts';
import { computePopulationPrior, classicalPartPrior } from '../../../src/core/head/prior.ts';
import { createRng } from '../../../src/core/rng.ts';

const rng = createRng(8);

/**
 * Two gestures in two features: they differ in both, but feature 0 also
 * swings with force from one hold to the next. A calibration holds each
 * gesture at one force (feature 0 barely varies); later use does not.
 */
function person(n: number, forceSpread: number, offset = 0): { e: Embeddings; y: Int32Array } {
  const data = new Float32Array(n * 2 * 2);
  const y = new Int32Array(n * 2);
  for (let i = 0; i < 2 * n; i++) {
    const c = i % 2;
    y[i] = c;
    data[i * 2] = offset + c + forceSpread * rng.normal();
    data[i * 2 + 1] = c + 0.05 * rng.normal();
  }
  return { e: { count: 2 * n, dim: 2, data }, y };
}

function accuracyOf(head: LinearHeadData, e: Embeddings, y: Int32Array): number {
  const scores = new Float32Array(e.count * 2);
  const row = new Float32Array(2);
  for (let i = 0; i < e.count; i++) scoreInputInto(head, e.data.subarray(i * 2, i * 2 + 2), row, scores.subarray(i * 2, i * 2 + 2));
  const pred = argmaxRows(scores, 2);
  return pred.reduce((n, p, i) => n + (p === y[i] ? 1 : 0), 0) / y.length;
}

test('the population prior teaches a one-force calibration that force varies', () => {
  // Pretraining people were recorded at many forces.
  const population = Array.from({ length: 6 }, (_, i) => person(200, 2, i * 0.3)).map((p) => ({ features: p.e, labels: p.y }));
  const prior = computePopulationPrior(CLASSICAL_INPUT, population, 2);
  const calibration = person(100, 0.05);
  const later = person(400, 2);
  const alone = trainPriorLdaHead(calibration.e, calibration.y, 2, CLASSICAL_INPUT, undefined);
  const withPrior = trainPriorLdaHead(calibration.e, calibration.y, 2, CLASSICAL_INPUT, prior, { priorWeight: 0.5, shrinkage: 0.05 });
  const a = accuracyOf(alone, later.e, later.y);
  const b = accuracyOf(withPrior, later.e, later.y);
  assert.ok(a < 0.8, `without the prior the head leans on the force feature (${a})`);
  assert.ok(b > 0.97, `with it the head reads the stable feature (${b})`);
  // Both fit the calibration itself.
  assert.ok(accuracyOf(alone, calibration.e, calibration.y) > 0.99 && accuracyOf(withPrior, calibration.e, calibration.y) > 0.99);
});

test("the prior is the mean of each person's within-class covariance, not the spread between people", () => {
  const people = [0, 10, 20].map((offset) => person(300, 1, offset)).map((p) => ({ features: p.e, labels: p.y }));
  const prior = computePopulationPrior(CLASSICAL_INPUT, people, 2);
  // Standardized by the population's spread (dominated by the offsets between people), the within-class variance of feature 0 is small.
  const within0 = prior.covariance[0];
  assert.ok(within0 > 0 && within0 < 0.05, `within-class variance of feature 0 in standardized units: ${within0}`);
  assert.equal(prior.people, 3);
  assert.equal(prior.covariance.length, 4);
  assert.equal(prior.covariance[1], prior.covariance[2]);
});

test('the time-domain block of a joined prior is the prior computed on the time-domain features alone', () => {
  const rng = createRng(5);
  const E = 3;
  const T = 4;
  const people = Array.from({ length: 3 }, () => {
    const count = 40;
    const data = Float32Array.from({ length: count * (E + T) }, () => rng.normal());
    return { features: { count, dim: E + T, data }, labels: Int32Array.from({ length: count }, (_, i) => i % 2) };
  });
  const joined = computePopulationPrior({ embedding: 'sqrt', timeDomain: 'rich' }, people, 2);
  const alone = computePopulationPrior(
    { embedding: 'none', timeDomain: 'rich' },
    people.map((p) => ({ labels: p.labels, features: { count: p.features.count, dim: T, data: Float32Array.from({ length: p.features.count * T }, (_, j) => p.features.data[Math.floor(j / T) * (E + T) + E + (j % T)]!) } })),
    2,
  );
  const block = classicalPartPrior(joined, E);
  assert.deepEqual(block.input, alone.input);
  assert.equal(block.dim, T);
  for (const [a, b] of [[block.mean, alone.mean], [block.invStd, alone.invStd], [block.covariance, alone.covariance]] as const) {
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-6 * (1 + Math.abs(b[i]!)), `entry ${i}: ${v} vs ${b[i]}`));
  }
  assert.throws(() => classicalPartPrior(alone, 0), /classical-part prior/);
});
