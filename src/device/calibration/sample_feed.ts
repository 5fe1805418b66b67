/**
 * Turns the board's SAMPLES frames into exact spans of samples for the
 * session's phases. Every sample goes to the journal the moment it arrives;
 * `take(n)` then hands the next n samples to the phase that asked, in
 * order, splitting frames at phase boundaries. The position of a sample is
 * its index in the journal, which is what markers point at.
 */
import { HeadstartError } from '../../core/errors.ts';
import type { SamplesFrame } from '../../core/protocol/frames.ts';

/** Interleaved samples as a board's frames carry them: int16, or float32 at full precision. */
export type BoardSamples = SamplesFrame['samples'];

export interface SampleSpan {
  /** Journal index (per channel) of the first sample. */
  start: number;
  /** Interleaved samples, exactly as the board sent them. */
  samples: BoardSamples;
}

interface Waiter {
  wanted: number;
  onChunk: (span: SampleSpan) => void;
  resolve: () => void;
  reject: (err: HeadstartError) => void;
}

export class SampleFeed {
  readonly channels: number;
  /** Journal index of the next sample `take` will hand out. */
  #position: number;
  #buffered: BoardSamples[] = [];
  #waiter: Waiter | undefined;
  #failure: HeadstartError | undefined;

  constructor(channels: number, startPosition: number) {
    this.channels = channels;
    this.#position = startPosition;
  }

  get position(): number {
    return this.#position;
  }

  /** Samples received but not handed out yet (per channel). */
  get backlog(): number {
    return this.#buffered.reduce((n, b) => n + b.length, 0) / this.channels;
  }

  push(samples: BoardSamples): void {
    if (samples.length === 0) return;
    this.#buffered.push(samples);
    this.#serve();
  }

  /** Fails the pending and every later `take` (the board is gone for good). */
  fail(err: HeadstartError): void {
    this.#failure = err;
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.reject(err);
  }

  /** Resolves once the next `count` samples have been passed to `onChunk`, in pieces as they arrive. */
  take(count: number, onChunk: (span: SampleSpan) => void = () => undefined): Promise<void> {
    if (this.#waiter) throw new HeadstartError('INTERNAL', 'a phase is already collecting samples');
    if (this.#failure) return Promise.reject(this.#failure);
    if (count <= 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#waiter = { wanted: count, onChunk, resolve, reject };
      this.#serve();
    });
  }

  /** Drops what arrived while nobody was collecting (e.g. while the wearer answered a question). */
  skipBacklog(): number {
    const n = this.backlog;
    this.#buffered = [];
    this.#position += n;
    return n;
  }

  #serve(): void {
    const w = this.#waiter;
    if (!w) return;
    while (w.wanted > 0 && this.#buffered.length > 0) {
      const head = this.#buffered[0]!;
      const n = Math.min(w.wanted, head.length / this.channels);
      const piece = head.subarray(0, n * this.channels);
      if (n * this.channels === head.length) this.#buffered.shift();
      else this.#buffered[0] = head.subarray(n * this.channels);
      const start = this.#position;
      this.#position += n;
      w.wanted -= n;
      w.onChunk({ start, samples: piece });
    }
    if (w.wanted === 0) {
      this.#waiter = undefined;
      w.resolve();
    }
  }
}
