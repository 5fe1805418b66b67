import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectBackend } from '../../src/tfjs/backend.ts';
import type { Embeddings } from '../../src/core/head/embeddings.ts';
import { predictClasses } from '../../src/core/head/head.ts';
import { choleskySolve, trainLdaHead } from '../../src/core/head/lda.ts';
import { chooseHead } from '../../src/tfjs/select_head.ts';
import { trainNcmHead, trainSoftmaxHead } from '../../src/tfjs/head_training.ts';
import { createRng } from '../../src/core/rng.ts';

/** Gaussian clusters around random class centres; `spread` sets the overlap. */
function clusters(classes: number, perClass: number, dim: number, spread: number, seed: number, reps = 1): { e: Embeddings; y: Int32Array; rep: Int32Array } {
  const rng = createRng(seed);
  const centres = Array.from({ length: classes }, () => Array.from({ length: dim }, () => rng.normal()));
  const n = classes * perClass * reps;
  const data = new Float32Array(n * dim);
  const y = new Int32Array(n);
  const rep = new Int32Array(n);
  let i = 0;
  for (let r = 0; r < reps; r++)
    for (let c = 0; c < classes; c++)
      for (let k = 0; k < perClass; k++, i++) {
        y[i] = c;
        rep[i] = r;
        for (let d = 0; d < dim; d++) data[i * dim + d] = centres[c][d] + spread * rng.normal();
      }
  return { e: { count: n, dim, data }, y, rep };
}

const accuracy = (pred: Int32Array, y: Int32Array) => pred.reduce((s, p, i) => s + (p === y[i] ? 1 : 0), 0) / y.length;

test('choleskySolve solves a known system', () => {
  // [[4,2],[2,3]] x = [[2],[1]]  ->  x = [0.5, 0]
  const x = choleskySolve(Float64Array.from([4, 2, 2, 3]), 2, Float64Array.from([2, 1]), 1);
  assert.ok(Math.abs(x[0] - 0.5) < 1e-12 && Math.abs(x[1]) < 1e-12);
});

test('every head separates well-separated clusters and generalizes to new samples', async () => {
  await selectBackend();
  const train = clusters(5, 40, 16, 0.3, 1);
  const fresh = clusters(5, 40, 16, 0.3, 1); // same centres (same seed), new draws below
  const rng = createRng(99);
  for (let i = 0; i < fresh.e.data.length; i++) fresh.e.data[i] += 0.1 * rng.normal();
  for (const head of [trainLdaHead(train.e, train.y, 5), trainSoftmaxHead(train.e, train.y, 5).head, trainNcmHead(train.e, train.y, 5)]) {
    assert.ok(accuracy(predictClasses(head, fresh.e), fresh.y) > 0.95, `${head.kind} head`);
  }
});

test('heads cannot separate random labels (the accuracy above is not an artefact)', async () => {
  await selectBackend();
  const { e } = clusters(4, 50, 8, 1, 3);
  const rng = createRng(5);
  const y = Int32Array.from({ length: e.count }, () => rng.int(4));
  const test2 = clusters(4, 50, 8, 1, 4);
  const yTest = Int32Array.from({ length: test2.e.count }, () => rng.int(4));
  assert.ok(accuracy(predictClasses(trainLdaHead(e, y, 4), test2.e), yTest) < 0.45);
});

test('the softmax head is identical for the same seed', async () => {
  await selectBackend();
  const { e, y } = clusters(3, 30, 8, 0.8, 2);
  const a = trainSoftmaxHead(e, y, 3);
  const b = trainSoftmaxHead(e, y, 3);
  assert.deepEqual(a.head, b.head);
  assert.ok(a.epochs > 1);
});

test('a class with no examples is never predicted by LDA', () => {
  const { e, y } = clusters(3, 20, 6, 0.5, 7);
  const head = trainLdaHead(e, y, 4);
  assert.ok(predictClasses(head, e).every((p) => p !== 3));
});

test('chooseHead scores each kind by leave-one-repetition-out and reports a confusion matrix', async () => {
  await selectBackend();
  const { e, y, rep } = clusters(4, 15, 8, 0.5, 11, 3);
  const choice = chooseHead({ embeddings: e, labels: y, classes: 4 }, rep, ['lda', 'softmax', 'ncm']);
  assert.deepEqual(Object.keys(choice.cvAccuracy).sort(), ['lda', 'ncm', 'softmax']);
  const best = Math.max(...Object.values(choice.cvAccuracy));
  assert.equal(choice.cvAccuracy[choice.method], best);
  const total = choice.cvConfusion!.flat().reduce((a, b) => a + b, 0);
  assert.equal(total, e.count);
  assert.equal(choice.cvPerClass!.length, 4);
});

test('with one repetition chooseHead trains without cross-validation', async () => {
  await selectBackend();
  const { e, y, rep } = clusters(3, 10, 4, 0.5, 12, 1);
  const choice = chooseHead({ embeddings: e, labels: y, classes: 3 }, rep, ['lda', 'softmax', 'ncm']);
  assert.deepEqual(choice.cvAccuracy, {});
});

test('labels outside the class range are refused', () => {
  const { e } = clusters(2, 3, 4, 0.5, 1);
  assert.throws(() => trainLdaHead(e, Int32Array.from([0, 1, 2, 0, 1, 5]), 2), /outside/);
});
