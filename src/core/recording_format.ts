/**
 * The headstart recording format (`.hsrec`): what a device records, written
 * so that a crash loses at most the chunk being appended.
 *
 *   file    = header chunk*
 *   header  = "HSRC" u8 version(1) u8 0 u32le n  json[n]  u32le crc32(json)
 *   chunk   = u8 kind  u32le n  payload[n]  u32le crc32(kind, n, payload)
 *   kind    'S' (0x53) samples: interleaved little-endian int16 or float32,
 *                      a whole number of samples
 *           'M' (0x4D) marker: UTF-8 JSON of a RecordingMarker
 *
 * The JSON header makes the file self-describing (channels, rate, sample
 * format, subject, class names...). Chunks are only ever appended; a reader
 * keeps every whole chunk and reports a torn tail (a last chunk cut short,
 * failing its CRC, or zero-filled by the file system after a crash) instead
 * of failing. A bad chunk with good data after it is corruption and an
 * error. Unknown chunk kinds with a good CRC are skipped, so later versions
 * can add kinds. Pure code: bytes in, bytes out; file I/O lives with the
 * callers.
 */
import { crc32 } from './crc32.ts';
import { type ErrorCode, HeadstartError } from './errors.ts';
import type { Recording } from './signal.ts';

export const HSREC_MAGIC = 'HSRC';
export const HSREC_VERSION = 1;
export const HSREC_EXTENSION = '.hsrec';
const PREAMBLE_BYTES = 10; // magic(4) version(1) reserved(1) json length(4)
const CHUNK_HEAD_BYTES = 5; // kind(1) length(4)
const CRC_BYTES = 4;
/** Chunks larger than this are refused: a length field past it is corruption, not data. */
export const HSREC_MAX_CHUNK = 64 * 1024 * 1024;

export const CHUNK_SAMPLES = 0x53;
export const CHUNK_MARKER = 0x4d;

export type RecordingSampleFormat = 'int16' | 'float32';

export interface RecordingHeader {
  channels: number;
  /** Samples per second per channel. */
  rate: number;
  sampleFormat: RecordingSampleFormat;
  /** The person recorded. */
  subject?: string;
  /** Session name (e.g. 'calibration-2026-11-22'). */
  session?: string;
  /** Where the samples came from (board id, port, replayed file). */
  source?: string;
  /** Class names label markers index into. */
  classes?: string[];
  /** Channel names in order (e.g. electrode positions). */
  channelNames?: string[];
  /** ISO 8601 time the recording started. */
  startedAt?: string;
}

/**
 * Something that happened at a sample position. Kind 'label' starts a
 * labelled segment that lasts until the next 'label' marker (label null
 * ends it); other kinds (button, sync, prompt...) are kept as they are.
 */
export interface RecordingMarker {
  /** Sample index (per channel, from the start of the file) the marker applies from. */
  at: number;
  kind: string;
  /** For kind 'label': class index, or null for "no gesture being recorded". */
  label?: number | null;
  /** Repetition (cycle) of the labelled segment. */
  rep?: number;
  /** Free text (a prompt shown, a note). */
  text?: string;
}

export interface DecodedRecording {
  header: RecordingHeader;
  /** Interleaved samples of every whole samples chunk, in order. */
  samples: Float32Array;
  markers: RecordingMarker[];
  /** Bytes after the last whole chunk that were dropped (0 for a cleanly closed file). */
  tornBytes: number;
  /** Byte length of the intact part: a writer resuming the file truncates it to this. */
  intactBytes: number;
}

function bytesPerValue(format: RecordingSampleFormat): number {
  return format === 'int16' ? 2 : 4;
}

function formatError(source: string, offset: number, message: string, code: ErrorCode = 'BAD_RECORDING'): HeadstartError {
  return new HeadstartError(code, `${source}: ${message} (at byte ${offset})`, { file: source, offset });
}

/** Checks a header for what readers rely on; `source` names the file in errors. */
export function checkRecordingHeader(header: RecordingHeader, source: string): void {
  const bad = (what: string) => new HeadstartError('BAD_RECORDING', `${source}: ${what}`, { file: source });
  if (!Number.isInteger(header.channels) || header.channels < 1 || header.channels > 1024) throw bad(`channel count ${header.channels} is not a whole number in 1..1024`);
  if (typeof header.rate !== 'number' || !Number.isFinite(header.rate) || header.rate <= 0) throw bad(`sample rate ${header.rate} is not a positive number`);
  if (header.sampleFormat !== 'int16' && header.sampleFormat !== 'float32') throw bad(`sample format ${JSON.stringify(header.sampleFormat)} is not int16 or float32`);
  for (const key of ['subject', 'session', 'source', 'startedAt'] as const) {
    if (header[key] !== undefined && typeof header[key] !== 'string') throw bad(`${key} is not text`);
  }
  if (header.classes !== undefined && !(Array.isArray(header.classes) && header.classes.every((c) => typeof c === 'string'))) throw bad('classes is not a list of names');
  if (header.channelNames !== undefined && !(Array.isArray(header.channelNames) && header.channelNames.length === header.channels)) {
    throw bad(`channelNames does not name ${header.channels} channels`);
  }
}

export function encodeRecordingHeader(header: RecordingHeader): Uint8Array {
  checkRecordingHeader(header, 'recording header');
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(PREAMBLE_BYTES + json.length + CRC_BYTES);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(HSREC_MAGIC), 0);
  out[4] = HSREC_VERSION;
  view.setUint32(6, json.length, true);
  out.set(json, PREAMBLE_BYTES);
  view.setUint32(PREAMBLE_BYTES + json.length, crc32(json), true);
  return out;
}

function encodeChunk(kind: number, payload: Uint8Array): Uint8Array {
  if (payload.length > HSREC_MAX_CHUNK) throw new HeadstartError('INTERNAL', `a chunk of ${payload.length} bytes is over the ${HSREC_MAX_CHUNK}-byte limit; append in smaller pieces`);
  const out = new Uint8Array(CHUNK_HEAD_BYTES + payload.length + CRC_BYTES);
  const view = new DataView(out.buffer);
  out[0] = kind;
  view.setUint32(1, payload.length, true);
  out.set(payload, CHUNK_HEAD_BYTES);
  view.setUint32(CHUNK_HEAD_BYTES + payload.length, crc32(out, 0, CHUNK_HEAD_BYTES + payload.length), true);
  return out;
}

/**
 * A samples chunk. Int16 recordings take whole numbers in -32768..32767
 * (an Int16Array from the wire goes in as is); anything else is refused
 * rather than silently rounded or clipped.
 */
export function encodeSamplesChunk(header: Pick<RecordingHeader, 'channels' | 'sampleFormat'>, samples: ArrayLike<number>): Uint8Array {
  if (samples.length % header.channels !== 0) {
    throw new HeadstartError('INTERNAL', `${samples.length} values are not a whole number of ${header.channels}-channel samples`);
  }
  const size = bytesPerValue(header.sampleFormat);
  const payload = new Uint8Array(samples.length * size);
  const view = new DataView(payload.buffer);
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i]!;
    if (header.sampleFormat === 'int16') {
      if (!Number.isInteger(v) || v < -32768 || v > 32767) {
        throw new HeadstartError('INTERNAL', `value ${v} (index ${i}) does not fit an int16 recording; record float32 or scale the values`);
      }
      view.setInt16(2 * i, v, true);
    } else {
      if (!Number.isFinite(v)) throw new HeadstartError('INTERNAL', `value ${v} (index ${i}) is not a finite number`);
      view.setFloat32(4 * i, v, true);
    }
  }
  return encodeChunk(CHUNK_SAMPLES, payload);
}

export function encodeMarkerChunk(marker: RecordingMarker): Uint8Array {
  checkMarker(marker, 'marker');
  return encodeChunk(CHUNK_MARKER, new TextEncoder().encode(JSON.stringify(marker)));
}

function checkMarker(m: RecordingMarker, where: string): void {
  const ok =
    typeof m === 'object' &&
    m !== null &&
    Number.isInteger(m.at) &&
    m.at >= 0 &&
    typeof m.kind === 'string' &&
    (m.label === undefined || m.label === null || (Number.isInteger(m.label) && m.label >= 0)) &&
    (m.rep === undefined || (Number.isInteger(m.rep) && m.rep >= 0)) &&
    (m.text === undefined || typeof m.text === 'string');
  if (!ok) throw new HeadstartError('BAD_RECORDING', `${where}: ${JSON.stringify(m)} is not a marker {at: sample index >= 0, kind, label?: index | null, rep?, text?}`);
}

/** A whole file in memory: header, one samples chunk, the markers. */
export function encodeRecording(header: RecordingHeader, samples: ArrayLike<number>, markers: RecordingMarker[] = []): Uint8Array {
  const parts = [encodeRecordingHeader(header), ...markers.map(encodeMarkerChunk), encodeSamplesChunk(header, samples)];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** True when the bytes start like a recording file (for recognising one regardless of its name). */
export function looksLikeRecording(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && new TextDecoder().decode(bytes.subarray(0, 4)) === HSREC_MAGIC;
}

/** Decodes a recording file's bytes; `source` names the file in errors. Never throws anything but HeadstartError. */
export function decodeRecording(bytes: Uint8Array, source: string): DecodedRecording {
  if (!looksLikeRecording(bytes)) throw formatError(source, 0, `not a headstart recording (it does not start with "${HSREC_MAGIC}")`, 'BAD_RECORDING');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < PREAMBLE_BYTES) throw formatError(source, bytes.length, 'the header is cut short; the file was never completely created', 'BAD_RECORDING');
  if (bytes[4] !== HSREC_VERSION) {
    throw formatError(source, 4, `format version ${bytes[4]} is not supported (this headstart reads version ${HSREC_VERSION}); update headstart`, 'FORMAT_TOO_NEW');
  }
  const jsonLength = view.getUint32(6, true);
  const headerEnd = PREAMBLE_BYTES + jsonLength + CRC_BYTES;
  if (headerEnd > bytes.length) throw formatError(source, bytes.length, 'the header is cut short; the file was never completely created', 'BAD_RECORDING');
  if (crc32(bytes, PREAMBLE_BYTES, PREAMBLE_BYTES + jsonLength) !== view.getUint32(PREAMBLE_BYTES + jsonLength, true)) {
    throw formatError(source, PREAMBLE_BYTES, 'the header fails its CRC check; the file is damaged', 'BAD_RECORDING');
  }
  let header: RecordingHeader;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + jsonLength)));
  } catch {
    throw formatError(source, PREAMBLE_BYTES, 'the header is not JSON', 'BAD_RECORDING');
  }
  if (typeof header !== 'object' || header === null) throw formatError(source, PREAMBLE_BYTES, 'the header is not a JSON object', 'BAD_RECORDING');
  checkRecordingHeader(header, source);

  const frameBytes = header.channels * bytesPerValue(header.sampleFormat);
  const sampleChunks: { start: number; length: number }[] = [];
  const markers: RecordingMarker[] = [];
  let offset = headerEnd;
  let torn = false;
  while (offset < bytes.length) {
    const remaining = bytes.length - offset;
    const length = remaining >= CHUNK_HEAD_BYTES ? view.getUint32(offset + 1, true) : -1;
    const end = offset + CHUNK_HEAD_BYTES + length + CRC_BYTES;
    const whole = length >= 0 && length <= HSREC_MAX_CHUNK && end <= bytes.length;
    if (!whole || crc32(bytes, offset, end - CRC_BYTES) !== view.getUint32(end - CRC_BYTES, true)) {
      // A damaged chunk is a torn tail if nothing meaningful follows it; otherwise the file is corrupt.
      if (!whole || end === bytes.length || allZero(bytes, offset)) {
        torn = true;
        break;
      }
      throw formatError(source, offset, 'a chunk fails its CRC check and data follows it; the file is damaged in the middle');
    }
    const kind = bytes[offset];
    const payloadStart = offset + CHUNK_HEAD_BYTES;
    if (kind === CHUNK_SAMPLES) {
      if (length % frameBytes !== 0) throw formatError(source, offset, `a samples chunk of ${length} bytes is not a whole number of ${frameBytes}-byte samples`);
      sampleChunks.push({ start: payloadStart, length });
    } else if (kind === CHUNK_MARKER) {
      let marker: RecordingMarker;
      try {
        marker = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(payloadStart, payloadStart + length)));
      } catch {
        throw formatError(source, offset, 'a marker chunk is not JSON');
      }
      try {
        checkMarker(marker, source);
      } catch (err) {
        throw formatError(source, offset, (err as Error).message.replace(`${source}: `, ''));
      }
      markers.push(marker);
    }
    offset = end;
  }

  const valueCount = sampleChunks.reduce((n, c) => n + c.length, 0) / bytesPerValue(header.sampleFormat);
  const samples = new Float32Array(valueCount);
  let at = 0;
  for (const c of sampleChunks) {
    if (header.sampleFormat === 'int16') for (let i = 0; i < c.length; i += 2) samples[at++] = view.getInt16(c.start + i, true);
    else for (let i = 0; i < c.length; i += 4) samples[at++] = view.getFloat32(c.start + i, true);
  }
  return { header, samples, markers, tornBytes: torn ? bytes.length - offset : 0, intactBytes: offset };
}

function allZero(bytes: Uint8Array, from: number): boolean {
  for (let i = from; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

export interface LabelledSegment {
  /** First sample (per channel) of the segment. */
  start: number;
  /** One past the last sample. */
  end: number;
  label: number;
  rep?: number;
}

/**
 * The labelled stretches of a recording: each 'label' marker with a label
 * runs until the next 'label' marker or the end. Empty stretches are left out.
 */
export function labelledSegments(markers: RecordingMarker[], sampleCount: number): LabelledSegment[] {
  const labels = markers.filter((m) => m.kind === 'label').sort((a, b) => a.at - b.at);
  const segments: LabelledSegment[] = [];
  labels.forEach((m, i) => {
    if (m.label === undefined || m.label === null) return;
    const start = Math.min(m.at, sampleCount);
    const end = Math.min(i + 1 < labels.length ? labels[i + 1].at : sampleCount, sampleCount);
    if (end > start) segments.push({ start, end, label: m.label, ...(m.rep === undefined ? {} : { rep: m.rep }) });
  });
  return segments;
}

/**
 * Joins recordings end to end into one stream with a 'label' marker at the
 * start of each (label null for an unlabelled one): the shape a replayed
 * session or a written .hsrec takes. Inverse of cutting by labelledSegments.
 */
export function joinRecordings(recordings: Recording[]): { channels: number; rate: number; samples: Float32Array; markers: RecordingMarker[] } {
  if (recordings.length === 0) throw new HeadstartError('NO_RECORDINGS', 'no recordings to join');
  const { channels, rate } = recordings[0];
  let total = 0;
  for (const r of recordings) {
    if (r.channels !== channels || r.rate !== rate) {
      throw new HeadstartError('MIXED_RECORDINGS', `${r.source}: ${r.channels} channels at ${r.rate}/s, but ${recordings[0].source} has ${channels} at ${rate}/s; only alike recordings join`);
    }
    total += r.samples.length;
  }
  const samples = new Float32Array(total);
  const markers: RecordingMarker[] = [];
  let at = 0;
  for (const r of recordings) {
    markers.push({ at: at / channels, kind: 'label', label: r.label ?? null, ...(r.rep === undefined ? {} : { rep: r.rep }) });
    samples.set(r.samples, at);
    at += r.samples.length;
  }
  return { channels, rate, samples, markers };
}
