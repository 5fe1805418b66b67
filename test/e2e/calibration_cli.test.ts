/**
 * `headstart calibrate` through the built bin, with the virtual board on a
 * socat pseudo-terminal playing a real person's recordings as they follow
 * the prompts: a whole session, a kill -9 and --resume, and the refusals
 * that must leave the data folder untouched.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildPlan, remainingTrials } from '../../src/device/calibration/plan.ts';
import { personFromDataset, personScript, type PersonRecordings } from '../../src/sim/person_script.ts';
import { loadProtocol } from '../../src/device/calibration/protocol.ts';
import { journalState } from '../../src/device/calibration/journal.ts';
import { startVirtualBoardOnPty, type RunningVirtualBoard } from '../../src/sim/run_on_pty.ts';
import type { ReplayScript } from '../../src/sim/replay_script.ts';
import { readRecordingFile } from '../../src/io/datasets/hsrec.ts';
import { MYO_GESTURES, readMyoSession } from '../../src/io/datasets/myo.ts';
import { calibrateArgs, PERSON, spawnCli, writeTestPackage } from '../helpers/calibration_fixtures.ts';
import { runCli } from '../helpers/cli.ts';
import { ptySkipReason } from '../helpers/pty.ts';
import { scratchDir } from '../helpers/scratch_dir.ts';
import { EXIT_STATUS } from '../../src/cli/report_error.ts';

const skip = ptySkipReason();
const QUICK5 = 'calibration/quick5.json';

function quick5Person(): PersonRecordings {
  const protocol = loadProtocol(QUICK5);
  return personFromDataset(readMyoSession(PERSON), MYO_GESTURES, protocol.gestures.map((g) => g.id));
}

async function boardOnPty(dir: string, script: ReplayScript, speed: number): Promise<RunningVirtualBoard> {
  return startVirtualBoardOnPty({ ptyPath: join(dir, 'board'), script, speed });
}

test('a full scripted session over a pseudo-terminal ends with a profile and a report holding the confusion matrix', { skip }, async (t) => {
  const dir = scratchDir(t);
  writeTestPackage(join(dir, 'package'));
  const protocol = loadProtocol(QUICK5);
  const timeScale = 0.5;
  const plan = buildPlan(protocol, { rate: 200, timeScale });
  const running = await boardOnPty(dir, personScript(quick5Person(), plan, plan.trials), 20);
  t.after(() => running.stop());
  const run = spawnCli(calibrateArgs(dir, ['--protocol', QUICK5, '--time-scale', String(timeScale), '--json']));
  const r = await run.done;
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  assert.equal(result.profile, 'alice');
  assert.equal(result.version, 1);
  assert.deepEqual(result.gestures, ['rest', 'wrist-flexion', 'wrist-extension', 'hand-close', 'hand-open']);
  assert.equal(result.cv.confusion.length, 5);
  // A band: the automatic sync was checked on the holds, the last two repetitions replayed at five turns.
  assert.equal(result.autoSyncCheck?.trials, 10, JSON.stringify(result.autoSyncCheck));
  assert.ok(result.autoSyncCheck.misses >= 0 && result.autoSyncCheck.misses <= 10);
  assert.ok(existsSync(result.profilePath), 'the profile version file exists');
  const html = readFileSync(result.reportPath, 'utf8');
  assert.ok(html.includes('id="confusion-matrix"'), 'the report holds the confusion matrix');
  for (const g of protocol.gestures) assert.ok(html.includes(g.label), `the report names ${g.label}`);
  assert.ok(r.stderr.includes('trial 15/15'), 'progress reaches the last trial');
  const journal = readRecordingFile(result.journalPath);
  assert.equal(journal.samples.length / 8, plan.trials.length * (plan.countdown + plan.hold + plan.rest));
});

test('kill -9 while recording, then --resume: nothing older than 1 s before the kill is missing, and the session completes', { skip }, async (t) => {
  const dir = scratchDir(t);
  writeTestPackage(join(dir, 'package'));
  const protocol = loadProtocol(QUICK5);
  const timeScale = 0.5;
  const plan = buildPlan(protocol, { rate: 200, timeScale });
  const script = personScript(quick5Person(), plan, plan.trials);
  // Real time: what the board has sent by any moment is known.
  const first = await boardOnPty(dir, script, 1);
  const run = spawnCli(calibrateArgs(dir, ['--protocol', QUICK5, '--time-scale', String(timeScale)]));
  const sentAt: { ms: number; samples: number }[] = [];
  const journalPath = join(dir, 'data', 'profiles', 'alice', 'calibration', 'journal.hsrec');
  while (first.board.stats.samplesSent < 200 * 3) {
    sentAt.push({ ms: performance.now(), samples: first.board.stats.samplesSent });
    await sleep(20);
    assert.equal(run.child.exitCode, null, 'calibrate is still running');
  }
  run.child.kill('SIGKILL');
  const killedAt = performance.now();
  const r = await run.done;
  assert.equal(r.signal, 'SIGKILL');
  const sentBefore = [...sentAt].reverse().find((s) => s.ms <= killedAt - 1000)?.samples ?? 0;
  await first.stop();

  const decoded = readRecordingFile(journalPath);
  const kept = decoded.samples.length / 8;
  assert.ok(sentBefore > 0, 'the board had sent samples a second before the kill');
  assert.ok(kept >= sentBefore, `the journal keeps ${kept} samples; ${sentBefore} had been sent 1 s before the kill`);
  // And they are the samples sent, in order, not just as many.
  const expected = script.samples.subarray(0, kept * 8);
  assert.ok(decoded.samples.every((v, i) => v === Math.round(expected[i]!)), 'the journal holds exactly the samples the board sent');

  // The board restarts when the port is reopened (as an Arduino does); the wearer follows the prompts still to come.
  const state = journalState(decoded.header, decoded.markers, kept, decoded.tornBytes, journalPath);
  const todo = remainingTrials(plan, state.done);
  assert.ok(todo.length > 0 && todo.length < plan.trials.length, `${state.done.length} trials done before the kill`);
  const second = await boardOnPty(dir, personScript(quick5Person(), plan, todo), 40);
  t.after(() => second.stop());
  const resumed = spawnCli(calibrateArgs(dir, ['--resume', '--json']));
  const r2 = await resumed.done;
  assert.equal(r2.status, 0, r2.stderr);
  const result = JSON.parse(r2.stdout);
  assert.ok(existsSync(result.profilePath));
  assert.ok(!existsSync(journalPath), 'the finished journal moved to the sessions folder');
  const finished = readRecordingFile(result.journalPath);
  assert.ok(finished.samples.subarray(0, kept * 8).every((v, i) => v === decoded.samples[i]), 'what was journalled before the kill is still there');
  assert.ok(finished.markers.some((m) => m.kind === 'resume'));
  assert.equal(result.cv.confusion.flat().reduce((a: number, b: number) => a + b, 0), result.windows);
});

function listTree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: false }) as string[];
}

test('a malformed protocol file is refused with the field at fault, and nothing is written', (t) => {
  const dir = scratchDir(t);
  writeTestPackage(join(dir, 'package'));
  const bad = join(dir, 'bad.json');
  const protocol = JSON.parse(readFileSync(QUICK5, 'utf8'));
  protocol.holdSeconds = -3;
  writeFileSync(bad, JSON.stringify(protocol));
  const r = runCli(calibrateArgs(dir, ['--protocol', bad]));
  assert.equal(r.status, EXIT_STATUS.input);
  assert.match(r.stderr, /holdSeconds must be a number of seconds/);
  assert.match(r.stderr, /\[BAD_PROTOCOL\]/);
  writeFileSync(bad, '{"format": "headstart-calibration-protocol", ');
  const r2 = runCli(calibrateArgs(dir, ['--protocol', bad]));
  assert.match(r2.stderr, /not valid JSON.*\[BAD_PROTOCOL\]/);
  assert.deepEqual(listTree(join(dir, 'data')), []);
});

test('an unknown gesture in --only is refused, naming the gestures there are, and nothing is written', (t) => {
  const dir = scratchDir(t);
  writeTestPackage(join(dir, 'package'));
  const r = runCli(calibrateArgs(dir, ['--protocol', QUICK5, '--only', 'thumbs-up']));
  assert.equal(r.status, EXIT_STATUS.input);
  assert.match(r.stderr, /no gesture 'thumbs-up'; its gestures are rest, wrist-flexion, wrist-extension, hand-close, hand-open \[UNKNOWN_GESTURE\]/);
  assert.deepEqual(listTree(join(dir, 'data')), []);
});

test('a board with the wrong channel count is refused before anything is written', { skip }, async (t) => {
  const dir = scratchDir(t);
  writeTestPackage(join(dir, 'package'));
  const four = readMyoSession(PERSON).slice(0, 2).map((r) => ({ ...r, channels: 4, samples: r.samples.filter((_, i) => i % 8 < 4) }));
  const script: ReplayScript = { source: 'four channels', channels: 4, rate: 200, samples: Float32Array.from(four.flatMap((r) => [...r.samples])), labels: [] };
  const running = await boardOnPty(dir, script, 1);
  t.after(() => running.stop());
  const r = await spawnCli(calibrateArgs(dir, ['--protocol', QUICK5])).done;
  assert.equal(r.status, EXIT_STATUS.device);
  assert.match(r.stderr, /sends 4 channels but the model package 'test-package-8ch' needs 8.*\[BOARD_MISMATCH\]/);
  assert.deepEqual(listTree(join(dir, 'data')), []);
});

