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
import { readRecordingFile } from '../../src/io/datasets/hsrec.ts';
import { calibrateArgs, PERSON, spawnCli, writeTestPackage } from '../helpers/calibration_fixtures.ts';
import { ptySkipReason } from '../helpers/pty.ts';
import { scratchDir } from '../helpers/scratch_dir.ts';
import { stopChild } from '../helpers/stop_child.ts';

const skip = ptySkipReason();
const QUICK5 = 'calibration/quick5.json';

test('no hardware: `headstart sim --follow` plays a person keeping to the protocol, and `calibrate --auto` learns them', { skip, timeout: 180_000 }, async (t) => {
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

const EEGMAT = '../shared/datasets/eegmat';
const MENTAL2 = 'calibration/eeg-mental2.json';

test('no hardware, EEG: `sim --format cyton` plays an eegmat person as a Cyton following eeg-mental2, and `calibrate --format cyton` records them at full resolution; `run --adapt` on that profile warns first', { timeout: 180_000, skip: skip ?? (existsSync(join(EEGMAT, 'Subject03_1.edf')) ? undefined : `the eegmat data set is not at ${EEGMAT}`) }, async (t) => {
  const dir = scratchDir(t);
  writeTestPackage(join(dir, 'package'), 8, 'eeg');
  const sim = spawnCli(['sim', '--pty', join(dir, 'board'), '--format', 'cyton', '--replay', EEGMAT, '--people', 'Subject03', '--follow', MENTAL2, '--time-scale', '0.25', '--speed', 'max', '--json']);
  t.after(() => sim.child.kill('SIGTERM'));
  while (!existsSync(join(dir, 'board'))) await sleep(20);
  await sleep(200);
  const args = calibrateArgs(dir, ['--protocol', MENTAL2, '--time-scale', '0.25', '--json']).filter((a, i, all) => a !== '--baud' && all[i - 1] !== '--baud');
  const r = await spawnCli([...args, '--format', 'cyton', '--profile', 'subject03']).done;
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  assert.equal(result.cv.confusion.length, 2, 'rest and arithmetic');
  const journal = readRecordingFile(result.journalPath);
  assert.deepEqual([journal.header.channels, journal.header.rate, journal.header.sampleFormat], [8, 250, 'float32']);
  assert.match(journal.header.source ?? '', /^cyton on /);
  const simEnd = await sim.done;
  const ready = JSON.parse(simEnd.stdout.split('\n')[0]!);
  assert.deepEqual([ready.format, ready.channels, ready.rate, ready.seconds], ['cyton', 8, 250, 6 * 4], 'the session: 6 trials of 4 s at a quarter of the time');
  const end = JSON.parse(simEnd.stdout.trim().split('\n').at(-1)!);
  assert.equal(end.samplesSent, 6 * 4 * 250);

  // `run --adapt` on the EEG profile says first that adapting cost EEG heads accuracy in the benchmark, and how to undo it.
  const live = spawnCli(['sim', '--pty', join(dir, 'live'), '--format', 'cyton', '--replay', EEGMAT, '--people', 'Subject03', '--speed', 'max', '--json']);
  t.after(() => live.child.kill('SIGTERM'));
  while (!existsSync(join(dir, 'live'))) await sleep(20);
  await sleep(200);
  const run = await spawnCli(['run', '--port', join(dir, 'live'), '--format', 'cyton', '--profile', 'subject03', '--package', join(dir, 'package'), '--data-dir', join(dir, 'data'), '--adapt', '--idle-stop', '1.5', '--json']).done;
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stderr, /warning: adapting an EEG head cost 1-8 points of balanced accuracy .*`headstart profile rollback subject03` undoes it/);
});
