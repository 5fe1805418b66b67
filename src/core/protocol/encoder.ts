/**
 * Frame -> bytes on the wire. Frames come from code, not from a wire, so an
 * impossible frame (a sample count that does not divide by the channels, a
 * sequence number out of range) is a programming error and throws
 * HeadstartError('INTERNAL').
 */
import { HeadstartError } from '../errors.ts';
import { cobsEncodeInto, cobsMaxEncodedLength } from './cobs.ts';
import { crc16Ccitt } from './crc16.ts';
import type { Frame } from './frames.ts';
import {
  COMMAND_BYTES,
  COMMAND_CODE,
  CRC_BYTES,
  EVENT_BYTES,
  EVENT_KIND_CODE,
  FRAME_TYPE,
  HEADER_BYTES,
  HELLO_FIXED_BYTES,
  MAX_BOARD_ID,
  MAX_CHANNELS,
  MAX_PAYLOAD,
  SAMPLE_FORMAT_CODE,
  SAMPLES_FIXED_BYTES,
  PROTOCOL_VERSION,
  SEQ_MODULUS,
} from './wire.ts';

function invalid(message: string): HeadstartError {
  return new HeadstartError('INTERNAL', `cannot encode frame: ${message}`);
}

function checkUint(name: string, value: number, limit: number): void {
  if (!Number.isInteger(value) || value < 0 || value >= limit) throw invalid(`${name} ${value} must be an integer in 0..${limit - 1}`);
}

function payloadLength(frame: Frame): number {
  switch (frame.type) {
    case 'hello':
      return HELLO_FIXED_BYTES + frame.boardId.length;
    case 'samples':
      return SAMPLES_FIXED_BYTES + frame.samples.length * 2;
    case 'event':
      return EVENT_BYTES;
    case 'command':
      return COMMAND_BYTES;
  }
}

function writePayload(frame: Frame, view: DataView, bytes: Uint8Array, at: number): void {
  switch (frame.type) {
    case 'hello': {
      checkUint('protocol version', frame.protocolVersion, 256);
      checkUint('channels', frame.channels, MAX_CHANNELS + 1);
      checkUint('rate', frame.rate, 2 ** 32);
      if (frame.boardId.length > MAX_BOARD_ID || !/^[\x20-\x7e]*$/.test(frame.boardId)) {
        throw invalid(`board id ${JSON.stringify(frame.boardId)} must be printable ASCII of at most ${MAX_BOARD_ID} characters`);
      }
      view.setUint8(at, frame.protocolVersion);
      view.setUint8(at + 1, frame.channels);
      view.setUint32(at + 2, frame.rate, true);
      if (frame.sampleFormat !== 'int16') throw invalid(`sample format ${frame.sampleFormat}: the headstart wire carries int16 samples only`);
      view.setUint8(at + 6, SAMPLE_FORMAT_CODE[frame.sampleFormat]);
      view.setUint8(at + 7, frame.boardId.length);
      for (let i = 0; i < frame.boardId.length; i++) bytes[at + 8 + i] = frame.boardId.charCodeAt(i);
      return;
    }
    case 'samples': {
      checkUint('timestamp', frame.timestampUs, 2 ** 32);
      if (!Number.isInteger(frame.channels) || frame.channels < 1 || frame.channels > MAX_CHANNELS) {
        throw invalid(`channels ${frame.channels} must be in 1..${MAX_CHANNELS}`);
      }
      if (frame.samples.length % frame.channels !== 0) {
        throw invalid(`${frame.samples.length} values do not divide into ${frame.channels} channels`);
      }
      view.setUint32(at, frame.timestampUs, true);
      view.setUint8(at + 4, frame.channels);
      const s = frame.samples;
      let o = at + SAMPLES_FIXED_BYTES;
      if (!(s instanceof Int16Array)) {
        // Float samples go on the int16 wire only when they are int16 values already: never rounded or clipped here.
        for (let i = 0; i < s.length; i++) {
          const v = s[i]!;
          if (!Number.isInteger(v) || v < -32768 || v > 32767) throw invalid(`sample ${v} (index ${i}) is not an int16 value; the headstart wire carries int16 samples only`);
        }
      }
      for (let i = 0; i < s.length; i++, o += 2) view.setInt16(o, s[i]!, true);
      return;
    }
    case 'event': {
      checkUint('timestamp', frame.timestampUs, 2 ** 32);
      const kind = EVENT_KIND_CODE[frame.kind];
      if (kind === undefined) throw invalid(`unknown event kind ${JSON.stringify(frame.kind)}`);
      if (!Number.isInteger(frame.value) || frame.value < -(2 ** 31) || frame.value >= 2 ** 31) {
        throw invalid(`event value ${frame.value} must be a 32-bit signed integer`);
      }
      view.setUint32(at, frame.timestampUs, true);
      view.setUint8(at + 4, kind);
      view.setInt32(at + 5, frame.value, true);
      return;
    }
    case 'command': {
      const code = COMMAND_CODE[frame.command];
      if (frame.protocolVersion !== undefined) checkUint('protocol version', frame.protocolVersion, 256);
      if (code === undefined) throw invalid(`unknown command ${JSON.stringify(frame.command)}`);
      checkUint('command argument', frame.arg, 2 ** 32);
      // The sender's version rides in every command so a board can refuse a host of another version.
      view.setUint8(at, frame.protocolVersion ?? PROTOCOL_VERSION);
      view.setUint8(at + 1, code);
      view.setUint32(at + 2, frame.arg, true);
      return;
    }
  }
}

/** The frame before COBS: header, payload, CRC. Golden vectors and the C codec check against this. */
export function encodeRawFrame(frame: Frame): Uint8Array {
  checkUint('sequence number', frame.seq, SEQ_MODULUS);
  const payload = payloadLength(frame);
  if (payload > MAX_PAYLOAD) throw invalid(`payload of ${payload} bytes exceeds ${MAX_PAYLOAD}; split the samples over more frames`);
  const typeCode = FRAME_TYPE[frame.type];
  if (typeCode === undefined) throw invalid(`unknown frame type ${JSON.stringify((frame as { type: unknown }).type)}`);
  const bytes = new Uint8Array(HEADER_BYTES + payload + CRC_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, typeCode);
  view.setUint16(1, frame.seq, true);
  writePayload(frame, view, bytes, HEADER_BYTES);
  const end = HEADER_BYTES + payload;
  view.setUint16(end, crc16Ccitt(bytes, 0, end), true);
  return bytes;
}

/** The bytes to put on the wire for one frame: COBS-encoded, followed by the 0x00 delimiter. */
export function encodeFrame(frame: Frame): Uint8Array {
  const raw = encodeRawFrame(frame);
  const out = new Uint8Array(cobsMaxEncodedLength(raw.length) + 1);
  const n = cobsEncodeInto(raw, raw.length, out, 0);
  out[n] = 0;
  return out.subarray(0, n + 1);
}
