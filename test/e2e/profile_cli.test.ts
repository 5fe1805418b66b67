import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProfileStore } from '../../src/device/profiles/store.ts';
import { runCli } from '../helpers/cli.ts';
import { sampleProfile } from '../helpers/profile_data.ts';
import { scratchDir } from '../helpers/scratch_dir.ts';
import { EXIT_STATUS } from '../../src/cli/report_error.ts';

const BUILT = existsSync(fileURLToPath(new URL('../../bin/headstart.js', import.meta.url)));

test('headstart profile list|show|use|rollback|rm through the built bin', { skip: BUILT ? false : 'bin not built: run `npm run build`' }, (t) => {
  const dataDir = scratchDir(t, 'hs-profile-cli-');
  const store = new ProfileStore(dataDir);
  store.save(sampleProfile('alice', { seed: 1 }));
  store.save(sampleProfile('alice', { seed: 2, kind: 'ncm' }));
  const cli = (...args: string[]) => runCli(['profile', ...args, '--data-dir', dataDir]);
  const json = (...args: string[]) => {
    const r = cli(...args, '--json');
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  };

  const listed = json('list');
  assert.deepEqual(listed.map((u: { user: string; current: number }) => [u.user, u.current]), [['alice', 2]]);
  assert.deepEqual(listed[0].versions.map((v: { version: number; headKind: string }) => [v.version, v.headKind]), [[1, 'lda'], [2, 'ncm']]);
  const text = cli('list');
  assert.match(text.stdout, /\* v2 .* ncm/);

  const shown = json('show', 'alice', '1');
  assert.equal(shown.profile.version, 1);
  assert.equal(shown.profile.head.kind, 'lda');
  assert.match(cli('show', 'alice').stdout, /profile 'alice' version 2[\s\S]*gestures:\n {2}0 g0/);
  // What a band's profile keeps for re-wearing, and an adapted version's origin, are shown too.
  const band = sampleProfile('bea');
  const bandDir = scratchDir(t, 'hs-profile-cli-band-');
  const bandStore = new ProfileStore(bandDir);
  const showBand = (...args: string[]) => runCli(['profile', 'show', 'bea', ...args, '--data-dir', bandDir]);
  bandStore.save({ ...band, sync: { channels: 2, gesture: 'g1', gestures: {}, heads: [{ shift: -0.5, head: band.head }, { shift: 0.5, head: band.head }], tolerantHead: band.head, autoCheck: { trials: 10, misses: 2 } } });
  bandStore.save({ ...band, adaptation: { fromVersion: 1, updates: 42, resets: 1, shift: new Array<number>(band.head.dim).fill(0.1), preparedShift: 0.5 } });
  assert.match(showBand('1').stdout, /re-wearing: sync gesture g1; heads prepared for turns -0\.5 \+0\.5; a turn-tolerant head \(run --tolerate-turn\); automatic sync not trusted: it missed 2 of 10 turns/);
  assert.match(showBand().stdout, /adapted without labels from version 1 \(the head prepared for a band turned \+0\.5 electrodes\): 42 updates, 1 resets/);

  assert.deepEqual(json('rollback', 'alice'), { user: 'alice', version: 1 });
  assert.equal(store.load('alice').version, 1);
  assert.deepEqual(json('use', 'alice', 'v2'), { user: 'alice', version: 2 });

  const inUse = cli('rm', 'alice', '2');
  assert.equal(inUse.status, EXIT_STATUS.input);
  assert.match(inUse.stderr, /PROFILE_VERSION_IN_USE/);
  assert.deepEqual(json('rm', 'alice', '1'), { user: 'alice', removed: 1 });
  assert.deepEqual(json('rm', 'alice'), { user: 'alice', removed: 'all' });
  assert.deepEqual(json('list'), []);

  const missing = cli('show', 'nobody');
  assert.equal(missing.status, EXIT_STATUS.input);
  assert.match(missing.stderr, /no profile 'nobody'.*\[PROFILE_NOT_FOUND\]\nhint: --data-dir <dir> looks for the profiles in another folder/);
  const badVersion = cli('use', 'alice', 'two');
  assert.equal(badVersion.status, EXIT_STATUS.usage);
  assert.match(badVersion.stderr, /<version> must be a whole number of at least 1, got "two" \[BAD_OPTION\]\nsee headstart profile use --help/);
});

const BIN = fileURLToPath(new URL('../../bin/headstart.js', import.meta.url));
const SCRIPT = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

test('profile rm keeps the calibration recordings unless --with-recordings, asks first on a terminal, and removes a damaged version in use', { skip: BUILT ? false : 'bin not built: run `npm run build`' }, (t) => {
  const dataDir = scratchDir(t, 'hs-profile-rm-');
  const store = new ProfileStore(dataDir);
  store.save(sampleProfile('alice', { seed: 1 }));
  store.save(sampleProfile('alice', { seed: 2 }));
  const sessions = join(dataDir, 'profiles', 'alice', 'calibration', 'sessions');
  mkdirSync(sessions, { recursive: true });
  writeFileSync(join(sessions, '2024-01-01T00-00-00-000Z.hsrec'), 'raw');
  const cli = (...args: string[]) => runCli(['profile', ...args, '--data-dir', dataDir]);

  // The version in use, damaged: removable, and the one before takes over.
  writeFileSync(join(dataDir, 'profiles', 'alice', 'v000002.json'), '{"torn');
  const shown = cli('show', 'alice');
  assert.equal(shown.status, EXIT_STATUS.input);
  assert.match(shown.stderr, /remove that version \(`headstart profile rm alice 2`\)/);
  const damaged = cli('rm', 'alice', '2');
  assert.equal(damaged.status, 0, damaged.stderr);
  assert.equal(damaged.stdout, "profile 'alice' version 2 removed; version 1 is now the one in use\n");
  assert.equal(store.load('alice').version, 1);

  const withVersion = cli('rm', 'alice', '1', '--with-recordings');
  assert.equal(withVersion.status, EXIT_STATUS.usage);
  assert.match(withVersion.stderr, /--with-recordings goes with the whole profile; .* \[BAD_OPTION\]/);

  const all = cli('rm', 'alice', '--json');
  assert.equal(all.status, 0, all.stderr);
  assert.deepEqual(JSON.parse(all.stdout), { user: 'alice', removed: 'all', keptRecordings: join(dataDir, 'profiles', 'alice', 'calibration') });
  assert.deepEqual(readdirSync(sessions), ['2024-01-01T00-00-00-000Z.hsrec'], 'the raw recording is kept');
  assert.match(cli('list').stdout, /^alice\n {2}no saved version; 1 calibration recording kept \(`headstart profile rm alice --with-recordings` removes them\)\n$/);

  if (SCRIPT) {
    // On a terminal the recordings go only after a yes.
    const asked = spawnSync('script', ['-qec', `${process.execPath} ${BIN} profile rm alice --with-recordings --data-dir ${dataDir}`, '/dev/null'], { input: 'n\n', encoding: 'utf8', timeout: 30_000 });
    assert.equal(asked.status, EXIT_STATUS.interrupted, asked.stdout);
    assert.match(asked.stdout, /remove profile 'alice' with 1 calibration recording\? They cannot be recorded again\. \[y\/N\]/);
    assert.ok(existsSync(sessions), 'no answer, nothing removed');
  } else {
    t.diagnostic('script(1) not installed: the terminal confirmation is not exercised');
  }
  // Without a terminal (a script), --with-recordings is the consent.
  const gone = cli('rm', 'alice', '--with-recordings');
  assert.equal(gone.status, 0, gone.stderr);
  assert.equal(gone.stdout, "profile 'alice' removed\n");
  assert.ok(!existsSync(join(dataDir, 'profiles', 'alice')));
});

test('run and profile have help with an example', { skip: BUILT ? false : 'bin not built: run `npm run build`' }, () => {
  for (const verb of [['run'], ['profile'], ['profile', 'show']]) {
    const r = runCli([...verb, '--help']);
    assert.equal(r.status, 0, verb.join(' '));
    assert.match(r.stdout, /Example/, verb.join(' '));
  }
});
