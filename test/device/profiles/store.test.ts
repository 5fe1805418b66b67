import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { isHeadstartError } from '../../../src/core/errors.ts';
import { createRng } from '../../../src/core/rng.ts';
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
    { user: 'alice', current: 2, versions: [1, 2] },
    { user: 'bob', current: 1, versions: [1] },
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
});

test('the data folder comes from --data-dir, then HEADSTART_DATA_DIR, then ~/.headstart', () => {
  assert.equal(resolveDataDir('/a/b', { HEADSTART_DATA_DIR: '/c' }), '/a/b');
  assert.equal(resolveDataDir(undefined, { HEADSTART_DATA_DIR: '/c' }), '/c');
  assert.match(resolveDataDir(undefined, {}), /\.headstart$/);
});

/** The saver child, bundled once so that each of the many runs starts in tens of milliseconds. */
async function bundleSaver(dir: string): Promise<string> {
  const out = join(dir, 'profile_saver.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('../../helpers/profile_saver.ts', import.meta.url))],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
  return out;
}

test('killed at random moments while saving, the store always holds the old or the new version, never a torn one', async (t) => {
  const work = scratchDir(t, 'hs-kill-');
  const saver = await bundleSaver(work);
  const dataDir = join(work, 'data');
  const rng = createRng(42);
  const kills = 50;
  let inUse: number | undefined;
  let completed = 0;
  let seed = 1;
  for (let k = 0; k < kills; k++) {
    const child = spawn(process.execPath, [saver, dataDir, String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
    seed += 1000;
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // 'close', not 'exit': everything the child printed before it died must have been read.
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (out.includes('ready\n')) resolve();
      };
      child.stdout.on('data', check);
      child.once('exit', () => reject(new Error(`saver exited early: ${err}`)));
    });
    // Anywhere from the middle of the first save to a few dozen saves in.
    await new Promise((r) => setTimeout(r, rng.next() * 80));
    child.kill('SIGKILL');
    await exited;
    const reported = [...out.matchAll(/saved (\d+)\n/g)].map((m) => Number(m[1]));
    completed += reported.length;

    // Every version file present reads as a whole, valid profile.
    const store = new ProfileStore(dataDir, { keep: 3 });
    const versions = store.versionNumbers('alice');
    for (const v of versions) assert.equal(store.load('alice', v).version, v, `kill ${k}: version ${v}`);
    // In use: the last save that returned (or what was in use before), or the save that was under way.
    const old = reported.length > 0 ? reported[reported.length - 1] : inUse;
    const now = versions.length > 0 ? store.load('alice').version : undefined;
    const newest = versions.length > 0 ? versions[versions.length - 1] : undefined;
    assert.ok(now === old || (now === newest && (old === undefined || now! > old)), `kill ${k}: in use v${now}, before v${old}, present ${versions.join(',')}; child printed ${JSON.stringify(out)} ${err}`);
    inUse = now;
  }
  assert.ok(completed > 20, `only ${completed} saves completed in ${kills} runs: the kills did not land between saves often enough`);
  // Temp files of killed writers are cleaned by the next save.
  new ProfileStore(dataDir, { keep: 3 }).save(sampleProfile('alice', { seed: 7 }));
  const left = readdirSync(join(dataDir, 'profiles', 'alice')).filter((n) => n.endsWith('.tmp'));
  assert.deepEqual(left, []);
  assert.ok(existsSync(join(dataDir, 'profiles', 'alice', 'current.json')));
});
