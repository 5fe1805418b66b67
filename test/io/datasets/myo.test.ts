import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isHeadstartError } from '../../../src/core/errors.ts';
import { sampleCount } from '../../../src/core/signal.ts';
import { listMyoPeople, listMyoSessions, MYO_CHANNELS, readMyoDataset, readMyoFile, readMyoPerson, readMyoSession } from '../../../src/io/datasets/myo.ts';
import { scratchDir } from '../../helpers/scratch_dir.ts';

const FIXTURE = fileURLToPath(new URL('../../fixtures/myo', import.meta.url));
const SHARED = fileURLToPath(new URL('../../../../shared/datasets/myoarmband', import.meta.url));

const scratch = (t: { after(fn: () => void): void }) => scratchDir(t, 'hs-myo-');

test('readMyoFile decodes int16 little-endian interleaved samples, label and cycle from the name', () => {
  const path = join(FIXTURE, 'EvaluationDataset/Female1/training0/classe_9.dat');
  const rec = readMyoFile(path);
  const bytes = readFileSync(path);
  assert.equal(rec.channels, 8);
  assert.equal(rec.rate, 200);
  assert.equal(rec.samples.length, bytes.length / 2);
  assert.equal(rec.label, 2, 'classe_9: gesture 9 % 7 = 2');
  assert.equal(rec.rep, 1, 'classe_9: cycle floor(9 / 7) = 1');
  for (const i of [0, 1, 7, 8, 500, rec.samples.length - 1]) assert.equal(rec.samples[i], bytes.readInt16LE(2 * i));
  // Real Myo data: values within the int8 range, not all zero.
  assert.ok(rec.samples.every((v) => v >= -128 && v <= 127));
  assert.ok(rec.samples.some((v) => v !== 0));
});

test('readMyoFile decodes negative values and a hand-made file exactly', (t) => {
  const dir = scratch(t);
  const values = [-32768, -1, 0, 1, 32767, -128, 127, 42, 5, 6, 7, 8, 9, 10, 11, -12];
  const buf = Buffer.alloc(values.length * 2);
  values.forEach((v, i) => buf.writeInt16LE(v, 2 * i));
  writeFileSync(join(dir, 'classe_15.dat'), buf);
  const rec = readMyoFile(join(dir, 'classe_15.dat'));
  assert.deepEqual(Array.from(rec.samples), values);
  assert.equal(sampleCount(rec), 2);
  assert.equal(rec.label, 1);
  assert.equal(rec.rep, 2);
});

test('readMyoSession reads a session in file-index order with subject and session set', () => {
  const recs = readMyoSession(join(FIXTURE, 'EvaluationDataset/Male2/training0'), 'Male2');
  assert.equal(recs.length, 28);
  assert.deepEqual(recs.map((r) => r.label), Array.from({ length: 28 }, (_, i) => i % 7));
  assert.deepEqual(recs.map((r) => r.rep), Array.from({ length: 28 }, (_, i) => Math.floor(i / 7)));
  assert.ok(recs[10].source.endsWith('classe_10.dat'));
  assert.ok(recs.every((r) => r.subject === 'Male2' && r.session === 'training0'));
});

test('listMyoPeople and listMyoSessions see the fixture layout', () => {
  const pre = listMyoPeople(join(FIXTURE, 'PreTrainingDataset'));
  assert.deepEqual(pre.map((p) => p.name), ['Female0', 'Male0', 'Male1']);
  assert.deepEqual(pre[0].sessions, ['training0']);
  assert.deepEqual(listMyoSessions(join(FIXTURE, 'EvaluationDataset/Female1')), ['Test0', 'training0']);
});

test('readMyoPerson and readMyoDataset select sessions and people', () => {
  const calib = readMyoPerson(join(FIXTURE, 'EvaluationDataset/Female1'), { sessions: ['training0'] });
  assert.equal(calib.length, 28);
  const all = readMyoPerson(join(FIXTURE, 'EvaluationDataset/Female1'));
  assert.equal(all.length, 35);
  const tests = readMyoDataset(join(FIXTURE, 'EvaluationDataset'), { sessions: ['Test0'] });
  assert.deepEqual([...new Set(tests.map((r) => r.subject))], ['Female1', 'Male2']);
  assert.ok(tests.every((r) => r.session === 'Test0' && r.rep === 0));
  const pre = readMyoDataset(join(FIXTURE, 'PreTrainingDataset'), { people: ['Male1'] });
  assert.equal(pre.length, 14);
  assert.ok(pre.every((r) => r.subject === 'Male1' && r.channels === MYO_CHANNELS));
});

test('selection errors name what is missing and what is present', () => {
  assert.throws(
    () => readMyoPerson(join(FIXTURE, 'EvaluationDataset/Female1'), { sessions: ['Test1'] }),
    (e) => isHeadstartError(e, 'EMPTY_SELECTION') && /Test1/.test(e.message) && /training0/.test(e.message),
  );
  assert.throws(
    () => readMyoDataset(join(FIXTURE, 'PreTrainingDataset'), { people: ['Male99'] }),
    (e) => isHeadstartError(e, 'EMPTY_SELECTION') && /Male99/.test(e.message),
  );
  assert.throws(() => readMyoDataset(join(FIXTURE, 'PreTrainingDataset'), { sessions: ['Test0'] }), (e) => isHeadstartError(e, 'EMPTY_SELECTION'));
});

test('an odd byte count is BAD_RECORDING naming the file', (t) => {
  const dir = scratch(t);
  const src = join(FIXTURE, 'PreTrainingDataset/Male0/training0/classe_3.dat');
  for (const [name, bytes] of [
    ['classe_3.dat', readFileSync(src).subarray(0, 1001)],
    ['classe_4.dat', readFileSync(src).subarray(0, 30)],
    ['classe_5.dat', Buffer.alloc(0)],
  ] as const) {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    assert.throws(
      () => readMyoFile(path),
      (e) => isHeadstartError(e, 'BAD_RECORDING') && e.message.startsWith(path) && e.message.includes(`${bytes.length} bytes`),
      name,
    );
  }
  // In a session, the bad file stops the read with the same error.
  assert.throws(() => readMyoSession(dir), (e) => isHeadstartError(e, 'BAD_RECORDING'));
});

test('missing folders, files and wrong names are clear errors', (t) => {
  const dir = scratch(t);
  assert.throws(() => readMyoSession(join(dir, 'nope')), (e) => isHeadstartError(e, 'FILE_NOT_FOUND') && e.message.includes(join(dir, 'nope')));
  assert.throws(() => listMyoPeople(join(dir, 'nope')), (e) => isHeadstartError(e, 'FILE_NOT_FOUND'));
  assert.throws(() => readMyoSession(dir), (e) => isHeadstartError(e, 'NO_RECORDINGS'));
  assert.throws(() => readMyoFile(join(dir, 'classe_1.dat')), (e) => isHeadstartError(e, 'FILE_NOT_FOUND'));
  writeFileSync(join(dir, 'data.bin'), Buffer.alloc(16));
  assert.throws(() => readMyoFile(join(dir, 'data.bin')), (e) => isHeadstartError(e, 'BAD_FILE_NAME'));
  assert.throws(() => readMyoSession(join(dir, 'data.bin')), (e) => isHeadstartError(e, 'WRONG_PATH_TYPE'));
  mkdirSync(join(dir, 'P/training0'), { recursive: true });
  copyFileSync(join(FIXTURE, 'PreTrainingDataset/Male0/training0/classe_0.dat'), join(dir, 'P/training0/classe_0.dat'));
  mkdirSync(join(dir, 'Empty/training0'), { recursive: true });
  assert.deepEqual(listMyoPeople(dir).map((p) => p.name), ['P'], 'a person folder without data is passed over');
});

test('the fixture is byte-identical to the shared data set it was cut from', (t) => {
  if (!existsSync(SHARED)) {
    t.skip('../shared/datasets/myoarmband not present');
    return;
  }
  for (const rel of ['PreTrainingDataset/Female0/training0/classe_13.dat', 'EvaluationDataset/Male2/Test0/classe_6.dat', 'EvaluationDataset/Female1/training0/classe_27.dat']) {
    assert.ok(readFileSync(join(FIXTURE, rel)).equals(readFileSync(join(SHARED, rel))), rel);
  }
});
