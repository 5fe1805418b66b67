import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AdaptOptions, DEFAULT_ADAPT, HeadAdapter } from '../../../src/core/head/adapt.ts';
import { type LinearHeadData, scoreInputInto } from '../../../src/core/head/head.ts';
import { EMBEDDING_ONLY } from '../../../src/core/head/head_input.ts';
import { trainPriorLdaHead } from '../../../src/core/head/lda.ts';
import { createRng } from '../../../src/core/rng.ts';

const DIM = 6;
const CLASSES = 3;
const rng = createRng(21);

/** The direction drift moves every window in: from the first gesture's features towards the second's. */
const DRIFT = [-1, 1, 0, -1, 1, 0];

/** A window's head input: its class's pattern (2 on the class's own features), moved by `drift` along DRIFT, with noise. */
function sample(c: number, drift: number, noise = 0.6): Float32Array {
  return Float32Array.from({ length: DIM }, (_, d) => (d % CLASSES === c ? 2 : 0) + drift * DRIFT[d]! + noise * rng.normal());
}

function calibratedHead(): LinearHeadData {
  const count = 300;
  const data = new Float32Array(count * DIM);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % CLASSES;
    data.set(sample(labels[i]!, 0), i * DIM);
  }
  return trainPriorLdaHead({ count, dim: DIM, data }, labels, CLASSES, EMBEDDING_ONLY, undefined);
}

const copy = (h: LinearHeadData): LinearHeadData => ({ ...h, mean: [...h.mean] });

/** Scores `x` with `head` and lets `adapter` (if any) see it; returns [predicted class, its probability]. */
function step(head: LinearHeadData, x: Float32Array, adapter?: HeadAdapter): [number, number] {
  const out = new Float32Array(CLASSES);
  scoreInputInto(head, x, new Float32Array(DIM), out);
  let best = 0;
  for (let c = 1; c < CLASSES; c++) if (out[c]! > out[best]!) best = c;
  adapter?.observe(x, best, out[best]!);
  return [best, out[best]!];
}

/** Use as a wearer gives it: each gesture held for `hold` windows in turn. */
function* use(windows: number, drift: number, hold = 50): Generator<[Float32Array, number]> {
  for (let i = 0; i < windows; i++) {
    const c = Math.floor(i / hold) % CLASSES;
    yield [sample(c, drift), c];
  }
}

test('a drift common to every gesture is followed: the shift settles near it and accuracy comes back', (t) => {
  const calibrated = calibratedHead();
  const adapted = copy(calibrated);
  const adapter = new HeadAdapter(adapted, DEFAULT_ADAPT);
  let plain = 0;
  let withAdapt = 0;
  let late = 0;
  const drift = 1.1;
  let i = 0;
  for (const [x, c] of use(4000, drift)) {
    const [p] = step(calibrated, x);
    const [q] = step(adapted, x, adapter);
    if (i++ >= 3000) {
      late++;
      if (p === c) plain++;
      if (q === c) withAdapt++;
    }
  }
  t.diagnostic(`drift ${drift}: ${(100 * plain / late).toFixed(1)} % as calibrated, ${(100 * withAdapt / late).toFixed(1)} % adapting, over the last ${late} windows`);
  assert.ok(withAdapt / late > plain / late + 0.05, `adapted ${withAdapt / late} vs ${plain / late} over the last ${late} windows`);
  const { shift, updates, resets } = adapter.state();
  assert.ok(updates > 1000 && resets === 0, `${updates} updates, ${resets} resets`);
  // The drift in the head's standardized units is drift * invStd per feature.
  for (let d = 0; d < DIM; d++) {
    const expected = drift * DRIFT[d]! * calibrated.invStd[d]!;
    assert.ok(Math.abs(shift[d]! - expected) < 0.3, `feature ${d}: shift ${shift[d]} for a drift of ${expected}`);
  }
  // Only the standardization moved: the head is an ordinary head, its discriminants untouched.
  assert.deepEqual([adapted.weights, adapted.bias, adapted.invStd], [calibrated.weights, calibrated.bias, calibrated.invStd]);
  assert.notDeepEqual(adapted.mean, calibrated.mean);
});

test('a class that wins most windows pulls no more than the others: its own change is not taken for a common drift', (t) => {
  // The first gesture, held eight times as long as the others, is done differently from its calibration
  // (partly like the second: OFFSET); the others are as calibrated. Nothing is common to every gesture.
  const OFFSET = [0, 0.8, 0, 0, 0.8, 0];
  const calibrated = calibratedHead();
  const head = copy(calibrated);
  const adapter = new HeadAdapter(head, DEFAULT_ADAPT);
  for (let i = 0; i < 6000; i++) {
    const phase = i % 500;
    const c = phase < 400 ? 0 : phase < 450 ? 1 : 2;
    const x = sample(c, 0);
    if (c === 0) OFFSET.forEach((v, d) => (x[d] += v));
    step(head, x, adapter);
  }
  const { shift, updates, classShare } = adapter.state();
  // How far the shift went along the first gesture's change (1: all the way, as if every gesture had changed).
  const offsetZ = OFFSET.map((v, d) => v * calibrated.invStd[d]!);
  const along = shift.reduce((a, v, d) => a + v * offsetZ[d]!, 0) / offsetZ.reduce((a, v) => a + v * v, 0);
  t.diagnostic(`${updates} updates; class shares ${classShare!.map((v) => v.toFixed(2)).join(' / ')}; shift along the first gesture's change ${along.toFixed(2)}`);
  assert.equal(classShare!.length, CLASSES);
  // Each window's pull is divided by its class's recent share, so a long hold's pull fades as it goes on and
  // the shift settles well short of the first gesture's change (0.21 of the way with this seed); every
  // window pulling alike, it goes more than twice as far (0.46).
  assert.ok(along > 0 && along < 0.33, `the shift went ${along} of the way`);
});

test('memory and the shift stay bounded however long it runs and however far the signal goes', () => {
  const head = copy(calibratedHead());
  const opts: AdaptOptions = { ...DEFAULT_ADAPT, maxShift: 0.8 };
  const adapter = new HeadAdapter(head, opts);
  for (const [x] of use(20_000, 40)) step(head, x, adapter);
  const { shift, updates } = adapter.state();
  assert.equal(shift.length, DIM, 'one value per head input, whatever the number of windows');
  assert.ok(updates > 0);
  for (const v of shift) assert.ok(Math.abs(v) <= opts.maxShift + 1e-9, `shift ${v} beyond ${opts.maxShift}`);
});

test('windows below the confidence bar never move the head', () => {
  const calibrated = calibratedHead();
  const head = copy(calibrated);
  const adapter = new HeadAdapter(head, { ...DEFAULT_ADAPT, minConfidence: 1.01 });
  for (const [x] of use(2000, 1)) step(head, x, adapter);
  assert.equal(adapter.state().updates, 0);
  assert.deepEqual(head.mean, calibrated.mean);
});

test('the guard: when confidence falls clearly below its level before adapting, the shift is dropped', () => {
  const calibrated = calibratedHead();
  const head = copy(calibrated);
  const adapter = new HeadAdapter(head, DEFAULT_ADAPT);
  // Ordinary use, then a drift the head follows.
  for (const [x] of use(DEFAULT_ADAPT.warmup, 0)) step(head, x, adapter);
  for (const [x] of use(600, 0.8)) step(head, x, adapter);
  assert.ok(adapter.state().shift.some((v) => Math.abs(v) > 0.2), 'the shift followed the drift');
  // Then windows that look like no gesture (midway between all of them): the head is unsure of everything.
  const midway = () => Float32Array.from({ length: DIM }, (_, d) => 2 / CLASSES + 0.8 * DRIFT[d]! + 0.05 * rng.normal());
  let i = 0;
  while (adapter.state().resets === 0 && i++ < 200) step(head, midway(), adapter);
  const state = adapter.state();
  assert.equal(state.resets, 1, `dropped after ${i} unsure windows`);
  assert.ok(state.shift.every((v) => v === 0), 'back to no shift');
  head.mean.forEach((m, d) => assert.ok(Math.abs(m - calibrated.mean[d]!) < 1e-9, `feature ${d}: the calibration's standardization again`));
});

test('an adapter restored from its saved state goes on as the one that was never stopped', () => {
  const calibrated = calibratedHead();
  const running = copy(calibrated);
  const adapter = new HeadAdapter(running, DEFAULT_ADAPT);
  const windows = [...use(1500, 0.7)].map(([x]) => x);
  for (const x of windows.slice(0, 1000)) step(running, x, adapter);
  // What run --adapt saves: the adapted head and the state; a later run starts from both.
  const saved = copy(running);
  const restored = new HeadAdapter(saved, DEFAULT_ADAPT, adapter.state());
  assert.deepEqual(restored.state(), adapter.state());
  for (const x of windows.slice(1000)) {
    step(running, x, adapter);
    step(saved, x, restored);
  }
  running.mean.forEach((m, d) => assert.ok(Math.abs(m - saved.mean[d]!) < 1e-5, `feature ${d}: ${m} vs ${saved.mean[d]}`));
});

test('a head without class means cannot adapt, and says to calibrate again', () => {
  const { classMeans: _dropped, ...head } = calibratedHead();
  assert.throws(() => new HeadAdapter(head), /calibrate again/);
});
