/**
 * Child process for the kill-during-save test: saves profile versions of one
 * user in a loop, as fast as it can, printing "saved <version>" after each
 * save returns, until it is killed.
 *   node profile_saver.mjs <data dir> <seed>
 */
import { writeSync } from 'node:fs';
import { ProfileStore } from '../../src/device/profiles/store.ts';
import { sampleProfile } from './profile_data.ts';

const [dataDir, seedText] = process.argv.slice(2);
const store = new ProfileStore(dataDir!, { keep: 3 });
let seed = Number(seedText ?? 1);
// writeSync: the report must be out before the next save starts (process.stdout may queue writes to a pipe).
writeSync(1, 'ready\n');
for (;;) {
  // Sizes vary so that the moment of the kill falls in every part of a save.
  const saved = store.save(sampleProfile('alice', { seed: seed++, dim: 16 + (seed % 7) * 40 }));
  writeSync(1, `saved ${saved.version}\n`);
}
