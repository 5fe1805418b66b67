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
import { openRecognizer } from '../../device/live_session.ts';
import { combineViews } from '../../device/calibration/views.ts';
import type { WebDashboard } from '../../device/web/dashboard.ts';
import { DEFAULT_MAX_QUEUE } from '../../device/pipeline/live_pipeline.ts';
import type { RuntimeChoice } from '../../io/runtime/types.ts';
import { scriptFromRecordings, scriptLength } from '../replay_script.ts';
import { BoardSession } from '../../device/transports/board_session.ts';
import { locateDemoAssets, readDemoRecordings } from './demo_assets.ts';
import { chooseLink, type LinkChoice, startDemoBoard } from './demo_link.ts';
import { type DemoSummary, heldOutAccuracy, liveProgress, pct, secondsSince, summarizeDemo } from './demo_summary.ts';
import { scoreLiveReplay } from './live_replay.ts';

export type { DemoSummary } from './demo_summary.ts';

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
    const calibrationSeconds = secondsSince(calibrationStart);
    const cvAccuracy = heldOutAccuracy(calibrated);
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
        ...(calibrated.trained.baseline ? { baseline: calibrated.trained.baseline } : {}),
        ...(options.dashboard ? { sinks: [options.dashboard.liveSink(`headstart demo · ${assets.person} live`)] } : {}),
        onProgress: liveProgress(log, expectedSamples, liveScript.rate),
      }), options.signal, options.dataDir ? `the live replay; the profile is saved in ${options.dataDir}` : 'the live replay; its temporary folder is removed');
    } finally {
      await liveBoard.stop();
    }
    return summarizeDemo({
      link,
      packageDir: options.packageDir,
      modelName: model.name,
      recognizer,
      recording: { person: assets.person, calibration: assets.calibrationDir, live: assets.liveDir, licence: assets.licence },
      speed,
      protocol,
      trials: plan.trials.length,
      calibrated,
      calibrationSeconds,
      live: result,
      maxQueue,
      boardLost: liveBoard.board.stats.framesLost,
      balanced: false,
      dataDir: options.dataDir ?? (options.keep ? dataDir : null),
      startedAt,
    });
  } finally {
    if (options.keep && !options.dataDir) log(`kept the demo's data folder: ${dataDir}`);
    // pty links live in workDir; the profile too unless --data-dir or --keep.
    process.off('exit', removeWorkDir);
    removeWorkDir();
  }
}
