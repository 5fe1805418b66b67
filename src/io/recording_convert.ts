/**
 * Recordings from one file format to another: .hsrec, EDF+ / BDF+ and CSV.
 * Every format is read into one shape (a .hsrec's: header, interleaved
 * samples, markers) and written from it.
 *
 * What each carries across:
 * - labels: a .hsrec's labelled stretches ('label' markers) become EDF+
 *   annotations with a duration (the class name) and the CSV's label
 *   column; EDF+ annotations with a duration become labelled stretches
 *   again (their texts the class list, in order of first appearance).
 * - other markers (notes typed during `record`, prompts, gaps, the board's
 *   events) become EDF+ annotations without duration and the CSV's marker
 *   column, as text ("note: electrode loose"); EDF+ annotations without a
 *   duration come back as 'annotation' markers.
 * - values: EDF is 16-bit and BDF 24-bit, each channel's range chosen from
 *   its data (see edf_write.ts); .hsrec keeps int16 when every value is a
 *   whole number that fits, float32 otherwise; CSV writes each float32 value
 *   exactly.
 * CSV tables are written, not read: `headstart dataset` and training read
 * CSV recordings given their rate, columns and label pattern.
 */
import { extname } from 'node:path';
import { HeadstartError } from '../core/errors.ts';
import { labelledSegments, type RecordingHeader, type RecordingMarker } from '../core/recording_format.ts';
import { writeRecordingCsv } from './datasets/csv_write.ts';
import { readEdfFile } from './datasets/edf.ts';
import { EDF_PADDING_ANNOTATION, type EdfAnnotation, type EdfSignalRange, writeEdfFile } from './datasets/edf_write.ts';
import { readRecordingFile, writeRecordingFile } from './datasets/hsrec.ts';

export type RecordingFileFormat = 'hsrec' | 'edf' | 'bdf' | 'csv';

export const WRITABLE_FORMATS: readonly RecordingFileFormat[] = ['hsrec', 'edf', 'bdf', 'csv'];
export const READABLE_FORMATS: readonly RecordingFileFormat[] = ['hsrec', 'edf', 'bdf'];

/** A recording in memory, whatever file it came from. */
export interface RecordingDocument {
  header: RecordingHeader;
  /** Interleaved samples. */
  samples: Float32Array;
  markers: RecordingMarker[];
}

/** Marker texts longer than this are cut in EDF annotations and CSV cells (a calibration's session marker holds its whole protocol). */
const MAX_MARKER_TEXT = 200;

export function formatOfPath(path: string): RecordingFileFormat | undefined {
  const ext = extname(path).toLowerCase().slice(1);
  return (WRITABLE_FORMATS as readonly string[]).includes(ext) ? (ext as RecordingFileFormat) : undefined;
}

function className(header: RecordingHeader, label: number): string {
  return header.classes?.[label] ?? `label ${label}`;
}

/** A marker other than a label change, in words: "note: electrode loose", "trial-done hand-open rep 1". */
export function markerText(header: RecordingHeader, m: RecordingMarker): string {
  let text = m.kind === 'annotation' ? (m.text ?? '') : m.kind;
  if (m.kind !== 'annotation') {
    if (typeof m.label === 'number') text += ` ${className(header, m.label)}`;
    if (m.rep !== undefined) text += ` rep ${m.rep}`;
    if (m.text) text += `: ${m.text}`;
  }
  return text.length > MAX_MARKER_TEXT ? `${text.slice(0, MAX_MARKER_TEXT - 1)}…` : text;
}

export interface ReadForConvert {
  document: RecordingDocument;
  format: RecordingFileFormat;
  warnings: string[];
}

function parseEdfStart(date: string, time: string): string | undefined {
  const d = /^(\d\d)\.(\d\d)\.(\d\d)$/.exec(date);
  const t = /^(\d\d)\.(\d\d)\.(\d\d)$/.exec(time);
  if (!d || !t || (date === '01.01.85' && time === '00.00.00')) return undefined;
  const yy = Number(d[3]);
  const when = new Date(Date.UTC(yy >= 85 ? 1900 + yy : 2000 + yy, Number(d[2]) - 1, Number(d[1]), Number(t[1]), Number(t[2]), Number(t[3])));
  return Number.isNaN(when.getTime()) ? undefined : when.toISOString();
}

function readEdfDocument(path: string): { document: RecordingDocument; warnings: string[] } {
  const reading = readEdfFile(path);
  const warnings = [...reading.warnings];
  const { recordings } = reading;
  const first = recordings[0]!;
  const { channels, rate } = first;
  if (recordings.length > 1) warnings.push(`${path}: ${recordings.length} stretches with gaps between them (EDF+D) are joined end to end, a 'gap' marker where each gap was`);
  let total = recordings.reduce((n, r) => n + r.samples.length, 0);
  const samples = new Float32Array(total);
  const annotations: { at: number; text: string; duration?: number }[] = [];
  const markers: RecordingMarker[] = [];
  let at = 0;
  for (const [i, r] of recordings.entries()) {
    samples.set(r.samples, at * channels);
    if (i > 0) markers.push({ at, kind: 'gap', text: r.source });
    for (const m of r.markers ?? []) annotations.push({ at: at + m.sample, text: m.text, ...(m.duration === undefined ? {} : { duration: m.duration }) });
    at += r.samples.length / channels;
  }
  // The padding headstart wrote to fill the last record is cut off again.
  const padding = annotations.find((a) => a.text === EDF_PADDING_ANNOTATION && a.duration !== undefined && a.at + Math.round(a.duration * rate) === at);
  if (padding) total = padding.at * channels;
  const frames = total / channels;

  const stretches = annotations.filter((a) => a !== padding && a.duration !== undefined && a.duration > 0 && a.at < frames);
  const classes = [...new Set(stretches.map((a) => a.text))];
  const changes: { at: number; label: number | null }[] = [];
  for (const [k, a] of stretches.entries()) {
    const end = Math.min(frames, a.at + Math.round(a.duration! * rate));
    changes.push({ at: a.at, label: classes.indexOf(a.text) });
    const next = stretches[k + 1];
    if (end < frames && !(next && next.at <= end)) changes.push({ at: end, label: null });
  }
  markers.push(...changes.map((c) => ({ at: c.at, kind: 'label', label: c.label })));
  for (const a of annotations) {
    if (a === padding || stretches.includes(a)) continue;
    markers.push({ at: Math.min(a.at, Math.max(0, frames - 1)), kind: 'annotation', text: a.text });
  }
  markers.sort((x, y) => x.at - y.at);
  const patientCode = reading.header.patient.split(' ')[0];
  const startedAt = parseEdfStart(reading.header.startDate, reading.header.startTime);
  const header: RecordingHeader = {
    channels,
    rate,
    sampleFormat: 'float32',
    source: path,
    ...(first.channelNames ? { channelNames: first.channelNames } : {}),
    ...(classes.length > 0 ? { classes } : {}),
    ...(patientCode && patientCode !== 'X' ? { subject: patientCode } : {}),
    ...(startedAt ? { startedAt } : {}),
  };
  return { document: { header, samples: total === samples.length ? samples : samples.slice(0, total), markers }, warnings };
}

/** Reads a .hsrec, EDF(+) or BDF(+) file for conversion. */
export function readForConvert(path: string): ReadForConvert {
  const format = formatOfPath(path);
  if (format === 'hsrec') {
    const decoded = readRecordingFile(path);
    const warnings = decoded.tornBytes > 0 ? [`${path}: dropped a torn last chunk of ${decoded.tornBytes} bytes (the recording was interrupted); everything before it is kept`] : [];
    return { document: { header: decoded.header, samples: decoded.samples, markers: decoded.markers }, format, warnings };
  }
  if (format === 'edf' || format === 'bdf') return { ...readEdfDocument(path), format };
  throw new HeadstartError('UNKNOWN_FORMAT', `${path}: convert reads .hsrec, .edf and .bdf files${format === 'csv' ? '; CSV tables are read by `headstart dataset` and training, given their sample rate and columns' : ''}`, { file: path });
}

export interface ConvertResult {
  format: RecordingFileFormat;
  /** Samples per channel written. */
  samples: number;
  labelledStretches: number;
  markers: number;
  /** EDF/BDF: samples added to fill the last record, and each channel's range and resolution. */
  paddedSamples?: number;
  ranges?: EdfSignalRange[];
  /** .hsrec: the sample format chosen. */
  sampleFormat?: RecordingHeader['sampleFormat'];
}

function fitsInt16(samples: Float32Array): boolean {
  for (const v of samples) if (!Number.isInteger(v) || v < -32768 || v > 32767) return false;
  return true;
}

/** Writes a document in a format (by default the one the path's extension names). */
export function writeConverted(path: string, document: RecordingDocument, format: RecordingFileFormat | undefined = formatOfPath(path)): ConvertResult {
  const { header, samples, markers } = document;
  const frames = samples.length / header.channels;
  const segments = labelledSegments(markers, frames);
  const others = markers.filter((m) => m.kind !== 'label');
  const base = { samples: frames, labelledStretches: segments.length, markers: others.length };
  switch (format) {
    case 'hsrec': {
      const sampleFormat = fitsInt16(samples) ? 'int16' : 'float32';
      writeRecordingFile(path, { ...header, sampleFormat }, samples, markers);
      return { format, ...base, sampleFormat };
    }
    case 'edf':
    case 'bdf': {
      const annotations: EdfAnnotation[] = [
        ...segments.map((s) => ({ onset: s.start / header.rate, duration: (s.end - s.start) / header.rate, text: className(header, s.label) })),
        ...others.map((m) => ({ onset: m.at / header.rate, text: markerText(header, m) })),
      ];
      const writing = writeEdfFile(path, {
        bdf: format === 'bdf',
        channels: header.channels,
        rate: header.rate,
        samples,
        ...(header.channelNames ? { channelNames: header.channelNames } : {}),
        annotations,
        ...(header.subject ? { subject: header.subject } : {}),
        ...(header.source ? { equipment: header.source.split(' ')[0] } : {}),
        ...(header.startedAt && !Number.isNaN(Date.parse(header.startedAt)) ? { startedAt: new Date(header.startedAt) } : {}),
      });
      return { format, ...base, paddedSamples: writing.paddedSamples, ranges: writing.ranges };
    }
    case 'csv':
      writeRecordingCsv(path, {
        channels: header.channels,
        rate: header.rate,
        samples,
        ...(header.channelNames ? { channelNames: header.channelNames } : {}),
        segments: segments.map((s) => ({ start: s.start, end: s.end, name: className(header, s.label) })),
        events: others.map((m) => ({ at: m.at, text: markerText(header, m) })),
      });
      return { format, ...base };
    default:
      throw new HeadstartError('UNKNOWN_FORMAT', `${path}: convert writes .hsrec, .edf (EDF+), .bdf (BDF+) and .csv files; name the output with one of those extensions`, { file: path });
  }
}
