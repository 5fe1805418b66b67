// `headstart run --adapt` end to end: the demo's person calibrated on one repetition with the shipped
// package, their later recording played live through sim and a pseudo-terminal; at the end the head
// as adaptation left it is saved as a new profile version, and `headstart profile rollback` goes back
// to the calibration's head exactly.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { LinearHeadData } from '../../src/core/head/head.ts';
import { ProfileStore } from '../../src/device/profiles/store.ts';
import { readMyoSession } from '../../src/io/datasets/myo.ts';
import { runCli } from '../helpers/cli.ts';
import { BIN, calibrate, runLive } from '../helpers/live_run.ts';
import { ptySkipReason } from '../helpers/pty.ts';
import { scratchDir } from '../helpers/scratch_dir.ts';

const PACKAGE = fileURLToPath(new URL('../../models/myo8-200hz', import.meta.url));
const PERSON = fileURLToPath(new URL('../../data/demo/EvaluationDataset/Male0', import.meta.url));

test('run --adapt saves the adapted head as a new profile version; profile rollback restores the calibrated one', { timeout: 300_000 }, async (t) => {
  const skip =
    ptySkipReason() ??
    (existsSync(join(PACKAGE, 'priors.json')) ? undefined : `${PACKAGE} has no priors.json (made by headstart export)`) ??
    (existsSync(BIN) ? undefined : 'bin not built: run `npm run build`');
  if (skip) return t.skip(skip);
  const work = scratchDir(t, 'hs-adapt-');
  const dataDir = join(work, 'data');
  const calibrated = calibrate(dataDir, PACKAGE, 'male0', readMyoSession(join(PERSON, 'training0')).filter((r) => r.rep === 0));
  assert.equal(calibrated.version, 1);

  const { summary, lines } = await runLive(t, work, dataDir, 'male0', PACKAGE, [join(PERSON, 'Test0')], 'auto', ['--adapt']);
  const adapted = lines.find((l) => l.event === 'adapted') as unknown as { version: number; fromVersion: number; updates: number; resets: number } | undefined;
  assert.ok(adapted, `no "adapted" line in ${lines.map((l) => l.event).join(', ')}`);
  t.diagnostic(`live ${(100 * summary.score.accuracy).toFixed(2)} % of ${summary.score.scored} windows adapting; ${adapted.updates} updates, ${adapted.resets} resets`);
  assert.deepEqual([adapted.version, adapted.fromVersion], [2, 1]);
  assert.ok(adapted.updates > 0);

  const store = new ProfileStore(dataDir);
  const v2 = store.load('male0');
  assert.equal(v2.version, 2, 'the adapted version is the one in use');
  assert.equal(v2.adaptation?.fromVersion, 1);
  assert.equal(v2.adaptation?.updates, adapted.updates);
  const [before, after] = [calibrated.head, v2.head] as LinearHeadData[];
  assert.deepEqual([after!.weights, after!.bias, after!.invStd], [before!.weights, before!.bias, before!.invStd], 'adaptation moves only the standardization');
  assert.notDeepEqual(after!.mean, before!.mean);

  const back = runCli(['profile', 'rollback', 'male0', '--data-dir', dataDir]);
  assert.equal(back.status, 0, back.stderr);
  const v1 = store.load('male0');
  assert.equal(v1.version, 1);
  assert.deepEqual(v1.head, calibrated.head, 'the calibration head, exactly');
});
