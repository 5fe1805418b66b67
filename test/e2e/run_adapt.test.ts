// `headstart run --adapt` end to end: the demo's person calibrated on one repetition with the shipped
// package, their later recording played live through sim and a pseudo-terminal; at the end the head
// as adaptation left it is saved as a new profile version, and `headstart profile rollback` goes back
// to the calibration's head exactly. After a sync chose a head prepared for a turned band, that head is
// the one that adapted and is saved in its place, the calibration's own untouched.
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
import { calibrate as calibrateLive, openBoard } from '../../src/api/index.ts';
import { loadProtocol } from '../../src/device/calibration/protocol.ts';
import { demoProtocol } from '../../src/sim/demo/demo_assets.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PACKAGE = join(ROOT, 'models/myo8-200hz');
const PERSON = join(ROOT, 'data/demo/EvaluationDataset/Male0');

/** Why these tests cannot run here (no pseudo-terminals, a package without priors, an unbuilt bin), if so. */
function skipReason(): string | undefined {
  return (
    ptySkipReason() ??
    (existsSync(join(PACKAGE, 'priors.json')) ? undefined : `${PACKAGE} has no priors.json (made by headstart export)`) ??
    (existsSync(BIN) ? undefined : 'bin not built: run `npm run build`')
  );
}

test('run --adapt saves the adapted head as a new profile version; profile rollback restores the calibrated one', { timeout: 300_000 }, async (t) => {
  const skip = skipReason();
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
  assert.deepEqual([v2.adaptation?.tolerant, v2.adaptation?.preparedShift], [undefined, undefined], "it was the calibration's own head that adapted");
  const [before, after] = [calibrated.head, v2.head] as LinearHeadData[];
  assert.deepEqual([after!.weights, after!.bias, after!.invStd], [before!.weights, before!.bias, before!.invStd], 'adaptation moves only the standardization');
  assert.notDeepEqual(after!.mean, before!.mean);

  const back = runCli(['profile', 'rollback', 'male0', '--data-dir', dataDir]);
  assert.equal(back.status, 0, back.stderr);
  const v1 = store.load('male0');
  assert.equal(v1.version, 1);
  assert.deepEqual(v1.head, calibrated.head, 'the calibration head, exactly');
});

test('run --sync auto --adapt on a turned band: the prepared head the sync chose adapts and is saved in its place', { timeout: 300_000 }, async (t) => {
  const skip = skipReason();
  if (skip) return t.skip(skip);
  const work = scratchDir(t, 'hs-adapt-turned-');
  const dataDir = join(work, 'data');
  // Calibrated as calibrate does it (with the sync reference and the prepared heads), through the library API.
  const protocol = demoProtocol(loadProtocol(join(ROOT, 'calibration/myo7.json')));
  const board = openBoard({ sim: { replay: join(PERSON, 'training0'), follow: protocol, speed: 50 } });
  await calibrateLive({ board, protocol, user: 'male0', dataDir, model: PACKAGE });
  await board.close();
  const v1 = new ProfileStore(dataDir).load('male0');
  const calibrated = v1;
  const { lines } = await runLive(t, work, dataDir, 'male0', PACKAGE, [join(PERSON, 'Test0')], 'auto', ['--sync', 'auto', '--adapt'], ['--turn', '1']);
  const sync = lines.find((l) => l.event === 'sync') as unknown as { headShift: number } | undefined;
  assert.equal(sync?.headShift, 1, 'the sync chose the head prepared for one electrode');
  assert.ok(lines.some((l) => l.event === 'adapted'));
  const v2 = new ProfileStore(dataDir).load('male0');
  assert.equal(v2.version, 2);
  assert.equal(v2.adaptation?.preparedShift, 1, 'the version says which head adapted');
  // The calibration's own head is what a later sync that finds the band unturned picks: it must not be the turned one.
  assert.deepEqual(v2.head, calibrated.head, "the calibration's own head, untouched");
  for (const prepared of v1.sync!.heads!) {
    const now = v2.sync!.heads!.find((h) => h.shift === prepared.shift)!.head as LinearHeadData;
    if (prepared.shift !== 1) assert.deepEqual(now, prepared.head, `the head for ${prepared.shift} untouched`);
    else {
      const before = prepared.head as LinearHeadData;
      assert.deepEqual([now.weights, now.bias], [before.weights, before.bias]);
      assert.notDeepEqual(now.mean, before.mean, 'the head for one electrode adapted');
    }
  }
});
