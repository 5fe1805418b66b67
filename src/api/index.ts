/**
 * headstart as a library: what an application imports from 'headstart'.
 * Four steps, in the manner of a transfer-learning recognizer: load the
 * frozen extractor (a model package), open a board (a serial port or a
 * virtual board playing recordings), calibrate a wearer (the guided
 * session: collect examples of each gesture, train the head on the device,
 * save the profile) and listen (live gesture events).
 *
 *   import { loadModelPackage, openBoard, calibrate, createRecognizer } from 'headstart';
 *   const model = loadModelPackage();                                  // the shipped package
 *   const board = openBoard({ port: '/dev/ttyACM0' });
 *   const { profile } = await calibrate({ model, board, protocol: 'calibration/quick5.json', user: 'alice' });
 *   const live = createRecognizer({ model, profile }).listen(board);
 *   live.on('gesture', (e) => console.log(e.gesture));
 *   await live.start();
 *   await live.done();                                                 // after live.stop(), or the board going away
 *
 * The CLI verbs `calibrate` and `run` are built on these functions.
 * TensorFlow.js (the head trainers) loads only when `calibrate` runs.
 */
import { join, resolve } from 'node:path';
import { rotateBand } from '../core/band_rotation.ts';
import { HeadstartError } from '../core/errors.ts';
import type { ModelManifest } from '../core/model_package/manifest.ts';
import type { CalibrationCues, CalibrationView, SessionEvent } from '../device/calibration/events.ts';
import { loadProtocol, type CalibrationProtocol } from '../device/calibration/protocol.ts';
import type { CalibrationResult } from '../device/calibration/session.ts';
import { LiveSession, type LiveSessionOptions, openRecognizer, type OpenedRecognizer } from '../device/live_session.ts';
import type { SavedProfile } from '../device/profiles/profile.ts';
import { resolveDataDir } from '../device/profiles/data_dir.ts';
import { ProfileStore } from '../device/profiles/store.ts';
import { type BoardFormat, BoardSession } from '../device/transports/board_session.ts';
import { createLoopbackPair } from '../device/transports/loopback.ts';
import { SerialTransport } from '../device/transports/serial.ts';
import type { Transport } from '../device/transports/transport.ts';
import { defaultPackageDir, findInstallRoot } from '../io/install_root.ts';
import { loadModelPackage as readModelPackage } from '../io/model_package.ts';
import type { RuntimeChoice } from '../io/runtime/types.ts';
import { followingScript } from '../sim/follow_script.ts';
import type { ReplayScript } from '../sim/replay_script.ts';
import { loadReplayScript } from '../sim/replay_source.ts';
import { VirtualBoard } from '../sim/virtual_board.ts';

export { HeadstartError, isHeadstartError } from '../core/errors.ts';
export type { ModelManifest } from '../core/model_package/manifest.ts';
export type { CalibrationCues, CalibrationView, SessionEvent, TrialInfo } from '../device/calibration/events.ts';
export type { CalibrationProtocol } from '../device/calibration/protocol.ts';
export type { CalibrationResult } from '../device/calibration/session.ts';
export type { CalibrationVerdict } from '../device/calibration/verdict.ts';
export { LiveSession } from '../device/live_session.ts';
export type { LinkEvent, LiveResult, LiveSessionEvents, LiveSink, LiveStart, LiveStats, LossEvent } from '../device/live_session.ts';
export type { ClassifiedWindow, GestureEvent } from '../device/pipeline/live_pipeline.ts';
export type { SmootherOptions } from '../device/pipeline/smoother.ts';
export type { SavedProfile } from '../device/profiles/profile.ts';
export type { HeadData } from '../core/head/head.ts';
export type { Transport } from '../device/transports/transport.ts';
export type { RuntimeChoice } from '../io/runtime/types.ts';
export { PRODUCER_VERSION as VERSION } from '../io/version.ts';

/** A model package: the frozen int8 extractor and what it expects of a board. */
export interface ModelPackage {
  /** The package folder, absolute. */
  dir: string;
  name: string;
  modality: 'emg' | 'eeg';
  channels: number;
  /** Samples per second per channel the extractor was trained at (a board may send more: it is resampled). */
  sampleRate: number;
  /** The population head's class names. */
  classes: string[];
  manifest: ModelManifest;
}

/**
 * Loads and checks a model package (its int8 extractor must be exported and
 * match its hash). Without `dir`, the package shipped with headstart.
 */
export function loadModelPackage(dir?: string): ModelPackage {
  const found = resolve(dir ?? defaultPackageDir());
  const { manifest } = readModelPackage(found, { requireTflite: true });
  return { dir: found, name: manifest.name, modality: manifest.modality, channels: manifest.channels, sampleRate: manifest.sampleRate, classes: manifest.classes, manifest };
}

/** Where headstart's shipped files are: model packages, calibration protocols, the demo recording. */
export interface ShippedAssets {
  root: string;
  models: string;
  protocols: string;
  /** The demo's recordings (an excerpt of the Myo armband data set; licence note in its LICENSE). */
  demoData: string;
}

export function shippedAssets(): ShippedAssets {
  const root = findInstallRoot('calibration');
  if (!root) throw new HeadstartError('FILE_NOT_FOUND', 'headstart\'s shipped files (models/, calibration/, data/demo) are not beside its code; reinstall headstart');
  return { root, models: join(root, 'models'), protocols: join(root, 'calibration'), demoData: join(root, 'data', 'demo') };
}

/** A virtual board playing recordings, as `headstart sim` does, in-process. */
export interface SimBoardOptions {
  /** Recordings to play (a session folder, .hsrec or CSV files; read as `headstart dataset` reads them). */
  replay: string | string[];
  /** Play the (one) recording as a wearer following this calibration protocol's prompts from its first one: a board to calibrate with. */
  follow?: string | CalibrationProtocol;
  /** Multiplies the protocol's durations (with `follow`; the calibration must use the same). */
  timeScale?: number;
  /** Times real time (default 1). */
  speed?: number;
  /** Plays the band put back on turned by this many electrodes (a simulation: core/band_rotation.ts). */
  turn?: number;
}

export type BoardOptions =
  | {
      port: string;
      /** Default: the format's usual rate (500000 for the reference sketch, 115200 for a Cyton's dongle). */
      baudRate?: number;
      /** What the board speaks (default headstart frames). */
      format?: BoardFormat;
      /** Cyton: use (true) or ignore (false) a Daisy module; default: as the board reports. */
      daisy?: boolean;
    }
  | { sim: SimBoardOptions };

/**
 * A sensor board. Each calibration or live session opens its own link to it
 * (`connect`) and closes it at its end; a virtual board starts its recording
 * over on each link, as a board does when it is plugged in again.
 */
export interface Board {
  /** In words: a port and baud rate, or what a virtual board plays. */
  readonly description: string;
  /** What it speaks: headstart frames, or an OpenBCI Cyton's stream. */
  readonly format: BoardFormat;
  /** A new link to the board, not opened yet (a session opens it). */
  connect(): Transport;
  /** A board session on a new link, speaking the board's format, not started. */
  session(): BoardSession;
  /** Powers off virtual boards still playing; a serial board has nothing left open once its sessions ended. */
  close(): Promise<void>;
}

/** The usual baud rate of each format: the reference sketch's, and a Cyton dongle's. */
export const DEFAULT_BAUD: Record<BoardFormat, number> = { headstart: 500_000, cyton: 115_200 };

class SerialBoard implements Board {
  readonly description: string;
  constructor(
    readonly path: string,
    readonly baudRate: number,
    readonly format: BoardFormat,
    readonly daisy: boolean | undefined,
  ) {
    this.description = `${path} at ${baudRate} baud${format === 'cyton' ? ' (OpenBCI Cyton)' : ''}`;
  }
  connect(): Transport {
    return new SerialTransport({ path: this.path, baudRate: this.baudRate });
  }
  session(): BoardSession {
    return new BoardSession({ transport: this.connect(), format: this.format, ...(this.format === 'cyton' && this.daisy !== undefined ? { cyton: { daisy: this.daisy } } : {}) });
  }
  async close(): Promise<void> {}
}

class SimBoard implements Board {
  readonly description: string;
  readonly format: BoardFormat = 'headstart';
  readonly #script: ReplayScript;
  readonly #speed: number;
  readonly #boards = new Set<VirtualBoard>();

  constructor(options: SimBoardOptions) {
    const paths = typeof options.replay === 'string' ? [options.replay] : options.replay;
    if (paths.length === 0) throw new HeadstartError('BAD_OPTION', 'a virtual board needs at least one recording to replay');
    if (options.follow && paths.length > 1) throw new HeadstartError('BAD_OPTION', `a virtual board following a protocol plays one recording, not ${paths.length}`);
    const script = options.follow ? followingScript(paths[0]!, options.follow, options.timeScale ?? 1) : loadReplayScript(paths);
    this.#script = options.turn ? { ...script, samples: rotateBand(script.samples, script.channels, options.turn) } : script;
    this.#speed = options.speed ?? 1;
    this.description = `virtual board playing ${this.#script.source} at ${this.#speed}x`;
  }

  connect(): Transport {
    const pair = createLoopbackPair();
    const board = new VirtualBoard(this.#script, pair.board, { speed: this.#speed });
    this.#boards.add(board);
    // Powered at once, as the demo does: its HELLO before the host opens is lost
    // like a real board's, and the host asks again. A loopback end cannot fail to open.
    void board.powerOn();
    return pair.host;
  }

  session(): BoardSession {
    return new BoardSession({ transport: this.connect() });
  }

  async close(): Promise<void> {
    for (const board of this.#boards) await board.powerOff();
    this.#boards.clear();
  }
}

/** A board on a serial port (`{ port }`), or a virtual one playing recordings (`{ sim }`). Nothing is opened until a session starts. */
export function openBoard(options: BoardOptions): Board {
  if ('sim' in options) return new SimBoard(options.sim);
  if (!options.port) throw new HeadstartError('MISSING_OPTION', 'give the serial port of the sensor board (`headstart ports` lists them)');
  const format = options.format ?? 'headstart';
  if (options.daisy !== undefined && format !== 'cyton') throw new HeadstartError('BAD_OPTION', 'a Daisy module is a Cyton\'s: give the Cyton format', { setting: 'daisy' });
  return new SerialBoard(options.port, options.baudRate ?? DEFAULT_BAUD[format], format, options.daisy);
}

export interface CalibrateOptions {
  /** The package whose extractor embeds the recordings (default: the shipped one). */
  model?: ModelPackage | string;
  board: Board;
  /** A protocol file (calibration/quick5.json...) or a parsed protocol; optional with `resume`. */
  protocol?: string | CalibrationProtocol;
  /** Whose profile (letters, digits, ".", "_", "-"). */
  user: string;
  /** Where profiles live (default $HEADSTART_DATA_DIR, else ~/.headstart). */
  dataDir?: string;
  /** Extractor runtime (default auto: the official TFLite runtime, else the TypeScript interpreter). */
  runtime?: RuntimeChoice;
  /** Multiplies every duration of the protocol (default 1). */
  timeScale?: number;
  /** Re-record one gesture (by id) and retrain with the earlier recordings of the others. */
  only?: string;
  /** Continue an interrupted calibration from its journal. */
  resume?: boolean;
  /** Per-gesture held-out accuracy below which the verdict asks for a redo (default 0.8). */
  minAccuracy?: number;
  /** Every session event: prompts, phases, level meters, quality advice, training. */
  onEvent?: (event: SessionEvent) => void;
  /** A view of its own instead of `onEvent` (one that may offer redos: see CalibrationView). */
  view?: CalibrationView;
  cues?: CalibrationCues;
  /** Told when the native runtime could not be used and the TypeScript interpreter runs instead. */
  onNote?: (note: string) => void;
  /** Aborting stops the session: STOP to the board, the journal kept, an INTERRUPTED rejection saying how to resume. */
  signal?: AbortSignal;
}

/** The package given, else the shipped one for the board: the EEG package for a Cyton, the EMG one otherwise. */
function packageDirOf(model: ModelPackage | string | undefined, format: BoardFormat = 'headstart'): string {
  if (model === undefined) return defaultPackageDir(format === 'cyton' ? 'eeg' : 'emg');
  return typeof model === 'string' ? model : model.dir;
}

/**
 * The guided calibration: prompts, holds and rests recorded from the board
 * into a crash-safe journal, then the head trained on the device, judged,
 * and saved as the wearer's next profile version (with report.html).
 */
export async function calibrate(options: CalibrateOptions): Promise<CalibrationResult> {
  const protocol = typeof options.protocol === 'string' ? loadProtocol(options.protocol) : options.protocol;
  if (!protocol && !options.resume) throw new HeadstartError('MISSING_OPTION', 'give the calibration protocol (e.g. calibration/quick5.json), or resume an interrupted one');
  if (protocol && options.only !== undefined && !protocol.gestures.some((g) => g.id === options.only)) {
    throw new HeadstartError('UNKNOWN_GESTURE', `protocol '${protocol.name}' has no gesture '${options.only}'; its gestures are ${protocol.gestures.map((g) => g.id).join(', ')}`);
  }
  // TensorFlow.js (the head trainers) loads only now: listening needs none of it.
  const { packageCalibrationModel } = await import('../device/calibration/package_model.ts');
  const { selectBackend } = await import('../tfjs/backend.ts');
  const { runCalibration } = await import('../device/calibration/session.ts');
  const model = packageCalibrationModel(packageDirOf(options.model, options.board.format), { runtime: options.runtime ?? 'auto' });
  if (model.fallbackReason) options.onNote?.(`using the TypeScript interpreter (${model.fallbackReason})`);
  // Started before the session, not after the wearer's effort.
  await selectBackend();
  const view: CalibrationView = options.view ?? { event: (e) => options.onEvent?.(e) };
  return runCalibration({
    board: options.board.session(),
    ...(protocol ? { protocol } : {}),
    user: options.user,
    dataDir: resolveDataDir(options.dataDir),
    model,
    view,
    ...(options.cues ? { cues: options.cues } : {}),
    ...(options.timeScale !== undefined ? { timeScale: options.timeScale } : {}),
    ...(options.only !== undefined ? { only: options.only } : {}),
    ...(options.resume ? { resume: true } : {}),
    ...(options.minAccuracy !== undefined ? { minAccuracy: options.minAccuracy } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/** A wearer's profile version in use (or the one given), as `headstart profile show` prints it. */
export function loadProfile(user: string, options: { dataDir?: string; version?: number } = {}): SavedProfile {
  return new ProfileStore(resolveDataDir(options.dataDir)).load(user, options.version);
}

export type ListenOptions = Omit<LiveSessionOptions, 'transport' | 'board' | 'recognizer'>;

/** A calibrated wearer's recognizer: the package's extractor opened, their head ready. */
export class Recognizer {
  readonly #opened: OpenedRecognizer;

  constructor(opened: OpenedRecognizer) {
    this.#opened = opened;
  }

  /** Gesture names, in the head's class order. */
  get gestures(): string[] {
    return this.#opened.profile.gestures;
  }

  get profile(): SavedProfile {
    return this.#opened.profile;
  }

  get packageDir(): string {
    return this.#opened.packageDir;
  }

  /** Which runtime runs the extractor: 'native' (the official TensorFlow Lite runtime) or 'ts' (headstart's interpreter). */
  get runtime(): 'native' | 'ts' {
    return this.#opened.runtime.kind;
  }

  /** Why the native runtime could not be used, when the interpreter runs instead. */
  get fallbackReason(): string | undefined {
    return this.#opened.fallbackReason;
  }

  /** The model package's manifest (channels, rate, window). */
  get manifest(): ModelManifest {
    return this.#opened.manifest;
  }

  /**
   * A live session on a board, not started: attach listeners ('gesture',
   * 'window', 'link', 'stats', 'end'), then `start()`; `done()` resolves once
   * it has ended (`stop()`, the `signal`, an end condition, the link closing).
   */
  listen(board: Board, options: ListenOptions = {}): LiveSession {
    return new LiveSession({ ...options, board: board.session(), recognizer: this.#opened });
  }
}

export interface RecognizerOptions {
  profile: SavedProfile;
  /** Default: the package the profile was calibrated with, else the shipped one. */
  model?: ModelPackage | string;
  runtime?: RuntimeChoice;
}

/** Opens the extractor for a profile (refused when the profile was trained for another extractor). */
export function createRecognizer(options: RecognizerOptions): Recognizer {
  const packageDir = options.model === undefined ? (options.profile.package.dir ?? defaultPackageDir()) : packageDirOf(options.model);
  return new Recognizer(openRecognizer({ profile: options.profile, packageDir, runtime: options.runtime ?? 'auto' }));
}
