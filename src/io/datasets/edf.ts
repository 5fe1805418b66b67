/**
 * EDF, EDF+ (continuous C and discontinuous D), BDF and BDF+ files.
 *
 * A header of 256 ASCII bytes plus 256 per signal, then data records of a
 * fixed duration, each holding every signal's samples for that time one
 * signal after another: little-endian two's complement, 16 bits in EDF, 24
 * in BDF. A signal's physical value is its digital value mapped linearly
 * from [digital min, digital max] onto [physical min, physical max], in the
 * signal's unit; voltages are returned in µV. Each signal's rate is its
 * samples per record over the record duration; the signals read together
 * must share one rate (a file may also hold, say, a 1 Hz temperature).
 *
 * EDF+ and BDF+ add annotation signals ("EDF Annotations", "BDF
 * Annotations") holding time-stamped annotation lists (TALs):
 * `+onset[\x15duration]\x14text\x14[text\x14...]\x00`, onsets in seconds from
 * the file's start time. The first TAL of each record, with no text, gives
 * the record's own start time; in EDF+D records may have gaps between
 * them, and each gapless stretch is returned as its own recording.
 * Annotations become markers at the sample they fall on.
 */
import { extname } from 'node:path';
import { type ErrorCode, HeadstartError } from '../../core/errors.ts';
import { listLabels, selectChannelsByLabel } from './channel_labels.ts';
import { type FileRecordings, labelByFileName, sameChannelNames } from './file_labels.ts';
import { readFileBytes } from './file_read.ts';
import type { Dataset, DatasetAdapter, DatasetMarker, DatasetRecording, DatasetSpec } from './types.ts';

export type EdfFormat = 'EDF' | 'EDF+C' | 'EDF+D' | 'BDF' | 'BDF+C' | 'BDF+D';

export interface EdfSignal {
  label: string;
  transducer: string;
  /** Physical dimension as written ("uV", "mV", "degC"). */
  unit: string;
  physicalMin: number;
  physicalMax: number;
  digitalMin: number;
  digitalMax: number;
  prefilter: string;
  samplesPerRecord: number;
  /** Samples per second: samples per record / record duration (0 when the records have no duration). */
  rate: number;
  /** An EDF+/BDF+ annotation signal rather than a measurement. */
  annotations: boolean;
}

export interface EdfHeader {
  format: EdfFormat;
  /** 2 (EDF) or 3 (BDF). */
  bytesPerSample: 2 | 3;
  patient: string;
  recording: string;
  /** dd.mm.yy and hh.mm.ss as written. */
  startDate: string;
  startTime: string;
  headerBytes: number;
  /** Data records in the file (counted from its size when the header says -1). */
  records: number;
  recordSeconds: number;
  signals: EdfSignal[];
}

export interface EdfReadOptions {
  /** Signals to read, by label (see channel_labels.ts); default: every signal that is not annotations. */
  channels?: string[];
}

export interface EdfReading {
  header: EdfHeader;
  /** One per gapless stretch of data records: exactly one for EDF, EDF+C and an EDF+D file without gaps. */
  recordings: DatasetRecording[];
  /** Things to show the user (a unit that is not a voltage, annotations that could not be read). */
  warnings: string[];
}

const FIXED_HEADER = 256;
const PER_SIGNAL = 256;
/** Widths of the per-signal header fields, in file order. */
const SIGNAL_FIELDS = [
  ['label', 16],
  ['transducer type', 80],
  ['physical dimension', 8],
  ['physical minimum', 8],
  ['physical maximum', 8],
  ['digital minimum', 8],
  ['digital maximum', 8],
  ['prefiltering', 80],
  ['samples per record', 8],
  ['reserved', 32],
] as const;

const INTEGER = /^[+-]?\d+$/;
const REAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function headerError(source: string, where: string, message: string, code: ErrorCode = 'BAD_RECORDING'): HeadstartError {
  return new HeadstartError(code, `${source}: ${where}: ${message}`, { file: source });
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, length).toString('latin1');
}

function parseInteger(text: string, source: string, where: string): number {
  const t = text.trim();
  if (!INTEGER.test(t)) throw headerError(source, where, `"${t}" is not a whole number`);
  return Number(t);
}

function parseReal(text: string, source: string, where: string): number {
  let t = text.trim();
  // Some writers put a decimal comma in these fields, against the specification.
  if (!t.includes('.') && /^[+-]?\d+,\d+$/.test(t)) t = t.replace(',', '.');
  if (!REAL.test(t)) throw headerError(source, where, `"${t}" is not a number`);
  return Number(t);
}

/** µV per unit of a voltage dimension, or undefined when the dimension is not a voltage. */
function microvoltsPer(unit: string): number | undefined {
  const u = unit.trim().toLowerCase();
  if (u === 'uv' || u === 'µv' || u === 'μv') return 1;
  if (u === 'mv') return 1e3;
  if (u === 'v') return 1e6;
  if (u === 'nv') return 1e-3;
  return undefined;
}

/** Parses and checks the header; needs only the header's bytes (and the file's size to count records when the header does not). */
export function parseEdfHeader(bytes: Uint8Array, source: string, fileSize = bytes.length): EdfHeader {
  if (bytes.length < FIXED_HEADER) {
    throw new HeadstartError('BAD_RECORDING', `${source}: ${bytes.length} bytes, shorter than the 256-byte header every EDF/BDF file starts with`, { file: source });
  }
  const version = ascii(bytes, 0, 8);
  let bdf: boolean;
  if (bytes[0] === 0xff && ascii(bytes, 1, 7) === 'BIOSEMI') bdf = true;
  else if (version.trim() === '0') bdf = false;
  else {
    throw new HeadstartError('BAD_RECORDING', `${source}: does not start like an EDF file ("0" then spaces) or a BDF file (byte 255 then "BIOSEMI"); it is not EDF/BDF or is damaged`, {
      file: source,
    });
  }
  const headerBytes = parseInteger(ascii(bytes, 184, 8), source, 'header byte count (bytes 184-191)');
  const reserved = ascii(bytes, 192, 44).trim();
  const declaredRecords = parseInteger(ascii(bytes, 236, 8), source, 'number of data records (bytes 236-243)');
  const recordSeconds = parseReal(ascii(bytes, 244, 8), source, 'data record duration (bytes 244-251)');
  const ns = parseInteger(ascii(bytes, 252, 4), source, 'number of signals (bytes 252-255)');
  if (ns < 1) throw headerError(source, 'number of signals (bytes 252-255)', `${ns}: the file holds no signals`, 'NOT_ENOUGH_DATA');
  if (recordSeconds < 0) throw headerError(source, 'data record duration (bytes 244-251)', `${recordSeconds} s is negative`);
  if (declaredRecords < -1) throw headerError(source, 'number of data records (bytes 236-243)', `${declaredRecords} (must be -1 for unknown, or 0 or more)`);
  const expectedHeader = FIXED_HEADER + PER_SIGNAL * ns;
  if (headerBytes !== expectedHeader) {
    throw headerError(source, 'header byte count (bytes 184-191)', `${headerBytes}, but ${ns} signals make a ${expectedHeader}-byte header (256 + 256 per signal)`);
  }
  if (bytes.length < expectedHeader) {
    throw new HeadstartError(
      'BAD_RECORDING',
      `${source}: the header of ${ns} signals takes ${expectedHeader} bytes, but only ${bytes.length} are there; the file is truncated`,
      { file: source },
    );
  }

  const plus = /^([EB])DF\+([CD])/.exec(reserved);
  const format: EdfFormat = bdf ? (plus ? (`BDF+${plus[2]}` as EdfFormat) : 'BDF') : plus ? (`EDF+${plus[2]}` as EdfFormat) : 'EDF';
  const bytesPerSample = bdf ? 3 : 2;
  const digitalLimit = bdf ? 8388608 : 32768;

  // The per-signal fields are stored field by field: all labels, then all transducers, ...
  const fields: string[][] = [];
  let offset = FIXED_HEADER;
  for (const [, width] of SIGNAL_FIELDS) {
    const values: string[] = [];
    for (let s = 0; s < ns; s++) values.push(ascii(bytes, offset + s * width, width));
    fields.push(values);
    offset += width * ns;
  }
  const signals: EdfSignal[] = [];
  for (let s = 0; s < ns; s++) {
    const label = fields[0][s].trim();
    const where = (field: number) => `signal ${s + 1} (${label || 'no label'}), ${SIGNAL_FIELDS[field][0]}`;
    const annotations = /^[EB]DF Annotations$/i.test(label);
    const physicalMin = parseReal(fields[3][s], source, where(3));
    const physicalMax = parseReal(fields[4][s], source, where(4));
    const digitalMin = parseInteger(fields[5][s], source, where(5));
    const digitalMax = parseInteger(fields[6][s], source, where(6));
    const samplesPerRecord = parseInteger(fields[8][s], source, where(8));
    if (samplesPerRecord < 0) throw headerError(source, where(8), `${samplesPerRecord} is negative`);
    if (!annotations) {
      if (digitalMax <= digitalMin) throw headerError(source, where(6), `${digitalMax} is not above the digital minimum ${digitalMin}`);
      if (digitalMin < -digitalLimit || digitalMax > digitalLimit - 1) {
        throw headerError(source, where(5), `[${digitalMin}, ${digitalMax}] exceeds the ${bdf ? 24 : 16}-bit range of ${bdf ? 'BDF' : 'EDF'} samples`);
      }
      if (physicalMax === physicalMin) throw headerError(source, where(4), `${physicalMax} equals the physical minimum; the signal's scale is undefined`);
    }
    signals.push({
      label,
      transducer: fields[1][s].trim(),
      unit: fields[2][s].trim(),
      physicalMin,
      physicalMax,
      digitalMin,
      digitalMax,
      prefilter: fields[7][s].trim(),
      samplesPerRecord,
      rate: recordSeconds > 0 ? samplesPerRecord / recordSeconds : 0,
      annotations,
    });
  }

  const recordBytes = signals.reduce((n, s) => n + s.samplesPerRecord, 0) * bytesPerSample;
  const dataBytes = fileSize - headerBytes;
  let records = declaredRecords;
  if (recordBytes === 0) throw headerError(source, 'samples per record', 'every signal has 0 samples per record; the file holds no data');
  if (declaredRecords === -1) {
    records = Math.floor(dataBytes / recordBytes);
  } else if (dataBytes !== declaredRecords * recordBytes) {
    const expected = `the header announces ${declaredRecords} data records of ${recordBytes} bytes (${declaredRecords * recordBytes} bytes after the ${headerBytes}-byte header)`;
    if (dataBytes < declaredRecords * recordBytes) {
      throw new HeadstartError('BAD_RECORDING', `${source}: ${expected}, but only ${dataBytes} bytes follow it; the file is truncated (copy it again, or re-export it)`, {
        file: source,
      });
    }
    throw new HeadstartError(
      'BAD_RECORDING',
      `${source}: ${expected}, but ${dataBytes} bytes follow it; the header's record count or samples per record do not match the data`,
      { file: source },
    );
  }
  return {
    format,
    bytesPerSample,
    patient: ascii(bytes, 8, 80).trim(),
    recording: ascii(bytes, 88, 80).trim(),
    startDate: ascii(bytes, 168, 8).trim(),
    startTime: ascii(bytes, 176, 8).trim(),
    headerBytes,
    records,
    recordSeconds,
    signals,
  };
}

/** Byte offset of each signal's samples within a data record. */
function signalOffsets(header: EdfHeader): number[] {
  const offsets: number[] = [];
  let at = 0;
  for (const s of header.signals) {
    offsets.push(at);
    at += s.samplesPerRecord * header.bytesPerSample;
  }
  return offsets;
}

function recordBytes(header: EdfHeader): number {
  return header.signals.reduce((n, s) => n + s.samplesPerRecord, 0) * header.bytesPerSample;
}

interface Annotation {
  onset: number;
  duration?: number;
  text: string;
}

interface RecordAnnotations {
  /** The record's start time from its time-keeping TAL, when it has one. */
  start?: number;
  annotations: Annotation[];
  problems: string[];
}

const ONSET = /^[+-]\d+(?:\.\d*)?$/;
const DURATION = /^\d+(?:\.\d*)?$/;

/** Reads the TALs of one annotation signal within one record. */
function parseTals(bytes: Uint8Array, timeKeeping: boolean): RecordAnnotations {
  const out: RecordAnnotations = { annotations: [], problems: [] };
  let pos = 0;
  let first = true;
  while (pos < bytes.length) {
    if (bytes[pos] === 0) {
      pos++;
      continue;
    }
    let end = bytes.indexOf(0, pos);
    if (end < 0) end = bytes.length;
    const tal = bytes.subarray(pos, end);
    pos = end + 1;
    const sep = tal.indexOf(0x14);
    if (sep < 0 || tal[tal.length - 1] !== 0x14) {
      out.problems.push(`a TAL without its 0x14 separators ("${Buffer.from(tal).toString('latin1').slice(0, 30)}")`);
      first = false;
      continue;
    }
    const head = Buffer.from(tal.subarray(0, sep)).toString('latin1');
    const [onsetText, durationText, ...extra] = head.split('\x15');
    if (!ONSET.test(onsetText) || (durationText !== undefined && !DURATION.test(durationText)) || extra.length > 0) {
      out.problems.push(`a TAL with onset/duration "${head.replace(/\x15/g, ' ')}" (expected +seconds, optionally 0x15 then seconds)`);
      first = false;
      continue;
    }
    const onset = Number(onsetText);
    const texts = Buffer.from(tal.subarray(sep + 1, tal.length - 1))
      .toString('utf8')
      .split('\x14')
      .filter((t) => t.trim() !== '');
    if (first && timeKeeping && texts.length === 0) out.start = onset;
    first = false;
    for (const text of texts) out.annotations.push({ onset, ...(durationText === undefined ? {} : { duration: Number(durationText) }), text });
  }
  return out;
}

/** Decodes a whole EDF/BDF file held in memory; `source` names it in errors. */
export function decodeEdf(bytes: Uint8Array, source: string, options: EdfReadOptions = {}): EdfReading {
  const header = parseEdfHeader(bytes, source);
  const warnings: string[] = [];
  const { signals, bytesPerSample } = header;
  const ordinary = signals.flatMap((s, i) => (s.annotations ? [] : [i]));
  if (ordinary.length === 0) {
    throw new HeadstartError('NOT_ENOUGH_DATA', `${source}: holds only annotation signals, no measurements to read`, { file: source });
  }
  if (header.recordSeconds === 0) {
    throw headerError(source, 'data record duration (bytes 244-251)', '0 s, so the signals have no sample rate (allowed only in annotation-only files)');
  }
  const chosen = options.channels === undefined ? ordinary : selectChannelsByLabel(signals.map((s) => s.label), options.channels, source);
  for (const i of chosen) {
    if (signals[i].annotations) throw new HeadstartError('BAD_CHANNELS', `${source}: "${signals[i].label}" holds annotations, not a signal; leave it out of the channels`, { file: source });
    if (signals[i].samplesPerRecord === 0) throw new HeadstartError('NOT_ENOUGH_DATA', `${source}: signal "${signals[i].label}" has no samples`, { file: source });
  }
  const rates = [...new Set(chosen.map((i) => signals[i].rate))];
  if (rates.length > 1) {
    const groups = rates.map((r) => `at ${r} Hz: ${listLabels(chosen.filter((i) => signals[i].rate === r).map((i) => signals[i].label))}`).join('; ');
    throw new HeadstartError('BAD_CHANNELS', `${source}: the signals have different sample rates (${groups}); choose channels of one rate`, { file: source, rates, setting: 'channels' });
  }
  const rate = rates[0];
  const perRecord = signals[chosen[0]].samplesPerRecord;

  // Digital-to-µV maps.
  const scales = chosen.map((i) => {
    const s = signals[i];
    const unitScale = microvoltsPer(s.unit);
    if (unitScale === undefined) warnings.push(`${source}: signal "${s.label}" is in "${s.unit}", not a voltage; its values are kept in that unit`);
    const gain = (s.physicalMax - s.physicalMin) / (s.digitalMax - s.digitalMin);
    const u = unitScale ?? 1;
    return { gain: gain * u, offset: (s.physicalMin - s.digitalMin * gain) * u };
  });

  const offsets = signalOffsets(header);
  const size = recordBytes(header);
  const channels = chosen.length;
  const samples = new Float32Array(header.records * perRecord * channels);
  for (let r = 0; r < header.records; r++) {
    const base = header.headerBytes + r * size;
    for (let c = 0; c < channels; c++) {
      const { gain, offset } = scales[c];
      let at = base + offsets[chosen[c]];
      let out = r * perRecord * channels + c;
      for (let k = 0; k < perRecord; k++, at += bytesPerSample, out += channels) {
        const digital = bytesPerSample === 2 ? ((bytes[at] | (bytes[at + 1] << 8)) << 16) >> 16 : ((bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16)) << 8) >> 8;
        samples[out] = digital * gain + offset;
      }
    }
  }

  // Annotations, and each record's start time.
  const annotationSignals = signals.flatMap((s, i) => (s.annotations ? [i] : []));
  const starts: (number | undefined)[] = new Array(header.records).fill(undefined);
  const annotations: Annotation[] = [];
  const problems = new Set<string>();
  for (let r = 0; r < header.records; r++) {
    const base = header.headerBytes + r * size;
    annotationSignals.forEach((i, n) => {
      const at = base + offsets[i];
      const parsed = parseTals(bytes.subarray(at, at + signals[i].samplesPerRecord * bytesPerSample), n === 0);
      if (n === 0) starts[r] = parsed.start;
      annotations.push(...parsed.annotations);
      for (const p of parsed.problems) problems.add(p);
    });
  }
  const torn = bytes.length - header.headerBytes - header.records * size;
  if (torn > 0) warnings.push(`${source}: dropped ${torn} bytes after the last whole data record (the header gives no record count: the recording was probably interrupted)`);
  if (problems.size > 0) warnings.push(`${source}: skipped unreadable annotations: ${[...problems].slice(0, 3).join('; ')}${problems.size > 3 ? ` and ${problems.size - 3} more` : ''}`);

  const discontinuous = header.format.endsWith('+D');
  const recordStart: number[] = [];
  for (let r = 0; r < header.records; r++) {
    if (discontinuous) {
      const start = starts[r];
      if (start === undefined) {
        throw new HeadstartError('BAD_RECORDING', `${source}: data record ${r + 1} of this ${header.format} file has no time-keeping annotation, so its start time is unknown`, {
          file: source,
          record: r,
        });
      }
      recordStart.push(start);
    } else {
      recordStart.push((starts[0] ?? 0) + r * header.recordSeconds);
    }
  }

  // Gapless stretches of records.
  const tolerance = 0.5 / rate;
  const stretches: { first: number; count: number }[] = [];
  for (let r = 0; r < header.records; r++) {
    const last = stretches[stretches.length - 1];
    if (last && Math.abs(recordStart[r] - (recordStart[r - 1] + header.recordSeconds)) <= tolerance) last.count++;
    else stretches.push({ first: r, count: 1 });
  }
  if (stretches.length === 0) stretches.push({ first: 0, count: 0 });

  const markersOf: DatasetMarker[][] = stretches.map(() => []);
  const startOf = (k: number) => (header.records === 0 ? 0 : recordStart[stretches[k].first]);
  for (const a of [...annotations].sort((x, y) => x.onset - y.onset)) {
    // The stretch it falls in; one in a gap (or before the first) goes to the start of the next.
    let k = stretches.length - 1;
    while (k > 0 && a.onset < startOf(k) - tolerance) k--;
    const length = stretches[k].count * perRecord;
    let sample = Math.round((a.onset - startOf(k)) * rate);
    if (sample >= length && k < stretches.length - 1) {
      k++;
      sample = 0;
    }
    markersOf[k].push({ sample: Math.min(Math.max(sample, 0), Math.max(length - 1, 0)), text: a.text, ...(a.duration === undefined ? {} : { duration: a.duration }) });
  }

  const channelNames = chosen.map((i) => signals[i].label);
  const recordings = stretches.map((st, k): DatasetRecording => {
    const from = st.first * perRecord * channels;
    const to = (st.first + st.count) * perRecord * channels;
    const part = stretches.length === 1 ? samples : samples.slice(from, to);
    const start = startOf(k);
    return {
      source: stretches.length === 1 ? source : `${source} [${start} s..${start + st.count * header.recordSeconds} s)`,
      channels,
      rate,
      samples: part,
      channelNames,
      ...(markersOf[k].length > 0 ? { markers: markersOf[k] } : {}),
    };
  });
  return { header, recordings, warnings };
}

/** Reads an EDF/EDF+/BDF/BDF+ file (see decodeEdf). */
export function readEdfFile(path: string, options: EdfReadOptions = {}): EdfReading {
  return decodeEdf(readFileBytes(path, 'an EDF or BDF file'), path, options);
}

const EDF_EXTENSIONS = ['.edf', '.bdf'];

/** Reads EDF/BDF files as a data set: each file's recordings (one per gapless stretch), labelled by file name when a pattern is given. */
export function readEdfDataset(files: string[], spec: DatasetSpec, kind: Dataset['kind'] = 'edf'): Dataset {
  const warnings: string[] = [];
  const perFile: FileRecordings[] = files.map((path) => {
    const reading = readEdfFile(path, spec.channels === undefined ? {} : { channels: spec.channels });
    warnings.push(...reading.warnings);
    return { path, recordings: reading.recordings };
  });
  const { recordings, classes } = labelByFileName(perFile, spec);
  sameChannelNames(recordings);
  return { kind, classes, channels: recordings[0]!.channels, rate: recordings[0]!.rate, recordings, warnings };
}

export const edfAdapter: DatasetAdapter = {
  kind: 'edf',
  describes: `EDF/BDF files (${EDF_EXTENSIONS.join(', ')})`,
  matchesFile: (path) => EDF_EXTENSIONS.includes(extname(path).toLowerCase()),
  read: (files, spec) => readEdfDataset(files, spec),
};
