/**
 * A recording as a CSV table for spreadsheets and scripts: a header row,
 * then one row per sample:
 *
 *   time,<channel 1>,...,<channel N>,label,marker
 *
 * time in seconds from the start; the channels' values as recorded (the
 * shortest decimal that reads back to the same float32); label: the name
 * of the labelled stretch the sample is in (empty outside one); marker: the
 * text of the events at that sample, several joined by " | ". Fields that
 * hold a comma, a quote or a line break are quoted (RFC 4180).
 */
import { HeadstartError } from '../../core/errors.ts';
import { fileWriteError, writeFileAtomic } from '../atomic_file.ts';

export interface CsvSegment {
  start: number;
  end: number;
  name: string;
}

export interface CsvEvent {
  /** Sample index. */
  at: number;
  text: string;
}

export interface CsvWriteInput {
  channels: number;
  rate: number;
  /** Interleaved values. */
  samples: ArrayLike<number>;
  channelNames?: string[];
  /** Labelled stretches, in order, not overlapping. */
  segments?: CsvSegment[];
  events?: CsvEvent[];
}

/** The shortest decimal text that reads back as the same float32 value. */
export function float32Text(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const f = Math.fround(v);
  for (let digits = 1; digits < 9; digits++) {
    const text = f.toPrecision(digits);
    if (Math.fround(Number(text)) === f) return String(Number(text));
  }
  return String(Number(f.toPrecision(9)));
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function encodeRecordingCsv(input: CsvWriteInput): string {
  const { channels, rate, samples } = input;
  const frames = samples.length / channels;
  const names = input.channelNames ?? Array.from({ length: channels }, (_, c) => `ch${c + 1}`);
  const taken = new Set(['time', 'label', 'marker']);
  for (const n of names) {
    if (taken.has(n)) throw new HeadstartError('BAD_OPTION', `a channel is named "${n}", which is a column of its own in the CSV table; rename the channel`, { channel: n });
    taken.add(n);
  }
  const events = new Map<number, string[]>();
  for (const e of input.events ?? []) {
    const at = Math.min(Math.max(0, e.at), Math.max(0, frames - 1));
    events.set(at, [...(events.get(at) ?? []), e.text]);
  }
  const segments = [...(input.segments ?? [])].sort((a, b) => a.start - b.start);
  const lines: string[] = [['time', ...names, 'label', 'marker'].map(csvField).join(',')];
  let segment = 0;
  const row: string[] = new Array(channels + 3);
  for (let i = 0; i < frames; i++) {
    while (segment < segments.length && segments[segment]!.end <= i) segment++;
    const s = segments[segment];
    row[0] = String(i / rate);
    for (let c = 0; c < channels; c++) row[c + 1] = float32Text(samples[i * channels + c]!);
    row[channels + 1] = s && s.start <= i ? csvField(s.name) : '';
    row[channels + 2] = csvField((events.get(i) ?? []).join(' | '));
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}

/** Writes the table atomically (temp file, fsync, rename). */
export function writeRecordingCsv(path: string, input: CsvWriteInput): void {
  const text = encodeRecordingCsv(input);
  try {
    writeFileAtomic(path, text);
  } catch (err) {
    throw fileWriteError(path, err);
  }
}
