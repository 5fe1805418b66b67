/**
 * Frames -> windows for the extractor: takes the board's SAMPLES, puts them
 * through the package's preprocessing (src/core/dsp/preprocess.ts:
 * resampled to the model's rate when the board's differs, then the
 * package's filters), and cuts windows of `length` samples every `hop`
 * samples, in time order. The host cuts training and evaluation windows
 * through the same chain (windowRecordings), so a recording gives the same
 * windows live and offline.
 *
 * It also follows the board's EVENT markers (a button, a sync pulse, the
 * true label of a replayed recording): each window carries the marker in
 * force at its last sample and whether one changed inside it, so a window
 * straddling two labels can be told apart from one that lies under a single
 * label. A marker applies from the first sample after it in the stream.
 *
 * Allocation-free per sample and per window: windows are handed to a sink
 * as one reused `WindowView`; a sink that keeps a window copies it.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { HeadstartError } from '../../core/errors.ts';
import type { EventFrame, Frame } from '../../core/protocol/frames.ts';
import { checkWindowSpec, type WindowSpec } from '../../core/windowing.ts';
import type { FilterSpec } from '../../core/dsp/filters.ts';
import { Preprocessor } from '../../core/dsp/preprocess.ts';

export type MarkerKind = EventFrame['kind'];

/** A window as the windower hands it over: valid only during the sink call. */
export interface WindowView {
  /** [length][channels] samples at the model's rate, preprocessed (not normalized). */
  readonly data: Float32Array;
  /** Windows cut since the windower started (survives resets). */
  index: number;
  /** Board clock (µs, not wrapped) at the window's last sample. */
  endTimestampUs: number;
  /** performance.now() when the frame holding the window's last sample was pushed. */
  arrivedAtMs: number;
  /** The latest EVENT marker in force at the last sample (kind undefined when none yet). */
  markerKind: MarkerKind | undefined;
  markerValue: number;
  markerTimestampUs: number;
  /** True when no marker changed between the window's first and last sample. */
  markerStable: boolean;
}

/** A window of `size` values with no samples yet: allocated once, then filled in place. */
export function emptyWindowView(size: number): WindowView {
  return {
    data: new Float32Array(size),
    index: 0,
    endTimestampUs: 0,
    arrivedAtMs: 0,
    markerKind: undefined,
    markerValue: 0,
    markerTimestampUs: 0,
    markerStable: true,
  };
}

export interface WindowerOptions {
  channels: number;
  /** The board's rate (its HELLO). */
  boardRate: number;
  /** The extractor's rate (the model package). */
  modelRate: number;
  window: WindowSpec;
  /** The package's filters, run at the model's rate after resampling (none: samples pass as they are). */
  filters?: FilterSpec[];
}

export interface WindowerStats {
  /** Samples per channel taken from the board. */
  samplesIn: number;
  windows: number;
  /** SAMPLES frames skipped because their channel count was not the board's. */
  mismatchedFrames: number;
  resets: number;
}

/** Markers remembered: enough for the longest window to hold this many changes. */
const MARKER_HISTORY = 64;

export class Windower {
  readonly channels: number;
  readonly spec: WindowSpec;
  readonly stats: WindowerStats = { samplesIn: 0, windows: 0, mismatchedFrames: 0, resets: 0 };
  /** Undefined when it would change nothing (same rate, no filters). */
  readonly #preprocessor: Preprocessor | undefined;
  readonly #boardRate: number;
  /** The last `length` samples at the model's rate: [slot][channel]. */
  readonly #ring: Float32Array;
  readonly #view: WindowView;
  #ringSlot = 0;
  /** Samples (model rate) since the last reset. */
  #filled = 0;
  /** Input samples since the last reset, and the input index of the current frame's first sample. */
  #inputIndex = 0;
  // Marker history as parallel rings: the input index (since the last reset) from which each applies.
  readonly #markerAt = new Float64Array(MARKER_HISTORY);
  readonly #markerKind: (MarkerKind | undefined)[] = new Array<MarkerKind | undefined>(MARKER_HISTORY).fill(undefined);
  readonly #markerValue = new Float64Array(MARKER_HISTORY);
  readonly #markerTimestamp = new Float64Array(MARKER_HISTORY);
  #markers = 0;
  // Per-frame context read by the per-sample callback (kept in fields so no closure is made per frame).
  #frameTimestampUs = 0;
  #frameFirstInput = 0;
  #arrivedAtMs = 0;
  #clockBaseUs = 0;
  #lastRawTimestampUs = -1;
  #sink: (window: WindowView) => void = () => undefined;
  readonly #onPreprocessed = (sample: Float32Array): void => this.#addSample(sample, 0);

  constructor(options: WindowerOptions) {
    checkWindowSpec(options.window);
    if (!Number.isInteger(options.channels) || options.channels < 1) {
      throw new HeadstartError('INTERNAL', `channel count must be a positive whole number (got ${options.channels})`);
    }
    this.channels = options.channels;
    this.spec = { ...options.window };
    this.#boardRate = options.boardRate;
    const preprocessor = new Preprocessor(options.channels, options.boardRate, { rate: options.modelRate, filters: options.filters ?? [] });
    this.#preprocessor = preprocessor.passThrough ? undefined : preprocessor;
    this.#ring = new Float32Array(options.window.length * options.channels);
    this.#view = emptyWindowView(options.window.length * options.channels);
  }

  /** True when the board's samples are resampled to the model's rate. */
  get resampling(): boolean {
    return this.#preprocessor?.resampler !== undefined;
  }

  /**
   * Takes one frame (SAMPLES and EVENT matter; others are ignored) and
   * calls `sink` for each window it completes. Never throws on frame content.
   */
  push(frame: Frame, sink: (window: WindowView) => void, arrivedAtMs = performance.now()): void {
    if (frame.type === 'event') {
      this.#addMarker(frame);
      return;
    }
    if (frame.type !== 'samples') return;
    if (frame.channels !== this.channels) {
      this.stats.mismatchedFrames++;
      return;
    }
    const values = frame.samples;
    const count = Math.floor(values.length / this.channels);
    this.#sink = sink;
    this.#arrivedAtMs = arrivedAtMs;
    this.#frameTimestampUs = this.#unwrap(frame.timestampUs);
    this.#frameFirstInput = this.#inputIndex;
    const c = this.channels;
    for (let s = 0; s < count; s++) {
      if (this.#preprocessor) this.#preprocessor.pushSample(values, s * c, this.#onPreprocessed);
      else this.#addSample(values, s * c);
      this.#inputIndex++;
    }
    this.stats.samplesIn += count;
  }

  /** Forgets the samples held (after a gap in the stream): the next window starts with the next sample. Markers stay in force. */
  reset(): void {
    this.#filled = 0;
    this.#ringSlot = 0;
    this.#preprocessor?.reset();
    // Keep only the marker in force, re-based to the new start.
    if (this.#markers > 0) {
      const last = (this.#markers - 1) % MARKER_HISTORY;
      this.#markerAt[0] = -1;
      this.#markerKind[0] = this.#markerKind[last];
      this.#markerValue[0] = this.#markerValue[last];
      this.#markerTimestamp[0] = this.#markerTimestamp[last];
      this.#markers = 1;
    }
    this.#inputIndex = 0;
    this.stats.resets++;
  }

  /** The board clock wraps at 2^32 µs (about 71 minutes): count the wraps so window times keep increasing. */
  #unwrap(timestampUs: number): number {
    if (this.#lastRawTimestampUs >= 0 && timestampUs < this.#lastRawTimestampUs - 2 ** 31) this.#clockBaseUs += 2 ** 32;
    this.#lastRawTimestampUs = timestampUs;
    return this.#clockBaseUs + timestampUs;
  }

  #addMarker(frame: EventFrame): void {
    const slot = this.#markers % MARKER_HISTORY;
    this.#markerAt[slot] = this.#inputIndex;
    this.#markerKind[slot] = frame.kind;
    this.#markerValue[slot] = frame.value;
    this.#markerTimestamp[slot] = this.#unwrap(frame.timestampUs);
    this.#markers++;
  }

  #addSample(values: ArrayLike<number>, offset: number): void {
    const c = this.channels;
    const ring = this.#ring;
    const base = this.#ringSlot * c;
    for (let ch = 0; ch < c; ch++) ring[base + ch] = values[offset + ch];
    const length = this.spec.length;
    this.#ringSlot = this.#ringSlot + 1 === length ? 0 : this.#ringSlot + 1;
    this.#filled++;
    if (this.#filled >= length && (this.#filled - length) % this.spec.hop === 0) this.#emit();
  }

  #emit(): void {
    const view = this.#view;
    const c = this.channels;
    const length = this.spec.length;
    // The ring's oldest sample is at the current slot.
    const head = this.#ringSlot * c;
    view.data.set(this.#ring.subarray(head), 0);
    view.data.set(this.#ring.subarray(0, head), this.#ring.length - head);
    // Input-time (board samples since the last reset) of the window's first and last samples.
    const last = this.#filled - 1;
    const first = last - (length - 1);
    const endInput = this.#toInputTime(last);
    const startInput = this.#toInputTime(first);
    view.index = this.stats.windows++;
    view.arrivedAtMs = this.#arrivedAtMs;
    view.endTimestampUs = this.#frameTimestampUs + ((endInput - this.#frameFirstInput) * 1e6) / this.#boardRate;
    this.#describeMarkers(startInput, endInput);
    this.#sink(view);
  }

  /** The board-sample time an output sample describes (the resampler's filter delay included). */
  #toInputTime(outputIndex: number): number {
    const r = this.#preprocessor?.resampler;
    return r ? Math.max(0, (outputIndex * r.down) / r.up - r.delayInputSamples) : outputIndex;
  }

  #describeMarkers(startInput: number, endInput: number): void {
    const view = this.#view;
    view.markerKind = undefined;
    view.markerValue = 0;
    view.markerTimestampUs = 0;
    view.markerStable = true;
    const oldest = Math.max(0, this.#markers - MARKER_HISTORY);
    for (let m = this.#markers - 1; m >= oldest; m--) {
      const slot = m % MARKER_HISTORY;
      const at = this.#markerAt[slot];
      if (at > endInput) continue;
      if (view.markerKind === undefined) {
        view.markerKind = this.#markerKind[slot];
        view.markerValue = this.#markerValue[slot];
        view.markerTimestampUs = this.#markerTimestamp[slot];
      }
      if (at > startInput) view.markerStable = false;
      else break;
    }
  }
}

/** A window copied out of a WindowView, for consumers that keep windows (streams, calibration). */
export interface WindowCopy extends Omit<WindowView, 'data'> {
  data: Float32Array;
}

export function copyWindow(view: WindowView): WindowCopy {
  return { ...view, data: Float32Array.from(view.data) };
}

/** The windower as an object-mode Transform: frames in, `WindowCopy` objects out. */
export class WindowerTransform extends Transform {
  readonly windower: Windower;

  constructor(options: WindowerOptions) {
    super({ objectMode: true });
    this.windower = new Windower(options);
  }

  override _transform(frame: Frame, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.windower.push(frame, (w) => this.push(copyWindow(w)));
    callback();
  }
}
