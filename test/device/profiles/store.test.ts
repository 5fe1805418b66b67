import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isHeadstartError } from '../../../src/core/errors.ts';
import { ProfileStore, versionFileName } from '../../../src/device/profiles/store.ts';
import { resolveDataDir } from '../../../src/device/profiles/data_dir.ts';
import { sampleProfile } from '../../helpers/profile_data.ts';
import { scratchDir } from '../../helpers/scratch_dir.ts';

test('save, load, list, use, rollback and remove versions', (t) => {
  const dir = scratchDir(t, 'hs-profiles-');
  const store = new ProfileStore(dir, { keep: 3 });
  assert.deepEqual(store.list(), []);
  assert.throws(() => store.load('alice'), (err) => isHeadstartError(err, 'PROFILE_NOT_FOUND') && /none yet/.test(err.message));

  const v1 = store.save(sampleProfile('alice', { seed: 1 }), new Date('2024-01-02T03:04:05Z'));
  assert.equal(v1.version, 1);
  assert.equal(v1.createdAt, '2024-01-02T03:04:05.000Z');
  assert.deepEqual(store.load('alice'), v1);
  const v2 = store.save(sampleProfile('alice', { seed: 2, kind: 'ncm' }));
  assert.equal(v2.version, 2);
  assert.equal(store.load('alice').head.kind, 'ncm');
  store.save(sampleProfile('bob'));
  assert.deepEqual(store.list(), [
    { user: 'alice', current: 2, versions: [1, 2], recordings: 0 },
    { user: 'bob', current: 1, versions: [1], recordings: 0 },
  ]);

  assert.equal(store.rollback('alice').version, 1);
  assert.equal(store.load('alice').version, 1);
  assert.throws(() => store.rollback('alice'), (err) => isHeadstartError(err, 'NO_OLDER_PROFILE'));
  assert.equal(store.use('alice', 2).version, 2);
  assert.throws(() => store.use('alice', 9), (err) => isHeadstartError(err, 'PROFILE_NOT_FOUND') && /present: 1, 2/.test(err.message));

  // A new version after a rollback is numbered after every version ever stored.
  store.rollback('alice');
  assert.equal(store.save(sampleProfile('alice', { seed: 3 })).version, 3);
  assert.throws(() => store.rm('alice', 3), (err) => isHeadstartError(err, 'PROFILE_VERSION_IN_USE'));
  store.rm('alice', 1);
  assert.deepEqual(store.versionNumbers('alice'), [2, 3]);
  const summary = store.versions('alice');
  assert.deepEqual(summary.map((s) => [s.version, s.current, s.headKind]), [[2, false, 'ncm'], [3, true, 'lda']]);
  store.rm('bob');
  assert.deepEqual(store.users(), ['alice']);
  assert.equal(readdirSync(join(dir, 'profiles')).length, 1, 'nothing left of bob');
});

test('only the last versions are kept, and never the one in use', (t) => {
  const store = new ProfileStore(scratchDir(t), { keep: 2 });
  for (let i = 0; i < 5; i++) store.save(sampleProfile('carol', { seed: i }));
  assert.deepEqual(store.versionNumbers('carol'), [4, 5]);
  store.rollback('carol');
  store.save(sampleProfile('carol', { seed: 9 }));
  assert.deepEqual(store.versionNumbers('carol'), [5, 6]);
});

test('user names are one safe path segment', (t) => {
  const store = new ProfileStore(scratchDir(t));
  for (const bad of ['', '../x', 'a/b', '.hidden', 'x'.repeat(65), 'sp ace']) {
    assert.throws(() => store.save(sampleProfile(bad)), (err) => isHeadstartError(err, 'BAD_OPTION'), JSON.stringify(bad));
  }
  assert.equal(store.save(sampleProfile('Anna-Lena_2.b')).version, 1);
});

test('a damaged or hand-edited version is refused with what to do, and listed as damaged', (t) => {
  const dir = scratchDir(t);
  const store = new ProfileStore(dir);
  store.save(sampleProfile('dan'));
  store.save(sampleProfile('dan', { seed: 2 }));
  const v2 = join(dir, 'profiles', 'dan', versionFileName(2));
  writeFileSync(v2, readFileSync(v2, 'utf8').slice(0, 100));
  assert.throws(() => store.load('dan'), (err) => isHeadstartError(err, 'BAD_PROFILE') && /profile rm dan 2/.test(err.message));
  const broken = JSON.parse(readFileSync(join(dir, 'profiles', 'dan', versionFileName(1)), 'utf8'));
  broken.head.weights.pop();
  writeFileSync(v2, JSON.stringify({ ...broken, version: 2 }));
  assert.throws(() => store.load('dan'), (err) => isHeadstartError(err, 'BAD_PROFILE') && /head\.weights/.test(err.message));
  const listed = store.versions('dan');
  assert.equal(listed[0]!.damaged, undefined);
  assert.match(listed[1]!.damaged ?? '', /head\.weights/);
  // Refused at save time too: what cannot be loaded is never written.
  const bad = sampleProfile('dan');
  bad.gestures.pop();
  assert.throws(() => store.save(bad), (err) => isHeadstartError(err, 'BAD_PROFILE') && /gestures/.test(err.message));
  // A sync reference's turn-tolerant head is checked as the head is.
  const good = sampleProfile('dan');
  const tolerantHead = { ...good.head, weights: good.head.kind === 'ncm' ? [] : good.head.weights.slice(1) };
  const withTolerant = { ...good, sync: { channels: 2, gesture: good.gestures[0]!, gestures: {}, tolerantHead } };
  assert.throws(() => store.save(withTolerant), (err) => isHeadstartError(err, 'BAD_PROFILE') && /sync\.tolerantHead\.weights/.test(err.message));
  store.save({ ...withTolerant, sync: { ...withTolerant.sync, tolerantHead: good.head } });
  assert.deepEqual(store.load('dan').sync?.tolerantHead, good.head);
  // And the automatic sync's self-check: counts, misses at most trials.
  assert.throws(() => store.save({ ...good, sync: { ...withTolerant.sync, tolerantHead: good.head, autoCheck: { trials: 5, misses: 6 } } }), (err) => isHeadstartError(err, 'BAD_PROFILE') && /sync\.autoCheck/.test(err.message));
  store.save({ ...good, sync: { ...withTolerant.sync, tolerantHead: good.head, autoCheck: { trials: 10, misses: 1 } } });
  assert.deepEqual(store.load('dan').sync?.autoCheck, { trials: 10, misses: 1 });
});

/** Calibration recordings as a calibration leaves them: finished sessions, and optionally an interrupted journal. */
function calibrationFiles(dir: string, user: string, options: { sessions?: number; journal?: boolean } = {}): string {
  const calibration = join(dir, 'profiles', user, 'calibration');
  mkdirSync(join(calibration, 'sessions'), { recursive: true });
  for (let i = 0; i < (options.sessions ?? 0); i++) writeFileSync(join(calibration, 'sessions', `2024-01-0${i + 1}.hsrec`), 'recording');
  if (options.journal) writeFileSync(join(calibration, 'journal.hsrec'), 'journal');
  return calibration;
}

test('removing a whole profile keeps its calibration recordings unless asked', (t) => {
  const dir = scratchDir(t);
  const store = new ProfileStore(dir);
  store.save(sampleProfile('erin'));
  store.save(sampleProfile('erin', { seed: 2 }));
  const calibration = calibrationFiles(dir, 'erin', { sessions: 2 });
  writeFileSync(join(dir, 'profiles', 'erin', 'report.html'), '<html>');
  assert.deepEqual(store.rm('erin'), { removed: 'all', keptRecordings: calibration });
  assert.deepEqual(readdirSync(join(calibration, 'sessions')).sort(), ['2024-01-01.hsrec', '2024-01-02.hsrec'], 'the raw recordings stay');
  assert.deepEqual(readdirSync(join(dir, 'profiles', 'erin')), ['calibration'], 'versions, pointer and report are gone');
  assert.deepEqual(store.list(), [{ user: 'erin', current: undefined, versions: [], recordings: 2 }]);
  assert.throws(() => store.load('erin'), (err) => isHeadstartError(err, 'PROFILE_NOT_FOUND') && /only its calibration recordings are kept .*--with-recordings/.test(err.message));
  // A new calibration starts a fresh numbering beside the kept recordings.
  assert.equal(store.save(sampleProfile('erin')).version, 1);
  assert.deepEqual(store.rm('erin', undefined, { withRecordings: true }), { removed: 'all' });
  assert.ok(!existsSync(join(dir, 'profiles', 'erin')));
});

test('a damaged version in use can be removed: the previous good one becomes the one in use', (t) => {
  const dir = scratchDir(t);
  const store = new ProfileStore(dir);
  for (let i = 1; i <= 3; i++) store.save(sampleProfile('fay', { seed: i }));
  const file = (v: number) => join(dir, 'profiles', 'fay', versionFileName(v));
  assert.throws(() => store.rm('fay', 3), (err) => isHeadstartError(err, 'PROFILE_VERSION_IN_USE'), 'a good version in use stays');
  writeFileSync(file(3), '{"damaged":');
  assert.throws(() => store.load('fay'), (err) => isHeadstartError(err, 'BAD_PROFILE') && /profile rm fay 3/.test(err.message));
  assert.deepEqual(store.rm('fay', 3), { removed: 3, nowCurrent: 2 });
  assert.equal(store.load('fay').version, 2);
  // Damaged in use with only a damaged older one and a good newer one: the good one takes over.
  store.use('fay', 1);
  writeFileSync(file(1), 'garbage');
  const newer = store.save(sampleProfile('fay', { seed: 4 })).version;
  store.use('fay', 2);
  writeFileSync(file(2), 'garbage');
  assert.deepEqual(store.rm('fay', 2), { removed: 2, nowCurrent: newer });
  // Nothing good left: no version in use, and none guessed.
  writeFileSync(file(newer), 'garbage');
  assert.deepEqual(store.rm('fay', newer), { removed: newer, nowCurrent: null });
  assert.deepEqual(store.versionNumbers('fay'), [1]);
  assert.throws(() => store.load('fay'), (err) => isHeadstartError(err, 'BAD_PROFILE'), 'the one version left is damaged, and says so');
});

test('a missing, damaged or dangling current.json is reported, never guessed around', (t) => {
  const dir = scratchDir(t);
  const store = new ProfileStore(dir);
  store.save(sampleProfile('gil', { seed: 1 }));
  store.save(sampleProfile('gil', { seed: 2 }));
  store.use('gil', 1);
  const pointer = join(dir, 'profiles', 'gil', 'current.json');
  const refused = (problem: RegExp) =>
    assert.throws(() => store.load('gil'), (err) => isHeadstartError(err, 'NO_CURRENT_VERSION') && problem.test(err.message) && /profile use gil <version>/.test(err.message));
  for (const [text, problem] of [
    ['garbage', /current\.json is damaged/],
    ['{"version":"1"}', /current\.json is damaged/],
    ['null', /current\.json is damaged/],
    ['{"version":7}', /current\.json names version 7, which is not there/],
  ] as const) {
    writeFileSync(pointer, text);
    // Not the newest (2): that would undo the rollback to 1.
    refused(problem);
    assert.throws(() => store.rollback('gil'), (err) => isHeadstartError(err, 'NO_CURRENT_VERSION'));
    assert.match(store.list()[0]!.pointerProblem ?? '', problem);
    assert.deepEqual(store.versions('gil').map((v) => v.current), [false, false]);
  }
  rmSync(pointer);
  refused(/current\.json is missing/);
  assert.equal(store.use('gil', 1).version, 1, 'profile use mends it');
  assert.equal(store.load('gil').version, 1);
  assert.equal(store.list()[0]!.pointerProblem, undefined);
});

test('an interrupted first calibration: not "present" in the error, listed with where its journal is', (t) => {
  const dir = scratchDir(t);
  const store = new ProfileStore(dir);
  store.save(sampleProfile('kim'));
  const journal = join(calibrationFiles(dir, 'lee', { journal: true }), 'journal.hsrec');
  assert.throws(
    () => store.load('lee'),
    (err) => isHeadstartError(err, 'PROFILE_NOT_FOUND') && err.message.includes(`its calibration was interrupted (${journal})`) && !/present: .*lee/.test(err.message) && err.details['interruptedCalibration'] === journal,
  );
  assert.throws(() => store.load('nobody'), (err) => isHeadstartError(err, 'PROFILE_NOT_FOUND') && /present: kim\)/.test(err.message), 'only users with a version are present');
  assert.deepEqual(store.list().find((u) => u.user === 'lee'), { user: 'lee', current: undefined, versions: [], interruptedCalibration: journal, recordings: 0 });
});

test('the data folder comes from --data-dir, then HEADSTART_DATA_DIR, then ~/.headstart', () => {
  assert.equal(resolveDataDir('/a/b', { HEADSTART_DATA_DIR: '/c' }), '/a/b');
  assert.equal(resolveDataDir(undefined, { HEADSTART_DATA_DIR: '/c' }), '/c');
  assert.match(resolveDataDir(undefined, {}), /\.headstart$/);
});

