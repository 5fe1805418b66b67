/**
 * OpenBCI Cyton stream (what its USB dongle delivers at 115200 baud) ->
 * headstart frames. A packet is 33 bytes:
 *
 *   0xA0 | sample number (u8) | 8 channels x int24 big-endian | 6 aux bytes | footer 0xC0..0xC6
 *
 * With footer 0xC0 the aux bytes are the accelerometer (x, y, z as int16
 * big-endian; all zero in packets without a fresh reading, which the board
 * takes at 25 Hz). With a Daisy module the board sends its 8 channels in
 * packets with odd sample numbers and the Daisy's 8 in the following even
 * one: two packets make one 16-channel sample, at half the rate.
 *
 * Emits a synthetic HELLO once the first packet is seen, then one SAMPLES
 * frame per sample, its float32 `samples` in microvolts at the ADC's full
 * resolution (a 24-bit count times the scale factor: never rounded, and
 * offsets far beyond +-32,767 µV kept). Packets missing according
 * to the sample counter are counted in `sequenceGaps`. The stream has no
 * CRC: a packet is accepted when its header and footer are where they must be.
 */
import type { HeadstartError } from '../errors.ts';
import type { ByteParser } from './byte_parser.ts';
import { ParserTransform, type DecoderStreamOptions } from './byte_parser.ts';
import type { DecoderStats, Frame } from './frames.ts';
import { missingBetween, newDecoderStats } from './stats.ts';
import { PROTOCOL_VERSION, SEQ_MODULUS } from './wire.ts';

export const CYTON_PACKET_BYTES = 33;
export const CYTON_HEADER = 0xa0;
export const CYTON_CHANNELS = 8;
/** The ADS1299 reference is 4.5 V over a 24-bit signed range. */
export function cytonMicrovoltsPerCount(gain: number): number {
  return (4.5 / gain / (2 ** 23 - 1)) * 1e6;
}
/** LIS3DH at +-4 g: 2 mg per count, left-justified by 4 bits. */
export const CYTON_ACCEL_G_PER_COUNT = 0.002 / 16;

export interface CytonPacket {
  sampleNumber: number;
  /** 8 raw ADC counts (signed 24-bit). */
  counts: Int32Array;
  footer: number;
  /** Raw accelerometer counts when the footer says so and the reading is fresh. */
  accel?: [number, number, number];
}

function isFooter(b: number): boolean {
  return b >= 0xc0 && b <= 0xc6;
}

/** Reads one packet at `at`; undefined when header or footer are not there. */
export function parseCytonPacket(bytes: Uint8Array, at = 0): CytonPacket | undefined {
  if (at + CYTON_PACKET_BYTES > bytes.length || bytes[at] !== CYTON_HEADER) return undefined;
  const footer = bytes[at + 32]!;
  if (!isFooter(footer)) return undefined;
  const counts = new Int32Array(CYTON_CHANNELS);
  for (let c = 0, o = at + 2; c < CYTON_CHANNELS; c++, o += 3) {
    counts[c] = ((bytes[o]! << 24) | (bytes[o + 1]! << 16) | (bytes[o + 2]! << 8)) >> 8;
  }
  const packet: CytonPacket = { sampleNumber: bytes[at + 1]!, counts, footer };
  if (footer === 0xc0) {
    const axis = (o: number) => (((bytes[o]! << 8) | bytes[o + 1]!) << 16) >> 16;
    const xyz: [number, number, number] = [axis(at + 26), axis(at + 28), axis(at + 30)];
    if (xyz[0] !== 0 || xyz[1] !== 0 || xyz[2] !== 0) packet.accel = xyz;
  }
  return packet;
}

export interface CytonOptions {
  /** A Daisy module is fitted: 16 channels at half the packet rate. */
  daisy?: boolean;
  /** Programmable gain of the ADS1299 channels (the board's default is 24). */
  gain?: number;
  /** Packet rate of the board (250 Hz by default; 16 channels then come at 125 Hz). */
  packetRate?: number;
}

export class CytonParser implements ByteParser {
  readonly stats: DecoderStats = newDecoderStats();
  private readonly daisy: boolean;
  private readonly scale: number;
  private readonly rate: number;
  private readonly pending = new Uint8Array(2 * CYTON_PACKET_BYTES);
  private pendingLength = 0;
  private lastSampleNumber = -1;
  /** Samples emitted or known lost: the clock of the synthetic timestamps. */
  private sampleIndex = 0;
  private seq = 0;
  private helloSent = false;
  /** Daisy: the board half of a sample waiting for its Daisy half. */
  private boardHalf: CytonPacket | undefined;

  constructor(options: CytonOptions = {}) {
    this.daisy = options.daisy ?? false;
    this.scale = cytonMicrovoltsPerCount(options.gain ?? 24);
    this.rate = (options.packetRate ?? 250) / (this.daisy ? 2 : 1);
  }

  push(chunk: Uint8Array, emit: (frame: Frame) => void): void {
    let pos = 0;
    // Complete a packet begun in an earlier chunk, byte by byte through `pending`.
    while (this.pendingLength > 0 && pos < chunk.length) {
      const take = Math.min(CYTON_PACKET_BYTES - this.pendingLength, chunk.length - pos);
      this.pending.set(chunk.subarray(pos, pos + take), this.pendingLength);
      this.pendingLength += take;
      pos += take;
      if (this.pendingLength < CYTON_PACKET_BYTES) return;
      const packet = parseCytonPacket(this.pending, 0);
      if (packet !== undefined) {
        this.pendingLength = 0;
        this.accept(packet, emit);
      } else {
        // Not a packet after all: drop its first byte and look for a header in the rest.
        this.stats.droppedBytes++;
        const rest = this.pending.slice(1, this.pendingLength);
        this.pendingLength = 0;
        this.scan(rest, 0, emit);
      }
    }
    this.scan(chunk, pos, emit);
  }

  end(): void {
    this.stats.droppedBytes += this.pendingLength + (this.boardHalf ? CYTON_PACKET_BYTES : 0);
    this.pendingLength = 0;
    this.boardHalf = undefined;
  }

  failure(): HeadstartError | undefined {
    return undefined;
  }

  /** Walks bytes[pos..]; a possible packet cut short at the end waits in `pending`. */
  private scan(bytes: Uint8Array, pos: number, emit: (frame: Frame) => void): void {
    while (pos < bytes.length) {
      if (bytes[pos] !== CYTON_HEADER) {
        this.stats.droppedBytes++;
        pos++;
        continue;
      }
      if (pos + CYTON_PACKET_BYTES > bytes.length) {
        this.pending.set(bytes.subarray(pos), this.pendingLength);
        this.pendingLength += bytes.length - pos;
        return;
      }
      const packet = parseCytonPacket(bytes, pos);
      if (packet === undefined) {
        this.stats.droppedBytes++;
        pos++;
        continue;
      }
      this.accept(packet, emit);
      pos += CYTON_PACKET_BYTES;
    }
  }

  private accept(packet: CytonPacket, emit: (frame: Frame) => void): void {
    if (!this.helloSent) {
      this.helloSent = true;
      emit({
        type: 'hello',
        seq: 0,
        protocolVersion: PROTOCOL_VERSION,
        channels: this.daisy ? 2 * CYTON_CHANNELS : CYTON_CHANNELS,
        rate: this.rate,
        sampleFormat: 'float32',
        boardId: this.daisy ? 'cyton-daisy' : 'cyton',
      });
      this.stats.frames++;
      this.seq = 1;
    }
    const lost = this.lastSampleNumber < 0 ? 0 : missingBetween(this.lastSampleNumber, packet.sampleNumber, 256);
    this.lastSampleNumber = packet.sampleNumber;
    this.stats.sequenceGaps += lost;
    if (!this.daisy) {
      this.sampleIndex += lost;
      this.emitSample([packet], emit);
      return;
    }
    if (lost > 0 && this.boardHalf !== undefined) this.dropBoardHalf();
    this.sampleIndex += Math.ceil(lost / 2);
    if (packet.sampleNumber % 2 === 1) {
      if (this.boardHalf !== undefined) this.dropBoardHalf();
      this.boardHalf = packet;
      return;
    }
    if (this.boardHalf === undefined) {
      // A Daisy half whose board half was lost cannot make a sample on its own.
      this.stats.droppedBytes += CYTON_PACKET_BYTES;
      return;
    }
    const board = this.boardHalf;
    this.boardHalf = undefined;
    this.emitSample([board, packet], emit);
  }

  private dropBoardHalf(): void {
    this.stats.droppedBytes += CYTON_PACKET_BYTES;
    this.boardHalf = undefined;
  }

  private emitSample(packets: CytonPacket[], emit: (frame: Frame) => void): void {
    const channels = packets.length * CYTON_CHANNELS;
    const samples = new Float32Array(channels);
    for (let p = 0; p < packets.length; p++) {
      const counts = packets[p]!.counts;
      for (let c = 0; c < CYTON_CHANNELS; c++) samples[p * CYTON_CHANNELS + c] = counts[c]! * this.scale;
    }
    const accelG = new Float32Array([NaN, NaN, NaN]);
    const reading = packets.find((p) => p.accel !== undefined)?.accel;
    if (reading) for (let i = 0; i < 3; i++) accelG[i] = reading[i]! * CYTON_ACCEL_G_PER_COUNT;
    const timestampUs = Math.round((this.sampleIndex * 1e6) / this.rate) % 2 ** 32;
    this.sampleIndex++;
    this.stats.frames++;
    emit({ type: 'samples', seq: this.seq, timestampUs, channels, samples, accelG });
    this.seq = (this.seq + 1) % SEQ_MODULUS;
  }
}

/** Cyton bytes in, HELLO + SAMPLES frames out (objectMode). */
export class CytonDecoder extends ParserTransform {
  constructor(options: CytonOptions & DecoderStreamOptions = {}) {
    const { daisy, gain, packetRate, ...streamOptions } = options;
    const cyton: CytonOptions = {};
    if (daisy !== undefined) cyton.daisy = daisy;
    if (gain !== undefined) cyton.gain = gain;
    if (packetRate !== undefined) cyton.packetRate = packetRate;
    super(new CytonParser(cyton), streamOptions);
  }
}
