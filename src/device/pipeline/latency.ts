/**
 * Per-window latency, from the arrival of a window's last sample to its
 * result, kept in a preallocated ring (the most recent `capacity` values)
 * so that recording costs no allocation; percentiles are computed on
 * demand.
 */
import { HeadstartError } from '../../core/errors.ts';

export interface LatencySummary {
  /** Windows measured in total (the percentiles cover the most recent `capacity`). */
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

export class LatencyRecorder {
  readonly #values: Float64Array;
  #count = 0;
  #max = 0;
  #sum = 0;

  constructor(capacity = 1 << 16) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new HeadstartError('INTERNAL', `latency capacity must be a positive whole number (got ${capacity})`);
    this.#values = new Float64Array(capacity);
  }

  add(ms: number): void {
    this.#values[this.#count % this.#values.length] = ms;
    this.#count++;
    this.#sum += ms;
    if (ms > this.#max) this.#max = ms;
  }

  get count(): number {
    return this.#count;
  }

  summary(): LatencySummary {
    const n = Math.min(this.#count, this.#values.length);
    const sorted = this.#values.slice(0, n).sort();
    const pick = (q: number): number => (n === 0 ? 0 : sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]);
    return { count: this.#count, p50Ms: pick(0.5), p99Ms: pick(0.99), maxMs: this.#max, meanMs: this.#count === 0 ? 0 : this.#sum / this.#count };
  }
}
