import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isHeadstartError } from '../../../src/core/errors.ts';
import { datasetKind, loadDataset } from '../../../src/io/datasets/index.ts';
import { EEGMAT_CHANNELS } from '../../../src/io/datasets/eegmat.ts';
import { writeEdf } from '../../helpers/edf_writer.ts';
import { brainflowText, eegLike, guiCurrentText, guiOlderText } from '../../helpers/openbci_writer.ts';
import { scratchDir } from '../../helpers/scratch_dir.ts';

const EEGMAT = '../shared/datasets/eegmat';

/** A small EDF+ file: `labels` signals at 100 Hz, 3 s, a ramp per signal (digital = physical µV). */
function edfFile(path: string, labels: string[], offset = 0): void {
  const records = 3;
  writeFileSync(
    path,
    writeEdf({
      plus: 'C',
      recordSeconds: 1,
      records,
      signals: labels.map((label, c) => ({
        label,
        unit: 'uV',
        physicalMin: -32768,
        physicalMax: 32767,
        digitalMin: -32768,
        digitalMax: 32767,
        samplesPerRecord: 100,
        digital: Array.from({ length: 100 * records }, (_, i) => offset + 10 * c + i),
      })),
    }),
  );
}

test('EDF files as a data set: labels from the file names, channels chosen by label, one layout', (t) => {
  const dir = scratchDir(t);
  edfFile(join(dir, 'p1_rest.edf'), ['EEG F3', 'EEG F4', 'ECG ECG']);
  edfFile(join(dir, 'p1_task.edf'), ['EEG F3', 'EEG F4', 'ECG ECG'], 1000);
  assert.equal(datasetKind(dir), 'edf');
  const ds = loadDataset({ path: dir, labelPattern: '(?<subject>p\\d+)_(?<label>rest|task)', classes: ['rest', 'task'], channels: ['F4', 'F3'] });
  assert.equal(ds.kind, 'edf');
  assert.deepEqual([ds.channels, ds.rate], [2, 100]);
  assert.deepEqual(ds.classes, ['rest', 'task']);
  assert.deepEqual(ds.recordings.map((r) => [r.label, r.subject]), [[0, 'p1'], [1, 'p1']]);
  assert.deepEqual(ds.recordings[0]!.channelNames, ['EEG F4', 'EEG F3']);
  assert.deepEqual(Array.from(ds.recordings[1]!.samples.subarray(0, 4)), [1010, 1000, 1011, 1001], 'F4 then F3, as chosen');
  // Unlabelled without a pattern; every signal without a choice; a file with other channels is refused.
  assert.equal(loadDataset(join(dir, 'p1_rest.edf')).recordings[0]!.label, undefined);
  assert.equal(loadDataset(join(dir, 'p1_rest.edf')).channels, 3);
  edfFile(join(dir, 'p2_rest.edf'), ['EEG F4', 'EEG F3', 'ECG ECG']);
  assert.throws(() => loadDataset(dir), (err) => isHeadstartError(err, 'MIXED_RECORDINGS') && /same channels/.test(err.message));
  assert.throws(() => loadDataset({ path: dir, channels: ['Cz'] }), (err) => isHeadstartError(err, 'BAD_CHANNELS'));
});

test('OpenBCI GUI .txt files are told from CSV tables by their first line, in both layouts', (t) => {
  const dir = scratchDir(t);
  const samples = eegLike(300, 8, 250);
  writeFileSync(join(dir, 'OpenBCI-RAW-a_rest.txt'), guiCurrentText({ rate: 250, samples }));
  writeFileSync(join(dir, 'OpenBCI-RAW-b_task.txt'), guiOlderText({ rate: 250, samples }));
  writeFileSync(join(dir, 'table.txt'), '1,2\n3,4\n');
  assert.equal(datasetKind(join(dir, 'OpenBCI-RAW-a_rest.txt')), 'openbci-gui');
  assert.equal(datasetKind(join(dir, 'table.txt')), 'csv');
  const ds = loadDataset({ path: join(dir, 'OpenBCI-RAW-*.txt'), labelPattern: '_(?<label>rest|task)\\.txt', channels: ['0', '7'] });
  assert.equal(ds.kind, 'openbci-gui');
  assert.deepEqual([ds.channels, ds.rate, ds.classes], [2, 250, ['rest', 'task']]);
  assert.ok(ds.recordings[0]!.samples[0]! > 32767, 'microvolts with their offset, never clamped');
  // A folder holding both is two formats.
  assert.throws(() => loadDataset(dir), (err) => isHeadstartError(err, 'MIXED_RECORDINGS'));
});

test('BrainFlow CSV files: told apart by name or content, board given or inferred, channels by label', (t) => {
  const dir = scratchDir(t);
  const samples = eegLike(500, 16, 125);
  writeFileSync(join(dir, 'BrainFlow-RAW_s1.csv'), brainflowText('cyton-daisy', { rate: 125, samples }));
  writeFileSync(join(dir, 'session2.csv'), brainflowText('cyton-daisy', { rate: 125, samples }));
  writeFileSync(join(dir, 'plain.csv'), '1\t2\t3\n4\t5\t6\n');
  assert.equal(datasetKind(join(dir, 'BrainFlow-RAW_s1.csv')), 'brainflow');
  assert.equal(datasetKind(join(dir, 'session2.csv')), 'brainflow', 'the Unix time in the Daisy layout\'s timestamp field');
  assert.equal(datasetKind(join(dir, 'plain.csv')), 'csv');
  const ds = loadDataset({ path: join(dir, 'session2.csv'), channels: ['EXG Channel 15', '0'] });
  assert.deepEqual([ds.kind, ds.channels, ds.rate], ['brainflow', 2, 125]);
  assert.equal(ds.recordings[0]!.samples[1], Math.fround(samples[0]![0]!));
  assert.throws(() => loadDataset({ path: join(dir, 'session2.csv'), board: 'cyton' }), (err) => isHeadstartError(err, 'CSV_MALFORMED'));
  assert.throws(() => loadDataset({ path: join(dir, 'session2.csv'), board: 'muse' }), (err) => isHeadstartError(err, 'BAD_OPTION'));
});

test('eegmat: 36 people, rest from _1 and arithmetic from _2, the 19 EEG channels or those chosen', (t) => {
  if (!existsSync(join(EEGMAT, 'Subject00_1.edf'))) {
    t.skip(`the eegmat data set is not at ${EEGMAT}`);
    return;
  }
  assert.equal(datasetKind(EEGMAT), 'eegmat', 'the folder, with subject-info.csv and its licence beside the recordings');
  const few = loadDataset({ path: EEGMAT, people: ['Subject00', 'Subject35'], channels: ['Fp1', 'Fp2', 'F7', 'F8', 'T3', 'T4', 'Fz', 'Pz'] });
  assert.deepEqual([few.kind, few.channels, few.rate, few.classes], ['eegmat', 8, 500, ['rest', 'arithmetic']]);
  assert.deepEqual(few.recordings.map((r) => [r.subject, r.label]), [['Subject00', 0], ['Subject00', 1], ['Subject35', 0], ['Subject35', 1]]);
  assert.deepEqual(few.recordings[0]!.channelNames, ['EEG Fp1', 'EEG Fp2', 'EEG F7', 'EEG F8', 'EEG T3', 'EEG T4', 'EEG Fz', 'EEG Pz']);
  assert.ok(few.recordings[0]!.samples.length / 8 > 150 * 500, 'about three minutes at rest');
  const files = loadDataset(`${EEGMAT}/Subject0[3-4]_*.edf`);
  assert.equal(files.channels, EEGMAT_CHANNELS.length);
  assert.deepEqual([...new Set(files.recordings.map((r) => r.subject))], ['Subject03', 'Subject04']);
  assert.throws(() => loadDataset({ path: EEGMAT, people: ['Subject99'] }), (err) => isHeadstartError(err, 'EMPTY_SELECTION') && /Subject35/.test(err.message));
});
