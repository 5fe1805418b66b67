import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isHeadstartError } from '../../../src/core/errors.ts';
import { encodeSamplesChunk } from '../../../src/core/recording_format.ts';
import { writeRecordingFile } from '../../../src/io/datasets/hsrec.ts';
import { loadDataset, summarizeDataset } from '../../../src/io/datasets/index.ts';
import { MYO_GESTURES } from '../../../src/io/datasets/myo.ts';
import { scratchDir } from '../../helpers/scratch_dir.ts';

const FIXTURE = fileURLToPath(new URL('../../fixtures/myo', import.meta.url));
const DEMO = fileURLToPath(new URL('../../../data/demo', import.meta.url));

const scratch = (t: { after(fn: () => void): void }) => scratchDir(t, 'hs-load-');

test('a Myo data set folder, person folder, session folder and file glob are recognised', () => {
  const pre = loadDataset(join(FIXTURE, 'PreTrainingDataset'));
  assert.equal(pre.kind, 'myo');
  assert.deepEqual(pre.classes, MYO_GESTURES);
  assert.equal(pre.channels, 8);
  assert.equal(pre.rate, 200);
  assert.deepEqual(summarizeDataset(pre).subjects, ['Female0', 'Male0', 'Male1']);
  assert.equal(pre.recordings.length, 42);

  const person = loadDataset({ path: join(FIXTURE, 'EvaluationDataset/Female1'), sessions: ['training0'] });
  assert.equal(person.recordings.length, 28);
  assert.ok(person.recordings.every((r) => r.subject === 'Female1' && r.session === 'training0'));

  const session = loadDataset(join(FIXTURE, 'EvaluationDataset/Male2/Test0'));
  assert.equal(session.recordings.length, 7);
  assert.ok(session.recordings.every((r) => r.subject === 'Male2' && r.session === 'Test0'));

  const glob = loadDataset(join(FIXTURE, 'EvaluationDataset/*/training0/classe_{0,7}.dat'));
  assert.deepEqual(
    glob.recordings.map((r) => [r.subject, r.session, r.label, r.rep]),
    [
      ['Female1', 'training0', 0, 0],
      ['Female1', 'training0', 0, 1],
      ['Male2', 'training0', 0, 0],
      ['Male2', 'training0', 0, 1],
    ],
  );

  const evalTests = loadDataset({ path: join(FIXTURE, 'EvaluationDataset'), sessions: ['Test0'], people: ['Male2'] });
  assert.equal(evalTests.recordings.length, 7);
  const summary = summarizeDataset(evalTests);
  assert.deepEqual(summary.sessions, ['Test0']);
  assert.equal(summary.perClass.rest, 1);
  assert.ok(summary.seconds > 30 && summary.seconds <= 35, `${summary.seconds} s in 7 files of about 5 s`);
});

test('the Myo root holding both halves is refused, so evaluation people never leak into training', () => {
  assert.throws(() => loadDataset(FIXTURE), (e) => isHeadstartError(e, 'MIXED_RECORDINGS') && /PreTrainingDataset/.test(e.message));
});

test('a CSV folder and a CSV glob load with label, rep and a shared class list', (t) => {
  const dir = scratch(t);
  for (const [name, rows] of [
    ['R_0_C_1.csv', 'a,b,c\n1,2,3\n4,5,6\n'],
    ['R_1_C_1.csv', 'a,b,c\n7,8,9\n'],
    ['R_0_C_2.csv', 'a,b,c\n0,0,0\n'],
  ] as const) {
    writeFileSync(join(dir, name), rows);
  }
  writeFileSync(join(dir, 'README.md'), 'not data');
  const labelPattern = 'R_(?<rep>\\d+)_C_(?<label>\\d+)\\.csv';
  const folder = loadDataset({ path: dir, rate: 1000, labelPattern, columns: ['c', 'a'] });
  assert.equal(folder.kind, 'csv');
  assert.equal(folder.channels, 2);
  assert.deepEqual(folder.classes, ['0', '1', '2']);
  assert.deepEqual(
    folder.recordings.map((r) => [r.label, r.rep, Array.from(r.samples)]),
    [
      [1, 0, [3, 1, 6, 4]],
      [2, 0, [0, 0]],
      [1, 1, [9, 7]],
    ],
  );
  const glob = loadDataset({ path: `${dir}/R_*_C_1.csv`, rate: 1000, labelPattern, classes: ['rest', 'fist', 'open'] });
  assert.deepEqual(glob.classes, ['rest', 'fist', 'open']);
  assert.deepEqual(glob.recordings.map((r) => r.label), [1, 1]);
  assert.throws(() => loadDataset({ path: dir, labelPattern }), (e) => isHeadstartError(e, 'MISSING_OPTION') && e.details['setting'] === 'rate');
});

test('recordings (.hsrec) load as labelled segments; a torn tail becomes a warning', (t) => {
  const dir = scratch(t);
  const header = { channels: 2, rate: 250, sampleFormat: 'int16' as const, subject: 'p1', classes: ['rest', 'fist'] };
  writeRecordingFile(join(dir, 'a.hsrec'), header, [1, 2, 3, 4, 5, 6], [
    { at: 0, kind: 'label', label: 0, rep: 0 },
    { at: 2, kind: 'label', label: 1, rep: 0 },
  ]);
  writeRecordingFile(join(dir, 'b.hsrec'), { ...header, subject: 'p2' }, [7, 8], [{ at: 0, kind: 'label', label: 1, rep: 1 }]);
  appendFileSync(join(dir, 'b.hsrec'), encodeSamplesChunk(header, [9, 9]).subarray(0, 5));
  const ds = loadDataset(dir);
  assert.equal(ds.kind, 'hsrec');
  assert.equal(ds.rate, 250);
  assert.deepEqual(ds.classes, ['rest', 'fist']);
  assert.deepEqual(
    ds.recordings.map((r) => [r.subject, r.label, r.rep, Array.from(r.samples)]),
    [
      ['p1', 0, 0, [1, 2, 3, 4]],
      ['p1', 1, 0, [5, 6]],
      ['p2', 1, 1, [7, 8]],
    ],
  );
  assert.equal(ds.warnings.length, 1);
  assert.match(ds.warnings[0], /b\.hsrec: dropped a torn last chunk of 5 bytes/);
  assert.equal(loadDataset({ path: join(dir, 'a.hsrec'), people: ['p1'] }).recordings.length, 2);
  assert.throws(() => loadDataset({ path: join(dir, 'a.hsrec'), rate: 200 }), (e) => isHeadstartError(e, 'BAD_OPTION') && e.details['setting'] === 'rate');
  writeRecordingFile(join(dir, 'c.hsrec'), { ...header, classes: ['x', 'y'] }, [1, 1], [{ at: 0, kind: 'label', label: 0 }]);
  assert.throws(() => loadDataset(dir), (e) => isHeadstartError(e, 'MIXED_RECORDINGS') && e.message.includes('c.hsrec'));
});

test('bad paths and mixtures are clear errors', (t) => {
  const dir = scratch(t);
  assert.throws(() => loadDataset(join(dir, 'missing')), (e) => isHeadstartError(e, 'FILE_NOT_FOUND') && e.message.includes(join(dir, 'missing')));
  assert.throws(() => loadDataset(join(dir, 'missing.csv')), (e) => isHeadstartError(e, 'FILE_NOT_FOUND'));
  assert.throws(() => loadDataset(`${dir}/nope/*.csv`), (e) => isHeadstartError(e, 'FILE_NOT_FOUND'));
  assert.throws(() => loadDataset(`${dir}/*.csv`), (e) => isHeadstartError(e, 'NO_RECORDINGS') && e.message.includes(`${dir}/*.csv`));
  mkdirSync(join(dir, 'empty'));
  assert.throws(() => loadDataset(join(dir, 'empty')), (e) => isHeadstartError(e, 'NO_RECORDINGS') && /classe_<i>\.dat/.test(e.message));
  writeFileSync(join(dir, 'x.csv'), '1,2\n');
  writeRecordingFile(join(dir, 'y.hsrec'), { channels: 2, rate: 200, sampleFormat: 'int16' }, [1, 2], [{ at: 0, kind: 'label', label: 0 }]);
  assert.throws(() => loadDataset({ path: dir, rate: 200 }), (e) => isHeadstartError(e, 'MIXED_RECORDINGS'));
  assert.throws(() => loadDataset({ path: `${dir}/*.{csv,hsrec}`, rate: 200 }), (e) => isHeadstartError(e, 'MIXED_RECORDINGS'));
  writeFileSync(join(dir, 'notes.dat'), Buffer.from([1, 2, 3]));
  assert.throws(() => loadDataset(join(dir, 'notes.dat')), (e) => isHeadstartError(e, 'UNKNOWN_FORMAT') && e.message.includes('notes.dat'));
  writeFileSync(join(dir, 'z.csv'), '1,2,3\n');
  assert.throws(() => loadDataset({ path: `${dir}/*.csv`, rate: 200 }), (e) => isHeadstartError(e, 'MIXED_RECORDINGS') && e.message.includes('z.csv'));
  assert.throws(
    () => loadDataset({ path: join(FIXTURE, 'EvaluationDataset/Female1'), sessions: ['Test1'] }),
    (e) => isHeadstartError(e, 'EMPTY_SELECTION') && /Test0/.test(e.message),
  );
});

test('the shipped demo recording loads: one evaluation person, calibration and live sessions', (t) => {
  if (!existsSync(DEMO)) {
    t.skip('data/demo not present');
    return;
  }
  const ds = loadDataset(join(DEMO, 'EvaluationDataset'));
  const summary = summarizeDataset(ds);
  assert.equal(summary.subjects.length, 1);
  assert.deepEqual(summary.sessions, ['Test0', 'training0']);
  assert.equal(summary.recordings, 56);
  assert.ok(Object.values(summary.perClass).every((n) => n === 8), 'each gesture 4 times per session');
});

test('the demo recording is byte-identical to the shared data set it was cut from', (t) => {
  const shared = fileURLToPath(new URL('../../../../shared/datasets/myoarmband/EvaluationDataset/Male0', import.meta.url));
  if (!existsSync(shared)) {
    t.skip('../shared/datasets/myoarmband not present');
    return;
  }
  for (const rel of ['training0/classe_0.dat', 'training0/classe_27.dat', 'Test0/classe_13.dat']) {
    assert.ok(readFileSync(join(DEMO, 'EvaluationDataset/Male0', rel)).equals(readFileSync(join(shared, rel))), rel);
  }
});

test('a folder above the data sets points at the data set folder inside it', () => {
  const demo = fileURLToPath(new URL('../../../data/demo', import.meta.url));
  assert.throws(
    () => loadDataset({ path: demo }),
    (e) => isHeadstartError(e, 'NO_RECORDINGS') && e.message.endsWith(`the data set folder inside is ${join(demo, 'EvaluationDataset')}: give it`),
  );
});

test('a named pipe given as a recording is refused, not read (a read would wait for a writer forever)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hs-fifo-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const fifo = join(dir, 'live.csv');
  if (spawnSync('mkfifo', [fifo]).status !== 0) return t.skip('mkfifo not available');
  assert.throws(() => loadDataset({ path: fifo, rate: 200 }), (e) => isHeadstartError(e, 'WRONG_PATH_TYPE') && e.message === `${fifo}: is a named pipe, not a file; expected a CSV file (save what it carries to a file first)`);
});
