/**
 * Analog inputs of a johnny-five board as a stream of headstart frames: a
 * HELLO describing the channels, then SAMPLES, the same frames a BoardSession
 * gives, so everything downstream works unchanged.
 *
 * Firmata reports each analog pin on its own at the sampling interval; this
 * source holds the latest reading of every pin and takes one sample of all
 * of them per interval, on the host's clock (sample and hold). If the timer
 * runs late, the missed ticks are filled with the held values so that the
 * sample clock stays in step with real time; the count of such catch-up
 * samples is kept in `stats.heldSamples`. Sampling starts once every pin has
 * reported at least once, so no sample is made up before the first reading.
 */
import { Readable } from 'node:stream';
import type { Board } from 'johnny-five';
import { HeadstartError } from '../../core/errors.ts';
import type { Frame } from '../../core/protocol/frames.ts';
import { PROTOCOL_VERSION } from '../../core/protocol/wire.ts';

export interface AnalogSourceOptions {
  board: Board;
  /** Analog inputs in channel order: 'A0'..'A5' or analog channel numbers. */
  pins: Array<string | number>;
  /** Sampling interval in whole milliseconds (Firmata's unit); the rate is 1000 / intervalMs Hz. */
  intervalMs: number;
  /** Samples per SAMPLES frame (default 1). */
  samplesPerFrame?: number;
}

export interface AnalogSourceStats {
  samples: number;
  /** Samples taken on catch-up ticks (the timer ran late), holding the latest readings. */
  heldSamples: number;
  /** Readings reported by the board. */
  readings: number;
}

/** 'A3' -> 3, 3 -> 3. */
export function analogChannel(pin: string | number): number {
  const n = typeof pin === 'number' ? pin : /^A(\d+)$/i.exec(pin.trim())?.[1];
  const channel = Number(n);
  if (n === undefined || !Number.isInteger(channel) || channel < 0) {
    throw new HeadstartError('BAD_OPTION', `${JSON.stringify(pin)} is not an analog input; name them A0, A1, ... or give analog channel numbers`);
  }
  return channel;
}

export class AnalogSource extends Readable {
  readonly stats: AnalogSourceStats = { samples: 0, heldSamples: 0, readings: 0 };
  readonly rate: number;
  readonly #options: Required<AnalogSourceOptions>;
  readonly #channels: number[];
  readonly #latest: Int16Array;
  readonly #reported: boolean[];
  #startedAtMs: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #pending: number[] = [];
  #pendingFirstIndex = 0;
  #seq = 0;
  #stopped = false;

  constructor(options: AnalogSourceOptions) {
    super({ objectMode: true, read: () => undefined });
    const { intervalMs } = options;
    if (!Number.isInteger(intervalMs) || intervalMs < 1 || intervalMs > 1000) {
      throw new HeadstartError('BAD_OPTION', `the sampling interval must be a whole number of milliseconds in 1..1000 (got ${intervalMs})`);
    }
    if (options.pins.length === 0) throw new HeadstartError('BAD_OPTION', 'give at least one analog input (e.g. A0)');
    this.#options = { samplesPerFrame: 1, ...options };
    this.#channels = options.pins.map(analogChannel);
    const available = options.board.io.analogPins.length;
    for (const c of this.#channels) {
      if (available > 0 && c >= available) throw new HeadstartError('BAD_OPTION', `A${c}: this board has analog inputs A0..A${available - 1}`);
    }
    this.rate = 1000 / intervalMs;
    this.#latest = new Int16Array(this.#channels.length);
    this.#reported = this.#channels.map(() => false);
    this.#start();
  }

  #start(): void {
    const { board, intervalMs } = this.#options;
    const io = board.io;
    io.setSamplingInterval(intervalMs);
    this.push({ type: 'hello', seq: this.#nextSeq(), protocolVersion: PROTOCOL_VERSION, channels: this.#channels.length, rate: this.rate, sampleFormat: 'int16', boardId: `johnny-five ${io.name}`.slice(0, 32) } satisfies Frame);
    this.#channels.forEach((channel, i) => {
      io.analogRead(channel, (value) => {
        if (this.#stopped) return;
        this.stats.readings++;
        this.#latest[i] = value;
        this.#reported[i] = true;
        if (this.#startedAtMs === undefined && this.#reported.every(Boolean)) this.#startClock();
      });
    });
  }

  #startClock(): void {
    this.#startedAtMs = performance.now();
    this.#sample(false);
    this.#timer = setInterval(() => this.#tick(), this.#options.intervalMs);
  }

  #tick(): void {
    if (this.#startedAtMs === undefined) return;
    const due = Math.floor((performance.now() - this.#startedAtMs) / this.#options.intervalMs) + 1;
    for (let held = false; this.stats.samples < due; held = true) this.#sample(held);
  }

  #sample(held: boolean): void {
    if (this.#pending.length === 0) this.#pendingFirstIndex = this.stats.samples;
    for (const v of this.#latest) this.#pending.push(v);
    this.stats.samples++;
    if (held) this.stats.heldSamples++;
    if (this.#pending.length / this.#channels.length >= this.#options.samplesPerFrame) this.#flush();
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    const timestampUs = Math.round(this.#pendingFirstIndex * this.#options.intervalMs * 1000) % 2 ** 32;
    this.push({ type: 'samples', seq: this.#nextSeq(), timestampUs, channels: this.#channels.length, samples: Int16Array.from(this.#pending) } satisfies Frame);
    this.#pending = [];
  }

  /** Stops sampling and reporting; the stream ends after the samples taken so far. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#startedAtMs = undefined;
    for (const c of this.#channels) this.#options.board.io.reportAnalogPin(c, 0);
    this.#flush();
    this.push(null);
  }

  #nextSeq(): number {
    const s = this.#seq;
    this.#seq = (s + 1) % 0x10000;
    return s;
  }
}
