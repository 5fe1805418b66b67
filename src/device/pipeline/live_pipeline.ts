/**
 * Live recognition: board frames -> windower -> bounded queue -> extractor
 * -> head -> smoother -> gesture events.
 *
 * The reader never waits for inference: `push` only cuts windows and
 * queues them (cheap, synchronous), and inference runs in later turns of
 * the event loop, a few windows per turn, so serial reads keep being
 * served in between. When inference falls behind and the queue is full,
 * the oldest windows are dropped and counted. Latency is measured per
 * window from the moment the frame holding its last sample was pushed to
 * the moment its prediction is ready.
 */
import type { HeadData } from '../../core/head/head.ts';
import type { ModelManifest } from '../../core/model_package/manifest.ts';
import type { Frame } from '../../core/protocol/frames.ts';
import type { ExtractorRuntime } from '../../io/runtime/index.ts';
import { ExtractorStage } from './extractor_stage.ts';
import { HeadStage } from './head_stage.ts';
import { LatencyRecorder, type LatencySummary } from './latency.ts';
import { DEFAULT_SMOOTHER, Smoother, type SmootherOptions } from './smoother.ts';
import { type QueuedWindow, WindowQueue } from './window_queue.ts';
import { type MarkerKind, Windower, type WindowView } from './windower.ts';

export interface Marker {
  kind: MarkerKind;
  value: number;
  timestampUs: number;
}

/** A change of the recognized gesture. */
export interface GestureEvent {
  event: 'gesture';
  /** Window that caused the change. */
  window: number;
  /** Board time (s) of that window's last sample. */
  t: number;
  /** Gesture name, or null when no gesture is recognized any more. */
  gesture: string | null;
  class: number;
  /** Confidence of the window that caused the change. */
  confidence: number;
  votes: number;
  of: number;
  /** From the arrival of the window's last sample to this event. */
  latencyMs: number;
  /** The board's most recent EVENT marker at that window's last sample (null when none yet). */
  marker: Marker | null;
}

/** One window's result, handed to `onWindow`; the object and its arrays are reused: read, do not keep. */
export interface ClassifiedWindow {
  window: QueuedWindow;
  label: number;
  confidence: number;
  scores: Float32Array;
  embedding: Float32Array;
  latencyMs: number;
}

export interface LivePipelineOptions {
  manifest: ModelManifest;
  runtime: ExtractorRuntime;
  head: HeadData;
  /** Gesture names in the head's class order. */
  gestures: string[];
  /** The board's rate from its HELLO (resampled to the package's when different). */
  boardRate: number;
  smoother?: SmootherOptions;
  /** Windows waiting for inference before the oldest are dropped (default 64: 1.6 s at 200 Hz, hop 5). */
  maxQueue?: number;
  /** Windows inferred per turn of the event loop before reads are served again (default 8). */
  windowsPerTurn?: number;
  onEvent?: (event: GestureEvent) => void;
  onWindow?: (result: ClassifiedWindow) => void;
}

export interface LivePipelineStats {
  samplesIn: number;
  windows: number;
  inferred: number;
  /** Windows dropped because inference had fallen behind. */
  dropped: number;
  queueHighWater: number;
  events: number;
  /** SAMPLES frames whose channel count was not the board's (skipped). */
  mismatchedFrames: number;
  /** Times the windower started over after a gap. */
  resets: number;
  resampling: boolean;
  latency: LatencySummary;
  /** Board time covered by the samples taken (s). */
  boardSeconds: number;
  /** Wall time from the first samples pushed to the latest result (s). */
  wallSeconds: number;
}

export const DEFAULT_MAX_QUEUE = 64;

export class LivePipeline {
  readonly windower: Windower;
  readonly extractor: ExtractorStage;
  head: HeadStage;
  readonly smoother: Smoother;
  readonly queue: WindowQueue;
  readonly latency = new LatencyRecorder();
  readonly #gestures: string[];
  readonly #windowsPerTurn: number;
  readonly #onEvent: ((event: GestureEvent) => void) | undefined;
  readonly #onWindow: ((result: ClassifiedWindow) => void) | undefined;
  readonly #result: ClassifiedWindow;
  readonly #enqueue = (w: WindowView): void => this.queue.push(w);
  readonly #turn = (): void => this.#runTurn();
  #scheduled = false;
  #closed = false;
  #inferred = 0;
  #events = 0;
  #firstPushMs = -1;
  #lastResultMs = -1;
  readonly #boardRate: number;
  readonly #manifest: ModelManifest;
  #idleWaiters: (() => void)[] = [];

  constructor(options: LivePipelineOptions) {
    const { manifest } = options;
    this.windower = new Windower({ channels: manifest.channels, boardRate: options.boardRate, modelRate: manifest.sampleRate, window: manifest.window, filters: manifest.preprocessing ?? [] });
    this.extractor = new ExtractorStage(options.runtime, manifest);
    this.head = new HeadStage(options.head, manifest.embeddingSize, manifest.window.length, manifest.channels, manifest.sampleRate);
    this.#manifest = manifest;
    this.smoother = new Smoother(options.head.classes, options.smoother ?? DEFAULT_SMOOTHER);
    this.queue = new WindowQueue(options.maxQueue ?? DEFAULT_MAX_QUEUE, manifest.window.length * manifest.channels);
    this.#gestures = options.gestures;
    this.#boardRate = options.boardRate;
    this.#windowsPerTurn = options.windowsPerTurn ?? 8;
    this.#onEvent = options.onEvent;
    this.#onWindow = options.onWindow;
    this.#result = { window: undefined as unknown as QueuedWindow, label: -1, confidence: 0, scores: this.head.scores, embedding: this.extractor.embedding, latencyMs: 0 };
  }

  /** Takes a frame from the board; queues the windows it completes. Never waits, never throws on frame content. */
  push(frame: Frame, arrivedAtMs = performance.now()): void {
    if (this.#closed) return;
    if (this.#firstPushMs < 0 && frame.type === 'samples') this.#firstPushMs = arrivedAtMs;
    this.windower.push(frame, this.#enqueue, arrivedAtMs);
    if (this.queue.length > 0 && !this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#turn);
    }
  }

  /** The stream had a gap: windows must not join samples from both sides of it. */
  gap(): void {
    this.windower.reset();
  }

  /** Resolves once every queued window has been inferred. */
  idle(): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops inferring (queued windows are discarded) and releases waiters. */
  close(): void {
    this.#closed = true;
    this.#releaseIdle();
  }

  stats(): LivePipelineStats {
    const w = this.windower.stats;
    return {
      samplesIn: w.samplesIn,
      windows: w.windows,
      inferred: this.#inferred,
      dropped: this.queue.dropped,
      queueHighWater: this.queue.highWater,
      events: this.#events,
      mismatchedFrames: w.mismatchedFrames,
      resets: w.resets,
      resampling: this.windower.resampling,
      latency: this.latency.summary(),
      boardSeconds: w.samplesIn / this.#boardRate,
      wallSeconds: this.#firstPushMs < 0 || this.#lastResultMs < 0 ? 0 : (this.#lastResultMs - this.#firstPushMs) / 1000,
    };
  }

  #runTurn(): void {
    this.#scheduled = false;
    if (this.#closed) return;
    for (let i = 0; i < this.#windowsPerTurn; i++) {
      const w = this.queue.shift();
      if (!w) break;
      this.#infer(w);
    }
    if (this.queue.length > 0) {
      this.#scheduled = true;
      setImmediate(this.#turn);
    } else {
      this.#releaseIdle();
    }
  }

  /**
   * Scores with another head from the next window on (a sync choosing the
   * head prepared for the band's turn). The smoother's votes carry over: the
   * classes are the same.
   */
  replaceHead(head: HeadData): void {
    const m = this.#manifest;
    const stage = new HeadStage(head, m.embeddingSize, m.window.length, m.channels, m.sampleRate);
    this.head = stage;
    this.#result.scores = stage.scores;
  }

  #infer(w: QueuedWindow): void {
    const embedding = this.extractor.embed(w.data);
    const label = this.head.classify(embedding, this.extractor.normalized);
    const confidence = this.head.confidence;
    const changed = this.smoother.push(label, confidence);
    const now = performance.now();
    this.#lastResultMs = now;
    const latencyMs = now - w.arrivedAtMs;
    this.latency.add(latencyMs);
    this.#inferred++;
    if (this.#onWindow) {
      const r = this.#result;
      r.window = w;
      r.label = label;
      r.confidence = confidence;
      r.latencyMs = latencyMs;
      this.#onWindow(r);
    }
    if (changed) this.#events++;
    if (changed && this.#onEvent) {
      const current = this.smoother.current;
      this.#onEvent({
        event: 'gesture',
        window: w.index,
        t: w.endTimestampUs / 1e6,
        gesture: current >= 0 ? (this.#gestures[current] ?? String(current)) : null,
        class: current,
        confidence,
        votes: this.smoother.currentVotes,
        of: this.smoother.options.votes,
        latencyMs,
        marker: w.markerKind === undefined ? null : { kind: w.markerKind, value: w.markerValue, timestampUs: w.markerTimestampUs },
      });
    }
  }

  #releaseIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
