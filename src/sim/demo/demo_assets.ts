/**
 * What the demo ships with and where it lies in the install: the recording
 * of one evaluation person (data/demo, an excerpt of the Myo armband data
 * set with its licence note) and the myo7 calibration protocol, turned into
 * the demo's one-repetition protocol.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findInstallRoot } from '../../io/install_root.ts';
import { HeadstartError } from '../../core/errors.ts';
import type { Recording } from '../../core/signal.ts';
import { loadDataset } from '../../io/datasets/index.ts';
import { MYO_GESTURES } from '../../io/datasets/myo.ts';
import { loadProtocol, type CalibrationProtocol } from '../../device/calibration/protocol.ts';

/** The evaluation person replayed, and the two recordings of theirs the demo plays. */
export const DEMO_PERSON = 'Male0';
const CALIBRATION_SESSION = 'training0';
const LIVE_SESSION = 'Test0';

/**
 * Countdown and rest of the demo's protocol (s). The hold keeps myo7's 5 s, so
 * the calibration records what one cycle of the data set holds (the k = 1 case
 * of `headstart evaluate`); only the waiting around it is shortened.
 */
const DEMO_COUNTDOWN_SECONDS = 1;
const DEMO_REST_SECONDS = 1;

export interface DemoAssets {
  /** The install's root folder (where package.json, models/, data/ and calibration/ are). */
  root: string;
  person: string;
  /** Folders of the calibration recording and of the later, live one. */
  calibrationDir: string;
  liveDir: string;
  licence: string;
  /** The gesture names of the recordings' labels. */
  classes: string[];
  protocol: CalibrationProtocol;
}

export interface DemoRecordings {
  calibration: Recording[];
  live: Recording[];
}

/** The install's root: the first folder above this file with package.json and data/demo (works from src/ and from the bundle in dist/). */
export function installRoot(): string {
  const root = findInstallRoot(join('data', 'demo'));
  if (root) return root;
  throw new HeadstartError('FILE_NOT_FOUND', 'the demo recording (data/demo) is not in this install; reinstall headstart, or run the demo from a checkout of the repository');
}

/** myo7 with one repetition of each gesture and shorter waits; says what it is in its description. */
export function demoProtocol(myo7: CalibrationProtocol): CalibrationProtocol {
  return {
    ...myo7,
    name: `${myo7.name}-demo`,
    description: `${myo7.name} with 1 repetition (k = 1), ${myo7.holdSeconds} s holds, ${DEMO_COUNTDOWN_SECONDS} s countdown and ${DEMO_REST_SECONDS} s rest`,
    repetitions: 1,
    countdownSeconds: DEMO_COUNTDOWN_SECONDS,
    restSeconds: DEMO_REST_SECONDS,
  };
}

export function locateDemoAssets(root = installRoot()): DemoAssets {
  const personDir = join(root, 'data', 'demo', 'EvaluationDataset', DEMO_PERSON);
  const calibrationDir = join(personDir, CALIBRATION_SESSION);
  const liveDir = join(personDir, LIVE_SESSION);
  for (const dir of [calibrationDir, liveDir]) {
    if (!existsSync(dir)) throw new HeadstartError('FILE_NOT_FOUND', `${dir} is missing: the demo replays it; restore data/demo from the repository`);
  }
  return {
    root,
    person: DEMO_PERSON,
    calibrationDir,
    liveDir,
    licence: join(root, 'data', 'demo', 'LICENSE'),
    classes: MYO_GESTURES,
    protocol: demoProtocol(loadProtocol(join(root, 'calibration', 'myo7.json'))),
  };
}

export function readDemoRecordings(assets: DemoAssets): DemoRecordings {
  return {
    calibration: loadDataset(assets.calibrationDir).recordings,
    live: loadDataset(assets.liveDir).recordings,
  };
}
