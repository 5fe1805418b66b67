import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { EnvelopeDecimator, samplesPerColumn } from '../../src/core/trace_envelope.ts';

test('columns hold each channel\'s min and max, whatever the block sizes; a one-sample burst stays visible', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -32768, max: 32767 }), { minLength: 2, maxLength: 400 }), fc.integer({ min: 1, max: 9 }), fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 20 }), (values, perColumn, cuts) => {
      const channels = 2;
      const samples = Int16Array.from(values.slice(0, values.length - (values.length % channels)));
      const n = samples.length / channels;
      const d = new EnvelopeDecimator(channels, perColumn, 1000);
      for (let at = 0, i = 0; at < n; i++) {
        const take = Math.min(n - at, cuts[i % cuts.length]!);
        d.push(samples.subarray(at * channels, (at + take) * channels), at);
        at += take;
      }
      const got = d.drain();
      assert.equal(got.first, 0);
      assert.equal(got.min[0]!.length, Math.floor(n / perColumn));
      for (let k = 0; k < got.min[0]!.length; k++) {
        for (let c = 0; c < channels; c++) {
          const column = Array.from({ length: perColumn }, (_, i) => samples[(k * perColumn + i) * channels + c]!);
          assert.equal(got.min[c]![k], Math.min(...column));
          assert.equal(got.max[c]![k], Math.max(...column));
        }
        assert.ok(got.arrivedAt[k]! <= k * perColumn, 'a column arrived with its first sample');
      }
    }),
  );
  const d = new EnvelopeDecimator(1, 10, 10);
  const burst = new Int16Array(30);
  burst[17] = 900;
  d.push(burst, 0);
  assert.deepEqual(d.drain().max, [[0, 900, 0]]);
});

test('drain gives each column once; recent keeps the latest within capacity', () => {
  const d = new EnvelopeDecimator(1, 1, 4);
  d.push(Int16Array.from([1, 2, 3]), 0);
  assert.deepEqual(d.drain().min, [[1, 2, 3]]);
  d.push(Int16Array.from([4, 5, 6, 7, 8]), 1);
  const later = d.drain();
  assert.equal(later.first, 4, 'more than the capacity since: the oldest are gone');
  assert.deepEqual(later.min, [[5, 6, 7, 8]]);
  assert.deepEqual(d.drain().min, [[]]);
  assert.deepEqual(d.recent(2).min, [[7, 8]]);
  assert.equal(samplesPerColumn(200, 5, 500), 2);
  assert.equal(samplesPerColumn(2000, 5, 500), 20);
  assert.equal(samplesPerColumn(50, 5, 500), 1);
});
