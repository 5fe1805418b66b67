/**
 * The EDF+/BDF+ writer, read back by headstart's own EDF reader: channel
 * labels, rate, every value within half a digital step of what was
 * written, annotations at their samples with their durations, the padding
 * of a last partial record marked; header fields rounded outward so that
 * the data stays inside the physical range. (MNE reads the same files in
 * test/e2e/convert_mne.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createRng } from '../../../src/core/rng.ts';
import { decodeEdf } from '../../../src/io/datasets/edf.ts';
import { EDF_PADDING_ANNOTATION, edfNumberField, encodeEdfPlus, recordLayout } from '../../../src/io/datasets/edf_write.ts';

function signals(channels: number, frames: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(channels * frames);
  // Channels of very different sizes and offsets: each gets its own range.
  for (let i = 0; i < frames; i++) for (let c = 0; c < channels; c++) out[i * channels + c] = (10 ** c) * Math.sin(i / (3 + c)) + 500 * c + rng.normal() * (c + 1);
  return out;
}

for (const bdf of [false, true]) {
  const kind = bdf ? 'BDF+' : 'EDF+';
  test(`${kind}: what is written reads back: labels, rate, values within half a digital step, annotations, padding marked`, () => {
    const channels = 4;
    const rate = 250;
    const frames = 3 * rate + 17;
    const samples = signals(channels, frames, bdf ? 3 : 4);
    const names = ['Fp1', 'Fp2', 'C3', 'a-very-long-channel-name'];
    const annotations = [
      { onset: 0.2, duration: 1.5, text: 'hand-open' },
      { onset: 1.004, text: 'note: electrode loose, re-seated' },
      { onset: 2.5, duration: 0.25, text: 'fist' },
    ];
    const w = encodeEdfPlus({ bdf, channels, rate, samples, channelNames: names, annotations, subject: 'alice smith', startedAt: new Date('2026-12-01T09:45:13Z') });
    const r = decodeEdf(w.bytes, 'written');
    assert.equal(r.header.format, bdf ? 'BDF+C' : 'EDF+C');
    assert.equal(r.header.bytesPerSample, bdf ? 3 : 2);
    assert.deepEqual([r.header.startDate, r.header.startTime, r.header.patient.split(' ')[0]], ['01.12.26', '09.45.13', 'alice_smith']);
    assert.deepEqual(r.warnings, []);
    const rec = r.recordings[0]!;
    assert.deepEqual(rec.channelNames, ['Fp1', 'Fp2', 'C3', 'a-very-long-chan']);
    assert.equal(rec.rate, rate);
    assert.equal(w.paddedSamples, 4 * rate - frames);
    assert.equal(rec.samples.length / channels, frames + w.paddedSamples);
    for (let c = 0; c < channels; c++) {
      const { physicalMin, physicalMax, resolution } = w.ranges[c]!;
      assert.equal(resolution, (physicalMax - physicalMin) / (bdf ? 16777215 : 65535));
      let worst = 0;
      for (let i = 0; i < frames; i++) {
        const v = samples[i * channels + c]!;
        assert.ok(v >= physicalMin && v <= physicalMax, `channel ${c} sample ${i}: ${v} outside [${physicalMin}, ${physicalMax}]`);
        worst = Math.max(worst, Math.abs(rec.samples[i * channels + c]! - v) - Math.abs(v) * 2 ** -23);
      }
      assert.ok(worst <= resolution / 2, `channel ${c}: off by ${worst}, more than half the step ${resolution}`);
      // The padding repeats the last sample.
      assert.ok(Math.abs(rec.samples[(frames + w.paddedSamples - 1) * channels + c]! - rec.samples[(frames - 1) * channels + c]!) <= 1e-9 + Math.abs(rec.samples[(frames - 1) * channels + c]!) * 2 ** -22);
    }
    assert.deepEqual(
      rec.markers,
      [
        { sample: 50, text: 'hand-open', duration: 1.5 },
        { sample: 251, text: 'note: electrode loose, re-seated' },
        { sample: 625, text: 'fist', duration: 0.25 },
        { sample: frames, text: EDF_PADDING_ANNOTATION, duration: w.paddedSamples / rate },
      ],
    );
  });
}

test('whole-number data in EDF comes back exactly once rounded, when its range spans at most 65535 steps', () => {
  const channels = 2;
  const frames = 400;
  const samples = new Float32Array(channels * frames);
  for (let i = 0; i < samples.length; i++) samples[i] = ((i * 7919) % 65536) - 32768;
  const rec = decodeEdf(encodeEdfPlus({ bdf: false, channels, rate: 200, samples }).bytes, 'ints').recordings[0]!;
  for (let i = 0; i < samples.length; i++) assert.equal(Math.round(rec.samples[i]!), samples[i], `value ${i}`);
});

test('many annotations within one record are spread over later records, and all read back', () => {
  const rate = 100;
  const annotations = Array.from({ length: 60 }, (_, k) => ({ onset: 0.01 * k, text: `marker number ${k} with some words` }));
  const w = encodeEdfPlus({ bdf: false, channels: 1, rate, samples: new Float32Array(rate * 5), annotations });
  const markers = decodeEdf(w.bytes, 'crowded').recordings[0]!.markers ?? [];
  assert.deepEqual(
    markers.map((m) => m.text),
    annotations.map((a) => a.text),
  );
  // Each reads back at its own onset, not at the record it was stored in.
  assert.deepEqual(
    markers.map((m) => m.sample),
    annotations.map((_, k) => k),
  );
});

test('record layout: one second for a whole-number rate, else the shortest whole number of seconds; a constant channel still gets a range', () => {
  assert.deepEqual(recordLayout(200), { recordSeconds: 1, samplesPerRecord: 200 });
  assert.deepEqual(recordLayout(0.5), { recordSeconds: 2, samplesPerRecord: 1 });
  assert.deepEqual(recordLayout(128.25), { recordSeconds: 4, samplesPerRecord: 513 });
  assert.throws(() => recordLayout(Math.PI), /no whole number of samples/);
  const w = encodeEdfPlus({ bdf: true, channels: 1, rate: 10, samples: new Float32Array(10).fill(42) });
  assert.ok(w.ranges[0]!.physicalMin < 42 && w.ranges[0]!.physicalMax > 42);
  const rec = decodeEdf(w.bytes, 'flat').recordings[0]!;
  for (const v of rec.samples) assert.ok(Math.abs(v - 42) <= w.ranges[0]!.resolution);
});

test('header numbers fit 8 characters and round outward', () => {
  fc.assert(
    fc.property(fc.double({ min: -9.9e6, max: 9.9e7, noNaN: true }), (v) => {
      const down = edfNumberField(v, 'down');
      const up = edfNumberField(v, 'up');
      return down.length <= 8 && up.length <= 8 && Number(down) <= v && Number(up) >= v && Number(up) - Number(down) <= Math.max(2, Math.abs(v) * 1e-6);
    }),
  );
  assert.equal(edfNumberField(-1234.56789, 'down'), '-1234.57');
  assert.equal(edfNumberField(99.999971, 'up'), '99.99998');
  assert.equal(edfNumberField(0, 'up'), '0');
});
