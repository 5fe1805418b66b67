import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
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

test('run and profile have help with an example', { skip: BUILT ? false : 'bin not built: run `npm run build`' }, () => {
  for (const verb of [['run'], ['profile'], ['profile', 'show']]) {
    const r = runCli([...verb, '--help']);
    assert.equal(r.status, 0, verb.join(' '));
    assert.match(r.stdout, /Example/, verb.join(' '));
  }
});
