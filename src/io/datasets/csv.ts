/**
 * Adapter for folders of labelled CSV recordings: one sample per row, one
 * channel per selected column, the label (and optionally the repetition,
 * subject and session) taken from the file name by a regular expression with
 * named groups, e.g. `R_(?<rep>\d+)_C_(?<label>\d+)\.csv`.
 *
 * The delimiter (comma, semicolon, tab or white space) and a header row are
 * detected; both can be forced. With `;` or tab as delimiter a decimal comma
 * (`1,5`) is read as a decimal point, as spreadsheets in many locales write
 * it. Quoted fields are unquoted but may not contain the delimiter: these are
 * numeric tables, not general CSV.
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { type ErrorCode, HeadstartError } from '../../core/errors.ts';
import { naturalCompare } from './glob.ts';
import { outOfSampleRange } from './text_rows.ts';
import type { Dataset, DatasetAdapter, DatasetRecording, DatasetSpec } from './types.ts';
import { refuseSpecialFile } from './file_read.ts';

export type ColumnRef = number | string;

export interface CsvOptions {
  /** Samples per second per channel: a CSV file does not say. */
  rate: number;
  /** Channel columns, by 0-based index or header name, in channel order; all columns when absent. */
  columns?: ColumnRef[];
  /** Regex with named groups `label` (required) and optionally `rep`, `subject`, `session`, matched against the file name (then the whole path). */
  labelPattern?: RegExp | string;
  /**
   * Class names. A label from the file name is looked up here by name first,
   * then taken as an index if it is a whole number. Absent: whole-number labels
   * are indices, other labels are sorted (naturally) into the class list.
   */
  classes?: string[];
  /** Force the presence (true) or absence (false) of a header row instead of detecting it. */
  header?: boolean;
  /** Force the delimiter instead of detecting it (' ' means any run of white space). */
  delimiter?: string;
}

export interface CsvTable {
  /** Header names, or undefined when the file has no header row. */
  header: string[] | undefined;
  /** Names of the selected columns (header names, or `col<i>` without a header). */
  channelNames: string[];
  channels: number;
  /** Interleaved samples of the selected columns. */
  samples: Float32Array;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NAN = /^[+-]?nan$/i;
const INFINITY = /^[+-]?inf(?:inity)?$/i;
const DECIMAL_COMMA = /^[+-]?\d*,\d+(?:[eE][+-]?\d+)?$/;

function csvError(code: ErrorCode, path: string, line: number | undefined, message: string, details: Record<string, unknown> = {}): HeadstartError {
  return new HeadstartError(code, `${path}${line === undefined ? '' : `:${line}`}: ${message}`, { file: path, line, ...details });
}

/**
 * Picks the delimiter from the first content line: tab, else semicolon, else
 * comma, whichever occurs first in that order (a line with semicolons and
 * commas is a decimal-comma table); white space when none occurs.
 */
export function detectDelimiter(firstLine: string): string {
  return ['\t', ';', ','].find((d) => firstLine.includes(d)) ?? ' ';
}

function splitFields(line: string, delimiter: string): string[] {
  const raw = delimiter === ' ' ? line.trim().split(/\s+/) : line.split(delimiter);
  return raw.map((f) => {
    const t = f.trim();
    return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
  });
}

function looksNumeric(field: string, delimiter: string): boolean {
  return NUMBER.test(field) || NAN.test(field) || INFINITY.test(field) || (delimiter !== ',' && DECIMAL_COMMA.test(field));
}

/** Parses a whole CSV text; `source` names the file in errors. */
export function parseCsvText(text: string, source: string, options: Omit<CsvOptions, 'rate' | 'labelPattern' | 'classes'> = {}): CsvTable {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n|\r/);
  // Content lines with their 1-based line numbers; blank lines and # comments are passed over.
  const rows: { line: number; text: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i];
    if (t.trim() === '' || t.trimStart().startsWith('#')) continue;
    rows.push({ line: i + 1, text: t });
  }
  if (rows.length === 0) throw csvError('CSV_MALFORMED', source, undefined, 'no rows at all; expected one sample per row');
  const delimiter = options.delimiter ?? detectDelimiter(rows[0].text);
  // A delimiter closing every line (some exporters write one) is not an extra, empty column.
  const trailing = delimiter !== ' ' && rows[0].text.trimEnd().endsWith(delimiter);
  const fieldsOf = (t: string) => splitFields(trailing && t.trimEnd().endsWith(delimiter) ? t.trimEnd().slice(0, -delimiter.length) : t, delimiter);

  const first = fieldsOf(rows[0].text);
  const second = rows.length > 1 ? fieldsOf(rows[1].text) : undefined;
  const hasHeader = options.header ?? first.some((f, i) => !looksNumeric(f, delimiter) && (second === undefined || (second[i] !== undefined && looksNumeric(second[i], delimiter))));
  const header = hasHeader ? first : undefined;
  const width = first.length;
  const dataRows = hasHeader ? rows.slice(1) : rows;
  if (dataRows.length === 0) throw csvError('CSV_MALFORMED', source, rows[0].line, 'a header row and no samples');

  const selected = resolveColumns(options.columns, header, width, source, rows[0].line);
  const channels = selected.length;
  const samples = new Float32Array(dataRows.length * channels);
  for (let r = 0; r < dataRows.length; r++) {
    const { line, text: rowText } = dataRows[r];
    const fields = fieldsOf(rowText);
    if (fields.length !== width) {
      throw csvError(
        'CSV_MALFORMED',
        source,
        line,
        `${fields.length} column${fields.length === 1 ? '' : 's'}, expected ${width} as on line ${rows[0].line} (delimiter ${JSON.stringify(delimiter === ' ' ? 'white space' : delimiter)})`,
        { found: fields.length, expected: width },
      );
    }
    for (let c = 0; c < channels; c++) {
      samples[r * channels + c] = parseValue(fields[selected[c]], delimiter, source, line, selected[c], header);
    }
  }
  const channelNames = selected.map((i) => header?.[i] ?? `col${i}`);
  return { header, channelNames, channels, samples };
}

function parseValue(field: string, delimiter: string, source: string, line: number, column: number, header: string[] | undefined): number {
  const where = `column ${column}${header ? ` (${header[column]})` : ''}`;
  const written = NUMBER.test(field) ? field : delimiter !== ',' && DECIMAL_COMMA.test(field) ? field.replace(',', '.') : undefined;
  if (written !== undefined) {
    const value = Number(written);
    const outside = outOfSampleRange(value);
    if (outside === undefined) return value;
    throw csvError('CSV_BAD_VALUE', source, line, `${where} is ${field}, ${outside}`, { column });
  }
  if (NAN.test(field)) {
    throw csvError('CSV_BAD_VALUE', source, line, `${where} is NaN; a recording must not have gaps: fill or cut them before importing`, { column });
  }
  if (INFINITY.test(field)) throw csvError('CSV_BAD_VALUE', source, line, `${where} is ${field}; samples must be finite numbers`, { column });
  const shown = field === '' ? 'empty' : JSON.stringify(field.length > 40 ? `${field.slice(0, 40)}...` : field);
  throw csvError('CSV_BAD_VALUE', source, line, `${where} is ${shown}, not a number; select only numeric channel columns`, { column, setting: 'columns' });
}

function resolveColumns(columns: ColumnRef[] | undefined, header: string[] | undefined, width: number, source: string, line: number): number[] {
  if (columns === undefined) return Array.from({ length: width }, (_, i) => i);
  if (columns.length === 0) throw csvError('BAD_CHANNELS', source, undefined, 'no channel columns selected');
  return columns.map((ref) => {
    if (typeof ref === 'number') {
      if (!Number.isInteger(ref) || ref < 0 || ref >= width) {
        throw csvError('BAD_CHANNELS', source, line, `column index ${ref} does not exist: the file has ${width} columns, indexed 0..${width - 1}`);
      }
      return ref;
    }
    if (header === undefined) {
      throw csvError('BAD_CHANNELS', source, line, `column "${ref}" is chosen by name but the file has no header row; choose columns by 0-based index`);
    }
    const index = header.indexOf(ref);
    if (index < 0) throw csvError('BAD_CHANNELS', source, line, `no column named "${ref}" (header: ${header.join(', ')})`);
    return index;
  });
}

/** Parses a `--columns` value: comma-separated 0-based indices, ranges `a-b`, or header names (`0-7`, `1,3,5`, `emg1,emg2`). */
export function parseColumnSpec(spec: string): ColumnRef[] {
  const refs = spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .flatMap((part): ColumnRef[] => {
      const range = /^(\d+)-(\d+)$/.exec(part);
      if (range) {
        const [a, b] = [Number(range[1]), Number(range[2])];
        if (b < a) throw new HeadstartError('BAD_OPTION', `column range ${part} runs backwards; write it low-high (e.g. 0-7)`);
        return Array.from({ length: b - a + 1 }, (_, i) => a + i);
      }
      return /^\d+$/.test(part) ? [Number(part)] : [part];
    });
  if (refs.length === 0) throw new HeadstartError('BAD_OPTION', `no columns in "${spec}"; give 0-based indices, ranges (0-7) or header names`);
  return refs;
}

export interface FileNameFields {
  /** The label as written in the file name. */
  label?: string;
  rep?: number;
  subject?: string;
  session?: string;
}

/** Compiles a label pattern, checking it has a `label` group. */
export function compileLabelPattern(pattern: RegExp | string): RegExp {
  let re: RegExp;
  try {
    // Without the g and y flags: with them exec() resumes from the last match and would skip files.
    re = typeof pattern === 'string' ? new RegExp(pattern) : new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
  } catch (err) {
    throw new HeadstartError('BAD_OPTION', `label pattern ${pattern} is not a valid regular expression: ${(err as Error).message}`);
  }
  if (!/\(\?<label>/.test(re.source)) {
    throw new HeadstartError('BAD_OPTION', `label pattern ${re.source} has no (?<label>...) group; e.g. 'R_(?<rep>\\d+)_C_(?<label>\\d+)\\.csv'`);
  }
  return re;
}

/** Reads label, rep, subject and session from a file's name (else its whole path, with / separators). */
export function fileNameFields(path: string, pattern: RegExp): FileNameFields {
  const match = pattern.exec(basename(path)) ?? pattern.exec(path.replace(/\\/g, '/'));
  if (!match?.groups) {
    throw new HeadstartError('BAD_FILE_NAME', `${path}: the file name does not match the label pattern ${pattern.source}`, { file: path });
  }
  const { label, rep, subject, session } = match.groups;
  if (label === undefined || label === '') throw new HeadstartError('BAD_FILE_NAME', `${path}: the label pattern ${pattern.source} matched but its label group is empty`, { file: path });
  let repetition: number | undefined;
  if (rep !== undefined) {
    repetition = Number(rep);
    if (!/^\d+$/.test(rep)) throw new HeadstartError('BAD_FILE_NAME', `${path}: repetition "${rep}" from the file name is not a whole number`, { file: path });
  }
  return {
    label,
    ...(repetition === undefined ? {} : { rep: repetition }),
    ...(subject === undefined ? {} : { subject }),
    ...(session === undefined ? {} : { session }),
  };
}

/**
 * The class list and a label-text-to-index function for a set of labels,
 * following the rules of CsvOptions.classes.
 */
export function resolveClasses(labels: string[], classes?: string[]): { classes: string[]; indexOf(label: string): number | undefined } {
  const whole = (l: string) => /^\d+$/.test(l);
  if (classes !== undefined) {
    return {
      classes,
      indexOf: (l) => {
        const byName = classes.indexOf(l);
        if (byName >= 0) return byName;
        return whole(l) && Number(l) < classes.length ? Number(l) : undefined;
      },
    };
  }
  if (labels.every(whole)) {
    const max = labels.reduce((m, l) => Math.max(m, Number(l)), -1);
    return { classes: Array.from({ length: max + 1 }, (_, i) => String(i)), indexOf: (l) => (whole(l) ? Number(l) : undefined) };
  }
  const sorted = [...new Set(labels)].sort(naturalCompare);
  return { classes: sorted, indexOf: (l) => (sorted.includes(l) ? sorted.indexOf(l) : undefined) };
}

function readText(path: string): string {
  refuseSpecialFile(path, 'a CSV file');
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new HeadstartError('FILE_NOT_FOUND', `${path}: no such file`, { file: path });
    if (code === 'EISDIR') throw new HeadstartError('WRONG_PATH_TYPE', `${path}: is a folder, expected a CSV file`, { file: path });
    throw new HeadstartError('FILE_ACCESS', `${path}: cannot read (${code ?? (err as Error).message})`, { file: path });
  }
}

export function checkRate(rate: number): void {
  if (!Number.isFinite(rate) || rate <= 0) {
    throw new HeadstartError('BAD_OPTION', `the sample rate must be a positive number of samples per second (got ${rate})`, { setting: 'rate' });
  }
}

/**
 * Reads several CSV recordings as one labelled set: they must agree on the
 * channel count, and their labels share one class list.
 */
export function readCsvRecordings(paths: string[], options: CsvOptions): { recordings: DatasetRecording[]; classes: string[] } {
  checkRate(options.rate);
  if (paths.length === 0) throw new HeadstartError('NO_RECORDINGS', 'no CSV files to read');
  const pattern = options.labelPattern === undefined ? undefined : compileLabelPattern(options.labelPattern);
  const parsed = paths.map((path) => ({ path, fields: pattern ? fileNameFields(path, pattern) : {}, table: parseCsvText(readText(path), path, options) }));
  const first = parsed[0];
  for (const p of parsed) {
    if (p.table.channels !== first.table.channels) {
      throw new HeadstartError('MIXED_RECORDINGS', `${p.path}: ${p.table.channels} channel columns, but ${first.path} has ${first.table.channels}; select the same columns in every file`, { file: p.path });
    }
  }
  const labels = parsed.flatMap((p) => (p.fields.label === undefined ? [] : [p.fields.label]));
  const resolved = resolveClasses(labels, options.classes);
  const recordings = parsed.map(({ path, fields, table }): DatasetRecording => {
    let label: number | undefined;
    if (fields.label !== undefined) {
      label = resolved.indexOf(fields.label);
      if (label === undefined) {
        throw new HeadstartError('BAD_LABEL', `${path}: label "${fields.label}" is not among the classes (${resolved.classes.join(', ')})`, { file: path });
      }
    }
    return {
      source: path,
      channels: table.channels,
      rate: options.rate,
      samples: table.samples,
      ...(label === undefined ? {} : { label }),
      ...(fields.rep === undefined ? {} : { rep: fields.rep }),
      ...(fields.subject === undefined ? {} : { subject: fields.subject }),
      ...(fields.session === undefined ? {} : { session: fields.session }),
    };
  });
  return { recordings, classes: resolved.classes };
}

/** Reads one CSV recording (see readCsvRecordings for sets sharing a class list). */
export function readCsvRecording(path: string, options: CsvOptions): DatasetRecording {
  return readCsvRecordings([path], options).recordings[0];
}

const CSV_EXTENSIONS = ['.csv', '.tsv', '.txt'];

/** Labelled CSV files (.csv, .tsv, .txt); the rate must be given, labels come from the file names. */
export const csvAdapter: DatasetAdapter = {
  kind: 'csv',
  describes: `${CSV_EXTENSIONS.join('/')} files`,
  matchesFile: (path) => CSV_EXTENSIONS.includes(extname(path).toLowerCase()),
  read(files: string[], s: DatasetSpec): Dataset {
    if (s.rate === undefined) {
      throw new HeadstartError('MISSING_OPTION', `${files[0]}: CSV files do not record their sample rate; give it`, { file: files[0], setting: 'rate' });
    }
    const { recordings, classes } = readCsvRecordings(files, {
      rate: s.rate,
      ...(s.columns ? { columns: s.columns } : {}),
      ...(s.labelPattern !== undefined ? { labelPattern: s.labelPattern } : {}),
      ...(s.classes ? { classes: s.classes } : {}),
      ...(s.header !== undefined ? { header: s.header } : {}),
      ...(s.delimiter !== undefined ? { delimiter: s.delimiter } : {}),
    });
    return { kind: 'csv', classes, channels: recordings[0].channels, rate: s.rate, recordings, warnings: [] };
  },
};
