import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Recording } from '../../src/core/signal.ts';
import { buildPlan } from '../../src/device/calibration/plan.ts';
import { loadProtocol } from '../../src/device/calibration/protocol.ts';
import { personScript } from '../../src/sim/person_script.ts';
import { resampleScript } from '../../src/sim/resample_script.ts';

/** One channel whose value is its sample index plus `base`: where a stretch came from can be read off it. */
function ramp(label: number, samples: number, base: number): Recording {
  return { source: `ramp ${label}`, channels: 1, rate: 100, samples: Float32Array.from({ length: samples }, (_, i) => base + i), label };
}

test('a person with one long recording per state (eegmat): each hold plays the next stretch of it, rest holds go on with the rest', () => {
  const protocol = loadProtocol('calibration/eeg-mental2.json');
  const plan = buildPlan(protocol, { rate: 100, timeScale: 0.1 });
  const script = personScript({ byGesture: [[ramp(0, 100000, 0)], [ramp(1, 100000, 1e6)]], restGesture: 0 }, plan, plan.trials);
  const holdStarts: number[] = [];
  let at = 0;
  for (let i = 0; i < plan.trials.length; i++) {
    at += plan.countdown;
    holdStarts.push(script.samples[at]!);
    at += plan.hold + plan.rest;
  }
  const arithmetic = holdStarts.filter((_, i) => plan.trials[i]!.gesture === 1);
  assert.deepEqual(arithmetic, [1e6, 1e6 + plan.hold, 1e6 + 2 * plan.hold], 'consecutive stretches of the arithmetic recording');
  // The rest recording plays on through countdowns, rest holds and rests: never the same stretch twice.
  const rest = Array.from(script.samples).filter((v) => v < 1e6);
  assert.deepEqual(rest, rest.map((_, i) => i));
});

test('a replay resampled for a fixed-rate board: samples at the new rate, label changes at the same moments', () => {
  const samples = Float32Array.from({ length: 1000 }, (_, i) => (i < 500 ? 10 : -10));
  const script = { source: 'r', channels: 1, rate: 500, samples, labels: [{ at: 0, label: 0 }, { at: 500, label: 1 }] };
  const at250 = resampleScript(script, 250);
  assert.equal(at250.rate, 250);
  assert.equal(at250.samples.length, 500);
  // The resampler delays by 15.5 input samples: the change at input 500 is output ceil((500 + 15.5) / 2).
  assert.deepEqual(at250.labels, [{ at: 0, label: 0 }, { at: 258, label: 1 }]);
  assert.ok(Math.abs(at250.samples[200]! - 10) < 1e-3 && Math.abs(at250.samples[300]! + 10) < 1e-3);
  assert.equal(resampleScript(script, 500), script);
});
