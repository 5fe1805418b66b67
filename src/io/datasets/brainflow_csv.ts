/**
 * Files written by BrainFlow's `DataFilter.write_file` (and the OpenBCI
 * GUI's `BrainFlow-RAW_*.csv`): one sample per line, one field per row of
 * BrainFlow's board data array, tab-separated (BrainFlow reads commas too),
 * no header. Which field holds what depends on the board; the layouts below
 * are BrainFlow's board descriptions (board id, sampling rate, EXG rows,
 * timestamp and marker rows, number of rows). EXG values are µV.
 *
 * The file does not say the board or the rate. Given the board, its layout
 * and default rate are used; otherwise the board is inferred from the field
 * count, and where two boards share a count (Cyton and Cyton WiFi: 24) from
 * the rate the timestamp column shows. A board set to another rate than its
 * default needs the rate given (boards whose fields mean the same then read
 * alike, and the first is named).
 */
import { basename, extname } from 'node:path';
import { type ErrorCode, HeadstartError } from '../../core/errors.ts';
import { selectChannelsByLabel } from './channel_labels.ts';
import { type FileRecordings, labelByFileName } from './file_labels.ts';
import { readFileBytes } from './file_read.ts';
import { contentLines, numberField } from './text_rows.ts';
import type { Dataset, DatasetAdapter, DatasetMarker, DatasetRecording, DatasetSpec } from './types.ts';

export interface BrainflowLayout {
  /** BrainFlow's board id. */
  id: number;
  /** Name for messages. */
  name: string;
  /** Default sample rate. */
  rate: number;
  /** Fields per line (BrainFlow's num_rows). */
  fields: number;
  /** 0-based fields of the EXG channels. */
  exg: number[];
  timestamp: number;
  marker: number;
}

const span = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

export const BRAINFLOW_LAYOUTS = {
  cyton: { id: 0, name: 'Cyton', rate: 250, fields: 24, exg: span(1, 8), timestamp: 22, marker: 23 },
  ganglion: { id: 1, name: 'Ganglion', rate: 200, fields: 15, exg: span(1, 4), timestamp: 13, marker: 14 },
  'cyton-daisy': { id: 2, name: 'Cyton + Daisy', rate: 125, fields: 32, exg: span(1, 16), timestamp: 30, marker: 31 },
  'ganglion-wifi': { id: 4, name: 'Ganglion WiFi', rate: 1600, fields: 25, exg: span(1, 4), timestamp: 23, marker: 24 },
  'cyton-wifi': { id: 5, name: 'Cyton WiFi', rate: 1000, fields: 24, exg: span(1, 8), timestamp: 22, marker: 23 },
  'cyton-daisy-wifi': { id: 6, name: 'Cyton + Daisy WiFi', rate: 1000, fields: 32, exg: span(1, 16), timestamp: 30, marker: 31 },
  synthetic: { id: -1, name: 'BrainFlow synthetic board', rate: 250, fields: 32, exg: span(1, 16), timestamp: 30, marker: 31 },
} as const satisfies Record<string, BrainflowLayout>;

export type BrainflowBoard = keyof typeof BRAINFLOW_LAYOUTS;

export const BRAINFLOW_BOARDS = Object.keys(BRAINFLOW_LAYOUTS) as BrainflowBoard[];

export interface BrainflowCsvOptions {
  /** The board that recorded it; inferred when absent (see the module comment). */
  board?: BrainflowBoard;
  /** Samples per second, when the board ran at another rate than its default. */
  rate?: number;
  /** EXG channels by label (`EXG Channel 0` or just `0`); default all. */
  channels?: string[];
}

export interface BrainflowCsvReading {
  board: BrainflowBoard;
  recording: DatasetRecording;
  /** The rate the timestamp column shows (undefined when it cannot tell). */
  timestampRate?: number;
  warnings: string[];
}

/** How far the timestamps' rate may stray from a board's rate and still identify it. */
const RATE_TOLERANCE = 0.15;

function csvError(code: ErrorCode, source: string, line: number | undefined, message: string, details: Record<string, unknown> = {}): HeadstartError {
  return new HeadstartError(code, `${source}${line === undefined ? '' : `:${line}`}: ${message}`, { file: source, line, ...details });
}

function knownLayouts(): string {
  return BRAINFLOW_BOARDS.map((b) => `${b} (${BRAINFLOW_LAYOUTS[b].fields} fields)`).join(', ');
}

/** Parses the text of a BrainFlow CSV file; `source` names it in errors. */
export function parseBrainflowCsv(text: string, source: string, options: BrainflowCsvOptions = {}): BrainflowCsvReading {
  if (options.rate !== undefined && !(Number.isFinite(options.rate) && options.rate > 0)) {
    throw new HeadstartError('BAD_OPTION', `the sample rate must be a positive number of samples per second (got ${options.rate})`, { setting: 'rate' });
  }
  if (options.board !== undefined && !(options.board in BRAINFLOW_LAYOUTS)) {
    throw new HeadstartError('BAD_OPTION', `unknown BrainFlow board "${options.board}"; known: ${BRAINFLOW_BOARDS.join(', ')}`, { setting: 'board' });
  }
  const lines = contentLines(text);
  if (lines.length === 0) throw csvError('CSV_MALFORMED', source, undefined, 'no samples at all');
  const delimiter = lines[0].text.includes('\t') ? '\t' : ',';
  const split = (t: string) => t.split(delimiter).map((f) => f.trim());
  const firstFields = split(lines[0].text);
  const width = firstFields.length;
  if (firstFields.some((f) => !/^[+-]?(?:\d|\.\d|nan|inf)/i.test(f))) {
    throw csvError('BAD_RECORDING', source, lines[0].line, 'the first line is not all numbers; BrainFlow files have no header row (an OpenBCI GUI RAW file starts with "%OpenBCI")');
  }
  const warnings: string[] = [];

  // Rows, as numbers, for every field (the timestamps and markers are needed before the board is known).
  let rows = lines;
  const last = rows[rows.length - 1];
  if (rows.length > 1 && split(last.text).length < width) {
    rows = rows.slice(0, -1);
    warnings.push(`${source}:${last.line}: dropped a partial last line (the recording was interrupted)`);
  }
  const table = new Float64Array(rows.length * width);
  rows.forEach((row, r) => {
    const fields = split(row.text);
    if (fields.length !== width) {
      throw csvError('CSV_MALFORMED', source, row.line, `${fields.length} fields, expected ${width} as on line ${rows[0].line}`);
    }
    for (let k = 0; k < width; k++) table[r * width + k] = numberField(fields[k], source, row.line, `field ${k + 1}`, 'CSV_BAD_VALUE');
  });
  const n = rows.length;
  const timestampRate = (layout: BrainflowLayout): number | undefined => {
    if (n < 2) return undefined;
    const seconds = table[(n - 1) * width + layout.timestamp] - table[layout.timestamp];
    return seconds > 0 ? (n - 1) / seconds : undefined;
  };

  let board: BrainflowBoard;
  if (options.board !== undefined) {
    board = options.board;
    const layout = BRAINFLOW_LAYOUTS[board];
    if (width !== layout.fields) {
      throw csvError(
        'CSV_MALFORMED',
        source,
        rows[0].line,
        `${width} fields per line, but BrainFlow writes ${layout.fields} for a ${layout.name}; check the board (layouts: ${knownLayouts()})`,
      );
    }
  } else {
    const byWidth = BRAINFLOW_BOARDS.filter((b) => BRAINFLOW_LAYOUTS[b].fields === width);
    if (byWidth.length === 0) {
      throw csvError('UNKNOWN_FORMAT', source, rows[0].line, `${width} fields per line matches no board headstart knows (${knownLayouts()})`);
    }
    let candidates = byWidth;
    if (byWidth.length > 1) {
      candidates = byWidth.filter((b) => {
        const measured = timestampRate(BRAINFLOW_LAYOUTS[b]);
        const expected = options.rate ?? BRAINFLOW_LAYOUTS[b].rate;
        return measured !== undefined && Math.abs(measured / expected - 1) <= RATE_TOLERANCE;
      });
    }
    // With the rate given, boards whose fields mean the same (Cyton and Cyton WiFi) read alike: take the first.
    const sameFields = (a: BrainflowBoard, b: BrainflowBoard) => {
      const [x, y] = [BRAINFLOW_LAYOUTS[a], BRAINFLOW_LAYOUTS[b]];
      return x.timestamp === y.timestamp && x.marker === y.marker && x.exg.join() === y.exg.join();
    };
    if (options.rate !== undefined && candidates.length > 1 && candidates.every((b) => sameFields(b, candidates[0]))) candidates = [candidates[0]];
    if (candidates.length !== 1) {
      const names = (candidates.length > 1 ? candidates : byWidth).map((b) => `${b} (${BRAINFLOW_LAYOUTS[b].rate} Hz)`).join(', ');
      throw csvError('MISSING_OPTION', source, undefined, `${width} fields per line fits ${names}, and the timestamps do not tell them apart; give the board`, { setting: 'board' });
    }
    board = candidates[0];
  }
  const layout: BrainflowLayout = BRAINFLOW_LAYOUTS[board];
  const measured = timestampRate(layout);
  const rate = options.rate ?? layout.rate;
  if (options.rate === undefined && measured !== undefined && Math.abs(measured / rate - 1) > RATE_TOLERANCE) {
    warnings.push(`${source}: the timestamps show about ${measured.toFixed(1)} samples/s, but a ${layout.name} streams at ${rate} by default; if the board was set to another rate, give that rate`);
  }

  const names = layout.exg.map((_, i) => `EXG Channel ${i}`);
  const picked = options.channels === undefined ? names.map((_, i) => i) : selectChannelsByLabel(names, options.channels, source);
  const channels = picked.length;
  const samples = new Float32Array(n * channels);
  const markers: DatasetMarker[] = [];
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < channels; c++) samples[r * channels + c] = table[r * width + layout.exg[picked[c]]];
    const marker = table[r * width + layout.marker];
    if (marker !== 0) markers.push({ sample: r, text: String(marker) });
  }
  return {
    board,
    recording: { source, channels, rate, samples, channelNames: picked.map((i) => names[i]), ...(markers.length > 0 ? { markers } : {}) },
    ...(measured === undefined ? {} : { timestampRate: measured }),
    warnings,
  };
}

/** Reads a BrainFlow CSV file (see parseBrainflowCsv). */
export function readBrainflowCsvFile(path: string, options: BrainflowCsvOptions = {}): BrainflowCsvReading {
  return parseBrainflowCsv(readFileBytes(path, 'a BrainFlow CSV file').toString('utf8'), path, options);
}

/**
 * Whether a file's first bytes look like BrainFlow's CSV: a first line of
 * tab-separated numbers whose count is a known board's, with a Unix time
 * in that board's timestamp field. A CSV table of one's own rarely has all
 * three; a file named BrainFlow-RAW*.csv (the OpenBCI GUI's) always counts.
 */
export function looksLikeBrainflowCsv(path: string, start: string): boolean {
  if (/^brainflow-raw/i.test(basename(path))) return true;
  const line = start.split(/\r?\n/, 1)[0] ?? '';
  if (!line.includes('\t')) return false;
  const fields = line.split('\t').map((f) => f.trim());
  if (!fields.every((f) => /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(f))) return false;
  // A Unix time in seconds, 2001 to 2286: BrainFlow's timestamp field.
  return BRAINFLOW_BOARDS.some((b) => {
    const layout = BRAINFLOW_LAYOUTS[b];
    const t = Number(fields[layout.timestamp]);
    return fields.length === layout.fields && t > 1e9 && t < 1e10;
  });
}

export const brainflowAdapter: DatasetAdapter = {
  kind: 'brainflow',
  describes: 'BrainFlow CSV files (tab-separated, a board data row per line)',
  matchesFile: (path, start) => ['.csv', '.tsv', '.txt'].includes(extname(path).toLowerCase()) && looksLikeBrainflowCsv(path, new TextDecoder().decode(start())),
  read(files: string[], spec: DatasetSpec): Dataset {
    if (spec.board !== undefined && !(BRAINFLOW_BOARDS as string[]).includes(spec.board)) {
      throw new HeadstartError('BAD_OPTION', `unknown BrainFlow board "${spec.board}"; known: ${BRAINFLOW_BOARDS.join(', ')}`, { setting: 'board' });
    }
    const options: BrainflowCsvOptions = {
      ...(spec.board === undefined ? {} : { board: spec.board as BrainflowBoard }),
      ...(spec.rate === undefined ? {} : { rate: spec.rate }),
      ...(spec.channels === undefined ? {} : { channels: spec.channels }),
    };
    const warnings: string[] = [];
    const perFile: FileRecordings[] = files.map((path) => {
      const reading = readBrainflowCsvFile(path, options);
      warnings.push(...reading.warnings);
      return { path, recordings: [reading.recording] };
    });
    const { recordings, classes } = labelByFileName(perFile, spec);
    return { kind: 'brainflow', classes, channels: recordings[0]!.channels, rate: recordings[0]!.rate, recordings, warnings };
  },
};
