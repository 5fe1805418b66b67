import assert from 'node:assert/strict';
import { test } from 'node:test';
import { timeDomainFeaturesInto, timeDomainScratch, timeDomainSize } from '../../../src/core/features/time_domain.ts';
import { createRng } from '../../../src/core/rng.ts';

// Two channels, eight samples: channel 0 alternates sign, channel 1 is a ramp.
const ch0 = [1, -1, 2, -2, 1, -1, 2, -2];
const ch1 = [0, 1, 2, 3, 4, 5, 6, 7];
const window = Float64Array.from(ch0.flatMap((v, t) => [v, ch1[t]]));

test('td4 of a window computed by hand: log MAV, log WL, log RMS, log variance per channel', () => {
  const out = new Float64Array(timeDomainSize('td4', 2));
  timeDomainFeaturesInto(window, 8, 2, 'td4', out, timeDomainScratch(8));
  // channel 0: |x| sums to 12 -> MAV 1.5; steps 2,3,4,3,2,3,4 -> WL 21; x^2 sums to 20 -> RMS sqrt(2.5); mean 0 -> var 2.5
  // channel 1: MAV 3.5; WL 7; RMS sqrt(140/8); mean 3.5 -> var 42/8 = 5.25
  const expected = [Math.log(1.5 + 1e-3), Math.log(3.5 + 1e-3), Math.log(21 + 1e-3), Math.log(7 + 1e-3), Math.log(Math.sqrt(2.5) + 1e-3), Math.log(Math.sqrt(17.5) + 1e-3), Math.log(2.5 + 1e-3), Math.log(5.25 + 1e-3)];
  out.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-12, `feature ${i}: ${v} vs ${expected[i]}`));
});

test('rich: zero crossings, slope sign changes, Hjorth mobility and the next-electrode correlation by hand', () => {
  const C = 2;
  const out = new Float64Array(timeDomainSize('rich', C));
  timeDomainFeaturesInto(window, 8, C, 'rich', out, timeDomainScratch(8));
  const zc = out.subarray(6 * C, 7 * C);
  const ssc = out.subarray(7 * C, 8 * C);
  assert.deepEqual(Array.from(zc), [1, 0], 'channel 0 changes sign at every step; a ramp from 0 never does');
  assert.deepEqual(Array.from(ssc), [1, 0], 'channel 0 turns at every sample; a ramp never does');
  // Ramp: first differences are all 1 (variance 0), so mobility = sqrt((0 + 1e-6) / (5.25 + 1e-6)).
  assert.ok(Math.abs(out[4 * C + 1] - Math.log(Math.sqrt(1e-6 / (5.25 + 1e-6)))) < 1e-9);
  // The two channels of a 2-channel band are each other's neighbour: one correlation, twice.
  assert.ok(Math.abs(out[12 * C] - out[12 * C + 1]) < 1e-12);
  assert.equal(out.length, 26);
});

test('AR(4) recovers the coefficients of a simulated autoregressive signal', () => {
  const rng = createRng(3);
  const a = [0.5, -0.3, 0.2, -0.1];
  const n = 4000;
  const x = new Float64Array(n);
  for (let t = 4; t < n; t++) x[t] = a[0] * x[t - 1] + a[1] * x[t - 2] + a[2] * x[t - 3] + a[3] * x[t - 4] + rng.normal();
  const out = new Float64Array(timeDomainSize('rich', 1));
  timeDomainFeaturesInto(x, n, 1, 'rich', out, timeDomainScratch(n));
  const fitted = Array.from(out.subarray(8, 12));
  fitted.forEach((v, i) => assert.ok(Math.abs(v - a[i]) < 0.05, `a${i + 1} ${v} vs ${a[i]}`));
});

test('a flat window gives finite features', () => {
  const out = new Float32Array(timeDomainSize('rich', 3));
  timeDomainFeaturesInto(new Float32Array(52 * 3), 52, 3, 'rich', out, timeDomainScratch(52));
  assert.ok(out.every(Number.isFinite));
});
