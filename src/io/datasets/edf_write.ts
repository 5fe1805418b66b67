/**
 * Writing EDF+ and BDF+ files (continuous, "EDF+C" / "BDF+C"), the formats
 * EDFbrowser, MNE, EEGLAB and most clinical tools open. The layout is the
 * one edf.ts reads: a 256-byte header plus 256 per signal, then data
 * records of a fixed duration holding every signal's samples, and one
 * annotation signal ("EDF Annotations" / "BDF Annotations") whose TALs carry
 * each record's start time and the annotations.
 *
 * Digital values are 16-bit (EDF) or 24-bit (BDF) two's complement. Each
 * channel's physical range is chosen from its own data (its minimum and
 * maximum, widened to what the 8-character header fields can hold), so the
 * whole digital range is used: the resolution is (max - min) / 65535 in
 * EDF, / 16777215 in BDF.
 *
 * Records last one second when the rate is a whole number of samples per
 * second (else the shortest whole number of seconds that holds a whole
 * number of samples). A recording that does not fill its last record is
 * padded with its last sample, and an annotation (EDF_PADDING_ANNOTATION)
 * marks the padding, so that a reader can tell, and `convert` cuts it off.
 */
import { HeadstartError } from '../../core/errors.ts';
import { fileWriteError, writeFileAtomic } from '../atomic_file.ts';

export interface EdfAnnotation {
  /** Seconds from the start of the recording. */
  onset: number;
  /** Seconds, for an annotation that lasts (a labelled stretch). */
  duration?: number;
  text: string;
}

export interface EdfWriteInput {
  /** BDF+ (24-bit) rather than EDF+ (16-bit). */
  bdf: boolean;
  channels: number;
  /** Samples per second per channel. */
  rate: number;
  /** Interleaved physical values, in `unit`. */
  samples: ArrayLike<number>;
  /** Signal labels (at most 16 characters each are kept); default ch1, ch2, ... */
  channelNames?: string[];
  /** Physical dimension of every signal (default "uV"). */
  unit?: string;
  annotations?: EdfAnnotation[];
  /** The person recorded: the patient code of the EDF+ patient field. */
  subject?: string;
  /** The equipment subfield of the EDF+ recording field (the board). */
  equipment?: string;
  /** When the recording started (written as UTC); unknown when absent. */
  startedAt?: Date;
}

export interface EdfSignalRange {
  physicalMin: number;
  physicalMax: number;
  /** Physical units per digital step. */
  resolution: number;
}

export interface EdfWriting {
  bytes: Uint8Array;
  records: number;
  recordSeconds: number;
  /** Samples per channel added to fill the last record (0 when the data fills it). */
  paddedSamples: number;
  /** Per channel. */
  ranges: EdfSignalRange[];
}

/** The text of the annotation that marks a padded end (see the module comment). */
export const EDF_PADDING_ANNOTATION = 'headstart: padding, not recorded';

const FIXED_HEADER = 256;
const PER_SIGNAL = 256;
/** Records may last at most this long when searching for a whole number of samples per record. */
const MAX_RECORD_SECONDS = 60;
/** Least bytes of the annotation signal per record (the time-keeping TAL and a short annotation). */
const MIN_ANNOTATION_BYTES = 64;

/** Printable ASCII only, for the header's text fields. */
function asciiField(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '_');
}

function field(text: string, width: number): string {
  return asciiField(text).slice(0, width).padEnd(width, ' ');
}

/** Shortest decimal text of `value` in at most 8 characters, rounded towards `direction` so that the range still holds the data. */
export function edfNumberField(value: number, direction: 'down' | 'up'): string {
  for (let decimals = 6; decimals >= 0; decimals--) {
    const scale = 10 ** decimals;
    let scaled = direction === 'down' ? Math.floor(value * scale) : Math.ceil(value * scale);
    let text = (scaled / scale).toFixed(decimals);
    // Floating-point rounding of the division can land on the wrong side: step once more.
    if (direction === 'down' ? Number(text) > value : Number(text) < value) {
      scaled += direction === 'down' ? -1 : 1;
      text = (scaled / scale).toFixed(decimals);
    }
    if (decimals > 0) text = text.replace(/\.?0+$/, '');
    if (text === '-0') text = '0';
    if (text.length <= 8) return text;
  }
  throw new HeadstartError('BAD_OPTION', `the value ${value} does not fit the 8 characters of an EDF header field; scale the recording's values`, { value });
}

/** Record duration (s) and samples per record for a rate: one second when whole, else the shortest whole number of seconds. */
export function recordLayout(rate: number): { recordSeconds: number; samplesPerRecord: number } {
  for (let seconds = 1; seconds <= MAX_RECORD_SECONDS; seconds++) {
    const n = rate * seconds;
    if (Math.abs(n - Math.round(n)) < 1e-6 && Math.round(n) >= 1) return { recordSeconds: seconds, samplesPerRecord: Math.round(n) };
  }
  throw new HeadstartError('BAD_OPTION', `a rate of ${rate} Hz gives no whole number of samples in any record of 1 to ${MAX_RECORD_SECONDS} s, which EDF needs; resample the recording`, { rate });
}

/** An onset or duration as TALs write it: plain decimals, no exponent, at most microseconds. */
function talSeconds(seconds: number): string {
  return seconds.toFixed(6).replace(/\.?0+$/, '') || '0';
}

function tal(onset: number, texts: string[], duration?: number): Buffer {
  const head = `${onset < 0 ? '-' : '+'}${talSeconds(Math.abs(onset))}${duration === undefined ? '' : `\x15${talSeconds(duration)}`}`;
  // Text is UTF-8; the separators 0x14, 0x15 and NUL may not appear in it.
  const clean = texts.map((t) => t.replace(/[\x00\x14\x15]/g, ' '));
  return Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from([0x14]), ...clean.map((t) => Buffer.concat([Buffer.from(t, 'utf8'), Buffer.from([0x14])])), Buffer.from([0])]);
}

/** The TAL that starts every record's annotations: its start time and an empty annotation, "+t\x14\x14\0". */
function timeKeeping(seconds: number): Buffer {
  return tal(seconds, ['']);
}

/**
 * Spreads the annotations' TALs over the records: each in the record of its
 * onset or, when that one is full, a later one. Returns the TALs per record
 * and the bytes the annotation signal needs per record.
 */
function placeAnnotations(annotations: EdfAnnotation[], records: number, recordSeconds: number): { perRecord: Buffer[][]; bytes: number } {
  const tals = [...annotations].sort((a, b) => a.onset - b.onset).map((a) => ({ at: Math.min(records - 1, Math.max(0, Math.floor(a.onset / recordSeconds))), tal: tal(a.onset, [a.text], a.duration) }));
  const keeping = (r: number) => timeKeeping(r * recordSeconds).length;
  const largest = tals.reduce((n, t) => Math.max(n, t.tal.length), 0);
  const total = tals.reduce((n, t) => n + t.tal.length, 0);
  let capacity = Math.max(MIN_ANNOTATION_BYTES, keeping(records) + largest, keeping(records) + Math.ceil(total / Math.max(1, records)));
  for (;;) {
    const perRecord: Buffer[][] = Array.from({ length: records }, () => []);
    const used = Array.from({ length: records }, (_, r) => keeping(r));
    let record = 0;
    let fits = true;
    for (const t of tals) {
      record = Math.max(record, t.at);
      while (record < records && used[record]! + t.tal.length > capacity) record++;
      if (record === records) {
        fits = false;
        break;
      }
      perRecord[record]!.push(t.tal);
      used[record]! += t.tal.length;
    }
    if (fits) return { perRecord, bytes: capacity };
    capacity *= 2;
  }
}

/** Per channel: the data's range, widened to header-field precision (and to a nonzero width). */
function channelRanges(samples: ArrayLike<number>, channels: number, frames: number, digitalSpan: number): EdfSignalRange[] {
  const ranges: EdfSignalRange[] = [];
  for (let c = 0; c < channels; c++) {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < frames; i++) {
      const v = samples[i * channels + c]!;
      if (!Number.isFinite(v)) throw new HeadstartError('NOT_FINITE', `channel ${c + 1}, sample ${i}: ${v} is not a finite number; EDF cannot hold it`, { channel: c, sample: i });
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (frames === 0) [min, max] = [0, 0];
    if (max === min) {
      min -= 1;
      max += 1;
    }
    // The header holds these texts; their values (printed back by String(), no longer than the text) are what readers scale by.
    const physicalMin = Number(edfNumberField(min, 'down'));
    const physicalMax = Number(edfNumberField(max, 'up'));
    ranges.push({ physicalMin, physicalMax, resolution: (physicalMax - physicalMin) / digitalSpan });
  }
  return ranges;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** Encodes a whole EDF+C or BDF+C file. */
export function encodeEdfPlus(input: EdfWriteInput): EdfWriting {
  const { bdf, channels, rate, samples } = input;
  if (!Number.isInteger(channels) || channels < 1 || channels > 9998) throw new HeadstartError('INTERNAL', `EDF writer: ${channels} channels (1..9998 can be written)`);
  if (samples.length % channels !== 0) throw new HeadstartError('INTERNAL', `EDF writer: ${samples.length} values are not whole ${channels}-channel samples`);
  const names = input.channelNames ?? Array.from({ length: channels }, (_, c) => `ch${c + 1}`);
  if (names.length !== channels) throw new HeadstartError('INTERNAL', `EDF writer: ${names.length} channel names for ${channels} channels`);
  const bytesPerSample = bdf ? 3 : 2;
  const digitalMin = bdf ? -8388608 : -32768;
  const digitalMax = bdf ? 8388607 : 32767;
  const frames = samples.length / channels;
  const { recordSeconds, samplesPerRecord } = recordLayout(rate);
  const records = Math.max(1, Math.ceil(frames / samplesPerRecord));
  const paddedSamples = records * samplesPerRecord - frames;
  const ranges = channelRanges(samples, channels, frames, digitalMax - digitalMin);
  const annotations = [...(input.annotations ?? [])];
  if (paddedSamples > 0 && frames > 0) annotations.push({ onset: frames / rate, duration: paddedSamples / rate, text: EDF_PADDING_ANNOTATION });
  for (const a of annotations) {
    if (!Number.isFinite(a.onset) || a.onset < 0 || (a.duration !== undefined && !(a.duration >= 0))) throw new HeadstartError('INTERNAL', `EDF writer: annotation ${JSON.stringify(a)} has no valid onset/duration`);
  }
  const placed = placeAnnotations(annotations, records, recordSeconds);
  const annotationSamples = Math.ceil(placed.bytes / bytesPerSample);

  // Header.
  const ns = channels + 1;
  const headerBytes = FIXED_HEADER + PER_SIGNAL * ns;
  const start = input.startedAt;
  const patient = `${input.subject ? asciiField(input.subject).replace(/ /g, '_') : 'X'} X X X`;
  const recording = start
    ? `Startdate ${two(start.getUTCDate())}-${MONTHS[start.getUTCMonth()]}-${start.getUTCFullYear()} X X ${asciiField(input.equipment ?? 'headstart').replace(/ /g, '_')}`
    : `Startdate X X X ${asciiField(input.equipment ?? 'headstart').replace(/ /g, '_')}`;
  const startDate = start ? `${two(start.getUTCDate())}.${two(start.getUTCMonth() + 1)}.${two(start.getUTCFullYear() % 100)}` : '01.01.85';
  const startTime = start ? `${two(start.getUTCHours())}.${two(start.getUTCMinutes())}.${two(start.getUTCSeconds())}` : '00.00.00';
  const fixed =
    (bdf ? '\xffBIOSEMI' : field('0', 8)) +
    field(patient, 80) +
    field(recording, 80) +
    startDate +
    startTime +
    field(String(headerBytes), 8) +
    field(bdf ? 'BDF+C' : 'EDF+C', 44) +
    field(String(records), 8) +
    field(String(recordSeconds), 8) +
    field(String(ns), 4);
  const unit = input.unit ?? 'uV';
  const signals = [
    ...names.map((name, c) => ({ label: name, unit, pmin: String(ranges[c]!.physicalMin), pmax: String(ranges[c]!.physicalMax), dmin: String(digitalMin), dmax: String(digitalMax), spr: samplesPerRecord })),
    { label: bdf ? 'BDF Annotations' : 'EDF Annotations', unit: '', pmin: '-1', pmax: '1', dmin: String(digitalMin), dmax: String(digitalMax), spr: annotationSamples },
  ];
  const perSignal =
    signals.map((s) => field(s.label, 16)).join('') +
    signals.map(() => field('', 80)).join('') +
    signals.map((s) => field(s.unit, 8)).join('') +
    signals.map((s) => field(s.pmin, 8)).join('') +
    signals.map((s) => field(s.pmax, 8)).join('') +
    signals.map((s) => field(s.dmin, 8)).join('') +
    signals.map((s) => field(s.dmax, 8)).join('') +
    signals.map(() => field('', 80)).join('') +
    signals.map((s) => field(String(s.spr), 8)).join('') +
    signals.map(() => field('', 32)).join('');
  const header = Buffer.from(fixed + perSignal, 'latin1');
  if (header.length !== headerBytes) throw new HeadstartError('INTERNAL', `EDF writer: header of ${header.length} bytes, expected ${headerBytes}`);

  // Data records.
  const recordBytes = (channels * samplesPerRecord + annotationSamples) * bytesPerSample;
  const out = Buffer.alloc(headerBytes + records * recordBytes);
  header.copy(out, 0);
  const span = digitalMax - digitalMin;
  for (let r = 0; r < records; r++) {
    let at = headerBytes + r * recordBytes;
    for (let c = 0; c < channels; c++) {
      const { physicalMin, physicalMax } = ranges[c]!;
      const gain = span / (physicalMax - physicalMin);
      for (let k = 0; k < samplesPerRecord; k++, at += bytesPerSample) {
        const frame = Math.min(r * samplesPerRecord + k, frames - 1);
        const v = frames === 0 ? 0 : samples[frame * channels + c]!;
        const d = Math.min(digitalMax, Math.max(digitalMin, Math.round((v - physicalMin) * gain + digitalMin)));
        if (bdf) out.writeIntLE(d, at, 3);
        else out.writeInt16LE(d, at);
      }
    }
    Buffer.concat([timeKeeping(r * recordSeconds), ...placed.perRecord[r]!]).copy(out, at);
  }
  return { bytes: out, records, recordSeconds, paddedSamples: frames === 0 ? 0 : paddedSamples, ranges };
}

/** Writes an EDF+/BDF+ file atomically (temp file, fsync, rename). */
export function writeEdfFile(path: string, input: EdfWriteInput): EdfWriting {
  const writing = encodeEdfPlus(input);
  try {
    writeFileAtomic(path, writing.bytes);
  } catch (err) {
    throw fileWriteError(path, err);
  }
  return writing;
}
