/**
 * A whole calibration, callable in-process (the CLI verb and the demo both
 * call `runCalibration`): check the board against the model, record the
 * trials into a crash-safe journal (or resume one), train the head, judge,
 * save the profile and write the report beside it.
 *
 * Nothing is written to disk before the board has answered and matched the
 * model, the protocol is valid and `--only` names a known gesture: a wrong
 * board or a typo leaves the data folder as it was.
 */
import { existsSync, mkdirSync, renameSync, unlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { HeadstartError } from '../../core/errors.ts';
import type { Frame, HelloFrame } from '../../core/protocol/frames.ts';
import type { WindowSet } from '../../core/window_set.ts';
import type { RecordingMarker } from '../../core/recording_format.ts';
import { readRecordingFile } from '../../io/datasets/hsrec.ts';
import { checkUserName, type SavedProfile } from '../profiles/profile.ts';
import { ProfileStore, versionFileName } from '../profiles/store.ts';
import { writeFileAtomic } from '../../io/atomic_file.ts';
import type { BoardSession } from '../transports/board_session.ts';
import { resampleRatio } from '../../core/dsp/resampler.ts';
import { confusionText } from './confusion_text.ts';
import type { CalibrationCues, CalibrationView } from './events.ts';
import { acceptedHolds, Journal, journalState, type JournalState } from './journal.ts';
import { buildPlan, remainingTrials } from './plan.ts';
import { type CalibrationProtocol, gestureIndex } from './protocol.ts';
import type { QualityIssue } from './quality.ts';
import { recordTrials } from './record.ts';
import type { BoardSamples } from './sample_feed.ts';
import { renderReport } from './report.ts';
import { loadWebBundle } from '../web/assets.ts';
import { calibrationPaths, readSessionIndex, withSession, writeSessionIndex } from './session_index.ts';
import { checkHoldsFitWindow, type CalibrationModel, holdSamples, type HoldSamples, holdWindows, type JournalChain, journalBreaks, type TrainedHead } from './training.ts';
import { type CalibrationVerdict, cvMethodWords, DEFAULT_MIN_ACCURACY, judgeCalibration } from './verdict.ts';
import { syncReference } from './sync_reference.ts';
import { wornAsBand } from '../../core/band_sync.ts';

export interface CalibrationOptions {
  /** The board, not started (it is started, and closed at the end) or already started by the caller (left open). */
  board: BoardSession;
  /** The protocol; optional with `resume` (the journal holds the one in use). */
  protocol?: CalibrationProtocol;
  user: string;
  /** The device's data folder (resolveDataDir): profiles go under <dataDir>/profiles. */
  dataDir: string;
  model: CalibrationModel;
  view: CalibrationView;
  cues?: CalibrationCues;
  /** Multiplies every protocol duration (default 1). */
  timeScale?: number;
  /** Re-record only this gesture (by id) and retrain with the earlier recordings of the others. */
  only?: string;
  /** Continue an interrupted session from its journal. */
  resume?: boolean;
  minAccuracy?: number;
  /**
   * Aborting (Ctrl-C in the CLI) stops the session: STOP to the board, the
   * journal synced and kept, and an INTERRUPTED rejection that says what was
   * kept and that the session can be resumed.
   */
  signal?: AbortSignal;
  /** Draws the numbers of generated prompts (default Math.random; a seeded one makes a session repeatable). */
  random?: () => number;
}

export interface CalibrationResult {
  profile: SavedProfile;
  /**
   * Whether the new version is the one in use: a re-record (`only`) whose
   * verdict fails is saved but leaves the version in use as it was.
   */
  inUse: boolean;
  /** Where the profile version, the report and the finished journal are. */
  profilePath: string;
  reportPath: string;
  journalPath: string;
  trained: TrainedHead;
  verdict: CalibrationVerdict;
  /** The confusion matrix as terminal text (undefined when not scored). */
  confusionText?: string;
  windows: number;
  /** Per gesture (by protocol index), the quality issues of its accepted holds. */
  issues: QualityIssue[][];
}

/**
 * The board must send the model's channels, at its rate or at a higher
 * whole rate that resamples to it (as for a live run: a 250 Hz board feeds
 * a 200 Hz model). Returns whether the recordings must be resampled.
 */
function checkBoard(hello: HelloFrame, model: CalibrationModel, description: string): boolean {
  if (hello.channels !== model.channels) {
    throw new HeadstartError(
      'BOARD_MISMATCH',
      `${description}: the board '${hello.boardId}' sends ${hello.channels} channels but the model package '${model.name}' needs ${model.channels}; wire ${model.channels} electrodes (and set the sketch's CHANNELS) or use a package made for ${hello.channels} channels`,
    );
  }
  if (hello.rate === model.rate) return false;
  if (hello.rate < model.rate) {
    throw new HeadstartError('BOARD_MISMATCH', `${description}: the board '${hello.boardId}' samples at ${hello.rate} Hz but the model package '${model.name}' needs ${model.rate} Hz or more; set the board's rate or use a package made for ${hello.rate} Hz`);
  }
  try {
    resampleRatio(hello.rate, model.rate);
  } catch (err) {
    throw new HeadstartError('BOARD_MISMATCH', `${description}: the board '${hello.boardId}' samples at ${hello.rate} Hz and the model package '${model.name}' at ${model.rate} Hz, and the one cannot be resampled to the other (${(err as Error).message}); set the board to ${model.rate} Hz`);
  }
  return true;
}

export async function runCalibration(options: CalibrationOptions): Promise<CalibrationResult> {
  const { board, model, view, user } = options;
  checkUserName(user);
  const store = new ProfileStore(options.dataDir);
  const paths = calibrationPaths(store.userDir(user));

  // Everything that can be refused is refused before the first write.
  let resumed: JournalState | undefined;
  let replacing = false;
  if (options.resume) {
    if (!existsSync(paths.journal)) throw new HeadstartError('NOTHING_TO_RESUME', `no interrupted calibration of '${user}' to resume (${paths.journal} does not exist); start a new calibration instead`);
    const decoded = readRecordingFile(paths.journal);
    resumed = journalState(decoded.header, decoded.markers, decoded.samples.length / decoded.header.channels, decoded.tornBytes, paths.journal);
  } else if (existsSync(paths.journal)) {
    // A journal with no finished trial holds nothing worth resuming: it does not block a new session (it is replaced below).
    const decoded = readRecordingFile(paths.journal);
    const left = journalState(decoded.header, decoded.markers, decoded.samples.length / decoded.header.channels, decoded.tornBytes, paths.journal);
    if (left.done.length > 0) {
      throw new HeadstartError('SESSION_IN_PROGRESS', `an interrupted calibration of '${user}' exists (${paths.journal}, ${left.done.length} trials recorded); resume it, or delete that file to start over`, { journal: paths.journal });
    }
    replacing = true;
  }
  const protocol = resumed?.info.protocol ?? options.protocol;
  if (!protocol) throw new HeadstartError('MISSING_OPTION', 'give the calibration protocol (calibration/quick5.json, for example)', { setting: 'protocol' });
  const onlyIds = resumed ? resumed.info.only : options.only === undefined ? undefined : [options.only];
  const only = onlyIds?.map((id) => gestureIndex(protocol, id));
  const previousIndex = readSessionIndex(paths.index);
  if (onlyIds) {
    if (!previousIndex) throw new HeadstartError('NO_CALIBRATION', `'${user}' has no full calibration yet to update one gesture of; calibrate every gesture first`);
    const known = previousIndex.protocol.gestures.map((g) => g.id).join(',');
    if (known !== protocol.gestures.map((g) => g.id).join(',')) {
      throw new HeadstartError('PROTOCOL_CHANGED', `'${user}' was calibrated with protocol '${previousIndex.protocol.name}' (gestures ${known}); re-record a gesture with that same protocol, or calibrate from scratch`);
    }
  }
  const timeScale = resumed?.info.timeScale ?? options.timeScale ?? 1;

  // Attach before start: frames right behind START's acknowledgement are emitted during start().
  const early: BoardSamples[] = [];
  const earlyTap = (f: Frame): void => {
    if (f.type === 'samples') early.push(f.samples);
  };
  const ownsBoard = board.hello === undefined;
  let hello: HelloFrame;
  board.on('frame', earlyTap);
  try {
    hello = board.hello ?? (await board.start());
    checkBoard(hello, model, board.description);
    if (resumed && (resumed.header.channels !== hello.channels || resumed.header.rate !== hello.rate)) {
      throw new HeadstartError('BOARD_CHANGED', `${board.description}: the interrupted session was recorded with ${resumed.header.channels} channels at ${resumed.header.rate} Hz but the board now sends ${hello.channels} at ${hello.rate} Hz; connect the same board`);
    }
    if (resumed && resumed.header.sampleFormat === 'int16' && hello.sampleFormat !== 'int16') {
      // An int16 journal cannot hold full-precision samples without rounding them.
      throw new HeadstartError('BOARD_CHANGED', `${board.description}: the interrupted session was recorded as int16 samples but the board now sends ${hello.sampleFormat} ones; connect the same board, or delete ${paths.journal} and start over`);
    }
  } catch (err) {
    board.off('frame', earlyTap);
    if (ownsBoard) await board.close();
    throw err;
  }

  const plan = buildPlan(protocol, { rate: hello.rate, timeScale, ...(only ? { only } : {}) });
  const todo = resumed ? remainingTrials(plan, resumed.done) : plan.trials;
  let journal: Journal;
  try {
    // Holds too short for one window are found now, not after the whole session has been recorded.
    checkHoldsFitWindow(plan, hello.rate, model);
    mkdirSync(paths.dir, { recursive: true });
    if (replacing) unlinkSync(paths.journal);
    if (resumed) {
      journal = Journal.resume(paths.journal).journal;
      journal.mark({ kind: 'resume', text: `${todo.length} trials left` });
    } else {
      journal = Journal.create(
        paths.journal,
        { channels: hello.channels, rate: hello.rate, sampleFormat: hello.sampleFormat, subject: user, session: `calibration-${protocol.name}`, source: `${hello.boardId} on ${board.description}`, classes: protocol.gestures.map((g) => g.id), startedAt: new Date().toISOString() },
        { protocol, timeScale, ...(onlyIds ? { only: onlyIds } : {}) },
      );
    }
  } catch (err) {
    board.off('frame', earlyTap);
    if (ownsBoard) await board.close();
    throw err;
  }

  view.event({ type: 'started', profile: user, protocol: protocol.name, gestures: protocol.gestures, trials: plan.trials.length, alreadyDone: plan.trials.length - todo.length, resumed: resumed !== undefined, board: `${hello.boardId} on ${board.description}`, channels: hello.channels, rate: hello.rate });
  const { signal } = options;
  try {
    if (!resumed?.finished) {
      await recordTrials({ board, hello, protocol, plan, trials: todo, alreadyDone: plan.trials.length - todo.length, journal, early, earlyTap, view, ...(options.cues ? { cues: options.cues } : {}), ...(options.random ? { random: options.random } : {}), compareWithRest: model.modality !== 'eeg', ...(signal ? { signal } : {}) });
    } else {
      board.off('frame', earlyTap);
    }
  } catch (err) {
    if (err instanceof HeadstartError && err.code === 'INTERRUPTED') {
      const done = journalDone(paths.journal);
      throw new HeadstartError(
        'INTERRUPTED',
        `the calibration of '${user}' was interrupted: ${done} of ${plan.trials.length} trials are recorded and kept in ${paths.journal}; resume the calibration to record the ${plan.trials.length - done} left`,
        { journal: paths.journal, resumable: true, trialsDone: done, trials: plan.trials.length },
      );
    }
    throw err;
  } finally {
    journal.close();
    if (ownsBoard) await board.close();
  }
  view.event({ type: 'recorded', journal: paths.journal, samples: journal.sampleCount });
  const interruptedAfterRecording = (): HeadstartError =>
    new HeadstartError('INTERRUPTED', `the calibration of '${user}' was interrupted after every trial was recorded: the recording is kept in ${paths.journal}; resume the calibration to train the head on it`, {
      journal: paths.journal,
      resumable: true,
    });
  if (signal?.aborted) throw interruptedAfterRecording();

  // Train from what is on disk: the journal just written, plus earlier sessions for the gestures not re-recorded.
  const recordedIds = onlyIds ?? protocol.gestures.map((g) => g.id);
  const current = readRecordingFile(paths.journal);
  const preprocessing = { rate: model.rate, filters: model.filters ?? [] };
  const chainOf = (decoded: { header: { rate: number }; markers: RecordingMarker[] }): JournalChain => ({ rate: decoded.header.rate, preprocessing, breaks: journalBreaks(decoded.markers) });
  const holds: HoldSamples[] = holdSamples(current.samples, current.header.channels, acceptedHolds(current.markers, current.samples.length / current.header.channels), paths.journal, chainOf(current));
  const issues: QualityIssue[][] = protocol.gestures.map(() => []);
  for (const m of current.markers) {
    if (m.kind === 'trial-done' && m.text && typeof m.label === 'number' && issues[m.label]) issues[m.label] = JSON.parse(m.text) as QualityIssue[];
  }
  if (onlyIds && previousIndex) {
    for (const s of previousIndex.sessions) {
      const path = join(paths.dir, s.file);
      const old = readRecordingFile(path);
      const wanted = new Set(s.gestures.filter((g) => !recordedIds.includes(g)).map((g) => gestureIndex(protocol, g)));
      const oldHolds = acceptedHolds(old.markers, old.samples.length / old.header.channels).filter((h) => wanted.has(h.gesture));
      holds.push(...holdSamples(old.samples, old.header.channels, oldHolds, path, chainOf(old)));
    }
  }
  let set: WindowSet;
  let windowsPerGesture: number[];
  try {
    set = holdWindows(holds, hello.channels, hello.rate, plan, model);
    windowsPerGesture = protocol.gestures.map((_, i) => set.y.filter((y) => y === i).length);
    const withWindows = protocol.gestures.filter((_, i) => windowsPerGesture[i]! > 0);
    if (withWindows.length < 2) {
      throw new HeadstartError(
        'NOT_ENOUGH_DATA',
        `the calibration holds windows of ${withWindows.length === 0 ? 'no gesture' : `only one gesture (${withWindows[0]!.label})`}: a head needs at least two gestures to tell apart${onlyIds ? '; the earlier recordings of the other gestures are missing from the session index: calibrate every gesture again' : ''}`,
      );
    }
  } catch (err) {
    throw setAsideUntrainable(err, paths.journal, paths.sessions);
  }
  view.event({ type: 'training', windows: set.count, classes: protocol.gestures.length, classNoun: model.modality === 'eeg' ? 'states' : 'gestures' });
  const training = model.trainHead(set, protocol.gestures.map((g) => g.id));
  // Training is not cut short, but an interruption does not wait for it: nothing is saved, the recording stays for --resume.
  const trained = signal
    ? await Promise.race([training, new Promise<never>((_, reject) => (signal.aborted ? reject(interruptedAfterRecording()) : signal.addEventListener('abort', () => reject(interruptedAfterRecording()), { once: true })))])
    : await training;
  if (signal?.aborted) throw interruptedAfterRecording();
  const verdict = judgeCalibration(protocol, trained, windowsPerGesture, issues, options.minAccuracy ?? DEFAULT_MIN_ACCURACY);
  // A re-record that fails its verdict does not replace the version in use (which had the gesture's earlier recording).
  const inUse = !(onlyIds && !verdict.pass && store.currentVersion(user) !== undefined);

  const band = wornAsBand({ modality: model.modality ?? 'emg', channels: hello.channels });
  const sync = syncReference({ holds, channels: hello.channels, gestures: protocol.gestures.map((g) => g.id), trimStart: plan.trimStart, trimEnd: plan.trimEnd, ...(protocol.syncGesture ? { syncGesture: protocol.syncGesture } : {}), ...(band ? { band: { rate: hello.rate } } : {}) });

  // Where the journal goes once the profile is saved (named by the profile's date), so the profile can point at it.
  const createdAt = new Date();
  const finished = join(paths.sessions, `${createdAt.toISOString().replace(/[:.]/g, '-')}${onlyIds ? `-${onlyIds.join('-')}` : ''}.hsrec`);
  const profile = store.save({
    user,
    extractorSha256: model.extractorSha256,
    package: { name: model.name, ...(model.dir ? { dir: model.dir } : {}) },
    gestures: protocol.gestures.map((g) => g.id),
    head: trained.head,
    cv: trained.cv,
    calibration: { windows: set.count, repetitions: protocol.repetitions, seconds: holds.reduce((s, h) => s + (h.end - h.start), 0) / hello.rate, source: relative(paths.userDir, finished) },
    ...(sync ? { sync: { ...sync, ...(trained.syncHeads ? { heads: trained.syncHeads } : {}), ...(trained.tolerantHead ? { tolerantHead: trained.tolerantHead } : {}) } } : {}),
  }, createdAt, { makeCurrent: inUse });
  const charts = await loadWebBundle('report');
  const reportHtml = renderReport({
    profile: `${user} (profile version ${profile.version})`,
    protocol,
    createdAt: profile.createdAt,
    board: hello.boardId,
    channels: hello.channels,
    rate: hello.rate,
    model: model.name,
    headKind: trained.head.kind,
    ...(trained.cv.accuracy[trained.cv.chosen] === undefined ? {} : { cvAccuracy: trained.cv.accuracy[trained.cv.chosen] }),
    ...(trained.cv.confusion ? { confusion: trained.cv.confusion } : {}),
    cvMethod: cvMethodWords(trained),
    verdict,
    holds,
  }, charts);
  writeFileAtomic(paths.report, reportHtml);

  // Last: the journal becomes a finished session. A crash before this leaves a finished journal that --resume trains again.
  mkdirSync(paths.sessions, { recursive: true });
  renameSync(paths.journal, finished);
  // Only a version that is put in use changes where its gestures come from.
  if (inUse) writeSessionIndex(paths.index, withSession(onlyIds ? previousIndex : undefined, protocol, { file: relative(paths.dir, finished), gestures: recordedIds }));

  const profilePath = join(paths.userDir, versionFileName(profile.version));
  const accuracy = trained.cv.accuracy[trained.cv.chosen];
  view.event({
    type: 'result',
    outcome: {
      verdict,
      gestures: protocol.gestures,
      ...(trained.cv.confusion ? { confusion: trained.cv.confusion } : {}),
      cvMethod: cvMethodWords(trained),
      ...(accuracy === undefined ? {} : { accuracy }),
      profile: `${user} (version ${profile.version})`,
      profilePath,
      reportPath: paths.report,
    },
  });
  return {
    profile,
    inUse,
    profilePath,
    reportPath: paths.report,
    journalPath: finished,
    trained,
    verdict,
    ...(trained.cv.confusion ? { confusionText: confusionText(protocol.gestures.map((g) => g.label), trained.cv.confusion, cvMethodWords(trained)) } : {}),
    windows: set.count,
    issues,
  };
}

/** Trials finished in a journal on disk (0 when it cannot be read). */
function journalDone(path: string): number {
  try {
    const decoded = readRecordingFile(path);
    return journalState(decoded.header, decoded.markers, decoded.samples.length / decoded.header.channels, decoded.tornBytes, path).done.length;
  } catch {
    return 0;
  }
}

/**
 * A recording that cannot train a head (holds too short, one gesture) would
 * fail the same way on --resume and block every new session: it is moved to
 * the finished sessions (not indexed, so nothing trains on it) and the error
 * says where it is.
 */
function setAsideUntrainable(err: unknown, journal: string, sessions: string): unknown {
  if (!(err instanceof HeadstartError) || (err.code !== 'NOT_ENOUGH_DATA' && err.code !== 'HOLDS_TOO_SHORT')) return err;
  const kept = join(sessions, `${new Date().toISOString().replace(/[:.]/g, '-')}-untrained.hsrec`);
  try {
    mkdirSync(sessions, { recursive: true });
    renameSync(journal, kept);
  } catch {
    return err;
  }
  return new HeadstartError(err.code, `${err.message}. The recording is kept in ${kept} (no profile was made from it), and a new calibration can start`, { ...err.details, recording: kept });
}
