import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isHeadstartError } from '../../../src/core/errors.ts';
import { bandPowerFeaturesInto, bandPowerScratch, bandPowerSize, EEG_BANDS } from '../../../src/core/features/band_power.ts';
import { createRng } from '../../../src/core/rng.ts';

/** The features by their definition: a direct DFT of the mean-removed, Hann-windowed, zero-padded channel. */
function direct(w: Float32Array, length: number, channels: number, rate: number): number[] {
  let n = 1;
  while (n < length) n *= 2;
  const out = new Array<number>(channels * EEG_BANDS.length);
  for (let c = 0; c < channels; c++) {
    let mean = 0;
    for (let t = 0; t < length; t++) mean += w[t * channels + c]! / length;
    const x = Array.from({ length }, (_, t) => (w[t * channels + c]! - mean) * (0.5 - 0.5 * Math.cos((2 * Math.PI * t) / (length - 1))));
    EEG_BANDS.forEach(([low, high], b) => {
      let power = 0;
      let bins = 0;
      for (let k = 0; k <= n / 2; k++) {
        const f = (k * rate) / n;
        if (f < low || f >= high) continue;
        let re = 0;
        let im = 0;
        for (let t = 0; t < length; t++) {
          re += x[t]! * Math.cos((2 * Math.PI * k * t) / n);
          im -= x[t]! * Math.sin((2 * Math.PI * k * t) / n);
        }
        power += re * re + im * im;
        bins++;
      }
      out[b * channels + c] = Math.log(power / bins + 1e-6);
    });
  }
  return out;
}

function eegWindow(length: number, channels: number, rate: number, seed = 2): Float32Array {
  const rng = createRng(seed);
  const w = new Float32Array(length * channels);
  for (let t = 0; t < length; t++) {
    for (let c = 0; c < channels; c++) w[t * channels + c] = 50000 * (c - 2) + 30 * Math.sin((2 * Math.PI * (6 + 3 * c) * t) / rate) + 8 * rng.normal();
  }
  return w;
}

test('log band power equals its definition by a direct DFT, for a 2 s window at 250 Hz (padded to 512) and one already a power of two', () => {
  for (const [length, rate] of [
    [500, 250],
    [256, 128],
  ] as const) {
    const channels = 4;
    const w = eegWindow(length, channels, rate);
    const out = new Float64Array(bandPowerSize(channels));
    bandPowerFeaturesInto(w, channels, out, bandPowerScratch(length, rate));
    const expected = direct(w, length, channels, rate);
    for (let i = 0; i < out.length; i++) assert.ok(Math.abs(out[i]! - expected[i]!) < 1e-6, `feature ${i}: ${out[i]} vs ${expected[i]}`);
  }
});

test('a rhythm shows in its band and channel; the layout is band-major; the scratch carries nothing from one window to the next', () => {
  const rate = 250;
  const length = 500;
  const w = new Float32Array(length * 2);
  // Channel 0: 11 Hz (alpha, 10-13 Hz band); channel 1: 25 Hz (20-30 Hz band); both on large offsets.
  for (let t = 0; t < length; t++) {
    w[t * 2] = 60000 + 20 * Math.sin((2 * Math.PI * 11 * t) / rate);
    w[t * 2 + 1] = -30000 + 20 * Math.sin((2 * Math.PI * 25 * t) / rate);
  }
  const scratch = bandPowerScratch(length, rate);
  const out = new Float32Array(bandPowerSize(2));
  bandPowerFeaturesInto(w, 2, out, scratch);
  const channel = (c: number) => EEG_BANDS.map((_, b) => out[b * 2 + c]!);
  const argmax = (v: number[]) => v.indexOf(Math.max(...v));
  assert.equal(argmax(channel(0)), 3, '11 Hz lies in 10-13 Hz');
  assert.equal(argmax(channel(1)), 5, '25 Hz lies in 20-30 Hz');
  const again = new Float32Array(out.length);
  bandPowerFeaturesInto(eegWindow(length, 2, rate), 2, again, scratch);
  bandPowerFeaturesInto(w, 2, again, scratch);
  assert.deepEqual(again, out);
});

test('bands must fit the rate and hold a bin of the window; a flat channel stays finite', () => {
  assert.throws(() => bandPowerScratch(500, 80), (err) => isHeadstartError(err, 'BAD_OPTION') && /Nyquist/.test(err.message));
  assert.throws(() => bandPowerScratch(16, 250), (err) => isHeadstartError(err, 'BAD_OPTION') && /longer windows/.test(err.message));
  const out = new Float32Array(bandPowerSize(1));
  bandPowerFeaturesInto(new Float32Array(500).fill(123), 1, out, bandPowerScratch(500, 250));
  assert.ok(out.every((v) => Number.isFinite(v) && Math.abs(v - Math.log(1e-6)) < 1e-3));
});
