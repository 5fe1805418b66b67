/**
 * A board made of software: it plays a ReplayScript as headstart wire frames
 * into a Transport and answers COMMAND frames the way the firmware does
 * (firmware-bridge/PROTOCOL.md §2): a lone 0x00 and a HELLO (seq 0) at
 * power-up, nothing streamed until `start`; `start` -> HELLO, ack, SAMPLES;
 * `stop` -> ack; `set_rate` -> ack with the rate applied (the recording's:
 * a recording has one rate), HELLO; `ping` -> ack echoing the token, HELLO;
 * a command of another protocol version -> ignored, HELLO.
 *
 * Pace: sample i is "measured" at i / rate seconds after start, divided by
 * `speed`; a frame leaves once its last sample is due. Speed Infinity sends
 * as fast as the link accepts. The board clock in SAMPLES and EVENT frames
 * is the sample clock (i * 1e6 / rate µs), independent of speed, so what the
 * host sees is what the recording holds.
 *
 * When the labels of the script change, an EVENT 'label' carrying the true
 * label goes out just before the first sample it applies to, so a live run
 * can be scored against the truth.
 *
 * While the link is down a real board keeps sampling and its frames are
 * lost; so does this one (they use up sequence numbers, which is how the
 * host counts the gap). At speed Infinity it waits for the link instead.
 */
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { HeadstartError } from '../core/errors.ts';
import { encodeFrame } from '../core/protocol/encoder.ts';
import type { CommandFrame, Frame } from '../core/protocol/frames.ts';
import { FrameParser } from '../core/protocol/parser.ts';
import { MAX_PAYLOAD, PROTOCOL_VERSION, SAMPLES_FIXED_BYTES, SEQ_MODULUS } from '../core/protocol/wire.ts';
import type { Transport } from '../device/transports/transport.ts';
import { scriptLength, type ReplayScript } from './replay_script.ts';

export interface VirtualBoardOptions {
  /** 1 = real time (default), N = N times faster, Infinity = as fast as the link takes. */
  speed?: number;
  /** Samples per SAMPLES frame; default about 10 ms of samples, as the reference sketch. */
  samplesPerFrame?: number;
  /** Board id in HELLO (default 'sim'). */
  boardId?: string;
  /** Start again from the beginning at the end (the board clock keeps counting). */
  loop?: boolean;
}

export interface VirtualBoardStats {
  framesSent: number;
  samplesSent: number;
  /** Frames produced while the link was down (lost, as on a real board). */
  framesLost: number;
  samplesLost: number;
  commands: number;
  /** Times the script was played to its end. */
  completedPlays: number;
}

export interface VirtualBoardEvents {
  /** Every sample of the script has been produced (sent or lost); with `loop` it starts over. */
  end: [];
  command: [frame: CommandFrame];
}

/** Largest burst handed to the transport in one write (keeps latency low at high speed). */
const MAX_BURST_BYTES = 64 * 1024;

export function defaultSamplesPerFrame(rate: number, channels: number): number {
  const fit = Math.floor((MAX_PAYLOAD - SAMPLES_FIXED_BYTES) / (2 * channels));
  return Math.max(1, Math.min(fit, Math.round(rate / 100)));
}

export class VirtualBoard extends EventEmitter<VirtualBoardEvents> {
  readonly stats: VirtualBoardStats = { framesSent: 0, samplesSent: 0, framesLost: 0, samplesLost: 0, commands: 0, completedPlays: 0 };
  readonly samplesPerFrame: number;
  readonly #script: ReplayScript;
  readonly #transport: Transport;
  readonly #speed: number;
  readonly #boardId: string;
  readonly #loop: boolean;
  readonly #length: number;
  readonly #parser = new FrameParser();
  #seq = 0;
  /** Next sample of the script to send. */
  #cursor = 0;
  /** Samples produced since power-up (the board clock). */
  #clock = 0;
  /** Index into script.labels of the next label change. */
  #nextLabel = 0;
  #streaming = false;
  #poweredOff = false;
  /** Wall time (ms) at which board clock 0 would have been measured at this speed. */
  #anchorMs = 0;
  #pump: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  constructor(script: ReplayScript, transport: Transport, options: VirtualBoardOptions = {}) {
    super();
    const speed = options.speed ?? 1;
    if (!(speed > 0)) throw new HeadstartError('BAD_OPTION', `speed must be a positive number of times real time (got ${speed})`);
    this.#script = script;
    this.#transport = transport;
    this.#speed = speed;
    this.#boardId = options.boardId ?? 'sim';
    this.#loop = options.loop ?? false;
    this.#length = scriptLength(script);
    const fit = Math.floor((MAX_PAYLOAD - SAMPLES_FIXED_BYTES) / (2 * script.channels));
    this.samplesPerFrame = options.samplesPerFrame ?? defaultSamplesPerFrame(script.rate, script.channels);
    if (!Number.isInteger(this.samplesPerFrame) || this.samplesPerFrame < 1 || this.samplesPerFrame > fit) {
      throw new HeadstartError('BAD_OPTION', `samples per frame must be a whole number in 1..${fit} for ${script.channels} channels (a frame carries at most ${MAX_PAYLOAD} bytes)`, { setting: 'samplesPerFrame' });
    }
  }

  get streaming(): boolean {
    return this.#streaming;
  }

  /** Powers the board up on its transport (opening it if needed): 0x00, HELLO, then it waits for commands. */
  async powerOn(): Promise<void> {
    this.#transport.on('data', (chunk) => this.#parser.push(chunk, (frame) => this.#onFrame(frame)));
    this.#transport.on('reconnect', () => {
      // A fresh link: end whatever partial frame the receiver holds.
      void this.#send([], true);
      this.#wake?.();
    });
    if (!this.#transport.isLinked) await this.#transport.open();
    await this.#send([this.#hello()], true);
  }

  /** Stops streaming and closes the transport. */
  async powerOff(): Promise<void> {
    this.#poweredOff = true;
    this.#streaming = false;
    this.#wake?.();
    // Closed first: a write the host never reads (it died mid-stream) would otherwise hold the pump, and this, forever.
    await this.#transport.close();
    await this.#pump;
  }

  #onFrame(frame: Frame): void {
    if (frame.type !== 'command' || this.#poweredOff) return;
    this.stats.commands++;
    this.emit('command', frame);
    if (frame.protocolVersion !== undefined && frame.protocolVersion !== PROTOCOL_VERSION) {
      void this.#send([this.#hello()]);
      return;
    }
    const ack = (arg: number): Frame => ({ type: 'command', seq: this.#nextSeq(), command: frame.command, arg });
    switch (frame.command) {
      case 'start':
        void this.#send([this.#hello(), ack(0)]);
        this.#startStreaming();
        return;
      case 'stop':
        this.#streaming = false;
        this.#wake?.();
        void this.#send([ack(0)]);
        return;
      case 'set_rate':
        void this.#send([ack(this.#script.rate), this.#hello()]);
        return;
      case 'ping':
        void this.#send([ack(frame.arg), this.#hello()]);
        return;
    }
  }

  #startStreaming(): void {
    if (this.#streaming) return;
    this.#streaming = true;
    this.#anchorMs = performance.now() - (this.#clock * 1000) / this.#script.rate / this.#speed;
    const previous = this.#pump ?? Promise.resolve();
    this.#pump = previous.then(() => this.#run());
  }

  async #run(): Promise<void> {
    const { rate } = this.#script;
    while (this.#streaming && !this.#poweredOff) {
      if (this.#cursor >= this.#length) {
        this.stats.completedPlays++;
        this.emit('end');
        if (!this.#loop) {
          this.#streaming = false;
          return;
        }
        this.#cursor = 0;
        this.#nextLabel = 0;
      }
      if (this.#speed === Number.POSITIVE_INFINITY && !this.#transport.isLinked) {
        // Woken by the transport's 'reconnect' (see powerOn) or by powerOff.
        await this.#sleepUntilWoken(new Promise<void>(() => undefined));
        continue;
      }
      const due = this.#speed === Number.POSITIVE_INFINITY ? Number.POSITIVE_INFINITY : ((performance.now() - this.#anchorMs) * this.#speed * rate) / 1000;
      const { frames, samples } = this.#framesDue(due);
      if (frames.length === 0) {
        const nextEnd = this.#clock + Math.min(this.samplesPerFrame, this.#length - this.#cursor);
        const waitMs = this.#anchorMs + (nextEnd * 1000) / rate / this.#speed - performance.now();
        await this.#sleepUntilWoken(sleep(Math.max(1, waitMs)));
        continue;
      }
      const sent = await this.#send(frames);
      if (sent) {
        this.stats.framesSent += frames.length;
        this.stats.samplesSent += samples;
      } else {
        this.stats.framesLost += frames.length;
        this.stats.samplesLost += samples;
      }
    }
  }

  /** The frames whose last sample is due by board clock `due`, up to one burst. */
  #framesDue(due: number): { frames: Frame[]; samples: number } {
    const { channels, rate, labels } = this.#script;
    const frames: Frame[] = [];
    let bytes = 0;
    let samples = 0;
    while (this.#cursor < this.#length && bytes < MAX_BURST_BYTES) {
      // A frame never straddles a label change, so the EVENT's timestamp is its first sample's.
      const change = labels[this.#nextLabel];
      const labelHere = change !== undefined && change.at <= this.#cursor;
      const following = labelHere ? labels[this.#nextLabel + 1] : change;
      const limit = following === undefined ? this.#length : Math.min(following.at, this.#length);
      const n = Math.max(1, Math.min(this.samplesPerFrame, limit - this.#cursor));
      if (this.#clock + n > due) break;
      const timestampUs = Math.round((this.#clock * 1e6) / rate) % 2 ** 32;
      if (labelHere) {
        frames.push({ type: 'event', seq: this.#nextSeq(), timestampUs, kind: 'label', value: change.label });
        this.#nextLabel++;
      }
      const values = this.#script.samples.subarray(this.#cursor * channels, (this.#cursor + n) * channels);
      const int16 = new Int16Array(values.length);
      for (let i = 0; i < values.length; i++) int16[i] = Math.max(-32768, Math.min(32767, Math.round(values[i]!)));
      frames.push({ type: 'samples', seq: this.#nextSeq(), timestampUs, channels, samples: int16 });
      this.#cursor += n;
      this.#clock += n;
      samples += n;
      bytes += 2 * int16.length + 16;
    }
    return { frames, samples };
  }

  /** Encodes and writes frames as one chunk; false when the link was down and they were lost. */
  async #send(frames: Frame[], leadingIdle = false): Promise<boolean> {
    const encoded = frames.map((f) => encodeFrame(f));
    const total = encoded.reduce((n, e) => n + e.length, leadingIdle ? 1 : 0);
    const out = new Uint8Array(total);
    let at = leadingIdle ? 1 : 0;
    for (const e of encoded) {
      out.set(e, at);
      at += e.length;
    }
    if (!this.#transport.isLinked) return false;
    try {
      await this.#transport.write(out);
      return true;
    } catch {
      return false;
    }
  }

  async #sleepUntilWoken(until: Promise<void>): Promise<void> {
    await Promise.race([until, new Promise<void>((resolve) => (this.#wake = resolve))]);
    this.#wake = undefined;
  }

  #hello(): Frame {
    const { channels, rate } = this.#script;
    return { type: 'hello', seq: this.#nextSeq(), protocolVersion: PROTOCOL_VERSION, channels, rate, sampleFormat: 'int16', boardId: this.#boardId };
  }

  #nextSeq(): number {
    const s = this.#seq;
    this.#seq = (s + 1) % SEQ_MODULUS;
    return s;
  }
}
