import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FilterSpec } from '../../../src/core/dsp/filters.ts';
import { preprocessSamples } from '../../../src/core/dsp/preprocess.ts';
import { createRng } from '../../../src/core/rng.ts';
import { sliceWindows } from '../../../src/core/windowing.ts';
import { holdSamples, holdWindows, journalBreaks } from '../../../src/device/calibration/training.ts';

const FILTERS: FilterSpec[] = [{ kind: 'bandpass', low: 1, high: 45, order: 4 }, { kind: 'notch', freq: 50, q: 30 }];

function journal(total: number, channels: number): Float32Array {
  const rng = createRng(4);
  const out = new Float32Array(total * channels);
  for (let i = 0; i < total; i++) for (let c = 0; c < channels; c++) out[i * channels + c] = 70000 - 9000 * c + 25 * Math.sin(i / 9 + c) + 5 * rng.normal();
  return out;
}

test('calibration windows come from the journal filtered from its start, as a live run filters from its start', () => {
  const channels = 2;
  const samples = journal(4000, channels);
  const preprocessing = { rate: 250, filters: FILTERS };
  const [hold] = holdSamples(samples, channels, [{ gesture: 1, rep: 0, start: 2000, end: 3600 }], 'j', { rate: 250, preprocessing, breaks: [] });
  const whole = preprocessSamples(samples, channels, 250, preprocessing);
  assert.deepEqual(hold!.modelPieces, [whole.subarray(2000 * channels, 3600 * channels)]);
  assert.deepEqual(hold!.samples, samples.subarray(2000 * channels, 3600 * channels), 'the raw hold is kept for the report');
  // A hold filtered on its own would start with the band-pass settling on its first sample: other numbers.
  assert.notDeepEqual(preprocessSamples(hold!.samples, channels, 250, preprocessing), hold!.modelPieces[0]);

  const window = { length: 500, hop: 125 };
  const set = holdWindows([hold!], channels, 250, { trimStart: 100, trimEnd: 50 }, { window, rate: 250 });
  assert.deepEqual(set.x, sliceWindows(whole.slice(2100 * channels, 3550 * channels), channels, window));
  assert.deepEqual([...new Set(set.y)], [1]);
});

test('a board faster than the model: the journal is resampled from its start and the holds map to the model rate', () => {
  const channels = 2;
  const samples = journal(6000, channels);
  const preprocessing = { rate: 250, filters: FILTERS };
  const [hold] = holdSamples(samples, channels, [{ gesture: 0, rep: 1, start: 2000, end: 4000 }], 'j', { rate: 500, preprocessing, breaks: [] });
  const whole = preprocessSamples(samples, channels, 500, preprocessing);
  const piece = hold!.modelPieces[0]!;
  assert.equal(piece.length / channels, 1000, '2000 board samples are 1000 model samples');
  // Model sample n describes board time 2n - delay (the resampler's 15.5 samples): the piece starts at n = ceil((2000 + 15.5) / 2).
  const first = Math.ceil((2000 + 15.5) / 2);
  assert.deepEqual(piece, whole.subarray(first * channels, (first + 1000) * channels));
});

test('the chain starts afresh where the link lost samples or the session resumed, and a hold across such a break becomes two pieces', () => {
  const channels = 2;
  const samples = journal(5000, channels);
  const preprocessing = { rate: 250, filters: FILTERS };
  const breaks = journalBreaks([
    { at: 0, kind: 'session' },
    { at: 3000, kind: 'gap', text: '{}' },
    { at: 4500, kind: 'resume' },
  ]);
  assert.deepEqual(breaks, [3000, 4500]);
  const [hold] = holdSamples(samples, channels, [{ gesture: 1, rep: 0, start: 2000, end: 4000 }], 'j', { rate: 250, preprocessing, breaks });
  const before = preprocessSamples(samples.subarray(0, 3000 * channels), channels, 250, preprocessing);
  const after = preprocessSamples(samples.subarray(3000 * channels, 4500 * channels), channels, 250, preprocessing);
  assert.deepEqual(hold!.modelPieces, [before.subarray(2000 * channels), after.subarray(0, 1000 * channels)]);
  const set = holdWindows([hold!], channels, 250, { trimStart: 0, trimEnd: 0 }, { window: { length: 500, hop: 250 }, rate: 250 });
  assert.equal(set.count, 2 * 3, 'three windows each side, none across the break');
});

test('no filters and the same rate: the windows are the hold as recorded (the EMG case, unchanged)', () => {
  const channels = 2;
  const samples = journal(1000, channels);
  const [hold] = holdSamples(samples, channels, [{ gesture: 2, rep: 0, start: 100, end: 600 }], 'j', { rate: 200, preprocessing: { rate: 200, filters: [] }, breaks: [] });
  const set = holdWindows([hold!], channels, 200, { trimStart: 20, trimEnd: 30 }, { window: { length: 52, hop: 5 }, rate: 200 });
  assert.deepEqual(set.x, sliceWindows(samples.slice(120 * channels, 570 * channels), channels, { length: 52, hop: 5 }));
});
