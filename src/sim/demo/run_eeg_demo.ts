/**
 * The demo's story for EEG (`headstart demo --eeg`): the EEG model package;
 * a software OpenBCI Cyton playing one eegmat person the package was not
 * pretrained on (Subject24, the first of the evaluation people), who follows
 * the eeg-mental2 prompts (their rest recording during countdowns, rests and
 * rest holds, their arithmetic recording during arithmetic holds); an
 * automatic calibration; then the rest of that person's recordings, which the
 * calibration did not play, streamed live through the new profile in
 * alternating stretches of each state and scored window by window.
 *
 * The Cyton's wire carries no labels: the windows are scored against the
 * script the board plays (sim/script_truth.ts: the board's clock counts
 * samples from its first, so a window's end is a place in the script).
 * The data stay in ../shared (eegmat's licence: ODC-By 1.0); nothing is
 * copied into the install.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '../../tfjs/backend.ts';
import { preprocessRecording } from '../../core/dsp/preprocess.ts';
import { HeadstartError } from '../../core/errors.ts';
import type { Recording } from '../../core/signal.ts';
import { LineView } from '../../device/calibration/line_view.ts';
import { packageCalibrationModel } from '../../device/calibration/package_model.ts';
import { buildPlan } from '../../device/calibration/plan.ts';
import { type CalibrationProtocol, loadProtocol } from '../../device/calibration/protocol.ts';
import { runCalibration, type CalibrationResult } from '../../device/calibration/session.ts';
import { combineViews } from '../../device/calibration/views.ts';
import { openRecognizer } from '../../device/live_session.ts';
import { DEFAULT_MAX_QUEUE } from '../../device/pipeline/live_pipeline.ts';
import { BoardSession } from '../../device/transports/board_session.ts';
import { loadDataset } from '../../io/datasets/index.ts';
import { readManifest } from '../../io/model_package.ts';
import { CYTON_PACKET_RATE } from '../cyton_board.ts';
import { personFromDataset, personScript } from '../person_script.ts';
import { scriptFromRecordings, scriptLength } from '../replay_script.ts';
import { scriptTruth } from '../script_truth.ts';
import { installRoot } from './demo_assets.ts';
import { chooseLink, startDemoCyton } from './demo_link.ts';
import { scoreLiveReplay } from './live_replay.ts';
import { type DemoSummary, heldOutAccuracy, liveProgress, pct, secondsSince, summarizeDemo } from './demo_summary.ts';
import { type DemoOptions, untilAborted } from './run_demo.ts';

/** The eegmat person played: the first of the people the shipped package was not pretrained on. */
export const EEG_DEMO_PERSON = 'Subject24';
export const EEG_DEMO_USER = 'demo-subject24';
/** Countdown and rest of the demo's protocol (s); holds keep eeg-mental2's 10 s and 3 repetitions. */
const EEG_DEMO_COUNTDOWN_SECONDS = 2;
const EEG_DEMO_REST_SECONDS = 1;
/** Length of each stretch of one state in the live part (s). */
const LIVE_STRETCH_SECONDS = 16;

export interface EegDemoOptions extends DemoOptions {
  /** The eegmat folder (default ../shared/datasets/eegmat beside the install). */
  eegData?: string;
}

/** Where the eegmat recordings are by default: the shared data beside the checkout. */
export function defaultEegData(): string {
  return join(installRoot(), '..', 'shared', 'datasets', 'eegmat');
}

function demoEegProtocol(mental2: CalibrationProtocol): CalibrationProtocol {
  return {
    ...mental2,
    name: `${mental2.name}-demo`,
    description: `${mental2.name}: ${mental2.repetitions} repetitions of ${mental2.holdSeconds} s of each state, ${EEG_DEMO_COUNTDOWN_SECONDS} s countdown and ${EEG_DEMO_REST_SECONDS} s rest`,
    countdownSeconds: EEG_DEMO_COUNTDOWN_SECONDS,
    restSeconds: EEG_DEMO_REST_SECONDS,
  };
}

/** Samples `from`..end of a recording (per channel). */
function tail(r: Recording, from: number): Recording {
  return { ...r, samples: r.samples.subarray(from * r.channels) };
}

/** Alternating stretches of `seconds` of each recording while both last, then what is left of each. */
function alternate(a: Recording, b: Recording, seconds: number): Recording[] {
  const step = Math.round(seconds * a.rate);
  const out: Recording[] = [];
  const length = (r: Recording) => r.samples.length / r.channels;
  let at = 0;
  for (; at + step <= Math.min(length(a), length(b)); at += step) {
    for (const r of [a, b]) out.push({ ...r, samples: r.samples.subarray(at * r.channels, (at + step) * r.channels) });
  }
  for (const r of [a, b]) if (at < length(r)) out.push(tail(r, at));
  return out;
}


export async function runEegDemo(options: EegDemoOptions): Promise<DemoSummary> {
  const startedAt = performance.now();
  const { log, speed } = options;
  const link = chooseLink(options.link);
  const root = installRoot();
  const eegData = options.eegData ?? defaultEegData();
  if (!existsSync(eegData)) {
    throw new HeadstartError('FILE_NOT_FOUND', `${eegData}: no eegmat folder here; the EEG demo plays one of its people: give --eeg-data <the folder of SubjectNN_1.edf and SubjectNN_2.edf>`, { file: eegData });
  }
  const model = packageCalibrationModel(options.packageDir, { runtime: options.runtime });
  const pkgManifest = readManifest(options.packageDir);
  if (pkgManifest.modality !== 'eeg') {
    throw new HeadstartError('BAD_OPTION', `${options.packageDir} is an ${pkgManifest.modality.toUpperCase()} package; demo --eeg needs an EEG one (models/eeg8-250hz)`, { option: '--package' });
  }
  if (model.rate !== CYTON_PACKET_RATE || model.channels !== 8) {
    throw new HeadstartError('BAD_OPTION', `${options.packageDir} takes ${model.channels} channels at ${model.rate} Hz; the demo's Cyton sends 8 at ${CYTON_PACKET_RATE} Hz`, { option: '--package' });
  }
  const dataset = loadDataset({ path: eegData, people: [EEG_DEMO_PERSON], channels: pkgManifest.channelNames });
  const licence = join(eegData, 'LICENSE.md');
  // As the Cyton records them: resampled to its 250 Hz.
  const played = dataset.recordings.map((r) => preprocessRecording(r, { rate: CYTON_PACKET_RATE, filters: [] }));
  log(`model package: ${model.name} (${options.packageDir}), ${model.channels} channels (${pkgManifest.channelNames.join(' ')}) at ${model.rate} Hz`);
  if (model.fallbackReason) log(`note: using the TypeScript interpreter (${model.fallbackReason})`);
  log(`recording: ${EEG_DEMO_PERSON} of eegmat (rest, mental arithmetic), not among the package's pretraining people (licence: ${licence})`);
  log(`link: ${link.reason}; the board is a software OpenBCI Cyton (33-byte packets of 24-bit counts)`);
  await selectBackend();

  const workDir = mkdtempSync(join(tmpdir(), 'headstart-demo-eeg-'));
  const dataDir = options.dataDir ?? join(workDir, 'data');
  try {
    // 1. Calibration: the Cyton plays what the person's brain did while following the prompts.
    const protocol = demoEegProtocol(loadProtocol(join(root, 'calibration', 'eeg-mental2.json')));
    const plan = buildPlan(protocol, { rate: CYTON_PACKET_RATE });
    const ids = protocol.gestures.map((g) => g.id);
    const person = personFromDataset(played, dataset.classes, ids);
    const script = personScript(person, plan, plan.trials);
    log(`\ncalibration: protocol ${protocol.description}; ${EEG_DEMO_PERSON} follows the prompts, the board at ${speed}x real time`);
    const calibrationStart = performance.now();
    const calibrationBoard = await startDemoCyton(link, script, { speed, dir: workDir, name: 'calibration-cyton' });
    let calibrated: CalibrationResult;
    try {
      calibrated = await untilAborted(runCalibration({
        board: new BoardSession({ transport: calibrationBoard.host, format: 'cyton' }),
        protocol,
        user: EEG_DEMO_USER,
        dataDir,
        model,
        view: combineViews([new LineView((line) => log(`  ${line}`)), ...(options.dashboard ? [options.dashboard.calibrationView('headstart demo --eeg', { offerRedo: false })] : [])]),
      }), options.signal, options.dataDir ? `the calibration (its unfinished journal stays in ${options.dataDir})` : 'the calibration; its temporary folder is removed');
    } finally {
      await calibrationBoard.stop();
    }
    const calibrationSeconds = secondsSince(calibrationStart);
    const cvAccuracy = heldOutAccuracy(calibrated);
    log(`  ${calibrated.trained.head.kind} head on ${calibrated.windows} windows; held-out accuracy ${cvAccuracy === null ? 'not scored' : pct(cvAccuracy)} (${calibrated.trained.cv.method})`);
    log(`  verdict: ${calibrated.verdict.summary}`);

    // 2. Live: what the calibration did not play of each recording, alternating states.
    const restIndex = ids.indexOf('rest');
    const arithmeticTrials = plan.trials.filter((t) => t.gesture !== restIndex).length;
    const arithmeticUsed = arithmeticTrials * plan.hold;
    const restUsed = scriptLength(script) - arithmeticUsed;
    const rest = person.byGesture[restIndex]![0]!;
    const arithmetic = person.byGesture[1 - restIndex]![0]!;
    const liveScript = scriptFromRecordings(alternate(tail(rest, restUsed), tail(arithmetic, arithmeticUsed), LIVE_STRETCH_SECONDS));
    const expectedSamples = scriptLength(liveScript);
    const recognizer = openRecognizer({ profile: calibrated.profile, packageDir: options.packageDir, runtime: options.runtime });
    const maxQueue = Math.ceil(DEFAULT_MAX_QUEUE * Math.max(1, speed));
    log(`\nlive: the rest of ${EEG_DEMO_PERSON}'s recordings (${(expectedSamples / liveScript.rate).toFixed(0)} s, ${LIVE_STRETCH_SECONDS} s of each state in turn; no labels on the Cyton's wire: each window is scored against what the board played) at ${speed}x real time, ${recognizer.runtime.kind} runtime`);
    const liveBoard = await startDemoCyton(link, liveScript, { speed, dir: workDir, name: 'live-cyton' });
    let result;
    try {
      result = await untilAborted(scoreLiveReplay({
        ...(options.signal ? { signal: options.signal } : {}),
        transport: liveBoard.host,
        format: 'cyton',
        truth: scriptTruth(liveScript, Math.round((pkgManifest.window.length * CYTON_PACKET_RATE) / model.rate)),
        expectedSamples,
        recognizer,
        maxQueue,
        ...(calibrated.trained.baseline ? { baseline: calibrated.trained.baseline } : {}),
        ...(options.dashboard ? { sinks: [options.dashboard.liveSink(`headstart demo --eeg · ${EEG_DEMO_PERSON} live`)] } : {}),
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
      recording: { person: EEG_DEMO_PERSON, calibration: join(eegData, `${EEG_DEMO_PERSON}_1.edf`), live: join(eegData, `${EEG_DEMO_PERSON}_2.edf`), licence },
      speed,
      protocol,
      trials: plan.trials.length,
      calibrated,
      calibrationSeconds,
      live: result,
      maxQueue,
      boardLost: liveBoard.board.stats.samplesLost,
      balanced: true,
      dataDir: options.dataDir ?? (options.keep ? dataDir : null),
      startedAt,
    });
  } finally {
    if (options.keep && !options.dataDir) log(`kept the demo's data folder: ${dataDir}`);
    if (!options.keep || options.dataDir) rmSync(workDir, { recursive: true, force: true });
  }
}
