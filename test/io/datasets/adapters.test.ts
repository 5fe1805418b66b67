import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isHeadstartError } from '../../../src/core/errors.ts';
import { ADAPTERS, datasetKind, type DatasetAdapter, type DatasetKind, loadDataset } from '../../../src/io/datasets/index.ts';
import { scratchDir } from '../../helpers/scratch_dir.ts';

/** A format told apart from CSV tables by its first line, as OpenBCI GUI text files are (both are .txt). */
const sniffed: DatasetAdapter = {
  kind: 'sniffed' as DatasetKind,
  describes: 'sniffed text files',
  matchesFile: (path, start) => path.endsWith('.txt') && new TextDecoder().decode(start()).startsWith('%SNIFFED'),
  read: (files) => ({
    kind: 'sniffed' as DatasetKind,
    classes: ['only'],
    channels: 1,
    rate: 10,
    recordings: files.map((f) => ({ source: f, channels: 1, rate: 10, samples: new Float32Array([1, 2, 3]), label: 0 })),
    warnings: [],
  }),
};

test('the adapter table decides by name, or by how a file starts, in table order', (t) => {
  const dir = scratchDir(t, 'hs-adapters-');
  writeFileSync(join(dir, 'a.txt'), '%SNIFFED v1\n1\n2\n');
  writeFileSync(join(dir, 'b.txt'), '1,2\n3,4\n');
  const table = [sniffed, ...ADAPTERS];
  assert.equal(datasetKind(join(dir, 'a.txt'), table), 'sniffed');
  assert.equal(datasetKind(join(dir, 'b.txt'), table), 'csv', 'a file the new adapter does not claim goes on down the table');
  assert.equal(datasetKind(join(dir, 'a.txt')), 'csv', 'without it, the shipped table reads .txt as CSV');
  assert.deepEqual(
    loadDataset({ path: `${dir}/a*.txt` }, table).recordings.map((r) => r.source),
    [join(dir, 'a.txt')],
  );
  assert.throws(
    () => loadDataset({ path: dir, rate: 10 }, table),
    (e) => isHeadstartError(e, 'MIXED_RECORDINGS') && /sniffed text files/.test(e.message) && /\.csv/.test(e.message),
  );
  assert.throws(() => loadDataset(join(dir, 'c.bin'), table), (e) => isHeadstartError(e, 'FILE_NOT_FOUND'));
  writeFileSync(join(dir, 'c.bin'), 'x');
  assert.throws(() => loadDataset(join(dir, 'c.bin'), table), (e) => isHeadstartError(e, 'UNKNOWN_FORMAT') && /sniffed text files/.test(e.message));
});
