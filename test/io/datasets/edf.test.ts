import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ErrorCode, HeadstartError, isHeadstartError } from '../../../src/core/errors.ts';
import { decodeEdf, parseEdfHeader, readEdfFile } from '../../../src/io/datasets/edf.ts';
import { tal, toDigital, toPhysical, writeEdf, type FixtureEdf, type FixtureSignal } from '../../helpers/edf_writer.ts';
import { scratchDir } from '../../helpers/scratch_dir.ts';

const RATE = 100;
const RECORDS = 3;
const N = RATE * RECORDS;

/** A sine of `freq` Hz and `amplitude` in the signal's physical units, as digital values. */
function sineSignal(label: string, freq: number, amplitude: number, extra: Partial<FixtureSignal> = {}): FixtureSignal & { physical: number[] } {
  const ranges = { physicalMin: -200, physicalMax: 200, digitalMin: -32768, digitalMax: 32767, ...extra };
  const n = (extra.samplesPerRecord ?? RATE) * RECORDS;
  const physical = Array.from({ length: n }, (_, i) => amplitude * Math.sin((2 * Math.PI * freq * i) / (extra.samplesPerRecord ?? RATE)) + amplitude / 10);
  return { label, samplesPerRecord: RATE, ...ranges, ...extra, digital: physical.map((p) => toDigital(p, ranges)), physical };
}

function throwsCode(fn: () => unknown, code: ErrorCode, also?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isHeadstartError(e, code), `expected ${code}, got ${(e as HeadstartError).code}: ${(e as Error).message}`);
    if (also) assert.match(e.message, also);
    return true;
  });
}

test('EDF+C: values in µV within the format resolution, mV converted, rate from the header, annotations as markers', () => {
  const c3 = sineSignal('EEG C3', 10, 50);
  const c4 = sineSignal('EEG C4', 7, 80);
  const ecg = sineSignal('ECG ECG', 1, 0.5, { unit: 'mV', physicalMin: -2, physicalMax: 2 });
  const spec: FixtureEdf = {
    plus: 'C',
    recordSeconds: 1,
    records: RECORDS,
    signals: [c3, c4, ecg],
    annotations: (r) => (r === 0 ? tal(0.5, ['eyes closed'], 1.25) : r === 2 ? tal(2.13, ['count', 'second text']) : ''),
  };
  const reading = decodeEdf(writeEdf(spec), 'fixture.edf');
  assert.equal(reading.header.format, 'EDF+C');
  assert.equal(reading.header.records, RECORDS);
  assert.equal(reading.recordings.length, 1);
  const rec = reading.recordings[0];
  assert.equal(rec.rate, RATE);
  assert.equal(rec.channels, 3);
  assert.deepEqual(rec.channelNames, ['EEG C3', 'EEG C4', 'ECG ECG']);
  assert.equal(rec.samples.length, N * 3);
  [c3, c4, ecg].forEach((s, c) => {
    const scale = s.unit === 'mV' ? 1000 : 1;
    const resolution = (scale * (s.physicalMax - s.physicalMin)) / (s.digitalMax - s.digitalMin);
    for (let i = 0; i < N; i++) {
      const got = rec.samples[i * 3 + c];
      assert.ok(Math.abs(got - s.physical[i] * scale) <= resolution / 2 + 1e-3 * resolution + Math.abs(got) * 1e-7, `${s.label} sample ${i}: ${got} vs ${s.physical[i] * scale}`);
      const exact = toPhysical(s.digital[i], s) * scale;
      assert.ok(Math.abs(got - exact) <= Math.abs(exact) * 2 ** -23, `${s.label} sample ${i} is the digital-to-physical map to float32 precision`);
    }
  });
  assert.deepEqual(rec.markers, [
    { sample: 50, text: 'eyes closed', duration: 1.25 },
    { sample: 213, text: 'count' },
    { sample: 213, text: 'second text' },
  ]);
  assert.deepEqual(reading.warnings, []);
});

test('channels are chosen by label, with or without the type prefix, in the order asked, case aside', () => {
  const bytes = writeEdf({ plus: 'C', recordSeconds: 1, records: RECORDS, signals: [sineSignal('EEG F3', 5, 10), sineSignal('EEG F4', 6, 20), sineSignal('EEG A2-A1', 2, 5)] });
  const whole = decodeEdf(bytes, 'f.edf').recordings[0];
  const picked = decodeEdf(bytes, 'f.edf', { channels: ['f4', 'EEG F3', 'A2-A1'] }).recordings[0];
  assert.deepEqual(picked.channelNames, ['EEG F4', 'EEG F3', 'EEG A2-A1']);
  for (let i = 0; i < N; i++) {
    assert.equal(picked.samples[i * 3], whole.samples[i * 3 + 1]);
    assert.equal(picked.samples[i * 3 + 1], whole.samples[i * 3]);
    assert.equal(picked.samples[i * 3 + 2], whole.samples[i * 3 + 2]);
  }
  throwsCode(() => decodeEdf(bytes, 'f.edf', { channels: ['F3', 'Cz'] }), 'BAD_CHANNELS', /"Cz".*EEG F3, EEG F4, EEG A2-A1, EDF Annotations/);
  throwsCode(() => decodeEdf(bytes, 'f.edf', { channels: ['F3', 'eeg f3'] }), 'BAD_CHANNELS');
  throwsCode(() => decodeEdf(bytes, 'f.edf', { channels: ['EDF Annotations'] }), 'BAD_CHANNELS');
});

test('signals of different rates: refused together, read when only one rate is chosen; a unit that is not a voltage is kept and reported', () => {
  const temp = { label: 'Temp body', unit: 'degC', physicalMin: 30, physicalMax: 42, digitalMin: -2048, digitalMax: 2047, samplesPerRecord: 1, digital: [0, 10, 20] };
  const bytes = writeEdf({ recordSeconds: 1, records: RECORDS, signals: [sineSignal('EEG O1', 10, 30), temp, sineSignal('EEG O2', 10, 30)] });
  throwsCode(() => decodeEdf(bytes, 'mixed.edf'), 'BAD_CHANNELS', /at 100 Hz: EEG O1, EEG O2; at 1 Hz: Temp body\); choose channels of one rate/);
  throwsCode(() => decodeEdf(bytes, 'mixed.edf', { channels: ['O1', 'Temp body'] }), 'BAD_CHANNELS');
  const eeg = decodeEdf(bytes, 'mixed.edf', { channels: ['O1', 'O2'] });
  assert.equal(eeg.header.format, 'EDF');
  assert.equal(eeg.recordings[0].rate, 100);
  assert.equal(eeg.recordings[0].markers, undefined);
  const t = decodeEdf(bytes, 'mixed.edf', { channels: ['temp body'] });
  assert.equal(t.recordings[0].rate, 1);
  assert.deepEqual(Array.from(t.recordings[0].samples), [0, 10, 20].map((d) => Math.fround(toPhysical(d, temp))));
  assert.match(t.warnings.join('\n'), /"Temp body" is in "degC", not a voltage/);
});

test('BDF+ 24-bit: values beyond the 16-bit range kept exactly, BDF Annotations read', () => {
  const digital = Array.from({ length: N }, (_, i) => Math.round(8_000_000 * Math.sin(i / 7)) - (i % 3));
  // About 1/32 µV a digital step, ±262,144 µV full scale.
  const s: FixtureSignal = { label: 'EXG1', physicalMin: -262144, physicalMax: 262144, digitalMin: -8388608, digitalMax: 8388607, samplesPerRecord: RATE, digital };
  const bytes = writeEdf({ bdf: true, plus: 'C', recordSeconds: 1, records: RECORDS, signals: [s], annotations: (r) => (r === 1 ? tal(1.5, ['stimulus']) : '') });
  const reading = decodeEdf(bytes, 'fixture.bdf');
  assert.equal(reading.header.format, 'BDF+C');
  assert.equal(reading.header.bytesPerSample, 3);
  const rec = reading.recordings[0];
  for (let i = 0; i < N; i++) {
    const exact = toPhysical(digital[i], s);
    // Within a float32 step of the exact value (far finer than the 1/32 µV digital step).
    assert.ok(Math.abs(rec.samples[i] - exact) <= Math.abs(exact) * 2 ** -23, `sample ${i}: ${rec.samples[i]} vs ${exact}`);
  }
  assert.ok(Math.max(...Array.from(rec.samples, Math.abs)) > 200_000, 'values far above ±32,767 µV survive');
  assert.deepEqual(rec.markers, [{ sample: 150, text: 'stimulus' }]);
  // Plain BDF (reserved "24BIT") reads too.
  assert.equal(decodeEdf(writeEdf({ bdf: true, recordSeconds: 1, records: RECORDS, signals: [s] }), 'plain.bdf').header.format, 'BDF');
});

test('EDF+D: a gap between records splits the recording; markers land in their stretch', () => {
  const s = sineSignal('EEG Cz', 3, 40);
  const bytes = writeEdf({
    plus: 'D',
    recordSeconds: 1,
    records: RECORDS,
    signals: [s],
    recordStarts: [10, 11, 20],
    annotations: (r) => (r === 0 ? tal(10.25, ['a']) : r === 2 ? tal(20.5, ['b']) + tal(15, ['in the gap']) : ''),
  });
  const reading = decodeEdf(bytes, 'd.edf');
  assert.equal(reading.header.format, 'EDF+D');
  assert.equal(reading.recordings.length, 2);
  const [first, second] = reading.recordings;
  assert.equal(first.samples.length, 2 * RATE);
  assert.equal(second.samples.length, RATE);
  assert.match(first.source, /d\.edf \[10 s\.\.12 s\)/);
  assert.match(second.source, /d\.edf \[20 s\.\.21 s\)/);
  assert.equal(second.samples[0], Math.fround(toPhysical(s.digital[2 * RATE], s)));
  assert.deepEqual(first.markers, [{ sample: 25, text: 'a' }]);
  assert.deepEqual(second.markers, [
    { sample: 0, text: 'in the gap' },
    { sample: 50, text: 'b' },
  ]);
  // Without gaps an EDF+D file is one recording.
  assert.equal(decodeEdf(writeEdf({ plus: 'D', recordSeconds: 1, records: RECORDS, signals: [s], recordStarts: [5, 6, 7] }), 'g.edf').recordings.length, 1);
  // A record without its time-keeping annotation has no known start.
  const broken = writeEdf({ plus: 'D', recordSeconds: 1, records: RECORDS, signals: [s] });
  const at = broken.indexOf('+1\x14\x14', 0, 'latin1');
  broken.fill(0, at, at + 5);
  throwsCode(() => decodeEdf(broken, 'broken.edf'), 'BAD_RECORDING', /record 2/);
});

test('a record count of -1 (recording still open) is counted from the size; a torn last record is dropped and reported', () => {
  const s = sineSignal('EEG Pz', 4, 20);
  const bytes = writeEdf({ recordSeconds: 1, records: RECORDS, signals: [s], declaredRecords: -1 });
  const torn = bytes.subarray(0, bytes.length - 50);
  const reading = decodeEdf(torn, 'open.edf');
  assert.equal(reading.header.records, RECORDS - 1);
  assert.equal(reading.recordings[0].samples.length, (RECORDS - 1) * RATE);
  assert.match(reading.warnings.join('\n'), /dropped 150 bytes after the last whole data record/);
});

test('bad files give HeadstartErrors that say what is wrong and where', () => {
  const good = writeEdf({ plus: 'C', recordSeconds: 1, records: RECORDS, signals: [sineSignal('EEG C3', 10, 50), sineSignal('EEG C4', 10, 50)] });
  const edit = (offset: number, text: string) => {
    const b = Buffer.from(good);
    b.write(text, offset, 'latin1');
    return b;
  };
  const ns = 3;
  const signalField = (fieldOffset: number, signal: number, width: number) => 256 + fieldOffset * ns + signal * width;
  throwsCode(() => decodeEdf(good.subarray(0, 100), 'x.edf'), 'BAD_RECORDING', /100 bytes, shorter than the 256-byte header/);
  throwsCode(() => decodeEdf(good.subarray(0, 600), 'x.edf'), 'BAD_RECORDING', /1024 bytes, but only 600/);
  throwsCode(() => decodeEdf(edit(0, 'PK\x03\x04'), 'x.edf'), 'BAD_RECORDING');
  throwsCode(() => decodeEdf(edit(184, '999     '), 'x.edf'), 'BAD_RECORDING', /header byte count.*999, but 3 signals make a 1024-byte header/);
  throwsCode(() => decodeEdf(edit(252, 'ab  '), 'x.edf'), 'BAD_RECORDING', /number of signals \(bytes 252-255\): "ab" is not a whole number/);
  throwsCode(() => decodeEdf(edit(244, '1.x     '), 'x.edf'), 'BAD_RECORDING', /data record duration/);
  // Physical minimum of signal 2 (EEG C4): fields label 16, transducer 80, dimension 8 come first.
  throwsCode(() => decodeEdf(edit(signalField(16 + 80 + 8, 1, 8), 'abc     '), 'x.edf'), 'BAD_RECORDING', /signal 2 \(EEG C4\), physical minimum: "abc" is not a number/);
  throwsCode(() => decodeEdf(edit(signalField(16 + 80 + 8 * 3, 0, 8), '-40000  '), 'x.edf'), 'BAD_RECORDING', /signal 1 \(EEG C3\), digital minimum.*16-bit range/);
  throwsCode(() => decodeEdf(edit(signalField(16 + 80 + 8 * 4, 0, 8), '-32768  '), 'x.edf'), 'BAD_RECORDING', /digital maximum: -32768 is not above the digital minimum/);
  throwsCode(() => decodeEdf(edit(signalField(16 + 80 + 8, 0, 8), '200     '), 'x.edf'), 'BAD_RECORDING', /physical maximum: 200 equals the physical minimum/);
  throwsCode(() => decodeEdf(good.subarray(0, good.length - 1), 'x.edf'), 'BAD_RECORDING', /3 data records of 520 bytes.*but only 1559 bytes follow it; the file is truncated/);
  throwsCode(() => decodeEdf(Buffer.concat([good, Buffer.alloc(7)]), 'x.edf'), 'BAD_RECORDING', /1567 bytes follow it/);
  throwsCode(() => decodeEdf(edit(236, '-5      '), 'x.edf'), 'BAD_RECORDING', /number of data records/);
  // Unreadable annotations are skipped with a warning, never fatal for the signals.
  const badTal = writeEdf({ plus: 'C', recordSeconds: 1, records: RECORDS, signals: [sineSignal('EEG C3', 10, 50)], annotations: (r) => (r === 1 ? '+x1\x14oops\x14\x00' : '') });
  const r = decodeEdf(badTal, 'tal.edf');
  assert.equal(r.recordings[0].markers, undefined);
  assert.match(r.warnings.join('\n'), /skipped unreadable annotations: a TAL with onset\/duration "\+x1"/);
});

test('damaged files never throw anything but a HeadstartError', () => {
  const good = writeEdf({ plus: 'C', recordSeconds: 1, records: 2, signals: [sineSignal('EEG C3', 10, 50, { samplesPerRecord: 8 })], annotations: (r) => tal(r + 0.5, ['m']) });
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.option(fc.nat(good.length)), (edits, cut) => {
      const b = Buffer.from(good.subarray(0, cut ?? good.length));
      for (const [at, value] of edits) if (at < b.length) b[at] = value;
      try {
        decodeEdf(b, 'fuzz.edf');
      } catch (err) {
        if (!(err instanceof HeadstartError)) throw err;
      }
    }),
    { numRuns: 500 },
  );
});

test('readEdfFile reads from disk and names missing files', (t) => {
  const dir = scratchDir(t, 'hs-edf-');
  const path = join(dir, 'rec.edf');
  writeFileSync(path, writeEdf({ plus: 'C', recordSeconds: 0.5, records: RECORDS, signals: [sineSignal('EEG Fz', 2, 10, { samplesPerRecord: 125 })] }));
  const reading = readEdfFile(path);
  assert.equal(reading.recordings[0].rate, 250);
  assert.equal(reading.recordings[0].source, path);
  assert.equal(parseEdfHeader(Buffer.from(writeEdf({ recordSeconds: 1, records: 1, signals: [sineSignal('EEG Fz', 2, 10)] })), 'h.edf').signals[0].label, 'EEG Fz');
  throwsCode(() => readEdfFile(join(dir, 'none.edf')), 'FILE_NOT_FOUND');
  throwsCode(() => readEdfFile(dir), 'WRONG_PATH_TYPE');
});
