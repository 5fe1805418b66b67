/**
 * The guided session on a real terminal: `headstart calibrate` without
 * --auto runs inside a pseudo-terminal made by script(1), the board is the
 * virtual board on a socat pty, and a hold with a flat channel makes the
 * screen offer a redo, answered with a key press.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildPlan } from '../../src/device/calibration/plan.ts';
import { personFromDataset, personScript } from '../../src/sim/person_script.ts';
import { loadProtocol } from '../../src/device/calibration/protocol.ts';
import { startVirtualBoardOnPty } from '../../src/sim/run_on_pty.ts';
import { readRecordingFile } from '../../src/io/datasets/hsrec.ts';
import { MYO_GESTURES, readMyoSession } from '../../src/io/datasets/myo.ts';
import { PERSON, writeTestPackage } from '../helpers/calibration_fixtures.ts';
import { ptySkipReason } from '../helpers/pty.ts';
import { scratchDir } from '../helpers/scratch_dir.ts';

const BIN = fileURLToPath(new URL('../../bin/headstart.js', import.meta.url));
const scriptMissing = spawnSync('script', ['--version'], { stdio: 'ignore' }).status !== 0;
const skip = ptySkipReason() ?? (scriptMissing ? 'script(1) not installed (apt-get install bsdutils)' : undefined);

test('the terminal UI shows prompt, countdown, progress and level meters, offers a redo for a flat channel, and ends with the matrix and verdict', { skip }, async (t) => {
  const dir = scratchDir(t);
  writeTestPackage(join(dir, 'package'));
  const protocolPath = join(dir, 'three.json');
  writeFileSync(
    protocolPath,
    JSON.stringify({
      format: 'headstart-calibration-protocol',
      formatVersion: 1,
      name: 'three',
      gestures: [
        { id: 'rest', label: 'Rest', prompt: 'Relax.' },
        { id: 'hand-close', label: 'Hand close', prompt: 'Make a fist.' },
        { id: 'hand-open', label: 'Hand open', prompt: 'Spread your fingers.' },
      ],
      repetitions: 2,
      holdSeconds: 2,
      restSeconds: 1,
      countdownSeconds: 1,
      order: 'blocked',
      trim: { startSeconds: 0.2, endSeconds: 0.1 },
    }),
  );
  const protocol = loadProtocol(protocolPath);
  const timeScale = 0.5;
  const plan = buildPlan(protocol, { rate: 200, timeScale });
  const person = personFromDataset(readMyoSession(PERSON), MYO_GESTURES, protocol.gestures.map((g) => g.id));
  // The wearer's first hand-close has electrode 3 off the skin: a flat channel.
  const flat = person.byGesture[1]!.map((r) => ({ ...r, samples: r.samples.map((v, i) => (i % 8 === 3 ? 0 : v)) }));
  person.byGesture.push(flat);
  // Then, asked to redo it, does it again properly.
  const trials = [...plan.trials.slice(0, 2), { gesture: 3, rep: 0 }, ...plan.trials.slice(2)];
  const board = await startVirtualBoardOnPty({ ptyPath: join(dir, 'board'), script: personScript(person, plan, trials), speed: 4, loop: true });
  t.after(() => board.stop());

  const command = [process.execPath, BIN, 'calibrate', '--port', join(dir, 'board'), '--profile', 'carol', '--protocol', protocolPath, '--package', join(dir, 'package'), '--data-dir', join(dir, 'data'), '--baud', '2000000', '--time-scale', String(timeScale)]
    .map((a) => `'${a}'`)
    .join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, TERM: 'xterm', COLUMNS: '120' } });
  let screen = '';
  let questions = 0;
  child.stdout.on('data', (d: Buffer) => {
    screen += d.toString();
    const asked = screen.split('[y/N]').length - 1;
    // Yes to the first question (the flat channel); no to any later one.
    for (; questions < asked; questions++) child.stdin.write(questions === 0 ? 'y' : 'n');
  });
  // A session that stalls must fail the test, not hang it.
  const stalled = setTimeout(() => child.kill('SIGKILL'), 50_000);
  const status = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  clearTimeout(stalled);
  child.stdin.end();
  assert.equal(status, 0, screen.slice(-2000));
  assert.ok(questions >= 1, 'the redo question was asked');
  for (const expected of ['headstart calibrate · carol · three', 'HAND CLOSE', 'Make a fist.', 'GET READY', 'HOLD', 'RELAX', 'ch0', 'ch7', 'trial 6 of 6', '100 %', 'channel 3 is flat', 'recording Hand close again', 'asked \\ recognized', 'verdict:']) {
    assert.ok(screen.includes(expected), `the screen shows "${expected}"`);
  }
  assert.match(screen, /█+░+/, 'bars are drawn');
  const sessions = join(dir, 'data', 'profiles', 'carol', 'calibration', 'sessions');
  const journal = readRecordingFile(join(sessions, readdirSync(sessions)[0]!));
  assert.equal(journal.markers.filter((m) => m.kind === 'trial-redo').length, 1);
  assert.equal(journal.markers.filter((m) => m.kind === 'trial-done').length, 6);
});
