import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHeadstartError } from '../../../src/core/errors.ts';
import { headScores, type HeadData } from '../../../src/core/head/head.ts';
import type { EventFrame, Frame, SamplesFrame } from '../../../src/core/protocol/frames.ts';
import { createRng } from '../../../src/core/rng.ts';
import { sliceWindows } from '../../../src/core/windowing.ts';
import { Resampler, resampleRatio } from '../../../src/core/dsp/resampler.ts';
import { Windower, WindowerTransform, type WindowCopy, copyWindow } from '../../../src/device/pipeline/windower.ts';
import { WindowQueue } from '../../../src/device/pipeline/window_queue.ts';
import { HeadStage } from '../../../src/device/pipeline/head_stage.ts';
import { Smoother } from '../../../src/device/pipeline/smoother.ts';
import { LatencyRecorder } from '../../../src/device/pipeline/latency.ts';
import { LiveScore } from '../../../src/device/pipeline/live_score.ts';

function samplesFrame(seq: number, timestampUs: number, channels: number, values: number[]): SamplesFrame {
  return { type: 'samples', seq, timestampUs, channels, samples: Int16Array.from(values) };
}

/** A stream of `total` samples of `channels` channels cut into frames of varying size, with label events at `changes`. */
function stream(total: number, channels: number, rate: number, changes: { at: number; label: number }[], seed = 1) {
  const rng = createRng(seed);
  const values = new Float32Array(total * channels);
  for (let i = 0; i < values.length; i++) values[i] = Math.round((rng.next() - 0.5) * 2000) || 0; // no -0: int16 has none
  const frames: Frame[] = [];
  let at = 0;
  let seq = 0;
  let next = 0;
  while (at < total) {
    const change = changes[next];
    const limit = change && change.at > at ? change.at : total;
    if (change && change.at === at) {
      frames.push({ type: 'event', seq: seq++, timestampUs: Math.round((at * 1e6) / rate), kind: 'label', value: change.label } satisfies EventFrame);
      next++;
      continue;
    }
    const n = Math.min(limit - at, 1 + Math.floor(rng.next() * 13));
    frames.push(samplesFrame(seq++, Math.round((at * 1e6) / rate), channels, Array.from(values.subarray(at * channels, (at + n) * channels))));
    at += n;
  }
  return { values, frames };
}

test('resampling ratios reduce to whole factors; odd ones are refused', () => {
  assert.deepEqual(resampleRatio(250, 200), { up: 4, down: 5 });
  assert.deepEqual(resampleRatio(1000, 200), { up: 1, down: 5 });
  assert.throws(() => resampleRatio(250.5, 200), (err) => isHeadstartError(err, 'BOARD_MISMATCH'));
  assert.throws(() => resampleRatio(1009, 200), (err) => isHeadstartError(err, 'BOARD_MISMATCH') && /simpler ratio/.test(err.message));
});

function toneGainDb(freq: number, inRate: number, outRate: number): { gainDb: number; count: number; maxError: number } {
  const r = new Resampler(1, inRate, outRate);
  const out: number[] = [];
  const n = 4000;
  for (let i = 0; i < n; i++) r.pushSample([Math.sin((2 * Math.PI * freq * i) / inRate)], 0, (s) => out.push(s[0]!));
  const tail = out.slice(300);
  const amplitude = Math.sqrt(tail.reduce((a, v) => a + v * v, 0) / tail.length) * Math.SQRT2;
  // Compare with the ideal: the tone sampled at the output rate, shifted by the filter's delay.
  let maxError = 0;
  for (let k = 300; k < out.length; k++) {
    const t = (k * r.down) / r.up - r.delayInputSamples;
    maxError = Math.max(maxError, Math.abs(out[k]! - Math.sin((2 * Math.PI * freq * t) / inRate)));
  }
  return { gainDb: 20 * Math.log10(amplitude), count: out.length, maxError };
}

test('250 Hz -> 200 Hz keeps the EMG band, rejects what would alias, and keeps a constant exact', () => {
  const pass = toneGainDb(30, 250, 200);
  assert.equal(pass.count, 3200, 'four outputs for every five inputs');
  assert.ok(Math.abs(pass.gainDb) < 0.05, `30 Hz gain ${pass.gainDb} dB`);
  assert.ok(pass.maxError < 0.01, `30 Hz differs from the ideal resampled tone by ${pass.maxError}`);
  assert.ok(toneGainDb(120, 250, 200).gainDb < -60, '120 Hz (above the new Nyquist frequency) is removed, not folded to 80 Hz');

  const r = new Resampler(3, 250, 200);
  let worst = 0;
  for (let i = 0; i < 500; i++) r.pushSample([1000, -7, 0.5], 0, (s) => (worst = Math.max(worst, Math.abs(s[0]! - 1000), Math.abs(s[1]! + 7), Math.abs(s[2]! - 0.5))));
  assert.ok(worst < 1e-9, `a DC offset comes out changed by ${worst}`);
});

test('1000 Hz -> 200 Hz decimates by 5; 200 -> 250 Hz interpolates', () => {
  assert.equal(toneGainDb(20, 1000, 200).count, 800);
  assert.ok(Math.abs(toneGainDb(20, 1000, 200).gainDb) < 0.05);
  const up = toneGainDb(20, 200, 250);
  assert.equal(up.count, 5000);
  assert.ok(up.maxError < 0.01, `interpolation error ${up.maxError}`);
});

test('the windower cuts exactly the windows of the whole stream, whatever the frame sizes', () => {
  const channels = 3;
  const spec = { length: 52, hop: 5 };
  const { values, frames } = stream(2000, channels, 200, []);
  const w = new Windower({ channels, boardRate: 200, modelRate: 200, window: spec });
  const got: WindowCopy[] = [];
  for (const f of frames) w.push(f, (v) => got.push(copyWindow(v)));
  const expected = sliceWindows(values, channels, spec);
  assert.equal(got.length, expected.length / (spec.length * channels));
  assert.equal(got.length, Math.floor((2000 - 52) / 5) + 1);
  got.forEach((g, i) => {
    assert.deepEqual(g.data, expected.subarray(i * 52 * channels, (i + 1) * 52 * channels), `window ${i}`);
    assert.equal(g.index, i);
    // The board clock of the last sample: sample index (i * hop + length - 1) at 200 Hz.
    assert.ok(Math.abs(g.endTimestampUs - ((i * 5 + 51) * 1e6) / 200) < 1, `window ${i} ends at ${g.endTimestampUs} µs`);
  });
  assert.equal(w.stats.samplesIn, 2000);
});

test('each window carries the marker in force at its last sample, and whether one changed inside it', () => {
  const changes = [
    { at: 0, label: 3 },
    { at: 300, label: 1 },
    { at: 317, label: 4 },
    { at: 1000, label: 0 },
  ];
  const { frames } = stream(1500, 2, 200, changes, 2);
  const w = new Windower({ channels: 2, boardRate: 200, modelRate: 200, window: { length: 52, hop: 5 } });
  const got: WindowCopy[] = [];
  for (const f of frames) w.push(f, (v) => got.push(copyWindow(v)));
  const labelAt = (i: number): number => [...changes].reverse().find((c) => c.at <= i)!.label;
  for (const g of got) {
    const first = g.index * 5;
    const last = first + 51;
    assert.equal(g.markerKind, 'label');
    assert.equal(g.markerValue, labelAt(last), `window ${g.index}`);
    const stable = changes.every((c) => c.at <= first || c.at > last);
    assert.equal(g.markerStable, stable, `window ${g.index} spans ${first}..${last}`);
  }
  assert.ok(got.some((g) => !g.markerStable) && got.some((g) => g.markerStable));
});

test('the windower skips frames of another channel count, and starts over after reset', () => {
  const w = new Windower({ channels: 2, boardRate: 200, modelRate: 200, window: { length: 4, hop: 2 } });
  const got: number[][] = [];
  const sink = (v: { data: Float32Array }) => got.push(Array.from(v.data));
  w.push(samplesFrame(0, 0, 3, [1, 2, 3]), sink);
  assert.equal(w.stats.mismatchedFrames, 1);
  w.push(samplesFrame(1, 0, 2, [1, 1, 2, 2, 3, 3]), sink);
  w.reset();
  w.push(samplesFrame(2, 0, 2, [4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]), sink);
  assert.deepEqual(got, [
    [4, 4, 5, 5, 6, 6, 7, 7],
    [6, 6, 7, 7, 8, 8, 9, 9],
  ]);
});

test('a 250 Hz board feeds a 200 Hz model: windows come at the model rate and follow the signal', () => {
  const channels = 2;
  const frames: Frame[] = [];
  const total = 2500;
  for (let at = 0, seq = 0; at < total; at += 10, seq++) {
    const v: number[] = [];
    for (let i = at; i < at + 10; i++) v.push(Math.round(1000 * Math.sin((2 * Math.PI * 5 * i) / 250)), 100);
    frames.push(samplesFrame(seq, Math.round((at * 1e6) / 250), channels, v));
  }
  const w = new Windower({ channels, boardRate: 250, modelRate: 200, window: { length: 52, hop: 5 } });
  assert.equal(w.resampling, true);
  const got: WindowCopy[] = [];
  for (const f of frames) w.push(f, (v) => got.push(copyWindow(v)));
  assert.equal(got.length, Math.floor((2000 - 52) / 5) + 1, '2500 board samples are 2000 model samples');
  const last = got.at(-1)!;
  for (let t = 0; t < 52; t++) {
    // Model sample k describes board time k * 5/4 - delay: a 5 Hz tone there.
    const k = last.index * 5 + t;
    const boardTime = (k * 5) / 4 - 15.875;
    assert.ok(Math.abs(last.data[t * 2]! - 1000 * Math.sin((2 * Math.PI * 5 * boardTime) / 250)) < 5, `sample ${t}`);
    assert.ok(Math.abs(last.data[t * 2 + 1]! - 100) < 1e-6);
  }
});

test('the windower as a Transform: frames in, window copies out', async () => {
  const t = new WindowerTransform({ channels: 1, boardRate: 100, modelRate: 100, window: { length: 3, hop: 3 } });
  const out: WindowCopy[] = [];
  t.on('data', (w: WindowCopy) => out.push(w));
  t.write(samplesFrame(0, 0, 1, [1, 2, 3, 4, 5, 6, 7]));
  t.end();
  await new Promise((r) => t.on('end', r));
  assert.deepEqual(out.map((w) => Array.from(w.data)), [[1, 2, 3], [4, 5, 6]]);
});

test('the queue drops the oldest window when full and counts it', () => {
  const q = new WindowQueue(3, 2);
  const view = { data: new Float32Array(2), index: 0, endTimestampUs: 0, arrivedAtMs: 0, markerKind: undefined, markerValue: 0, markerTimestampUs: 0, markerStable: true };
  for (let i = 0; i < 5; i++) {
    view.index = i;
    view.data.fill(i);
    q.push(view);
  }
  assert.equal(q.dropped, 2);
  assert.equal(q.highWater, 3);
  assert.deepEqual([q.shift()!.index, q.shift()!.index, q.shift()!.index, q.shift()], [2, 3, 4, undefined]);
});

function randomHeads(dim: number, classes: number, seed: number): HeadData[] {
  const rng = createRng(seed);
  const arr = (n: number, s = 1) => Array.from({ length: n }, () => rng.normal() * s);
  return [
    { kind: 'softmax', classes, dim, mean: arr(dim, 0.1), invStd: arr(dim).map((v) => 1 + Math.abs(v)), weights: arr(dim * classes), bias: arr(classes) },
    { kind: 'lda', classes, dim, mean: arr(dim, 0.1), invStd: arr(dim).map((v) => 2 + v), weights: arr(dim * classes, 3), bias: arr(classes, 10) },
    { kind: 'ncm', classes, dim, centroids: arr(classes * dim) },
  ];
}

test('the head stage scores exactly as headScores does, for every head kind', () => {
  const dim = 24;
  const classes = 7;
  const rng = createRng(5);
  const count = 300;
  const data = new Float32Array(count * dim);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal() * 3;
  data.fill(0, 0, dim); // an all-zero embedding stays defined
  for (const head of randomHeads(dim, classes, 9)) {
    const reference = headScores(head, { count, dim, data });
    const stage = new HeadStage(head, dim, 0, 0);
    for (let i = 0; i < count; i++) {
      const label = stage.classify(data.subarray(i * dim, (i + 1) * dim));
      const row = reference.subarray(i * classes, (i + 1) * classes);
      assert.deepEqual(stage.scores, row, `${head.kind} window ${i}`);
      let best = 0;
      for (let c = 1; c < classes; c++) if (row[c]! > row[best]!) best = c;
      assert.equal(label, best);
      assert.ok(stage.confidence > 0 && stage.confidence <= 1, `${head.kind} confidence ${stage.confidence}`);
    }
  }
  assert.throws(() => new HeadStage(randomHeads(4, 3, 1)[0]!, 4, 0, 0).classify(new Float32Array(5)), (err) => isHeadstartError(err, 'PROFILE_EXTRACTOR_MISMATCH'));
});

test('the smoother votes, ignores unsure windows, and holds a gesture with hysteresis', () => {
  const s = new Smoother(3, { votes: 5, threshold: 0.5, enter: 0.6, exit: 0.4 });
  const feed = (labels: number[], conf = 0.9) => labels.map((l) => (s.push(l, conf) ? s.current : 'same'));
  // Two votes are not enough to enter (3 of 5 needed); the third is.
  assert.deepEqual(feed([1, 1]), ['same', 'same']);
  assert.deepEqual(feed([1]), [1]);
  // Unsure windows do not vote (they abstain, pushing old votes out).
  assert.deepEqual(feed([2, 2], 0.3), ['same', 'same']);
  // Votes now 2,1,1,-,-: 1 keeps 2 of 5, at its exit share: held.
  assert.deepEqual(feed([2]), ['same']);
  // 2,2,1,-,-: 1 falls below its exit share and 2 has not 3 votes yet: no gesture; then 2 enters.
  assert.deepEqual(feed([2]), [-1]);
  assert.deepEqual(feed([2]), [2]);
  // 0 needs 2 to fall below 2 votes, even with 0 holding the majority before that.
  assert.deepEqual(feed([0, 0, 0, 0]), ['same', 'same', 'same', 0]);
  s.reset();
  assert.equal(s.current, -1);
  assert.throws(() => new Smoother(3, { votes: 5, threshold: 0.5, enter: 0.4, exit: 0.6 }), (err) => isHeadstartError(err, 'BAD_OPTION') && /hysteresis/.test(err.message));
});

test('latency percentiles and the live score', () => {
  const l = new LatencyRecorder(1000);
  for (let i = 1; i <= 100; i++) l.add(i);
  assert.deepEqual(l.summary(), { count: 100, p50Ms: 50, p99Ms: 99, maxMs: 100, meanMs: 50.5 });
  const s = new LiveScore(3);
  s.add(0, true, 0);
  s.add(1, true, 2);
  s.add(1, false, 1);
  s.add(undefined, true, 1);
  s.add(-1, true, 1);
  const sum = s.summary();
  assert.equal(sum.scored, 2);
  assert.equal(sum.accuracy, 0.5);
  assert.equal(sum.straddling, 1);
  assert.equal(sum.unlabelled, 2);
  assert.deepEqual(sum.confusion, [[1, 0, 0], [0, 0, 1], [0, 0, 0]]);
});

test('a head that reads time-domain features scores live exactly as headScores does offline', () => {
  const rng = createRng(12);
  const emb = 16;
  const length = 52;
  const channels = 8;
  const classes = 5;
  const input = { embedding: 'sqrt', timeDomain: 'rich' } as const;
  const dim = emb + 13 * channels;
  const count = 40;
  const data = Float32Array.from({ length: count * emb }, () => Math.abs(rng.normal()));
  const x = Float32Array.from({ length: count * length * channels }, () => rng.normal());
  const arr = (n: number, s = 1) => Array.from({ length: n }, () => s * rng.normal());
  const head = { kind: 'lda' as const, classes, dim, input, mean: arr(dim, 0.1), invStd: arr(dim).map((v) => 1 + Math.abs(v)), weights: arr(dim * classes), bias: arr(classes) };
  const reference = headScores(head, { count, dim: emb, data }, { count, length, channels, x });
  const stage = new HeadStage(head, emb, length, channels);
  for (let i = 0; i < count; i++) {
    stage.classify(data.subarray(i * emb, (i + 1) * emb), x.subarray(i * length * channels, (i + 1) * length * channels));
    assert.deepEqual(stage.scores, reference.subarray(i * classes, (i + 1) * classes), `window ${i}`);
  }
  assert.throws(() => stage.classify(data.subarray(0, emb)), (err) => isHeadstartError(err, 'INTERNAL'));
  assert.throws(() => new HeadStage(head, emb + 1, length, channels), (err) => isHeadstartError(err, 'PROFILE_EXTRACTOR_MISMATCH'));
});

test('a head that reads the embedding and band power scores live exactly as headScores does offline', () => {
  const rng = createRng(13);
  const emb = 16;
  const length = 500;
  const channels = 8;
  const rate = 250;
  const classes = 2;
  const input = { embedding: 'sqrt', timeDomain: 'none', bandPower: 'bands7' } as const;
  const dim = emb + 7 * channels;
  const count = 12;
  const data = Float32Array.from({ length: count * emb }, () => Math.abs(rng.normal()));
  const x = Float32Array.from({ length: count * length * channels }, () => rng.normal());
  const arr = (n: number, s = 1) => Array.from({ length: n }, () => s * rng.normal());
  const head = { kind: 'lda' as const, classes, dim, input, mean: arr(dim, 0.1), invStd: arr(dim).map((v) => 1 + Math.abs(v)), weights: arr(dim * classes), bias: arr(classes) };
  const reference = headScores(head, { count, dim: emb, data }, { count, length, channels, x, rate });
  const stage = new HeadStage(head, emb, length, channels, rate);
  for (let i = 0; i < count; i++) {
    stage.classify(data.subarray(i * emb, (i + 1) * emb), x.subarray(i * length * channels, (i + 1) * length * channels));
    assert.deepEqual(stage.scores, reference.subarray(i * classes, (i + 1) * classes), `window ${i}`);
  }
  // Band power needs the rate the windows were sampled at.
  assert.throws(() => new HeadStage(head, emb, length, channels), (err) => isHeadstartError(err, 'INTERNAL'));
});
