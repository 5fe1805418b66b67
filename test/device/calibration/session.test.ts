import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { ProfileStore } from '../../../src/device/profiles/store.ts';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { readMyoSession, MYO_GESTURES } from '../../../src/io/datasets/myo.ts';
import { createLoopbackPair } from '../../../src/device/transports/loopback.ts';
import { BoardSession } from '../../../src/device/transports/board_session.ts';
import { VirtualBoard } from '../../../src/sim/virtual_board.ts';
import { loadProtocol } from '../../../src/device/calibration/protocol.ts';
import { buildPlan, type Trial } from '../../../src/device/calibration/plan.ts';
import type { CalibrationProtocol } from '../../../src/device/calibration/protocol.ts';
import type { CalibrationOptions } from '../../../src/device/calibration/session.ts';
import { readSessionIndex } from '../../../src/device/calibration/session_index.ts';
import { readRecordingFile } from '../../../src/io/datasets/hsrec.ts';
import { isHeadstartError } from '../../../src/core/errors.ts';
import { readdirSync } from 'node:fs';
import { personFromDataset, personScript } from '../../../src/sim/person_script.ts';
import { runCalibration } from '../../../src/device/calibration/session.ts';
import type { SessionEvent } from '../../../src/device/calibration/events.ts';
import { scratchDir } from '../../helpers/scratch_dir.ts';
import { featureModel, PERSON, writeTestPackage } from '../../helpers/calibration_fixtures.ts';
import { packageCalibrationModel } from '../../../src/device/calibration/package_model.ts';

test('a full in-process session over a loopback link: profile, report with a confusion matrix, finished journal', async (t) => {
  const dataDir = scratchDir(t);
  const protocol = loadProtocol('calibration/myo7.json');
  const timeScale = 0.5;
  const plan = buildPlan(protocol, { rate: 200, timeScale });
  const person = personFromDataset(readMyoSession(PERSON), MYO_GESTURES, protocol.gestures.map((g) => g.id));
  const pair = createLoopbackPair();
  const board = new VirtualBoard(personScript(person, plan, plan.trials), pair.board, { speed: Number.POSITIVE_INFINITY });
  await board.powerOn();
  const events: SessionEvent[] = [];
  const cued: string[] = [];
  const result = await runCalibration({
    board: new BoardSession({ transport: pair.host, helloTimeoutMs: 200 }),
    protocol,
    user: 'alice',
    dataDir,
    model: featureModel(),
    view: { event: (e) => events.push(e) },
    cues: { holdStart: () => cued.push('start'), holdEnd: () => cued.push('end'), off: () => cued.push('off') },
    timeScale,
  });
  assert.deepEqual(cued, [...Array.from({ length: 28 }, () => ['start', 'end']).flat(), 'off'], 'a cue at each hold start and end');
  await board.powerOff();
  assert.equal(result.profile.user, 'alice');
  assert.ok(existsSync(result.profilePath));
  const html = readFileSync(result.reportPath, 'utf8');
  assert.ok(html.includes('id="confusion-matrix"'), 'the report has the confusion matrix');
  assert.ok(result.confusionText?.includes('Wrist flexion'));
  assert.equal(events.filter((e) => e.type === 'trial').length, 28);
  assert.ok(existsSync(result.journalPath));
  assert.equal(join(dataDir, 'profiles', 'alice', result.profile.calibration!.source!), result.journalPath, 'the profile points at its recording');
  assert.ok(!existsSync(join(dataDir, 'profiles', 'alice', 'calibration', 'journal.hsrec')));
  // Prompts and muscles line up sample for sample: a misaligned session would score near chance.
  assert.ok((result.trained.cv.accuracy.lda ?? 0) > 0.9, `accuracy ${result.trained.cv.accuracy.lda}`);
});

test('the package model embeds with the int8 extractor and trains a head', async (t) => {
  const dir = scratchDir(t);
  writeTestPackage(dir);
  // Given relative, recorded absolute: the profile keeps it, and `run` may start anywhere.
  // The heads prepared for turned bands are left out: they embed the windows eight more times, and test/e2e/sync_live.test.ts covers them.
  const model = packageCalibrationModel(relative(process.cwd(), dir), { runtime: 'ts', syncHeads: false });
  assert.equal(model.dir, resolve(dir));
  assert.equal(model.channels, 8);
  const recordings = readMyoSession(PERSON).filter((r) => r.label! < 2);
  const { windowRecordings } = await import('../../../src/core/window_set.ts');
  const set = windowRecordings(recordings, model.window, model.normalization);
  const trained = await model.trainHead(set, ['a', 'b']);
  assert.equal(trained.head.classes, 2);
  assert.equal(trained.cv.method, 'repetitions');
  assert.ok(trained.cv.confusion && trained.cv.confusion.flat().reduce((a, b) => a + b, 0) === set.count);
});

/** Runs one in-process session whose simulated wearer performs `trials` (default: the whole plan). */
async function session(protocol: CalibrationProtocol, dataDir: string, extra: Partial<CalibrationOptions> = {}, trials?: (all: Trial[]) => Trial[]) {
  const timeScale = 0.4;
  const plan = buildPlan(protocol, { rate: 200, timeScale });
  const person = personFromDataset(readMyoSession(PERSON), MYO_GESTURES, protocol.gestures.map((g) => g.id));
  const pair = createLoopbackPair();
  const board = new VirtualBoard(personScript(person, plan, trials ? trials(plan.trials) : plan.trials), pair.board, { speed: Number.POSITIVE_INFINITY });
  await board.powerOn();
  try {
    return await runCalibration({ board: new BoardSession({ transport: pair.host, helloTimeoutMs: 200 }), protocol, user: 'bob', dataDir, model: featureModel(), view: { event: () => undefined }, timeScale, ...extra });
  } finally {
    await board.powerOff();
  }
}

test('--only re-records one gesture and retrains the profile with the earlier recordings of the others', async (t) => {
  const dataDir = scratchDir(t);
  const protocol = loadProtocol('calibration/quick5.json');
  await assert.rejects(session(protocol, dataDir, { only: 'hand-open' }), (err) => isHeadstartError(err, 'NO_CALIBRATION'));
  const full = await session(protocol, dataDir);
  assert.equal(full.profile.version, 1);
  const handOpen = protocol.gestures.findIndex((g) => g.id === 'hand-open');
  const again = await session(protocol, dataDir, { only: 'hand-open' }, (all) => all.filter((x) => x.gesture === handOpen));
  assert.equal(again.profile.version, 2);
  assert.deepEqual(again.profile.gestures, full.profile.gestures);
  // The same number of windows: hand-open from the new session, the others from the first.
  assert.equal(again.windows, full.windows);
  assert.ok(again.journalPath.endsWith('-hand-open.hsrec'));
  const index = readSessionIndex(join(dataDir, 'profiles', 'bob', 'calibration', 'sessions.json'))!;
  assert.equal(index.sessions.length, 2);
  assert.deepEqual(index.sessions[0]!.gestures, ['rest', 'wrist-flexion', 'wrist-extension', 'hand-close']);
  assert.deepEqual(index.sessions[1]!.gestures, ['hand-open']);
  assert.equal(readdirSync(join(dataDir, 'profiles', 'bob', 'calibration', 'sessions')).length, 2);
  assert.ok((again.trained.cv.perClass?.[handOpen] ?? 0) > 0.8, 'the re-recorded gesture is recognized');
});

test('a session cannot start over an interrupted one, and --resume needs one', async (t) => {
  const dataDir = scratchDir(t);
  const protocol = loadProtocol('calibration/quick5.json');
  await assert.rejects(session(protocol, dataDir, { resume: true }), (err) => isHeadstartError(err, 'NOTHING_TO_RESUME'));
  assert.ok(!existsSync(join(dataDir, 'profiles')), 'nothing written');

  // A board that goes away after two trials leaves an interrupted journal.
  const plan = buildPlan(protocol, { rate: 200, timeScale: 0.4 });
  const person = personFromDataset(readMyoSession(PERSON), MYO_GESTURES, protocol.gestures.map((g) => g.id));
  const pair = createLoopbackPair();
  const board = new VirtualBoard(personScript(person, plan, plan.trials.slice(0, 2)), pair.board, { speed: Number.POSITIVE_INFINITY });
  board.once('end', () => setTimeout(() => void pair.host.close(), 50));
  await board.powerOn();
  const cut = runCalibration({ board: new BoardSession({ transport: pair.host, helloTimeoutMs: 200 }), protocol, user: 'bob', dataDir, model: featureModel(), view: { event: () => undefined }, timeScale: 0.4 });
  await assert.rejects(cut, (err) => isHeadstartError(err, 'LINK_CLOSED'));
  await board.powerOff();
  const journal = join(dataDir, 'profiles', 'bob', 'calibration', 'journal.hsrec');
  assert.ok(existsSync(journal));
  await assert.rejects(session(protocol, dataDir), (err) => isHeadstartError(err, 'SESSION_IN_PROGRESS'));
  // Resuming records the 13 trials left and completes.
  const resumed = await session(protocol, dataDir, { resume: true }, (all) => all.slice(2));
  assert.equal(resumed.profile.version, 1);
  assert.ok(!existsSync(journal));
});

test('a cable pulled during a hold: the session carries on after the reconnect, journals the gap and flags the hold', async (t) => {
  const dataDir = scratchDir(t);
  const protocol = loadProtocol('calibration/quick5.json');
  const timeScale = 0.4;
  const plan = buildPlan(protocol, { rate: 200, timeScale });
  const person = personFromDataset(readMyoSession(PERSON), MYO_GESTURES, protocol.gestures.map((g) => g.id));
  const pair = createLoopbackPair();
  // Real time x20, looping: a board keeps sampling while unplugged, and those samples are lost.
  const board = new VirtualBoard(personScript(person, plan, plan.trials), pair.board, { speed: 20, loop: true });
  await board.powerOn();
  t.after(() => board.powerOff());
  let pulled = false;
  const events: SessionEvent[] = [];
  const result = await runCalibration({
    board: new BoardSession({ transport: pair.host, helloTimeoutMs: 200 }),
    protocol,
    user: 'dave',
    dataDir,
    model: featureModel(),
    timeScale,
    view: {
      event: (e) => {
        events.push(e);
        if (!pulled && e.type === 'phase' && e.phase === 'hold' && e.trial.index === 4) {
          pulled = true;
          setTimeout(() => {
            pair.unplug();
            setTimeout(() => pair.plug(), 100);
          }, 10);
        }
      },
    },
  });
  // The drop and the return are shown as they happen, before the gap they leave is counted.
  assert.deepEqual(events.filter((e) => e.type === 'link').map((e) => e.type === 'link' && e.state), ['reconnecting', 'connected']);
  const gaps = events.filter((e) => e.type === 'gap');
  assert.equal(gaps.length, 1);
  assert.ok(gaps[0]!.type === 'gap' && gaps[0]!.info.cause === 'reconnect' && (gaps[0]!.info.missingSamples ?? 0) > 0);
  const flagged = events.find((e) => e.type === 'quality' && e.issues.some((i) => i.kind === 'dropped'));
  assert.ok(flagged && flagged.type === 'quality' && flagged.trial.index === 4, 'the hold with the gap is flagged');
  const journal = readRecordingFile(result.journalPath);
  assert.equal(journal.markers.filter((m) => m.kind === 'gap').length, 1);
  assert.ok(result.verdict.gestures[1]!.reasons.some((r) => /were lost on the link/.test(r)), 'the verdict says why');
});

test('a faster board is resampled to the model rate; a slower one is refused before anything is written', async (t) => {
  const dataDir = scratchDir(t);
  const protocol = loadProtocol('calibration/quick5.json');
  const timeScale = 0.4;
  const atRate = (rate: number) => {
    const recordings = readMyoSession(PERSON).map((r) => ({ ...r, rate }));
    return personFromDataset(recordings, MYO_GESTURES, protocol.gestures.map((g) => g.id));
  };
  const run = async (rate: number, user: string) => {
    const plan = buildPlan(protocol, { rate, timeScale });
    const pair = createLoopbackPair();
    const board = new VirtualBoard(personScript(atRate(rate), plan, plan.trials), pair.board, { speed: Number.POSITIVE_INFINITY });
    await board.powerOn();
    try {
      return await runCalibration({ board: new BoardSession({ transport: pair.host, helloTimeoutMs: 200 }), protocol, user, dataDir, model: featureModel(), view: { event: () => undefined }, timeScale });
    } finally {
      await board.powerOff();
    }
  };
  const same = await run(200, 'same');
  const faster = await run(400, 'faster');
  // Twice the board samples per hold, resampled to 200 Hz: about as many windows as at 200 Hz.
  assert.ok(Math.abs(faster.windows - same.windows) <= 15, `${faster.windows} windows at 400 Hz, ${same.windows} at 200 Hz`);
  assert.ok((faster.trained.cv.accuracy.lda ?? 0) > 0.9);
  await assert.rejects(run(100, 'slower'), (err) => isHeadstartError(err, 'BOARD_MISMATCH') && /needs 200 Hz or more/.test(err.message));
  assert.ok(!existsSync(join(dataDir, 'profiles', 'slower')));
});

test('holds too short for one window are refused before anything is recorded, and leave nothing that blocks the next session', async (t) => {
  const dataDir = scratchDir(t);
  const protocol = loadProtocol('calibration/quick5.json');
  const events: SessionEvent[] = [];
  await assert.rejects(
    session(protocol, dataDir, { timeScale: 0.001, view: { event: (e) => events.push(e) } }),
    (err) => isHeadstartError(err, 'HOLDS_TOO_SHORT') && /one window of the model package 'test-features' needs 52 samples at 200 Hz .*time scale/.test(err.message) && err.details['setting'] === 'timeScale',
  );
  assert.equal(events.filter((e) => e.type === 'trial').length, 0, 'not one trial recorded');
  assert.ok(!existsSync(join(dataDir, 'profiles', 'bob', 'calibration', 'journal.hsrec')));
  assert.equal((await session(protocol, dataDir)).profile.version, 1, 'the next session starts');
});

test('a journal with no finished trial does not block a new session', async (t) => {
  const dataDir = scratchDir(t);
  const protocol = loadProtocol('calibration/quick5.json');
  // Cut during the first countdown: a journal with a session marker and a few samples, no trial done.
  const pair = createLoopbackPair();
  const plan = buildPlan(protocol, { rate: 200, timeScale: 0.4 });
  const person = personFromDataset(readMyoSession(PERSON), MYO_GESTURES, protocol.gestures.map((g) => g.id));
  const board = new VirtualBoard(personScript(person, plan, plan.trials), pair.board, { speed: 1 });
  await board.powerOn();
  const cut = runCalibration({
    board: new BoardSession({ transport: pair.host, helloTimeoutMs: 200 }),
    protocol,
    user: 'bob',
    dataDir,
    model: featureModel(),
    timeScale: 0.4,
    view: { event: (e) => e.type === 'phase' && e.phase === 'countdown' && setTimeout(() => void pair.host.close(), 20) },
  });
  await assert.rejects(cut, (err) => isHeadstartError(err, 'LINK_CLOSED'));
  await board.powerOff();
  assert.ok(existsSync(join(dataDir, 'profiles', 'bob', 'calibration', 'journal.hsrec')));
  assert.equal((await session(protocol, dataDir)).profile.version, 1);
});

test('a re-record whose verdict fails is saved but does not become the version in use', async (t) => {
  const dataDir = scratchDir(t);
  const protocol = loadProtocol('calibration/quick5.json');
  const full = await session(protocol, dataDir);
  assert.ok(full.inUse);
  const indexPath = join(dataDir, 'profiles', 'bob', 'calibration', 'sessions.json');
  const indexBefore = readFileSync(indexPath, 'utf8');
  // A stand-in whose held-out figures fail every gesture: the verdict asks for redos.
  const failing = featureModel();
  const train = failing.trainHead;
  failing.trainHead = async (set, classes) => {
    const trained = await train(set, classes);
    return { ...trained, cv: { ...trained.cv, perClass: classes.map(() => 0.3) } };
  };
  const handOpen = protocol.gestures.findIndex((g) => g.id === 'hand-open');
  const again = await session(protocol, dataDir, { only: 'hand-open', model: failing }, (all) => all.filter((x) => x.gesture === handOpen));
  assert.equal(again.verdict.pass, false);
  assert.equal(again.inUse, false);
  assert.equal(again.profile.version, 2);
  const store = new ProfileStore(dataDir);
  assert.equal(store.load('bob').version, 1, 'the version that passed stays in use');
  assert.equal(readFileSync(indexPath, 'utf8'), indexBefore, 'the gestures still come from the sessions in use');
  assert.ok(existsSync(again.journalPath), 'the new recording is kept');
  // One that passes does become the version in use.
  const passing = await session(protocol, dataDir, { only: 'hand-open' }, (all) => all.filter((x) => x.gesture === handOpen));
  assert.ok(passing.verdict.pass && passing.inUse);
  assert.equal(store.load('bob').version, 3);
});

test('a calibration left with one gesture is refused, and its recording is set aside instead of blocking the next session', async (t) => {
  const dataDir = scratchDir(t);
  const protocol = loadProtocol('calibration/quick5.json');
  await session(protocol, dataDir);
  // An index that lost the other gestures' sessions: a re-record of one gesture would train on that gesture alone.
  const calibration = join(dataDir, 'profiles', 'bob', 'calibration');
  const index = JSON.parse(readFileSync(join(calibration, 'sessions.json'), 'utf8'));
  writeFileSync(join(calibration, 'sessions.json'), JSON.stringify({ ...index, sessions: [] }));
  const handOpen = protocol.gestures.findIndex((g) => g.id === 'hand-open');
  await assert.rejects(
    session(protocol, dataDir, { only: 'hand-open' }, (all) => all.filter((x) => x.gesture === handOpen)),
    (err) => isHeadstartError(err, 'NOT_ENOUGH_DATA') && /only one gesture \(Hand open\): a head needs at least two/.test(err.message) && /-untrained\.hsrec \(no profile was made from it\)/.test(err.message),
  );
  assert.ok(!existsSync(join(calibration, 'journal.hsrec')), 'no journal left to block the next session');
  assert.equal(readdirSync(join(calibration, 'sessions')).filter((n) => n.endsWith('-untrained.hsrec')).length, 1);
  assert.equal(new ProfileStore(dataDir).load('bob').version, 1);
});

test('an interrupted session stops the board (STOP), keeps the journal, says how far it got, and resumes', async (t) => {
  const dataDir = scratchDir(t);
  const protocol = loadProtocol('calibration/quick5.json');
  const plan = buildPlan(protocol, { rate: 200, timeScale: 0.4 });
  const person = personFromDataset(readMyoSession(PERSON), MYO_GESTURES, protocol.gestures.map((g) => g.id));
  const pair = createLoopbackPair();
  const board = new VirtualBoard(personScript(person, plan, plan.trials), pair.board, { speed: 20 });
  const commands: string[] = [];
  board.on('command', (f) => commands.push(f.command));
  await board.powerOn();
  t.after(() => board.powerOff());
  const interrupt = new AbortController();
  await assert.rejects(
    runCalibration({
      board: new BoardSession({ transport: pair.host, helloTimeoutMs: 200 }),
      protocol,
      user: 'bob',
      dataDir,
      model: featureModel(),
      timeScale: 0.4,
      signal: interrupt.signal,
      view: { event: (e) => e.type === 'trial' && e.trial.index === 2 && interrupt.abort() },
    }),
    (err) =>
      isHeadstartError(err, 'INTERRUPTED') &&
      err.message.includes(`2 of ${plan.trials.length} trials are recorded and kept in ${join(dataDir, 'profiles', 'bob', 'calibration', 'journal.hsrec')}`) &&
      err.details['resumable'] === true,
  );
  assert.equal(commands.at(-1), 'stop', 'STOP was the last command the board got');
  const resumed = await session(protocol, dataDir, { resume: true }, (all) => all.slice(2));
  assert.equal(resumed.profile.version, 1);
});
