import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FilterSpec } from '../../../src/core/dsp/filters.ts';
import { preprocessedSpan, preprocessRecording, preprocessSamples, Preprocessor } from '../../../src/core/dsp/preprocess.ts';
import { createRng } from '../../../src/core/rng.ts';

const EEG: FilterSpec[] = [{ kind: 'bandpass', low: 1, high: 45, order: 4 }, { kind: 'notch', freq: 50, q: 30 }, { kind: 'car' }];

/** Noise on a large DC offset per channel, as a Cyton's raw microvolts are. */
function signal(samples: number, channels: number, seed = 3): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(samples * channels);
  for (let i = 0; i < samples; i++) for (let c = 0; c < channels; c++) out[i * channels + c] = 60000 * (c + 1) + 40 * Math.sin(i / 7 + c) + 20 * (rng.next() - 0.5);
  return out;
}

test('a stream through the chain in frames of any size gives exactly the whole recording through it', () => {
  const channels = 3;
  const x = signal(3000, channels);
  const whole = preprocessSamples(x, channels, 500, { rate: 250, filters: EEG });
  assert.equal(whole.length, (3000 / 2) * channels, '500 -> 250 Hz halves the samples');
  const live = new Preprocessor(channels, 500, { rate: 250, filters: EEG });
  const got: number[] = [];
  const rng = createRng(9);
  for (let at = 0; at < 3000; ) {
    const n = Math.min(3000 - at, 1 + Math.floor(rng.next() * 40));
    const frame = x.slice(at * channels, (at + n) * channels);
    for (let s = 0; s < n; s++) live.pushSample(frame, s * channels, (sample) => got.push(...sample));
    at += n;
  }
  assert.deepEqual(Float32Array.from(got), whole);
});

test('the chain removes a 60 mV offset without ringing and keeps a 10 Hz rhythm', () => {
  const rate = 250;
  const x = new Float32Array(5000);
  for (let i = 0; i < x.length; i++) x[i] = 60000 + 20 * Math.sin((2 * Math.PI * 10 * i) / rate);
  const y = preprocessSamples(x, 1, rate, { rate, filters: EEG.slice(0, 2) });
  // Settled on the first sample: no step response of 60 mV through the band-pass.
  let peak = 0;
  for (const v of y) peak = Math.max(peak, Math.abs(v));
  assert.ok(peak < 30, `largest output ${peak} µV`);
  let power = 0;
  for (let i = 2500; i < 5000; i++) power += y[i]! * y[i]!;
  const amplitude = Math.sqrt((2 * power) / 2500);
  assert.ok(Math.abs(amplitude - 20) < 1, `10 Hz amplitude ${amplitude}`);
});

test('no resampling and no filters: the samples pass as they are (the same array)', () => {
  const x = signal(100, 2);
  assert.equal(preprocessSamples(x, 2, 200, { rate: 200, filters: [] }), x);
  const rec = { source: 'r', channels: 2, rate: 200, samples: x, label: 1 };
  assert.equal(preprocessRecording(rec, { rate: 200, filters: [] }), rec);
  const moved = preprocessRecording(rec, { rate: 200, filters: [{ kind: 'car' }] });
  assert.equal(moved.label, 1);
  assert.ok(Math.abs(moved.samples[0]! + moved.samples[1]!) < 1e-3, 'common average: the two channels cancel');
  assert.equal(new Preprocessor(2, 200, { rate: 200, filters: [] }).passThrough, true);
});

test('reset starts the chain afresh, as at the first sample', () => {
  const x = signal(400, 2);
  const chain = new Preprocessor(2, 500, { rate: 250, filters: EEG });
  for (let i = 0; i < 200; i++) chain.pushSample(x, i * 2, () => undefined);
  chain.reset();
  const after: number[] = [];
  for (let i = 200; i < 400; i++) chain.pushSample(x, i * 2, (s) => after.push(...s));
  assert.deepEqual(Float32Array.from(after), preprocessSamples(x.slice(400), 2, 500, { rate: 250, filters: EEG }));
});

test('a span of input samples maps to the output samples that describe it', () => {
  assert.deepEqual(preprocessedSpan(10, 20, 200, 200, 0), { start: 10, end: 20 });
  assert.deepEqual(preprocessedSpan(100, 200, 500, 250, 0), { start: 50, end: 100 });
  // With a delay of 16 input samples, output n describes input 2n - 16.
  assert.deepEqual(preprocessedSpan(100, 200, 500, 250, 16), { start: 58, end: 108 });
  assert.deepEqual(preprocessedSpan(5, 5, 250, 200, 3), { start: 7, end: 7 });
});
