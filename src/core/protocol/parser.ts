/**
 * Incremental parser of the headstart wire format: bytes in any chunking ->
 * frames. Never throws on input; every byte that does not end up in a frame
 * is counted. The stream wrapper is decoder.ts; this class holds no I/O so
 * that the CLI, benchmarks and tests can drive it directly.
 */
import type { HeadstartError } from '../errors.ts';
import type { ByteParser } from './byte_parser.ts';
import { cobsDecodeInto } from './cobs.ts';
import { crc16Ccitt } from './crc16.ts';
import type { DecoderStats, EventFrame, Frame } from './frames.ts';
import { missingBetween, newDecoderStats } from './stats.ts';
import { versionMismatchError } from './version.ts';
import {
  COMMAND_BYTES,
  COMMAND_CODE,
  CRC_BYTES,
  EVENT_BYTES,
  EVENT_KIND_CODE,
  FRAME_TYPE,
  HEADER_BYTES,
  HELLO_FIXED_BYTES,
  MAX_CHANNELS,
  MAX_ENCODED_FRAME,
  MAX_RAW_FRAME,
  PROTOCOL_VERSION,
  SAMPLE_FORMAT_CODE,
  SAMPLES_FIXED_BYTES,
  SEQ_MODULUS,
  nameOfCode,
} from './wire.ts';

function u32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

export class FrameParser implements ByteParser {
  readonly stats: DecoderStats = newDecoderStats();
  /** Set when a board announced another protocol version; from then on nothing is parsed. */
  boardVersionMismatch: number | undefined;
  /** Encoded bytes of a frame whose delimiter has not arrived yet. */
  private readonly pending = new Uint8Array(MAX_ENCODED_FRAME);
  private pendingLength = 0;
  /** The current frame outgrew MAX_ENCODED_FRAME: discard up to the next delimiter. */
  private discarding = false;
  private readonly raw = new Uint8Array(MAX_RAW_FRAME);
  private lastSeq = -1;

  /** Feeds bytes; `emit` receives each complete, valid frame in order. */
  push(chunk: Uint8Array, emit: (frame: Frame) => void): void {
    if (this.boardVersionMismatch !== undefined) {
      this.stats.droppedBytes += chunk.length;
      return;
    }
    let pos = 0;
    while (pos < chunk.length) {
      const zero = chunk.indexOf(0, pos);
      if (zero < 0) {
        this.keep(chunk, pos, chunk.length);
        return;
      }
      if (this.discarding) {
        this.stats.droppedBytes += zero - pos + 1;
        this.discarding = false;
      } else if (this.pendingLength === 0) {
        this.frame(chunk, pos, zero, emit);
      } else {
        this.keep(chunk, pos, zero);
        if (this.discarding) {
          this.stats.droppedBytes += 1;
          this.discarding = false;
        } else {
          const n = this.pendingLength;
          this.pendingLength = 0;
          this.frame(this.pending, 0, n, emit);
        }
      }
      pos = zero + 1;
      if (this.boardVersionMismatch !== undefined) {
        this.stats.droppedBytes += chunk.length - pos;
        return;
      }
    }
  }

  /** End of input: an unfinished frame is dropped. */
  end(): void {
    this.stats.droppedBytes += this.pendingLength;
    this.pendingLength = 0;
    this.discarding = false;
  }

  failure(): HeadstartError | undefined {
    return this.boardVersionMismatch === undefined ? undefined : versionMismatchError(this.boardVersionMismatch);
  }

  private keep(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (this.discarding) {
      this.stats.droppedBytes += n;
      return;
    }
    if (this.pendingLength + n > this.pending.length) {
      this.stats.droppedBytes += this.pendingLength + n;
      this.pendingLength = 0;
      this.discarding = true;
      return;
    }
    this.pending.set(src.subarray(start, end), this.pendingLength);
    this.pendingLength += n;
  }

  /** One delimited frame: src[start..end), its 0x00 delimiter just after. */
  private frame(src: Uint8Array, start: number, end: number, emit: (frame: Frame) => void): void {
    if (end === start) return; // idle delimiter: senders may send a lone 0x00 to flush a receiver
    const wireBytes = end - start + 1;
    const raw = this.raw;
    const n = cobsDecodeInto(src, start, end, raw);
    if (n < HEADER_BYTES + CRC_BYTES) {
      this.stats.droppedBytes += wireBytes;
      return;
    }
    const crcAt = n - CRC_BYTES;
    if (crc16Ccitt(raw, 0, crcAt) !== (raw[crcAt]! | (raw[crcAt + 1]! << 8))) {
      this.stats.crcFailures++;
      this.stats.droppedBytes += wireBytes;
      return;
    }
    const seq = raw[1]! | (raw[2]! << 8);
    const frame = this.parse(raw[0]!, seq, raw, HEADER_BYTES, crcAt);
    if (frame === 'version') return;
    const restart = frame?.type === 'hello' && seq === 0;
    if (this.lastSeq >= 0 && !restart) this.stats.sequenceGaps += missingBetween(this.lastSeq, seq, SEQ_MODULUS);
    this.lastSeq = seq;
    if (frame === undefined) {
      this.stats.malformed++;
      this.stats.droppedBytes += wireBytes;
      return;
    }
    this.stats.frames++;
    emit(frame);
  }

  /** Payload raw[at..end) of a frame that passed its CRC; undefined when not understood. */
  private parse(type: number, seq: number, raw: Uint8Array, at: number, end: number): Frame | undefined | 'version' {
    const length = end - at;
    switch (type) {
      case FRAME_TYPE.hello: {
        // The version byte is first in HELLO in every version, so any host can read it.
        if (length < 1) return undefined;
        const protocolVersion = raw[at]!;
        if (protocolVersion !== PROTOCOL_VERSION) {
          this.boardVersionMismatch = protocolVersion;
          return 'version';
        }
        if (length < HELLO_FIXED_BYTES) return undefined;
        const channels = raw[at + 1]!;
        const format = raw[at + 6]!;
        const idLength = raw[at + 7]!;
        if (channels < 1 || channels > MAX_CHANNELS || format !== SAMPLE_FORMAT_CODE.int16) return undefined;
        if (length !== HELLO_FIXED_BYTES + idLength) return undefined;
        let boardId = '';
        for (let i = 0; i < idLength; i++) boardId += String.fromCharCode(raw[at + 8 + i]!);
        return { type: 'hello', seq, protocolVersion, channels, rate: u32(raw, at + 2), sampleFormat: 'int16', boardId };
      }
      case FRAME_TYPE.samples: {
        if (length < SAMPLES_FIXED_BYTES) return undefined;
        const channels = raw[at + 4]!;
        const valueBytes = length - SAMPLES_FIXED_BYTES;
        if (channels < 1 || channels > MAX_CHANNELS || valueBytes % (2 * channels) !== 0) return undefined;
        const samples = new Int16Array(valueBytes / 2);
        for (let i = 0, o = at + SAMPLES_FIXED_BYTES; i < samples.length; i++, o += 2) {
          samples[i] = ((raw[o]! | (raw[o + 1]! << 8)) << 16) >> 16;
        }
        return { type: 'samples', seq, timestampUs: u32(raw, at), channels, samples };
      }
      case FRAME_TYPE.event: {
        if (length !== EVENT_BYTES) return undefined;
        // Kinds added later within this version read as 'other' here.
        const kind: EventFrame['kind'] = nameOfCode(EVENT_KIND_CODE, raw[at + 4]!) ?? 'other';
        return { type: 'event', seq, timestampUs: u32(raw, at), kind, value: u32(raw, at + 5) | 0 };
      }
      case FRAME_TYPE.command: {
        if (length !== COMMAND_BYTES) return undefined;
        const command = nameOfCode(COMMAND_CODE, raw[at + 1]!);
        if (command === undefined) return undefined;
        return { type: 'command', seq, command, arg: u32(raw, at + 2), protocolVersion: raw[at]! };
      }
      default:
        return undefined;
    }
  }
}
