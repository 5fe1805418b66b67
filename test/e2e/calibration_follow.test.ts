/**
 * Calibration with no hardware at all: `headstart sim --follow` (a recorded
 * person keeping to the protocol) on one side of a pty, `headstart
 * calibrate --auto` on the other, both through the built bin.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { calibrateArgs, PERSON, spawnCli, writeTestPackage } from '../helpers/calibration_fixtures.ts';
import { ptySkipReason } from '../helpers/pty.ts';
import { scratchDir } from '../helpers/scratch_dir.ts';
import { stopChild } from '../helpers/stop_child.ts';

const skip = ptySkipReason();
const QUICK5 = 'calibration/quick5.json';

test('no hardware: `headstart sim --follow` plays a person keeping to the protocol, and `calibrate --auto` learns them', { skip }, async (t) => {
  const dir = scratchDir(t);
  writeTestPackage(join(dir, 'package'));
  const sim = spawnCli(['sim', '--pty', join(dir, 'board'), '--replay', PERSON, '--follow', QUICK5, '--time-scale', '0.4', '--speed', 'max', '--json']);
  t.after(() => stopChild(sim.child));
  while (!existsSync(join(dir, 'board'))) await sleep(20);
  await sleep(200);
  const r = await spawnCli(calibrateArgs(dir, ['--protocol', QUICK5, '--time-scale', '0.4', '--json'])).done;
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  assert.equal(result.cv.confusion.length, 5);
  const simEnd = await sim.done;
  const ready = JSON.parse(simEnd.stdout.split('\n')[0]!);
  assert.match(ready.seconds.toString(), /^42(\.0*)?$/, 'the board plays exactly the session: 15 trials of 2.8 s');
});
