/**
 * Min/max envelopes of live traces, for a screen that shows the last few
 * seconds of every channel: samples are grouped into columns of a fixed
 * number of samples, and each column keeps the smallest and largest value
 * of each channel. Drawn as a band from min to max, a burst shorter than a
 * column stays visible, which an average or every-nth-sample decimation
 * would hide. With one sample per column, min = max: the trace itself.
 */

/** Samples per column so that `seconds` of signal at `rate` fill about `columns` columns (at least 1). */
export function samplesPerColumn(rate: number, seconds: number, columns: number): number {
  return Math.max(1, Math.floor((rate * seconds) / columns));
}

/** Completed columns, channel-major: `min[c][i]`, `max[c][i]` for column `first + i`. */
export interface EnvelopeColumns {
  /** Index of the first column (column k covers samples k*perColumn .. (k+1)*perColumn - 1). */
  first: number;
  min: number[][];
  max: number[][];
  /** When the first sample of each column arrived (the caller's clock). */
  arrivedAt: number[];
}

export class EnvelopeDecimator {
  readonly channels: number;
  readonly perColumn: number;
  /** Columns kept for `drain()` and `recent()`; older ones are forgotten. */
  readonly capacity: number;
  readonly #min: Float64Array;
  readonly #max: Float64Array;
  readonly #arrived: Float64Array;
  /** The column being filled: its running min/max per channel and how many samples it has. */
  readonly #curMin: Float64Array;
  readonly #curMax: Float64Array;
  #curCount = 0;
  #curArrived = 0;
  /** Index of the next column to complete. */
  #next = 0;
  /** Index of the first column not yet drained. */
  #drained = 0;

  constructor(channels: number, perColumn: number, capacity: number) {
    this.channels = channels;
    this.perColumn = Math.max(1, Math.floor(perColumn));
    this.capacity = Math.max(1, Math.floor(capacity));
    this.#min = new Float64Array(this.capacity * channels);
    this.#max = new Float64Array(this.capacity * channels);
    this.#arrived = new Float64Array(this.capacity);
    this.#curMin = new Float64Array(channels).fill(Infinity);
    this.#curMax = new Float64Array(channels).fill(-Infinity);
  }

  /** Columns completed so far. */
  get completed(): number {
    return this.#next;
  }

  /** Adds interleaved samples (sample 0 ch0..chN-1, sample 1 ...), arrived at `arrivedAt`. */
  push(samples: ArrayLike<number>, arrivedAt: number): void {
    const ch = this.channels;
    const n = Math.floor(samples.length / ch);
    for (let i = 0; i < n; i++) {
      if (this.#curCount === 0) this.#curArrived = arrivedAt;
      const base = i * ch;
      for (let c = 0; c < ch; c++) {
        const v = samples[base + c]!;
        if (v < this.#curMin[c]!) this.#curMin[c] = v;
        if (v > this.#curMax[c]!) this.#curMax[c] = v;
      }
      if (++this.#curCount === this.perColumn) this.#complete();
    }
  }

  /** Columns completed since the previous drain (at most `capacity` of the latest). */
  drain(): EnvelopeColumns {
    const from = Math.max(this.#drained, this.#next - this.capacity);
    this.#drained = this.#next;
    return this.#columns(from, this.#next);
  }

  /** The latest `count` completed columns (at most `capacity`), drained or not. */
  recent(count = this.capacity): EnvelopeColumns {
    return this.#columns(Math.max(0, this.#next - Math.min(count, this.capacity)), this.#next);
  }

  #complete(): void {
    const slot = this.#next % this.capacity;
    const ch = this.channels;
    for (let c = 0; c < ch; c++) {
      this.#min[slot * ch + c] = this.#curMin[c]!;
      this.#max[slot * ch + c] = this.#curMax[c]!;
    }
    this.#arrived[slot] = this.#curArrived;
    this.#curMin.fill(Infinity);
    this.#curMax.fill(-Infinity);
    this.#curCount = 0;
    this.#next++;
  }

  #columns(from: number, to: number): EnvelopeColumns {
    const ch = this.channels;
    const min: number[][] = [];
    const max: number[][] = [];
    for (let c = 0; c < ch; c++) {
      const lo: number[] = [];
      const hi: number[] = [];
      for (let k = from; k < to; k++) {
        const slot = k % this.capacity;
        lo.push(this.#min[slot * ch + c]!);
        hi.push(this.#max[slot * ch + c]!);
      }
      min.push(lo);
      max.push(hi);
    }
    const arrivedAt: number[] = [];
    for (let k = from; k < to; k++) arrivedAt.push(this.#arrived[k % this.capacity]!);
    return { first: from, min, max, arrivedAt };
  }
}
