import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isHeadstartError } from '../../src/core/errors.ts';
import { fitNormalization, normalizeInPlace, sliceWindows, windowCount } from '../../src/core/windowing.ts';

/** Interleaved ramp whose value encodes (sample, channel), so a misplaced copy shows. */
function ramp(samples: number, channels: number): Float32Array {
  const out = new Float32Array(samples * channels);
  for (let s = 0; s < samples; s++) for (let c = 0; c < channels; c++) out[s * channels + c] = s * 100 + c;
  return out;
}

test('windowCount counts whole windows and drops a partial tail', () => {
  assert.equal(windowCount(0, { length: 52, hop: 5 }), 0);
  assert.equal(windowCount(51, { length: 52, hop: 5 }), 0);
  assert.equal(windowCount(52, { length: 52, hop: 5 }), 1);
  assert.equal(windowCount(56, { length: 52, hop: 5 }), 1);
  assert.equal(windowCount(57, { length: 52, hop: 5 }), 2);
  // A Myo file: 1000 samples, the standard 52/5 windows.
  assert.equal(windowCount(1000, { length: 52, hop: 5 }), 190);
  // hop larger than length skips samples between windows.
  assert.equal(windowCount(10, { length: 2, hop: 4 }), 3);
});

test('windowCount agrees with counting start positions one by one', () => {
  fc.assert(
    fc.property(fc.nat(300), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 30 }), (samples, length, hop) => {
      let starts = 0;
      for (let s = 0; s + length <= samples; s += hop) starts++;
      assert.equal(windowCount(samples, { length, hop }), starts);
    }),
  );
});

test('bad window specs and sample counts are refused with INTERNAL / INTERNAL', () => {
  for (const spec of [{ length: 0, hop: 1 }, { length: 4, hop: 0 }, { length: 2.5, hop: 1 }, { length: 4, hop: -1 }, { length: NaN, hop: 1 }]) {
    assert.throws(() => windowCount(10, spec), (e) => isHeadstartError(e, 'INTERNAL'), JSON.stringify(spec));
    assert.throws(() => sliceWindows(new Float32Array(8), 2, spec), (e) => isHeadstartError(e, 'INTERNAL'));
  }
  assert.throws(() => windowCount(-1, { length: 2, hop: 1 }), (e) => isHeadstartError(e, 'INTERNAL'));
  assert.throws(() => windowCount(2.5, { length: 2, hop: 1 }), (e) => isHeadstartError(e, 'INTERNAL'));
  assert.throws(() => sliceWindows(new Float32Array(7), 2, { length: 2, hop: 1 }), (e) => isHeadstartError(e, 'INTERNAL'));
  assert.throws(() => sliceWindows(new Float32Array(8), 0, { length: 2, hop: 1 }), (e) => isHeadstartError(e, 'INTERNAL'));
});

test('sliceWindows lays windows out [window][time][channel] from the right start samples', () => {
  fc.assert(
    fc.property(fc.nat(80), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 9 }), (samples, channels, length, hop) => {
      const data = ramp(samples, channels);
      const spec = { length, hop };
      const windows = sliceWindows(data, channels, spec);
      const n = windowCount(samples, spec);
      assert.equal(windows.length, n * length * channels);
      for (let w = 0; w < n; w++) {
        for (let t = 0; t < length; t++) {
          for (let c = 0; c < channels; c++) {
            assert.equal(windows[(w * length + t) * channels + c], (w * hop + t) * 100 + c);
          }
        }
      }
    }),
  );
});

test('sliceWindows into a reused buffer returns a view of exactly the windows written', () => {
  const data = ramp(10, 2);
  const out = new Float32Array(100).fill(-1);
  const view = sliceWindows(data, 2, { length: 4, hop: 3 }, out);
  assert.equal(view.buffer, out.buffer);
  assert.equal(view.length, 3 * 4 * 2);
  assert.deepEqual(Array.from(view.subarray(0, 2)), [0, 1]);
  assert.deepEqual(Array.from(view.subarray(8, 10)), [300, 301]);
  assert.equal(out[view.length], -1, 'nothing written past the windows');
  assert.throws(() => sliceWindows(data, 2, { length: 4, hop: 3 }, new Float32Array(23)), (e) => isHeadstartError(e, 'INTERNAL'));
});

test('sliceWindows on fewer samples than one window gives an empty batch', () => {
  assert.equal(sliceWindows(ramp(3, 8), 8, { length: 52, hop: 5 }).length, 0);
  assert.equal(sliceWindows(new Float32Array(0), 8, { length: 52, hop: 5 }).length, 0);
});

test('fitNormalization finds per-channel mean and 1/std', () => {
  // ch0: 1,3 (mean 2, std 1); ch1: 10,10 (flat); ch2: -4,4 (mean 0, std 4)
  const data = Float32Array.from([1, 10, -4, 3, 10, 4]);
  const norm = fitNormalization(data, 3);
  assert.deepEqual(norm.offset, [2, 10, 0]);
  assert.equal(norm.scale[0], 1);
  assert.equal(norm.scale[2], 0.25);
  assert.ok(Number.isFinite(norm.scale[1]), 'a flat channel gets a finite scale');
  const out = normalizeInPlace(data.slice(), 3, norm);
  assert.deepEqual(Array.from(out), [-1, 0, -1, 1, 0, 1]);
});

test('normalized channels have mean 0 and std 1, flat ones std < 1 (property)', () => {
  const columnStats = (data: Float32Array, channels: number, c: number): { mean: number; std: number } => {
    const n = data.length / channels;
    let mean = 0;
    for (let s = 0; s < n; s++) mean += data[s * channels + c];
    mean /= n;
    let variance = 0;
    for (let s = 0; s < n; s++) variance += (data[s * channels + c] - mean) ** 2;
    return { mean, std: Math.sqrt(variance / n) };
  };
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 4 }),
      fc.array(fc.float({ min: -1000, max: 1000, noNaN: true }), { minLength: 8, maxLength: 200 }),
      fc.float({ min: -1e4, max: 1e4, noNaN: true }),
      (channels, values, dc) => {
        const usable = values.length - (values.length % channels);
        const data = Float32Array.from(values.slice(0, usable), (v) => v + dc);
        const before = Array.from({ length: channels }, (_, c) => columnStats(data, channels, c));
        normalizeInPlace(data, channels, fitNormalization(data, channels));
        for (let c = 0; c < channels; c++) {
          const { mean, std } = columnStats(data, channels, c);
          // std is floored at 1e-6 before inverting, so a near-flat channel keeps std/1e-6 (< 1) instead of 1.
          const expectedStd = Math.min(1, before[c].std / 1e-6);
          assert.ok(Math.abs(mean) < 1e-3, `channel ${c} mean ${mean}`);
          assert.ok(Math.abs(std - expectedStd) < 1e-3, `channel ${c} std ${std}, expected ${expectedStd}`);
        }
      },
    ),
  );
});

test('fitNormalization keeps the variance under a large DC offset', () => {
  // A single sum-of-squares pass in float64 loses this variance entirely.
  const data = new Float32Array(2000);
  for (let i = 0; i < data.length; i++) data[i] = 1e7 + (i % 2 === 0 ? -1 : 1);
  const norm = fitNormalization(data, 1);
  assert.equal(norm.offset[0], 1e7);
  assert.ok(Math.abs(norm.scale[0] - 1) < 1e-9, `scale ${norm.scale[0]}`);
});

test('normalization refuses empty data and a channel-count mismatch', () => {
  assert.throws(() => fitNormalization(new Float32Array(0), 2), (e) => isHeadstartError(e, 'NOT_ENOUGH_DATA'));
  const norm = fitNormalization(ramp(4, 2), 2);
  assert.throws(() => normalizeInPlace(ramp(4, 3), 3, norm), (e) => isHeadstartError(e, 'INTERNAL'));
});
