import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Embeddings } from '../../../src/core/head/embeddings.ts';
import { predictClasses } from '../../../src/core/head/head.ts';
import { createRng } from '../../../src/core/rng.ts';
import { blockFolds, trainProfileHead } from '../../../src/device/profiles/train.ts';

/** Embeddings of `classes` clusters, `perRep` windows per class and repetition. */
function clusters(classes: number, reps: number, perRep: number, spread: number, seed = 1) {
  const rng = createRng(seed);
  const dim = 12;
  const centres = Array.from({ length: classes }, () => Array.from({ length: dim }, () => rng.normal()));
  const n = classes * reps * perRep;
  const data = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  const repIds = new Int32Array(n);
  let i = 0;
  for (let r = 0; r < reps; r++) {
    for (let c = 0; c < classes; c++) {
      for (let k = 0; k < perRep; k++, i++) {
        labels[i] = c;
        repIds[i] = r;
        for (let d = 0; d < dim; d++) data[i * dim + d] = centres[c]![d]! + rng.normal() * spread;
      }
    }
  }
  const e: Embeddings = { count: n, dim, data };
  return { e, labels, reps: repIds };
}

test('with several repetitions the head kind is chosen by leave-one-repetition-out accuracy', () => {
  const { e, labels, reps } = clusters(4, 3, 20, 0.3);
  const r = trainProfileHead({ embeddings: e, labels, classes: 4 }, reps, { methods: ['lda', 'ncm'] });
  assert.equal(r.cv.method, 'repetitions');
  assert.equal(r.cv.folds, 3);
  assert.deepEqual(Object.keys(r.cv.accuracy).sort(), ['lda', 'ncm']);
  const best = Math.max(r.cv.accuracy.lda!, r.cv.accuracy.ncm!);
  assert.equal(r.cv.accuracy[r.cv.chosen], best);
  assert.equal(r.head.kind, r.cv.chosen);
  assert.ok(best > 0.9, `separable clusters: ${best}`);
  assert.equal(r.cv.confusion!.flat().reduce((a, b) => a + b, 0), e.count);
  const acc = predictClasses(r.head, e).reduce((n, p, i) => n + (p === labels[i] ? 1 : 0), 0) / e.count;
  assert.ok(acc > 0.9);
});

test('with one repetition, contiguous blocks of each gesture are held out instead', () => {
  const labels = Int32Array.from([0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
  assert.deepEqual(Array.from(blockFolds(labels, 2, 3)!), [0, 0, 1, 0, 0, 1, 1, 2, 2, 1, 2, 2]);
  assert.equal(blockFolds(Int32Array.from([0, 0, 1]), 2, 3), undefined, 'too few windows of a gesture for three blocks');

  const { e, labels: y, reps } = clusters(3, 1, 30, 0.3, 2);
  const r = trainProfileHead({ embeddings: e, labels: y, classes: 3 }, reps, { methods: ['lda', 'ncm'] });
  assert.equal(r.cv.method, 'blocks');
  assert.equal(r.cv.folds, 3);
  assert.ok(r.cv.accuracy.lda !== undefined && r.cv.accuracy.ncm !== undefined);
});

test('with nothing to hold out, the first kind is trained and no accuracy is claimed', () => {
  const { e, labels, reps } = clusters(3, 1, 2, 0.3, 3);
  const r = trainProfileHead({ embeddings: e, labels, classes: 3 }, reps, { methods: ['ncm', 'lda'] });
  assert.deepEqual(r.cv, { method: 'none', folds: 0, accuracy: {}, chosen: 'ncm' });
});
