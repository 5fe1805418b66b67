import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { crc32 } from '../../../src/core/crc32.ts';
import { HeadstartError, isHeadstartError } from '../../../src/core/errors.ts';
import {
  decodeRecording,
  encodeMarkerChunk,
  encodeRecording,
  encodeRecordingHeader,
  encodeSamplesChunk,
  joinRecordings,
  labelledSegments,
  type RecordingHeader,
  type RecordingMarker,
} from '../../../src/core/recording_format.ts';
import { fileURLToPath } from 'node:url';
import { readMyoSession } from '../../../src/io/datasets/myo.ts';
import { createRecordingFile, readRecordingFile, resumeRecordingFile, segmentRecordings, writeRecordingFile } from '../../../src/io/datasets/hsrec.ts';
import { scratchDir } from '../../helpers/scratch_dir.ts';

const scratch = (t: { after(fn: () => void): void }) => scratchDir(t, 'hs-rec-');

const concat = (parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

const HEADER: RecordingHeader = { channels: 2, rate: 200, sampleFormat: 'int16', subject: 'Male2', classes: ['rest', 'fist'] };

test('crc32 matches the standard check value', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
});

type Piece = { kind: 'samples'; values: number[] } | { kind: 'marker'; marker: RecordingMarker };

const headerArb = fc.record({
  channels: fc.integer({ min: 1, max: 8 }),
  rate: fc.constantFrom(200, 250, 1000, 512.5),
  sampleFormat: fc.constantFrom('int16' as const, 'float32' as const),
  subject: fc.option(fc.string(), { nil: undefined }),
});

function piecesArb(header: { channels: number; sampleFormat: 'int16' | 'float32' }) {
  const value = header.sampleFormat === 'int16' ? fc.integer({ min: -32768, max: 32767 }) : fc.float({ noNaN: true, noDefaultInfinity: true });
  const samples = fc.integer({ min: 0, max: 6 }).chain((n) => fc.array(value, { minLength: n * header.channels, maxLength: n * header.channels }));
  const marker = fc.record({
    at: fc.nat(50),
    kind: fc.constantFrom('label', 'button', 'prompt'),
    label: fc.option(fc.nat(6), { nil: null }),
    rep: fc.nat(3),
    text: fc.string({ maxLength: 8 }),
  });
  return fc.array(fc.oneof(samples.map((values): Piece => ({ kind: 'samples', values })), marker.map((m): Piece => ({ kind: 'marker', marker: m }))), { maxLength: 8 });
}

function encodePieces(header: RecordingHeader, pieces: Piece[]): { head: Uint8Array; chunks: Uint8Array[] } {
  return {
    head: encodeRecordingHeader(header),
    chunks: pieces.map((p) => (p.kind === 'samples' ? encodeSamplesChunk(header, p.values) : encodeMarkerChunk(p.marker))),
  };
}

function expected(pieces: Piece[]): { samples: number[]; markers: RecordingMarker[] } {
  return {
    samples: pieces.flatMap((p) => (p.kind === 'samples' ? p.values.map((v) => Math.fround(v) + 0) : [])),
    markers: pieces.flatMap((p) => (p.kind === 'marker' ? [p.marker] : [])),
  };
}

test('any header, samples and markers round-trip exactly (property)', () => {
  fc.assert(
    fc.property(headerArb.chain((h) => fc.tuple(fc.constant(h), piecesArb(h))), ([header, pieces]) => {
      const { head, chunks } = encodePieces(header, pieces);
      const decoded = decodeRecording(concat([head, ...chunks]), 'p.hsrec');
      assert.deepEqual(decoded.header, JSON.parse(JSON.stringify(header)));
      const want = expected(pieces);
      assert.deepEqual(Array.from(decoded.samples, (v) => v + 0), want.samples);
      assert.deepEqual(decoded.markers, want.markers);
      assert.equal(decoded.tornBytes, 0);
    }),
  );
});

test('a file cut at any byte keeps exactly its whole chunks and reports the torn tail (property)', () => {
  fc.assert(
    fc.property(headerArb.chain((h) => fc.tuple(fc.constant(h), piecesArb(h))), fc.double({ min: 0, max: 1, noNaN: true }), ([header, pieces], where) => {
      const { head, chunks } = encodePieces(header, pieces);
      const file = concat([head, ...chunks]);
      const cut = head.length + Math.floor(where * (file.length - head.length));
      const decoded = decodeRecording(file.subarray(0, cut), 't.hsrec');
      // Whole chunks before the cut survive, nothing else.
      let end = head.length;
      let whole = 0;
      while (whole < chunks.length && end + chunks[whole].length <= cut) end += chunks[whole++].length;
      const want = expected(pieces.slice(0, whole));
      assert.deepEqual(Array.from(decoded.samples, (v) => v + 0), want.samples);
      assert.deepEqual(decoded.markers, want.markers);
      assert.equal(decoded.intactBytes, end);
      assert.equal(decoded.tornBytes, cut - end);
    }),
  );
});

test('a garbled or zero-filled last chunk is a torn tail; a garbled middle chunk is BAD_RECORDING', () => {
  const head = encodeRecordingHeader(HEADER);
  const a = encodeSamplesChunk(HEADER, [1, 2, 3, 4]);
  const b = encodeSamplesChunk(HEADER, [5, 6]);
  const garbledLast = concat([head, a, b]);
  garbledLast[garbledLast.length - 6] ^= 0xff;
  const d1 = decodeRecording(garbledLast, 'g.hsrec');
  assert.deepEqual(Array.from(d1.samples), [1, 2, 3, 4]);
  assert.equal(d1.tornBytes, b.length);
  // After a crash some file systems leave the grown length filled with zeros.
  const zeros = concat([head, a, new Uint8Array(b.length + a.length)]);
  const d2 = decodeRecording(zeros, 'z.hsrec');
  assert.deepEqual(Array.from(d2.samples), [1, 2, 3, 4]);
  assert.equal(d2.tornBytes, a.length + b.length);
  const garbledMiddle = concat([head, a, b]);
  garbledMiddle[head.length + 6] ^= 0x01;
  assert.throws(
    () => decodeRecording(garbledMiddle, 'm.hsrec'),
    (e) => isHeadstartError(e, 'BAD_RECORDING') && e.message.startsWith('m.hsrec: ') && e.message.includes(`byte ${head.length}`),
  );
});

test('bad headers are named: magic, version, CRC, contents, truncation', () => {
  const head = encodeRecordingHeader(HEADER);
  assert.throws(() => decodeRecording(new TextEncoder().encode('time,emg\n1,2\n'), 'x.hsrec'), (e) => isHeadstartError(e, 'BAD_RECORDING') && e.message.startsWith('x.hsrec: '));
  const version = head.slice();
  version[4] = 9;
  assert.throws(() => decodeRecording(version, 'v.hsrec'), (e) => isHeadstartError(e, 'FORMAT_TOO_NEW'));
  const crc = head.slice();
  crc[14] ^= 0x20;
  assert.throws(() => decodeRecording(crc, 'c.hsrec'), (e) => isHeadstartError(e, 'BAD_RECORDING') && /CRC/.test(e.message));
  assert.throws(() => decodeRecording(head.subarray(0, head.length - 1), 's.hsrec'), (e) => isHeadstartError(e, 'BAD_RECORDING') && /cut short/.test(e.message));
  assert.throws(() => encodeRecordingHeader({ ...HEADER, channels: 0 }), (e) => isHeadstartError(e, 'BAD_RECORDING'));
  assert.throws(() => encodeRecordingHeader({ ...HEADER, subject: 7 as unknown as string }), (e) => isHeadstartError(e, 'BAD_RECORDING') && /subject/.test(e.message));
  assert.throws(() => encodeRecordingHeader({ ...HEADER, sampleFormat: 'int8' as 'int16' }), (e) => isHeadstartError(e, 'BAD_RECORDING'));
});

test('values an int16 recording cannot hold are refused, not clipped', () => {
  assert.throws(() => encodeSamplesChunk(HEADER, [1, 40000]), (e) => isHeadstartError(e, 'INTERNAL'));
  assert.throws(() => encodeSamplesChunk(HEADER, [1, 0.5]), (e) => isHeadstartError(e, 'INTERNAL'));
  assert.throws(() => encodeSamplesChunk({ ...HEADER, sampleFormat: 'float32' }, [1, NaN]), (e) => isHeadstartError(e, 'INTERNAL'));
  assert.throws(() => encodeSamplesChunk(HEADER, [1, 2, 3]), (e) => isHeadstartError(e, 'INTERNAL'));
  assert.throws(() => encodeMarkerChunk({ at: -1, kind: 'label' }), (e) => isHeadstartError(e, 'BAD_RECORDING'));
});

test('random bytes after a valid header never escape as anything but HeadstartError (property)', () => {
  const head = encodeRecordingHeader(HEADER);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (tail) => {
      try {
        decodeRecording(concat([head, tail]), 'r.hsrec');
      } catch (err) {
        assert.ok(err instanceof HeadstartError, String(err));
      }
    }),
  );
});

test('labelled segments run from one label marker to the next', () => {
  const markers: RecordingMarker[] = [
    { at: 0, kind: 'label', label: 0, rep: 0 },
    { at: 10, kind: 'button' },
    { at: 20, kind: 'label', label: 1, rep: 0 },
    { at: 30, kind: 'label', label: null },
    { at: 40, kind: 'label', label: 1, rep: 1 },
    { at: 40, kind: 'label', label: 0, rep: 1 },
    { at: 90, kind: 'label', label: 1, rep: 2 },
  ];
  assert.deepEqual(labelledSegments(markers, 50), [
    { start: 0, end: 20, label: 0, rep: 0 },
    { start: 20, end: 30, label: 1, rep: 0 },
    { start: 40, end: 50, label: 0, rep: 1 },
  ]);
});

test('a recording file is written, appended, torn by a crash, resumed and read as labelled recordings', (t) => {
  const dir = scratch(t);
  const path = join(dir, 'calib.hsrec');
  const rec = createRecordingFile(path, HEADER);
  rec.mark({ kind: 'label', label: 0, rep: 0 });
  rec.appendSamples(Int16Array.from([1, 2, 3, 4, 5, 6]));
  rec.mark({ kind: 'label', label: 1, rep: 0 });
  rec.appendSamples([7, 8, 9, 10]);
  rec.sync();
  assert.equal(rec.sampleCount, 5);
  rec.close();
  assert.throws(() => rec.appendSamples([1, 2]), (e) => isHeadstartError(e, 'INTERNAL'));
  assert.throws(() => createRecordingFile(path, HEADER), (e) => isHeadstartError(e, 'FILE_EXISTS'));

  // A crash mid-append: half a chunk at the end.
  const intact = statSync(path).size;
  appendFileSync(path, encodeSamplesChunk(HEADER, [11, 12, 13, 14]).subarray(0, 7));
  assert.equal(readRecordingFile(path).tornBytes, 7);

  const { appender, existing } = resumeRecordingFile(path);
  assert.equal(existing.tornBytes, 7);
  assert.equal(statSync(path).size, intact, 'the torn tail is truncated away');
  assert.equal(appender.sampleCount, 5);
  appender.mark({ kind: 'label', label: null });
  appender.appendSamples([0, 0]);
  appender.mark({ kind: 'label', label: 0, rep: 1 });
  appender.appendSamples([15, 16]);
  appender.close();

  const back = readRecordingFile(path);
  assert.equal(back.tornBytes, 0);
  assert.deepEqual(Array.from(back.samples), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 0, 15, 16]);
  const recs = segmentRecordings(back, path);
  assert.deepEqual(
    recs.map((r) => ({ label: r.label, rep: r.rep, samples: Array.from(r.samples), subject: r.subject })),
    [
      { label: 0, rep: 0, samples: [1, 2, 3, 4, 5, 6], subject: 'Male2' },
      { label: 1, rep: 0, samples: [7, 8, 9, 10], subject: 'Male2' },
      { label: 0, rep: 1, samples: [15, 16], subject: 'Male2' },
    ],
  );
  assert.ok(recs.every((r) => r.channels === 2 && r.rate === 200 && r.source.startsWith(path)));
});

test('writeRecordingFile writes a whole file atomically and leaves no temp file', (t) => {
  const dir = scratch(t);
  const path = join(dir, 'whole.hsrec');
  const header: RecordingHeader = { ...HEADER, sampleFormat: 'float32' };
  writeRecordingFile(path, header, [0.5, -1.25, 3, 4], [{ at: 0, kind: 'label', label: 1 }]);
  assert.deepEqual(readFileSync(path), Buffer.from(encodeRecording(header, [0.5, -1.25, 3, 4], [{ at: 0, kind: 'label', label: 1 }])));
  assert.deepEqual(Array.from(readRecordingFile(path).samples), [0.5, -1.25, 3, 4]);
  writeRecordingFile(path, header, [1, 1]);
  assert.deepEqual(Array.from(readRecordingFile(path).samples), [1, 1], 'replaced whole');
  assert.throws(() => writeRecordingFile(join(dir, 'no/such/dir/x.hsrec'), header, [1, 1]), (e) => isHeadstartError(e, 'FILE_ACCESS'));
  assert.throws(() => readRecordingFile(join(dir, 'absent.hsrec')), (e) => isHeadstartError(e, 'FILE_NOT_FOUND'));
  writeFileSync(join(dir, 'fake.hsrec'), 'nope');
  assert.throws(() => readRecordingFile(join(dir, 'fake.hsrec')), (e) => isHeadstartError(e, 'BAD_RECORDING') && e.message.includes('fake.hsrec'));
  assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.tmp')), []);
});

test('joined Myo recordings written as .hsrec read back as the same labelled recordings', (t) => {
  const dir = scratch(t);
  const session = readMyoSession(fileURLToPath(new URL('../../fixtures/myo/EvaluationDataset/Male2/Test0', import.meta.url)), 'Male2');
  const joined = joinRecordings(session);
  assert.equal(joined.markers.length, 7);
  assert.equal(joined.samples.length, session.reduce((n, r) => n + r.samples.length, 0));
  const path = join(dir, 'male2-test0.hsrec');
  writeRecordingFile(path, { channels: joined.channels, rate: joined.rate, sampleFormat: 'int16', subject: 'Male2', session: 'Test0' }, joined.samples, joined.markers);
  const back = segmentRecordings(readRecordingFile(path), path);
  assert.equal(back.length, session.length);
  back.forEach((r, i) => {
    assert.equal(r.label, session[i].label);
    assert.equal(r.rep, session[i].rep);
    assert.equal(r.session, 'Test0');
    assert.deepEqual(r.samples, session[i].samples);
  });
  assert.throws(() => joinRecordings([]), (e) => isHeadstartError(e, 'NO_RECORDINGS'));
  assert.throws(() => joinRecordings([session[0], { ...session[1], channels: 4 }]), (e) => isHeadstartError(e, 'MIXED_RECORDINGS'));
});
