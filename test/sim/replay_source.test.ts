import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isHeadstartError } from '../../src/core/errors.ts';
import { writeRecordingFile } from '../../src/io/datasets/hsrec.ts';
import { datasetKind, loadDataset, type Dataset } from '../../src/io/datasets/index.ts';
import { followingScript } from '../../src/sim/follow_script.ts';
import { loadReplayScript } from '../../src/sim/replay_source.ts';
import { NO_LABEL, type ReplayScript, scriptLength } from '../../src/sim/replay_script.ts';
import { scratchDir } from '../helpers/scratch_dir.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/myo', import.meta.url));
const DEMO_PERSON = fileURLToPath(new URL('../../data/demo/EvaluationDataset/Male0', import.meta.url));
const skipDemo = existsSync(DEMO_PERSON) ? undefined : `data/demo missing (${DEMO_PERSON})`;

/** The replay holds the data set's recordings back to back, sample for sample, a label change at the start of each (where the label differs). */
function assertPlaysDataset(script: ReplayScript, ds: Dataset): void {
  assert.deepEqual([script.channels, script.rate], [ds.channels, ds.rate]);
  const concatenated = new Float32Array(ds.recordings.reduce((n, r) => n + r.samples.length, 0));
  let offset = 0;
  const labels: { at: number; label: number }[] = [];
  for (const r of ds.recordings) {
    const label = r.label ?? NO_LABEL;
    if (labels.at(-1)?.label !== label) labels.push({ at: offset / ds.channels, label });
    concatenated.set(r.samples, offset);
    offset += r.samples.length;
  }
  assert.equal(scriptLength(script), offset / ds.channels);
  assert.ok(Buffer.from(script.samples.buffer).equals(Buffer.from(concatenated.buffer)), 'the same samples in the same order');
  assert.deepEqual(script.labels, labels);
}

test('sim --replay of a session folder plays exactly what `headstart dataset` reads there', { skip: skipDemo }, () => {
  const path = join(DEMO_PERSON, 'Test0');
  const ds = loadDataset(path);
  assert.equal(ds.recordings.length, 28);
  assertPlaysDataset(loadReplayScript([path]), ds);
});

test('a folder of several sessions is refused with the sessions it holds and how to pick one; picked, they play in the order named', { skip: skipDemo }, () => {
  assert.equal(loadDataset(DEMO_PERSON).recordings.length, 56, '`headstart dataset` reads both sessions');
  assert.throws(
    () => loadReplayScript([DEMO_PERSON]),
    (e) => isHeadstartError(e, 'MIXED_RECORDINGS') && /Male0\/Test0, Male0\/training0/.test(e.message) && /--sessions Test0/.test(e.message),
  );
  assertPlaysDataset(loadReplayScript([DEMO_PERSON], { sessions: ['Test0'] }), loadDataset(join(DEMO_PERSON, 'Test0')));
  const both = loadReplayScript([DEMO_PERSON], { sessions: ['training0', 'Test0'] });
  const training = loadDataset(join(DEMO_PERSON, 'training0'));
  const later = loadDataset(join(DEMO_PERSON, 'Test0'));
  assertPlaysDataset(both, { ...training, recordings: [...training.recordings, ...later.recordings] });
});

test('a data set of several people wants people or sessions named, and gets the same recordings as loadDataset with them', () => {
  const root = join(FIXTURE, 'EvaluationDataset');
  assert.throws(() => loadReplayScript([root]), (e) => isHeadstartError(e, 'MIXED_RECORDINGS') && /--people \w+ --sessions \w+/.test(e.message));
  const options = { people: ['Male2'], sessions: ['Test0'] };
  assertPlaysDataset(loadReplayScript([root], options), loadDataset({ path: root, ...options }));
});

test('CSV replays take the data set options; labels must mean the same in every path', (t) => {
  const dir = scratchDir(t, 'hs-replay-');
  const write = (name: string, rows: number[][]) => writeFileSync(join(dir, name), 'x;y\n' + rows.map((r) => r.join(';')).join('\n') + '\n');
  write('fist_1.csv', [[1, 10], [2, 20]]);
  write('open_1.csv', [[3, 30]]);
  const options = { rate: 50, delimiter: ';', columns: ['y'], labelPattern: '^(?<label>[a-z]+)_' };
  const files = [join(dir, 'fist_1.csv'), join(dir, 'open_1.csv')];
  const glob = `${dir}/*.csv`;
  const script = loadReplayScript([glob], options);
  assertPlaysDataset(script, loadDataset({ path: glob, ...options }));
  assert.deepEqual(Array.from(script.samples), [10, 20, 30], 'the column chosen');
  // Read one path at a time, each file would have classes of its own.
  assert.throws(() => loadReplayScript(files, options), (e) => isHeadstartError(e, 'MIXED_RECORDINGS') && /--classes/.test(e.message));
  const named = loadReplayScript(files, { ...options, classes: ['open', 'fist'] });
  assert.deepEqual(named.labels, [
    { at: 0, label: 1 },
    { at: 2, label: 0 },
  ]);
});

test('the format of a path is told before anything is read, so mixtures fail first', (t) => {
  const dir = scratchDir(t, 'hs-replay-');
  writeFileSync(join(dir, 'a.csv'), '1,2\n');
  writeRecordingFile(join(dir, 'b.hsrec'), { channels: 2, rate: 50, sampleFormat: 'int16' }, [1, 2]);
  assert.equal(datasetKind(join(dir, 'a.csv')), 'csv');
  assert.equal(datasetKind(join(dir, 'b.hsrec')), 'hsrec');
  assert.equal(datasetKind(join(FIXTURE, 'EvaluationDataset/Male2')), 'myo');
  // No --rate for the CSV: a mixture is still the first thing said.
  assert.throws(() => loadReplayScript([join(dir, 'b.hsrec'), join(dir, 'a.csv')]), (e) => isHeadstartError(e, 'MIXED_RECORDINGS'));
});

test('the follow script reads its person through the same reader: one session unless selected', () => {
  const person = join(FIXTURE, 'EvaluationDataset/Female1');
  assert.throws(() => followingScript(person, 'calibration/quick5.json'), (e) => isHeadstartError(e, 'MIXED_RECORDINGS'));
  const script = followingScript({ path: person, sessions: ['training0'] }, 'calibration/quick5.json');
  assert.equal(script.channels, 8);
  assert.ok(script.labels.length > 1);
});
