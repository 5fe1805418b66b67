/**
 * An OpenBCI Cyton made of software: it plays a ReplayScript (microvolts,
 * 8 channels at 250 Hz, or 16 at 125 Hz with a Daisy) as the byte stream
 * the Cyton's USB dongle delivers (src/core/protocol/cyton.ts has the
 * packet layout), and answers the board's one-letter ASCII commands as its
 * firmware (v3) does:
 *
 *   v  soft reset: stops streaming, prints its banner ("OpenBCI V3 8-16
 *      channel", the ADS1299 ids, one more line with a Daisy, the firmware
 *      version) ending in "$$$"; also printed at power-up
 *   b  start streaming (silently)
 *   s  stop streaming (silently)
 *   d  channel settings to default: "updating channel settings to default$$$"
 *
 * Other bytes are ignored. Each sample is an ADC count of 24 bits: the
 * microvolts divided by the scale factor (4.5 V / gain / (2^23 - 1)),
 * rounded and held to the ADC's range, as a real ADC quantizes. The packet
 * counter counts packets from 0 at each start; with a Daisy the board's 8
 * channels go in odd-numbered packets and the Daisy's in the next one.
 * The accelerometer fields are zero (no fresh reading), footer 0xC0.
 *
 * Pace as the virtual headstart board: sample i is due i / rate seconds
 * after start, divided by `speed`. The Cyton stream carries no labels.
 */
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { HeadstartError } from '../core/errors.ts';
import { CYTON_CHANNELS, CYTON_HEADER, CYTON_PACKET_BYTES, cytonMicrovoltsPerCount } from '../core/protocol/cyton.ts';
import type { Transport } from '../device/transports/transport.ts';
import { scriptLength, type ReplayScript } from './replay_script.ts';

/** The Cyton's packet rate: 250 Hz (and so 125 Hz samples of 16 channels with a Daisy). */
export const CYTON_PACKET_RATE = 250;
export const CYTON_DEFAULT_GAIN = 24;
const INT24_MAX = 2 ** 23 - 1;
const INT24_MIN = -(2 ** 23);
/** Packets handed to the transport in one write (about 20 ms of stream). */
const PACKETS_PER_WRITE = 5;

export interface CytonBoardOptions {
  /** 1 = real time (default), N = N times faster, Infinity = as fast as the link takes. */
  speed?: number;
  /** The ADS1299 gain the counts are scaled by (the board's default, 24). */
  gain?: number;
  /** Start again from the beginning at the end. */
  loop?: boolean;
}

export interface CytonBoardStats {
  packetsSent: number;
  samplesSent: number;
  /** Samples produced while the link was down (lost, as on a real board). */
  samplesLost: number;
  /** ADC counts held at the 24-bit range (the signal was beyond ±187.5 mV at gain 24). */
  clipped: number;
  commands: number;
  completedPlays: number;
}

export interface CytonBoardEvents {
  end: [];
  /** Each command byte received ('b', 's', 'v', ...). */
  command: [letter: string];
}

export function cytonBanner(daisy: boolean): string {
  return (
    'OpenBCI V3 8-16 channel\n' +
    'On Board ADS1299 Device ID: 0x3E\n' +
    (daisy ? 'On Daisy ADS1299 Device ID: 0x3E\n' : '') +
    'LIS3DH Device ID: 0x33\n' +
    'Firmware: v3.1.2\n' +
    '$$$'
  );
}

export class CytonBoard extends EventEmitter<CytonBoardEvents> {
  readonly stats: CytonBoardStats = { packetsSent: 0, samplesSent: 0, samplesLost: 0, clipped: 0, commands: 0, completedPlays: 0 };
  readonly daisy: boolean;
  readonly #script: ReplayScript;
  readonly #transport: Transport;
  readonly #speed: number;
  readonly #countsPerMicrovolt: number;
  readonly #loop: boolean;
  readonly #length: number;
  readonly #rate: number;
  #cursor = 0;
  /** Packets sent since the last start (the packet counter). */
  #packets = 0;
  /** Samples produced since the last start (the pace's clock). */
  #clock = 0;
  #streaming = false;
  #poweredOff = false;
  #anchorMs = 0;
  #pump: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  constructor(script: ReplayScript, transport: Transport, options: CytonBoardOptions = {}) {
    super();
    const speed = options.speed ?? 1;
    if (!(speed > 0)) throw new HeadstartError('BAD_OPTION', `speed must be a positive number of times real time (got ${speed})`, { setting: 'speed' });
    if (script.channels !== CYTON_CHANNELS && script.channels !== 2 * CYTON_CHANNELS) {
      throw new HeadstartError('BAD_OPTION', `a Cyton sends ${CYTON_CHANNELS} channels (${2 * CYTON_CHANNELS} with a Daisy), but the recording has ${script.channels}; choose 8 or 16 of its channels`, { setting: 'channels' });
    }
    this.daisy = script.channels === 2 * CYTON_CHANNELS;
    this.#rate = CYTON_PACKET_RATE / (this.daisy ? 2 : 1);
    if (script.rate !== this.#rate) {
      throw new HeadstartError('INTERNAL', `a Cyton${this.daisy ? ' with a Daisy' : ''} samples at ${this.#rate} Hz, but the recording is at ${script.rate} Hz; resample it first`);
    }
    this.#script = script;
    this.#transport = transport;
    this.#speed = speed;
    this.#countsPerMicrovolt = 1 / cytonMicrovoltsPerCount(options.gain ?? CYTON_DEFAULT_GAIN);
    this.#loop = options.loop ?? false;
    this.#length = scriptLength(script);
  }

  get streaming(): boolean {
    return this.#streaming;
  }

  /** Powers the board up on its transport: it prints its banner, then waits for 'b'. */
  async powerOn(): Promise<void> {
    this.#transport.on('data', (chunk) => {
      for (const byte of chunk) this.#onCommand(String.fromCharCode(byte));
    });
    this.#transport.on('reconnect', () => this.#wake?.());
    if (!this.#transport.isLinked) await this.#transport.open();
    await this.#write(new TextEncoder().encode(cytonBanner(this.daisy)));
  }

  async powerOff(): Promise<void> {
    this.#poweredOff = true;
    this.#streaming = false;
    this.#wake?.();
    await this.#pump;
    await this.#transport.close();
  }

  #onCommand(letter: string): void {
    if (this.#poweredOff) return;
    this.stats.commands++;
    this.emit('command', letter);
    switch (letter) {
      case 'b':
        this.#start();
        return;
      case 's':
        this.#stop();
        return;
      case 'v':
        this.#stop();
        void this.#write(new TextEncoder().encode(cytonBanner(this.daisy)));
        return;
      case 'd':
        void this.#write(new TextEncoder().encode('updating channel settings to default$$$'));
        return;
    }
  }

  #start(): void {
    if (this.#streaming) return;
    this.#streaming = true;
    this.#packets = 0;
    this.#clock = 0;
    this.#anchorMs = performance.now();
    const previous = this.#pump ?? Promise.resolve();
    this.#pump = previous.then(() => this.#run());
  }

  #stop(): void {
    this.#streaming = false;
    this.#wake?.();
  }

  async #run(): Promise<void> {
    const perSample = this.daisy ? 2 : 1;
    while (this.#streaming && !this.#poweredOff) {
      if (this.#cursor >= this.#length) {
        this.stats.completedPlays++;
        this.emit('end');
        if (!this.#loop) {
          this.#streaming = false;
          return;
        }
        this.#cursor = 0;
      }
      if (this.#speed === Number.POSITIVE_INFINITY && !this.#transport.isLinked) {
        await this.#sleepUntilWoken(new Promise<void>(() => undefined));
        continue;
      }
      const samples = Math.min(Math.ceil(PACKETS_PER_WRITE / perSample), this.#length - this.#cursor);
      const dueMs = this.#anchorMs + ((this.#clock + samples) * 1000) / this.#rate / this.#speed;
      const waitMs = dueMs - performance.now();
      if (this.#speed !== Number.POSITIVE_INFINITY && waitMs > 0) {
        await this.#sleepUntilWoken(sleep(Math.max(1, waitMs)));
        continue;
      }
      const bytes = this.#packetsFor(samples);
      this.#cursor += samples;
      this.#clock += samples;
      if (await this.#write(bytes)) {
        this.stats.packetsSent += samples * perSample;
        this.stats.samplesSent += samples;
      } else {
        this.stats.samplesLost += samples;
      }
    }
  }

  /** The packets of the next `samples` samples of the script. */
  #packetsFor(samples: number): Uint8Array {
    const channels = this.#script.channels;
    const perSample = this.daisy ? 2 : 1;
    const out = new Uint8Array(samples * perSample * CYTON_PACKET_BYTES);
    let at = 0;
    for (let s = 0; s < samples; s++) {
      const base = (this.#cursor + s) * channels;
      for (let half = 0; half < perSample; half++) {
        out[at] = CYTON_HEADER;
        // Packet counter: with a Daisy, the board's half is odd and the Daisy's the even one after it.
        out[at + 1] = (this.#packets + (this.daisy ? 1 : 0)) % 256;
        this.#packets++;
        for (let c = 0; c < CYTON_CHANNELS; c++) {
          let count = Math.round(this.#script.samples[base + half * CYTON_CHANNELS + c]! * this.#countsPerMicrovolt);
          if (count > INT24_MAX || count < INT24_MIN) {
            this.stats.clipped++;
            count = Math.max(INT24_MIN, Math.min(INT24_MAX, count));
          }
          const o = at + 2 + 3 * c;
          out[o] = (count >> 16) & 0xff;
          out[o + 1] = (count >> 8) & 0xff;
          out[o + 2] = count & 0xff;
        }
        // Six aux bytes of zeros (no fresh accelerometer reading), then the footer.
        out[at + 32] = 0xc0;
        at += CYTON_PACKET_BYTES;
      }
    }
    return out;
  }

  async #write(bytes: Uint8Array): Promise<boolean> {
    if (!this.#transport.isLinked) return false;
    try {
      await this.#transport.write(bytes);
      return true;
    } catch {
      return false;
    }
  }

  async #sleepUntilWoken(until: Promise<void>): Promise<void> {
    await Promise.race([until, new Promise<void>((resolve) => (this.#wake = resolve))]);
    this.#wake = undefined;
  }
}
