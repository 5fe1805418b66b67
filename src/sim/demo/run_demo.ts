/**
 * The demo's story, in-process: the shipped model package; a virtual board
 * playing one evaluation person who follows the calibration prompts; an
 * automatic calibration into a data folder; then that person's later
 * recording replayed live through the new profile and scored window by
 * window. Every step reuses the verbs' public pieces (runCalibration,
 * personScript, VirtualBoard, the live session).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '../../tfjs/backend.ts';
import { HeadstartError } from '../../core/errors.ts';
import { LineView } from '../../device/calibration/line_view.ts';
import { packageCalibrationModel } from '../../device/calibration/package_model.ts';
import { buildPlan } from '../../device/calibration/plan.ts';
import { personFromDataset, personScript } from '../person_script.ts';
import { runCalibration, type CalibrationResult } from '../../device/calibration/session.ts';
import type { CalibrationVerdict } from '../../device/calibration/verdict.ts';
import { openRecognizer } from '../../device/live_session.ts';
import { combineViews } from '../../device/calibration/views.ts';
import type { WebDashboard } from '../../device/web/dashboard.ts';
import { DEFAULT_MAX_QUEUE } from '../../device/pipeline/live_pipeline.ts';
import type { ScoreSummary } from '../../device/pipeline/live_score.ts';
import type { RuntimeChoice } from '../../io/runtime/types.ts';
import { scriptFromRecordings, scriptLength } from '../replay_script.ts';
import { BoardSession } from '../../device/transports/board_session.ts';
import { locateDemoAssets, readDemoRecordings } from './demo_assets.ts';
import { chooseLink, type DemoLink, type LinkChoice, startDemoBoard } from './demo_link.ts';
import { scoreLiveReplay } from './live_replay.ts';

/** The profile the demo calibrates. */
export const DEMO_USER = 'demo-male0';

export interface DemoOptions {
  packageDir: string;
  runtime: RuntimeChoice;
  link: LinkChoice;
  /** Times real time at which the virtual board plays (calibration and live replay). */
  speed: number;
  /** Where the profile goes; default a temporary folder, removed at the end unless `keep`. */
  dataDir?: string;
  keep: boolean;
  /** Progress lines (stderr in the CLI). */
  log: (line: string) => void;
  /** Aborting (Ctrl-C in the CLI) stops the boards, removes the temporary folder and rejects with INTERRUPTED. */
  signal?: AbortSignal;
  /** A web dashboard to show the calibration, then the live replay, on. */
  dashboard?: WebDashboard;
}

export interface DemoSummary {
  link: DemoLink;
  package: { dir: string; name: string };
  runtime: { kind: string; fallbackReason?: string };
  recording: { person: string; calibration: string; live: string; licence: string };
  speed: number;
  calibration: {
    protocol: string;
    description: string;
    trials: number;
    windows: number;
    head: string;
    cv: { method: string; accuracy: number | null };
    verdict: CalibrationVerdict;
    profilePath: string;
    reportPath: string;
    wallSeconds: number;
  };
  live: {
    gestures: string[];
    windows: number;
    inferred: number;
    droppedWindows: number;
    maxQueue: number;
    /** Frames the board could not send plus frames the host saw missing (sequence gaps). */
    framesLost: number;
    crcFailures: number;
    latency: { p50Ms: number; p99Ms: number; maxMs: number; meanMs: number };
    signalSeconds: number;
    wallSeconds: number;
    realTimeMultiple: number;
    windowsPerSecond: number;
    score: ScoreSummary;
    /** The mean of the per-class shares right (EEG: the states' stretches differ in length). */
    balancedAccuracy?: number;
  };
  /** Where the profile was saved; null when it was in a temporary folder that is now removed. */
  dataDir: string | null;
  totalSeconds: number;
}

/**
 * `work`, or an INTERRUPTED rejection as soon as `signal` aborts (the caller's
 * finally blocks then stop the board and clean up). The abandoned work's own
 * outcome is swallowed: its board is being stopped under it.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, during: string): Promise<T> {
  if (!signal) return work;
  work.catch(() => undefined);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new HeadstartError('INTERRUPTED', `the demo was interrupted during ${during}`));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function seconds(sinceMs: number): number {
  return (performance.now() - sinceMs) / 1000;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)} %`;
}

export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const startedAt = performance.now();
  const { log, speed } = options;
  // Refusals first: a missing socat for --link pty must not wait for the model to load.
  const link = chooseLink(options.link);
  const assets = locateDemoAssets();
  const recordings = readDemoRecordings(assets);
  const model = packageCalibrationModel(options.packageDir, { runtime: options.runtime });
  log(`model package: ${model.name} (${options.packageDir}), ${model.channels} channels at ${model.rate} Hz`);
  if (model.fallbackReason) log(`note: using the TypeScript interpreter (${model.fallbackReason})`);
  log(`recording: ${assets.person} of the Myo armband data set's evaluation people (licence: ${assets.licence})`);
  log(`link: ${link.reason}`);
  // The head trainer uses TensorFlow.js: its backend starts before the session.
  await selectBackend();

  const workDir = mkdtempSync(join(tmpdir(), 'headstart-demo-'));
  const dataDir = options.dataDir ?? join(workDir, 'data');
  // Even a process that ends in a hurry (a second Ctrl-C) takes its temporary folder with it.
  const removeWorkDir = (): void => {
    if (!options.keep || options.dataDir) rmSync(workDir, { recursive: true, force: true });
  };
  process.on('exit', removeWorkDir);
  try {
    // 1. Calibration: the board plays what the person's muscles do while following the prompts.
    const { protocol } = assets;
    const rate = recordings.calibration[0]!.rate;
    const plan = buildPlan(protocol, { rate });
    const person = personFromDataset(recordings.calibration, assets.classes, protocol.gestures.map((g) => g.id));
    log(`\ncalibration: protocol ${protocol.description}; ${assets.person} follows the prompts with training0 (cycle 1), the board at ${speed}x real time`);
    const calibrationStart = performance.now();
    const calibrationBoard = await startDemoBoard(link, personScript(person, plan, plan.trials), { speed, dir: workDir, name: 'calibration-board' });
    let calibrated: CalibrationResult;
    try {
      calibrated = await untilAborted(runCalibration({
        board: new BoardSession({ transport: calibrationBoard.host }),
        protocol,
        user: DEMO_USER,
        dataDir,
        model,
        view: combineViews([new LineView((line) => log(`  ${line}`)), ...(options.dashboard ? [options.dashboard.calibrationView('headstart demo', { offerRedo: false })] : [])]),
        ...(options.signal ? { signal: options.signal } : {}),
      }), options.signal, options.dataDir ? `the calibration (its unfinished journal stays in ${options.dataDir}: delete it, or finish it with \`headstart calibrate --resume\`)` : 'the calibration; its temporary folder is removed');
    } finally {
      await calibrationBoard.stop();
    }
    const calibrationSeconds = seconds(calibrationStart);
    const cvAccuracy = calibrated.trained.cv.accuracy[calibrated.trained.cv.chosen] ?? null;
    log(`  ${calibrated.trained.head.kind} head on ${calibrated.windows} windows; held-out accuracy ${cvAccuracy === null ? 'not scored' : pct(cvAccuracy)} (${calibrated.trained.cv.method})`);
    log(`  verdict: ${calibrated.verdict.summary}`);

    // 2. Live: the person's later recording, labelled, through the new profile.
    const recognizer = openRecognizer({ profile: calibrated.profile, packageDir: options.packageDir, runtime: options.runtime });
    const liveScript = scriptFromRecordings(recordings.live);
    const expectedSamples = scriptLength(liveScript);
    // Replayed N times faster, a backlog of the default queue's wall time holds N times the windows.
    const maxQueue = Math.ceil(DEFAULT_MAX_QUEUE * Math.max(1, speed));
    log(`\nlive: ${assets.person}'s later recording Test0 (${(expectedSamples / liveScript.rate).toFixed(0)} s, the true gesture sent as label EVENT markers) at ${speed}x real time, ${recognizer.runtime.kind} runtime`);
    const liveBoard = await startDemoBoard(link, liveScript, { speed, dir: workDir, name: 'live-board' });
    let result;
    try {
      result = await untilAborted(scoreLiveReplay({
        signal: options.signal,
        transport: liveBoard.host,
        expectedSamples,
        recognizer,
        maxQueue,
        ...(options.dashboard ? { sinks: [options.dashboard.liveSink(`headstart demo · ${assets.person} live`)] } : {}),
        onProgress: (s, score) => log(`  ${s.boardSeconds.toFixed(0)} of ${(expectedSamples / liveScript.rate).toFixed(0)} s, ${s.inferred} windows, accuracy so far ${pct(score.accuracy)}`),
      }), options.signal, options.dataDir ? `the live replay; the profile is saved in ${options.dataDir}` : 'the live replay; its temporary folder is removed');
    } finally {
      await liveBoard.stop();
    }
    const p = result.pipeline;
    const summary: DemoSummary = {
      link,
      package: { dir: options.packageDir, name: model.name },
      runtime: { kind: recognizer.runtime.kind, ...(recognizer.fallbackReason ? { fallbackReason: recognizer.fallbackReason } : {}) },
      recording: { person: assets.person, calibration: assets.calibrationDir, live: assets.liveDir, licence: assets.licence },
      speed,
      calibration: {
        protocol: protocol.name,
        description: protocol.description ?? protocol.name,
        trials: plan.trials.length,
        windows: calibrated.windows,
        head: calibrated.trained.cv.chosen,
        cv: { method: calibrated.trained.cv.method, accuracy: cvAccuracy },
        verdict: calibrated.verdict,
        profilePath: calibrated.profilePath,
        reportPath: calibrated.reportPath,
        wallSeconds: calibrationSeconds,
      },
      live: {
        gestures: protocol.gestures.map((g) => g.label),
        windows: p.windows,
        inferred: p.inferred,
        droppedWindows: p.dropped,
        maxQueue,
        framesLost: liveBoard.board.stats.framesLost + result.board.missingFrames,
        crcFailures: result.board.decoder.crcFailures,
        latency: { p50Ms: p.latency.p50Ms, p99Ms: p.latency.p99Ms, maxMs: p.latency.maxMs, meanMs: p.latency.meanMs },
        signalSeconds: p.boardSeconds,
        wallSeconds: p.wallSeconds,
        realTimeMultiple: p.boardSeconds / Math.max(p.wallSeconds, 1e-9),
        windowsPerSecond: p.inferred / Math.max(p.wallSeconds, 1e-9),
        score: result.score,
      },
      dataDir: options.dataDir ?? (options.keep ? dataDir : null),
      totalSeconds: seconds(startedAt),
    };
    return summary;
  } finally {
    if (options.keep && !options.dataDir) log(`kept the demo's data folder: ${dataDir}`);
    // pty links live in workDir; the profile too unless --data-dir or --keep.
    process.off('exit', removeWorkDir);
    removeWorkDir();
  }
}
