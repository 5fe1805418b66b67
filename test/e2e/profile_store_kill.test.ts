/**
 * The profile store under kill -9: a child process saves versions in a loop
 * and is killed at random moments; after each kill the store must hold whole
 * versions only. Here rather than beside the store's other tests because it
 * starts fifty processes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { createRng } from '../../src/core/rng.ts';
import { ProfileStore } from '../../src/device/profiles/store.ts';
import { sampleProfile } from '../helpers/profile_data.ts';
import { scratchDir } from '../helpers/scratch_dir.ts';

/** The saver child, bundled once so that each of the many runs starts in tens of milliseconds. */
async function bundleSaver(dir: string): Promise<string> {
  const out = join(dir, 'profile_saver.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('../helpers/profile_saver.ts', import.meta.url))],
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
