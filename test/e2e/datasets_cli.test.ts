import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isHeadstartError } from '../../src/core/errors.ts';
import { datasetSpec } from '../../src/cli/dataset_options.ts';
import { runCli } from '../helpers/cli.ts';
import { scratchDir } from '../helpers/scratch_dir.ts';
import { EXIT_STATUS } from '../../src/cli/report_error.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/myo', import.meta.url));

test('datasetSpec turns option strings into a checked spec', () => {
  const spec = datasetSpec('x/*.csv', { rate: '1000', columns: '1-3,emg', labelPattern: 'R_(?<label>\\d+)', classes: 'rest, fist', delimiter: 'tab', header: false, sessions: 'Test0,Test1' });
  assert.equal(spec.rate, 1000);
  assert.deepEqual(spec.columns, [1, 2, 3, 'emg']);
  assert.ok(spec.labelPattern instanceof RegExp);
  assert.deepEqual(spec.classes, ['rest', 'fist']);
  assert.equal(spec.delimiter, '\t');
  assert.equal(spec.header, false);
  assert.deepEqual(spec.sessions, ['Test0', 'Test1']);
  assert.throws(() => datasetSpec('x', { rate: 'fast' }), (e) => isHeadstartError(e, 'BAD_OPTION'));
  assert.throws(() => datasetSpec('x', { labelPattern: 'R_(\\d+)' }), (e) => isHeadstartError(e, 'BAD_OPTION'));
});

test('datasetSpec: --channels by label and --board for BrainFlow files', () => {
  assert.deepEqual(datasetSpec('x.edf', { channels: 'Fp1, Fp2,EEG F7' }).channels, ['Fp1', 'Fp2', 'EEG F7']);
  assert.equal(datasetSpec('x.csv', { board: 'cyton-daisy' }).board, 'cyton-daisy');
  assert.throws(() => datasetSpec('x.csv', { board: 'muse' }), (e) => isHeadstartError(e, 'BAD_OPTION') && /cyton-daisy/.test(e.message));
  assert.throws(() => datasetSpec('x.edf', { channels: ' , ' }), (e) => isHeadstartError(e, 'BAD_OPTION'));
});

test('headstart dataset --json summarizes a Myo folder', () => {
  const r = runCli(['dataset', join(FIXTURE, 'EvaluationDataset'), '--sessions', 'training0', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.kind, 'myo');
  assert.equal(summary.recordings, 56);
  assert.deepEqual(summary.subjects, ['Female1', 'Male2']);
  assert.equal(summary.perClass['hand open'], 8);
});

test('headstart dataset reads a CSV glob with --rate, --columns and --label-pattern', (t) => {
  const dir = scratchDir(t, 'hs-cli-data-');
  writeFileSync(join(dir, 'R_0_C_1.csv'), 't;a;b\n0;1;2\n1;3;4\n');
  writeFileSync(join(dir, 'R_1_C_0.csv'), 't;a;b\n0;5;6\n');
  const r = runCli(['dataset', `${dir}/R_*.csv`, '--rate', '500', '--columns', 'a,b', '--label-pattern', 'R_(?<rep>\\d+)_C_(?<label>\\d+)', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.kind, 'csv');
  assert.equal(summary.channels, 2);
  assert.equal(summary.samples, 3);
  assert.deepEqual(summary.perClass, { '0': 1, '1': 1 });
});

test('headstart dataset reports a bad CSV value with file and line, not a stack trace', (t) => {
  const dir = scratchDir(t, 'hs-cli-data-');
  writeFileSync(join(dir, 'a.csv'), '1,2\n3,oops\n');
  const r = runCli(['dataset', join(dir, 'a.csv'), '--rate', '200']);
  assert.equal(r.status, EXIT_STATUS.input);
  assert.match(r.stderr, new RegExp(`${join(dir, 'a.csv')}:2: column 1 is "oops"`));
  assert.match(r.stderr, /\[CSV_BAD_VALUE\]/);
  assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
  const missing = runCli(['dataset', join(dir, 'nope')]);
  assert.equal(missing.status, EXIT_STATUS.input);
  assert.match(missing.stderr, /no such folder \[FILE_NOT_FOUND\]/);
});
