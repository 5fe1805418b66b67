/**
 * The live session: the one place where a board meets the live pipeline.
 * `run`, the demo and whatever shows or forwards live results (a dashboard,
 * OSC or MQTT outputs) attach to it rather than wiring a BoardSession to a
 * LivePipeline themselves.
 *
 *   const recognizer = openRecognizer({ profile, packageDir, runtime: 'auto' });
 *   const live = new LiveSession({ transport, recognizer, sinks: [new StdoutSink({ json: true })], signal });
 *   live.on('link', (e) => ...);         // connecting / connected / reconnecting / disconnected
 *   live.on('gesture', (e) => ...);      // smoothed gesture changes
 *   const { hello } = await live.start(); // handshake done, board checked against the package
 *   const result = await live.done();     // after stop(), the signal, an end condition or the link closing
 *
 * Events (all synchronous, in the order things happen; listeners must not
 * block: the serial reader is on the same thread):
 * - `link`: the link's state, with the board's HELLO once connected;
 * - `samples`: every SAMPLES frame as it reaches the pipeline (raw int16
 *   values, for live traces), with its arrival time;
 * - `marker`: the board's EVENT frames (button, sync, label of a replay);
 * - `loss`: frames found missing (a gap: link dropped, board restarted,
 *   frames corrupted) or the decoder's CRC failures grew, with totals;
 * - `window`: each window's result with every class's score (the object is
 *   reused: read it, do not keep it);
 * - `gesture`: each change of the recognized gesture;
 * - `stats`: every `statsIntervalMs`, windows per second, latency, dropped
 *   windows and the board's counters (`stats()` gives the same on demand);
 * - `end`: once, when a session that started has ended, with the result
 *   (and the error, when it failed).
 *
 * Sinks are outputs that attach to these events before the board is
 * connected and are closed once the session has ended (stdout lines and
 * johnny-five pins in src/device/sinks). A stage that must change windows
 * before the extractor (re-wear sync, adaptation) belongs in LivePipeline,
 * configured through `pipeline`.
 *
 * Stopping: stop() (a reason, or a HeadstartError to fail with), the abort
 * signal (an interruption: windows still queued are not inferred), an end
 * condition (`idleStopMs`, `endAfterSamples`), the link closing, or a fatal
 * link error. In every case STOP is sent to the board, the transport is
 * closed, then the pipeline and the sinks.
 */
import { nearestSyncShift, type SyncEstimate } from '../core/band_sync.ts';
import { type AdaptOptions, type AdaptState, HeadAdapter } from '../core/head/adapt.ts';
import type { HeadData } from '../core/head/head.ts';
import { type SyncCollector, syncCollector, type SyncMode } from './sync.ts';
import { EventEmitter } from 'node:events';
import { HeadstartError } from '../core/errors.ts';
import type { ModelManifest } from '../core/model_package/manifest.ts';
import type { EventFrame, Frame, HelloFrame, SamplesFrame } from '../core/protocol/frames.ts';
import { loadModelPackage } from '../io/model_package.ts';
import { openRuntime } from '../io/runtime/open_runtime.ts';
import type { ExtractorRuntime } from '../io/runtime/index.ts';
import type { RuntimeChoice } from '../io/runtime/types.ts';
import { checkBoardForPackage, checkProfileForPackage } from './pipeline/compatibility.ts';
import { type ClassifiedWindow, type GestureEvent, LivePipeline, type LivePipelineStats } from './pipeline/live_pipeline.ts';
import { LiveScore, type ScoreSummary } from './pipeline/live_score.ts';
import { HeadStage } from './pipeline/head_stage.ts';
import type { SmootherOptions } from './pipeline/smoother.ts';
import type { QueuedWindow } from './pipeline/window_queue.ts';
import type { SavedProfile } from './profiles/profile.ts';
import { BoardSession, type BoardSessionStats, type GapInfo } from './transports/board_session.ts';
import type { Transport } from './transports/transport.ts';

/** What recognizes: a model package's int8 extractor, opened, and a wearer's profile made for it. */
export interface Recognizer {
  manifest: ModelManifest;
  packageDir: string;
  runtime: ExtractorRuntime;
  profile: SavedProfile;
}

export interface OpenedRecognizer extends Recognizer {
  /** Set when the native runtime could not be used and the TypeScript interpreter runs instead: why. */
  fallbackReason?: string;
}

/** Loads the package (its int8 extractor required), checks the profile was made for it, opens the runtime. */
export function openRecognizer(options: { profile: SavedProfile; packageDir: string; runtime?: RuntimeChoice }): OpenedRecognizer {
  const pkg = loadModelPackage(options.packageDir, { requireTflite: true });
  checkProfileForPackage(options.profile, pkg.manifest, options.packageDir);
  const opened = openRuntime(pkg.tflite!, { runtime: options.runtime ?? 'auto' });
  return {
    manifest: pkg.manifest,
    packageDir: options.packageDir,
    runtime: opened.runtime,
    profile: options.profile,
    ...(opened.fallbackReason ? { fallbackReason: opened.fallbackReason } : {}),
  };
}

export type LinkState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

export interface LinkEvent {
  state: LinkState;
  /** The link, in words (a port path and baud rate, "loopback host"). */
  description: string;
  /** connected: the board's HELLO. */
  hello?: HelloFrame;
  /** reconnecting: why the link dropped. */
  reason?: string;
  /** connected after a reconnect: open attempts it took, and how long the link was down. */
  attempts?: number;
  downtimeMs?: number;
}

export interface LossEvent {
  /** The gap just found; absent when only the CRC failures grew. */
  gap?: GapInfo;
  /** Totals since the session started. */
  missingFrames: number;
  /** Samples per channel lost in gaps whose size is known. */
  missingSamples: number;
  crcFailures: number;
  droppedBytes: number;
}

export interface LiveStats {
  pipeline: LivePipelineStats;
  board: BoardSessionStats;
  /** Windows inferred per second of wall time since the previous stats (or since streaming began). */
  windowsPerSecond: number;
  /** With `score`: live per-window accuracy so far. */
  score?: ScoreSummary;
  /** With `score` and `baseline`: the baseline head's accuracy on the same windows. */
  baselineScore?: ScoreSummary;
}

/** How the session ended: stop() or an end condition (`stopped`, `idle`, `complete`), the signal, the link closing, a failure. */
export type LiveEndKind = 'stopped' | 'interrupted' | 'idle' | 'complete' | 'closed' | 'failed';

export interface LiveResult extends LiveStats {
  end: LiveEndKind;
  /** Why, in words: 'interrupted', 'no samples for 2 s', 'the board closed the link', or stop()'s reason. */
  reason: string;
  /** Only in the `end` event of a failed session (done() rejects with it). */
  error?: HeadstartError;
}

export interface LiveStart {
  hello: HelloFrame;
  /** True when the board's rate is resampled to the package's. */
  resampled: boolean;
  description: string;
}

export interface LiveSessionEvents {
  link: [event: LinkEvent];
  samples: [frame: SamplesFrame, arrivedAtMs: number];
  marker: [frame: EventFrame];
  loss: [event: LossEvent];
  window: [result: ClassifiedWindow];
  gesture: [event: GestureEvent];
  stats: [stats: LiveStats];
  /** A sync collected its samples and applied its correction in front of the extractor. */
  sync: [event: SyncEvent];
  end: [result: LiveResult];
}

export interface SyncEvent extends SyncEstimate {
  mode: SyncMode;
  /** The prepared head's turn chosen (0: the calibration's own head). */
  headShift: number;
  /** Board samples per channel it read (an automatic sync: rest included), and their length in seconds. */
  samples: number;
  seconds: number;
  /** Time spent estimating, ms. */
  computeMs: number;
  /**
   * An automatic sync on a profile whose calibration failed the sync's
   * self-check (core/band_sync.ts checkSyncFromUse): the estimate is
   * reported, not applied; the turn-tolerant head (or the calibration's own)
   * goes on recognizing.
   */
  untrusted?: boolean;
}

/** An output fed by the session's events (stdout lines, johnny-five pins, a dashboard, OSC, MQTT...). */
export interface LiveSink {
  /** Subscribes to the events it needs; called once, before the board is connected. */
  attach(session: LiveSession): void;
  /** Releases what it holds (a board, a socket); called once after the session ended, failed or not. */
  close(): void | Promise<void>;
}

export interface LiveSessionOptions {
  /** The link to the board (the session opens it), unless `board` is given. */
  transport?: Transport;
  /** A board session not started yet, for callers that set its timeouts or expectations. */
  board?: BoardSession;
  recognizer: Recognizer;
  /** Passed on to the LivePipeline. */
  pipeline?: { smoother?: SmootherOptions; maxQueue?: number; windowsPerTurn?: number };
  /**
   * Score each window against the board's label EVENT markers (a replayed
   * labelled recording); or, for a board whose wire carries no labels (a
   * Cyton), against a known truth: the label in force over each window and
   * whether it held over the whole window.
   */
  score?: boolean | WindowTruth;
  /**
   * With `score`: another head scored on the same windows, against the same
   * truth, beside the profile's (the calibration's classical baseline,
   * TrainedHead.baseline). It does not recognize: gestures, sinks and
   * adaptation follow the profile's head only.
   */
  baseline?: HeadData;
  sinks?: LiveSink[];
  /** Aborting ends the session as interrupted: STOP sent, queued windows not inferred. */
  signal?: AbortSignal;
  /** End once the board has sent no samples for this long, counted from the first sample. */
  idleStopMs?: number;
  /** End once the board has sent this many samples per channel (a replay of known length); queued windows are inferred first. */
  endAfterSamples?: number;
  /** Period of the `stats` event (default 5000 ms; 0: none). */
  statsIntervalMs?: number;
  /**
   * Estimate the band's turn and gains from the first `seconds` of samples
   * (device/sync.ts) and undo them in front of the extractor from then on.
   */
  sync?: { mode: SyncMode; seconds: number; gains?: boolean };
  /**
   * Recognize with the profile's turn-tolerant head (trained on the
   * calibration turned by up to half an electrode as well): for a band that
   * may be on turned and has not been synced. With a sync, only until it
   * has estimated. An automatic sync uses that head before its estimate
   * whenever the profile has one.
   */
  tolerateTurn?: boolean;
  /** Adapt the head without labels while it runs (core/head/adapt.ts); adaptedHead() gives the result. */
  adapt?: AdaptOptions;
}

/** The pipeline's figures before there is a pipeline (the board's rate is not known before its HELLO). */
const NOT_STARTED: LivePipelineStats = Object.freeze({
  samplesIn: 0,
  windows: 0,
  inferred: 0,
  dropped: 0,
  queueHighWater: 0,
  events: 0,
  mismatchedFrames: 0,
  resets: 0,
  resampling: false,
  latency: Object.freeze({ count: 0, p50Ms: 0, p99Ms: 0, maxMs: 0, meanMs: 0 }),
  boardSeconds: 0,
  wallSeconds: 0,
});

/** The true label over a window (undefined: none) and whether it held from the window's first sample to its last. */
export type WindowTruth = (window: QueuedWindow) => { label: number | undefined; stable: boolean };

interface Outcome {
  end: LiveEndKind;
  reason: string;
  error?: HeadstartError;
}

export class LiveSession extends EventEmitter<LiveSessionEvents> {
  readonly recognizer: Recognizer;
  readonly #board: BoardSession;
  readonly #options: LiveSessionOptions;
  readonly #sinks: LiveSink[];
  readonly #score: LiveScore | undefined;
  readonly #baselineScore: LiveScore | undefined;
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #done: Promise<LiveResult>;
  #resolve: (result: LiveResult) => void = () => undefined;
  #reject: (err: unknown) => void = () => undefined;
  #pipeline: LivePipeline | undefined;
  /** Frames that come with START's acknowledgement arrive before start() resolves: held until the pipeline exists. */
  #early: [Frame, number][] = [];
  #boardFormat: { channels: number; rate: number } | undefined;
  #lastSampleAt = 0;
  #started = false;
  #starting = false;
  #outcome: Outcome | undefined;
  #finalizing: Promise<void> | undefined;
  #startFailure: unknown;
  #crcSeen = 0;
  #statsAt = { ms: 0, inferred: 0 };
  #sync: { collector: SyncCollector; mode: SyncMode; gains: boolean; rate: number } | undefined;
  /** Whether the turn-tolerant head is the one recognizing (until a sync estimates). */
  #tolerant = false;
  /** The turn of the prepared head a sync put in (absent: the calibration's own, or the turn-tolerant one). */
  #preparedShift: number | undefined;
  readonly #onAbort = (): void => this.#requestEnd({ end: 'interrupted', reason: 'interrupted' });

  constructor(options: LiveSessionOptions) {
    super();
    if (!options.board && !options.transport) throw new HeadstartError('MISSING_OPTION', 'a live session needs a transport (or a board session) to the sensor board');
    this.#options = options;
    this.recognizer = options.recognizer;
    this.#board = options.board ?? new BoardSession({ transport: options.transport! });
    this.#sinks = options.sinks ?? [];
    this.#score = options.score ? new LiveScore(options.recognizer.profile.gestures.length) : undefined;
    this.#baselineScore = options.score && options.baseline ? new LiveScore(options.recognizer.profile.gestures.length) : undefined;
    this.#done = new Promise<LiveResult>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // A caller that only listens to 'end' must not see an unhandled rejection.
    this.#done.catch(() => undefined);

    const board = this.#board;
    board.on('frame', (f) => this.#onFrame(f));
    board.on('gap', (info) => {
      this.#pipeline?.gap();
      this.#reportLoss(info);
    });
    board.on('disconnect', (info) => this.emit('link', { state: 'reconnecting', description: board.description, reason: info.reason }));
    board.on('reconnect', (info) => this.emit('link', { state: 'connected', description: board.description, ...(board.hello ? { hello: board.hello } : {}), attempts: info.attempts, downtimeMs: info.downtimeMs }));
    board.on('error', (err) => this.#requestEnd({ end: 'failed', reason: 'the link failed', error: err }));
    board.on('close', () => this.#requestEnd({ end: 'closed', reason: 'the board closed the link' }));
    for (const sink of this.#sinks) sink.attach(this);
    if (options.signal?.aborted) this.#onAbort();
    else options.signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  get description(): string {
    return this.#board.description;
  }

  /** The board's latest HELLO (undefined before start() resolved). */
  get hello(): HelloFrame | undefined {
    return this.#board.hello;
  }

  /** Gesture names, in the head's class order. */
  get gestures(): string[] {
    return this.recognizer.profile.gestures;
  }

  /** Opens the link, handshakes, checks the board against the package and starts recognizing. */
  async start(): Promise<LiveStart> {
    if (this.#started || this.#starting) throw new HeadstartError('INTERNAL', `${this.description}: start() was already called; create a new live session`);
    this.#starting = true;
    const { manifest, packageDir, runtime, profile } = this.recognizer;
    this.emit('link', { state: 'connecting', description: this.description });
    let start: LiveStart;
    try {
      const hello = await this.#board.start();
      const fit = checkBoardForPackage(hello, manifest, packageDir);
      this.#boardFormat = { channels: hello.channels, rate: hello.rate };
      const score = this.#score;
      const baselineScore = this.#baselineScore;
      const baseline = baselineScore ? new HeadStage(this.#options.baseline!, manifest.embeddingSize, manifest.window.length, manifest.channels, manifest.sampleRate) : undefined;
      const truth = typeof this.#options.score === 'function' ? this.#options.score : undefined;
      const tolerant = profile.sync?.tolerantHead;
      if (this.#options.tolerateTurn && !tolerant) {
        throw new HeadstartError('BAD_PROFILE', `profile '${profile.user}' has no turn-tolerant head (it was calibrated before they were made, or not for a band): calibrate again`);
      }
      this.#tolerant = tolerant !== undefined && (this.#options.tolerateTurn === true || this.#options.sync?.mode.kind === 'auto');
      const chosen = this.#tolerant ? tolerant! : profile.head;
      // Adapting changes the head's standardization: a copy, so the profile's own head stays as it was.
      const head = this.#options.adapt && chosen.kind !== 'ncm' ? { ...chosen, mean: [...chosen.mean] } : chosen;
      this.#pipeline = new LivePipeline({
        manifest,
        runtime,
        head,
        gestures: profile.gestures,
        boardRate: hello.rate,
        ...this.#options.pipeline,
        onEvent: (e) => this.emit('gesture', e),
        onWindow: (r) => {
          if (score) {
            // No object per window: the truth is read into locals (a truth function returns its own).
            let label: number | undefined;
            let stable: boolean;
            if (truth) ({ label, stable } = truth(r.window));
            else {
              label = r.window.markerKind === 'label' ? r.window.markerValue : undefined;
              stable = r.window.markerStable;
            }
            score.add(label, stable, r.label);
            // The baseline reads the same normalized window the extractor just embedded.
            if (baseline) baselineScore!.add(label, stable, baseline.classify(r.embedding, this.#pipeline!.extractor.normalized));
          }
          this.emit('window', r);
        },
      });
      if (this.#options.adapt) {
        if (head.kind === 'ncm') throw new HeadstartError('BAD_PROFILE', `profile '${profile.user}' has a nearest-class-mean head, which does not adapt: calibrate again (the default head adapts)`);
        this.#pipeline.head.adapter = new HeadAdapter(head, this.#options.adapt);
      }
      const sync = this.#options.sync;
      if (sync) {
        const { mode, seconds } = sync;
        const collector = syncCollector(profile.sync, mode, profile.user, hello.rate, seconds);
        if (profile.sync!.channels !== hello.channels) {
          throw new HeadstartError('BOARD_MISMATCH', `the profile's sync reference has ${profile.sync!.channels} channels but the board sends ${hello.channels}`);
        }
        this.#sync = { collector, mode, gains: sync.gains === true, rate: hello.rate };
      }
      start = { hello, resampled: fit.resample, description: this.description };
    } catch (err) {
      // What failed the start is what the caller sees, even when the link also closed meanwhile.
      this.#startFailure = err;
      this.#outcome = { end: 'failed', reason: 'the start failed' };
      await this.#finalize();
      throw err;
    } finally {
      this.#starting = false;
    }
    this.#started = true;
    this.emit('link', { state: 'connected', description: this.description, hello: start.hello });
    this.#statsAt = { ms: performance.now(), inferred: 0 };
    for (const [f, at] of this.#early.splice(0)) this.#feed(f, at);
    this.#startTimers();
    this.#checkSamplesEnd();
    if (this.#outcome) void this.#finalize();
    return start;
  }

  /** Resolves once the session has ended and everything is closed; rejects with the error of a failed one. */
  #feedSync(f: SamplesFrame): void {
    const sync = this.#sync;
    if (!sync || !sync.collector.push(f)) return;
    this.#sync = undefined;
    const started = performance.now();
    const estimate = sync.collector.estimate();
    // Measured on the pretraining people (bench/RESULTS.md): where the self-check failed, applying the automatic
    // estimate did far worse than leaving the turn-tolerant head on (22 against 95 % on an unturned band).
    const untrusted = sync.mode.kind === 'auto' && (this.recognizer.profile.sync?.autoCheck?.misses ?? 0) > 0;
    // The head prepared at calibration for the nearest turn, when there is one; the correction undoes the rest.
    const prepared = this.recognizer.profile.sync?.heads ?? [];
    const { head: headShift, residual } = untrusted ? { head: 0, residual: 0 } : nearestSyncShift(estimate.shift, prepared.map((h) => h.shift));
    const pipeline = this.#pipeline;
    if (pipeline && !untrusted) {
      // The head for the estimated turn: a prepared one, or the calibration's own once the tolerant one is no longer
      // needed (an automatic sync that gave up leaves the tolerant head recognizing).
      const head = headShift !== 0 ? prepared.find((h) => h.shift === headShift)!.head : this.#tolerant && !estimate.undetermined ? this.recognizer.profile.head : undefined;
      if (head) {
        this.#tolerant = false;
        this.#preparedShift = headShift !== 0 ? headShift : undefined;
        const adapting = this.#options.adapt && head.kind !== 'ncm';
        const used = adapting ? { ...head, mean: [...head.mean] } : head;
        pipeline.replaceHead(used);
        if (adapting && used.kind !== 'ncm') pipeline.head.adapter = new HeadAdapter(used, this.#options.adapt!);
      }
      // Per-electrode gains are estimated (and reported) always, applied only when asked: a 2 s hold's
      // levels also follow how hard it is held, and on the measured turns applying them cost accuracy.
      const gains = sync.gains ? estimate.gains : estimate.gains.map(() => 1);
      // Nothing to undo (an unturned band, gains not applied): the windows stay exactly as they come.
      pipeline.extractor.setCorrection(residual === 0 && gains.every((g) => g === 1) ? undefined : { shift: residual, gains });
    }
    const computeMs = performance.now() - started;
    this.emit('sync', { ...estimate, headShift, mode: sync.mode, samples: sync.collector.samplesRead, seconds: sync.collector.samplesRead / sync.rate, computeMs, ...(untrusted ? { untrusted } : {}) });
  }

  /** Whether the profile's turn-tolerant head is recognizing (from start() until a sync replaces it). */
  get tolerantHeadInUse(): boolean {
    return this.#tolerant;
  }

  /**
   * The head as adaptation left it and what adaptation did, when adapting
   * (after the session, or during it), and which of the profile's heads it
   * is: `tolerant`, the turn-tolerant head (no sync replaced it);
   * `preparedShift`, the head a sync chose, prepared for a band turned that
   * far; neither, the calibration's own.
   */
  adaptedHead(): { head: HeadData; state: AdaptState; tolerant: boolean; preparedShift?: number } | undefined {
    const stage = this.#pipeline?.head;
    if (!stage?.adapter) return undefined;
    return { head: stage.head, state: stage.adapter.state(), tolerant: this.tolerantHeadInUse, ...(this.#preparedShift !== undefined ? { preparedShift: this.#preparedShift } : {}) };
  }

  done(): Promise<LiveResult> {
    return this.#done;
  }

  /** Ends the session: with a reason (queued windows are inferred first), or failing with an error. */
  stop(reason: string | HeadstartError = 'stopped'): void {
    if (reason instanceof HeadstartError) this.#requestEnd({ end: 'failed', reason: reason.message, error: reason });
    else this.#requestEnd({ end: 'stopped', reason });
  }

  /** The figures so far (the same as the `stats` event); all zero until start() has resolved. */
  stats(): LiveStats {
    const pipeline = this.#pipeline?.stats() ?? NOT_STARTED;
    const now = performance.now();
    const elapsed = (now - this.#statsAt.ms) / 1000;
    const windowsPerSecond = elapsed > 0 ? (pipeline.inferred - this.#statsAt.inferred) / elapsed : 0;
    return { pipeline, board: this.#board.stats, windowsPerSecond, ...(this.#score ? { score: this.#score.summary() } : {}), ...(this.#baselineScore ? { baselineScore: this.#baselineScore.summary() } : {}) };
  }

  #onFrame(f: Frame): void {
    const now = performance.now();
    if (f.type === 'samples') this.#lastSampleAt = now;
    if (f.type === 'hello' && this.#boardFormat && (f.channels !== this.#boardFormat.channels || f.rate !== this.#boardFormat.rate)) {
      // A board that restarted with another set-up: its samples no longer fit the windows being cut.
      const was = this.#boardFormat;
      this.#requestEnd({
        end: 'failed',
        reason: 'the board changed its set-up',
        error: new HeadstartError(
          'BOARD_CHANGED',
          `the board now sends ${f.channels} channels at ${f.rate} Hz instead of ${was.channels} at ${was.rate} Hz; restart \`headstart run\` so the set-up is checked again`,
        ),
      });
      return;
    }
    if (this.#started) {
      this.#feed(f, now);
      if (f.type === 'samples') this.#checkSamplesEnd();
    } else this.#early.push([f, now]);
  }

  #feed(f: Frame, arrivedAtMs: number): void {
    this.#pipeline!.push(f, arrivedAtMs);
    if (f.type === 'samples') {
      this.#feedSync(f);
      this.emit('samples', f, arrivedAtMs);
    }
    else if (f.type === 'event') this.emit('marker', f);
  }

  #checkSamplesEnd(): void {
    const target = this.#options.endAfterSamples;
    if (target !== undefined && this.#board.stats.samples >= target) this.#requestEnd({ end: 'complete', reason: 'every sample of the replay received' });
  }

  #reportLoss(gap: GapInfo | undefined): void {
    const s = this.#board.stats;
    if (!gap && s.decoder.crcFailures === this.#crcSeen) return;
    this.#crcSeen = s.decoder.crcFailures;
    this.emit('loss', { ...(gap ? { gap } : {}), missingFrames: s.missingFrames, missingSamples: s.missingSamples, crcFailures: s.decoder.crcFailures, droppedBytes: s.decoder.droppedBytes });
  }

  #startTimers(): void {
    const interval = this.#options.statsIntervalMs ?? 5000;
    if (interval > 0) {
      this.#timers.push(
        setInterval(() => {
          this.#reportLoss(undefined);
          const stats = this.stats();
          this.#statsAt = { ms: performance.now(), inferred: stats.pipeline.inferred };
          this.emit('stats', stats);
        }, interval),
      );
    }
    const idleMs = this.#options.idleStopMs;
    if (idleMs !== undefined) {
      const period = Math.min(250, idleMs);
      let tickAt = performance.now();
      this.#timers.push(
        setInterval(() => {
          const now = performance.now();
          // A tick that comes late means the event loop was blocked: samples that arrived meanwhile are still
          // queued behind this timer, so silence is judged on the next tick, not this one.
          const late = now - tickAt > 2 * period;
          tickAt = now;
          if (!late && this.#lastSampleAt > 0 && now - this.#lastSampleAt > idleMs) this.#requestEnd({ end: 'idle', reason: `no samples for ${idleMs / 1000} s` });
        }, period),
      );
    }
  }

  /** The first request wins; the session is wound down once start() has settled (at once when it was never called). */
  #requestEnd(outcome: Outcome): void {
    if (this.#outcome) return;
    this.#outcome = outcome;
    if (!this.#starting) void this.#finalize();
  }

  #finalize(): Promise<void> {
    this.#finalizing ??= this.#windDown();
    return this.#finalizing;
  }

  async #windDown(): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    this.#options.signal?.removeEventListener('abort', this.#onAbort);
    const outcome = this.#outcome ?? { end: 'stopped', reason: 'stopped' };
    let error = outcome.error;
    await this.#board.close();
    const pipeline = this.#pipeline;
    // What was read before the end is still inferred, unless interrupted or failed.
    if (pipeline && !error && outcome.end !== 'interrupted') await pipeline.idle();
    pipeline?.close();
    if (pipeline) this.#reportLoss(undefined);
    this.emit('link', { state: 'disconnected', description: this.description });
    for (const sink of this.#sinks) {
      try {
        await sink.close();
      } catch (err) {
        error ??= err instanceof HeadstartError ? err : new HeadstartError('BOARD_ERROR', `an output failed to close: ${(err as Error).message}`);
      }
    }
    if (!pipeline) {
      const failure = this.#startFailure ?? error ?? new HeadstartError('LINK_CLOSED', `${this.description}: the live session ended (${outcome.reason}) before it started`);
      this.#reject(failure);
      return;
    }
    const result: LiveResult = { ...this.stats(), end: error ? 'failed' : outcome.end, reason: outcome.reason, ...(error ? { error } : {}) };
    this.emit('end', result);
    if (error) this.#reject(error);
    else this.#resolve(result);
  }
}
