import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Embeddings } from '../../../src/core/head/embeddings.ts';
import type { LinearHeadData } from '../../../src/core/head/head.ts';
import { trainFusedPriorLdaHead, trainPriorLdaHead } from '../../../src/core/head/lda.ts';
import { computePopulationPrior, type PopulationPrior } from '../../../src/core/head/prior.ts';
import { createRng } from '../../../src/core/rng.ts';

const rng = createRng(12);
const E = 4;
const T = 5;
const CLASSES = 3;

/** Vectors whose embedding part and time-domain part both carry the class, with noise correlated within each part. */
function person(count: number, offset: number): { features: Embeddings; labels: Int32Array } {
  const data = new Float32Array(count * (E + T));
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const c = i % CLASSES;
    labels[i] = c;
    const shared = rng.normal();
    for (let d = 0; d < E + T; d++) data[i * (E + T) + d] = (d % CLASSES === c ? 1.5 : 0) + offset + 0.7 * shared + rng.normal();
  }
  return { features: { count, dim: E + T, data }, labels };
}

function block(prior: PopulationPrior, from: number, to: number): PopulationPrior {
  const d = to - from;
  const covariance: number[] = [];
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) covariance.push(prior.covariance[(from + a) * prior.dim + from + b]!);
  return { ...prior, dim: d, mean: prior.mean.slice(from, to), invStd: prior.invStd.slice(from, to), covariance };
}

function columns(x: Embeddings, from: number, to: number): Embeddings {
  const d = to - from;
  return { count: x.count, dim: d, data: Float32Array.from({ length: x.count * d }, (_, j) => x.data[Math.floor(j / d) * x.dim + from + (j % d)]!) };
}

function logPosteriors(head: LinearHeadData, v: ArrayLike<number>): number[] {
  const s = Array.from({ length: head.classes }, (_, c) => {
    let z = head.bias[c]!;
    for (let d = 0; d < head.dim; d++) z += (v[d]! - head.mean[d]!) * head.invStd[d]! * head.weights[d * head.classes + c]!;
    return z;
  });
  const max = Math.max(...s);
  const lse = max + Math.log(s.reduce((a, z) => a + Math.exp(z - max), 0));
  return s.map((z) => z - lse);
}

test('the fused transfer head is the two experts\' log-posteriors pooled, as one linear head', () => {
  const prior = computePopulationPrior({ embedding: 'sqrt', timeDomain: 'rich' }, [person(90, 0), person(90, 0.5), person(90, -0.3)], CLASSES);
  const wearer = person(60, 0.2);
  const w = 0.25;
  const fused = trainFusedPriorLdaHead(wearer.features, wearer.labels, CLASSES, prior.input, prior, E, w);
  const embeddingExpert = trainPriorLdaHead(columns(wearer.features, 0, E), wearer.labels, CLASSES, prior.input, block(prior, 0, E));
  const timeDomainExpert = trainPriorLdaHead(columns(wearer.features, E, E + T), wearer.labels, CLASSES, prior.input, block(prior, E, E + T));
  const probe = person(30, 0.1).features;
  for (let i = 0; i < probe.count; i++) {
    const v = probe.data.subarray(i * (E + T), (i + 1) * (E + T));
    const pooled = logPosteriors(embeddingExpert, v.subarray(0, E)).map((p, c) => w * p + (1 - w) * logPosteriors(timeDomainExpert, v.subarray(E))[c]!);
    const mine = logPosteriors(fused, v);
    // Equal up to one constant per window (the experts' normalizers): compare differences between classes.
    for (let c = 1; c < CLASSES; c++) assert.ok(Math.abs(mine[c]! - mine[0]! - (pooled[c]! - pooled[0]!)) < 1e-3, `window ${i}, class ${c}`);
  }
  assert.equal(fused.dim, E + T);
  assert.deepEqual(fused.input, prior.input);
  assert.equal(fused.classMeans?.length, CLASSES * (E + T), 'class means kept for adaptation');
});

test('a fused head never picks a class that had no calibration windows, and refuses a split outside the vector', () => {
  const prior = computePopulationPrior({ embedding: 'sqrt', timeDomain: 'rich' }, [person(90, 0), person(90, 0.4)], CLASSES);
  const wearer = person(60, 0);
  const onlyTwo = { features: wearer.features, labels: wearer.labels.map((c) => (c === 2 ? 1 : c)) };
  const fused = trainFusedPriorLdaHead(onlyTwo.features, onlyTwo.labels, CLASSES, prior.input, prior, E);
  assert.ok(fused.bias[2]! < -1e8);
  assert.throws(() => trainFusedPriorLdaHead(wearer.features, wearer.labels, CLASSES, prior.input, prior, E + T), /splits its/);
});
