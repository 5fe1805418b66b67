/**
 * Recordings saved by the OpenBCI GUI in its RAW text format
 * (`OpenBCI-RAW-<date>.txt`): `%` header lines carrying the title, channel
 * count, sample rate and board, then one sample per line, fields separated
 * by commas. Channel values are µV.
 *
 * Current layout (GUI 5 and later), a header line naming every column:
 *
 *     %OpenBCI Raw EXG Data
 *     %Number of channels = 8
 *     %Sample Rate = 250 Hz
 *     %Board = OpenBCI_GUI$BoardCytonSerial
 *     Sample Index, EXG Channel 0, ..., EXG Channel 7, Accel Channel 0, ..., Timestamp, Marker Channel, Timestamp (Formatted)
 *
 * Older layout (GUI 1 to 4), no column names: sample index, the channels,
 * usually three accelerometer/aux values, then a clock time (and Unix
 * milliseconds); the channel count line is missing in the oldest files.
 *
 *     %OpenBCI Raw EEG Data
 *     %Number of channels = 8
 *     %Sample Rate = 250.0 Hz
 *     %First Column = SampleIndex
 *     %Last Column = Timestamp
 *     %Other Columns = EEG data in microvolts followed by Accel Data (in G) interleaved with Aux Data
 *
 * Channels are named as the current layout names them, `EXG Channel 0` and
 * up, so `--channels 0,1,2` picks the first three (see channel_labels.ts).
 * Non-zero values of the marker column become markers.
 */
import { type ErrorCode, HeadstartError } from '../../core/errors.ts';
import { selectChannelsByLabel } from './channel_labels.ts';
import { readFileBytes } from './file_read.ts';
import { type FileRecordings, labelByFileName, sameChannelNames } from './file_labels.ts';
import { contentLines, numberField, type TextLine } from './text_rows.ts';
import type { Dataset, DatasetAdapter, DatasetMarker, DatasetRecording, DatasetSpec } from './types.ts';

export type OpenBciGuiLayout = 'current' | 'older';

export interface OpenBciGuiHeader {
  layout: OpenBciGuiLayout;
  /** The first line without its `%` ("OpenBCI Raw EXG Data"). */
  title: string;
  /** EXG channels in the file. */
  channels: number;
  rate: number;
  /** The GUI's board class ("OpenBCI_GUI$BoardCytonSerial"), when the file says. */
  board?: string;
  /** Column names (current layout). */
  columns?: string[];
}

export interface OpenBciGuiOptions {
  /** Channels by label (`EXG Channel 0` or just `0`); default all EXG channels. */
  channels?: string[];
}

export interface OpenBciGuiReading {
  header: OpenBciGuiHeader;
  recording: DatasetRecording;
  warnings: string[];
}

const TITLE = /^%\s*OpenBCI Raw/i;
const EXG_COLUMN = /^EXG Channel (\d+)$/i;

/** Whether a text starts like an OpenBCI GUI RAW file (its first line, `%OpenBCI Raw ...`). */
export function looksLikeOpenBciGui(start: string): boolean {
  const first = start.replace(/^\uFEFF/, '').trimStart();
  return TITLE.test(first);
}

function guiError(code: ErrorCode, source: string, line: number | undefined, message: string): HeadstartError {
  return new HeadstartError(code, `${source}${line === undefined ? '' : `:${line}`}: ${message}`, { file: source, line });
}

function splitFields(text: string): string[] {
  return text.split(',').map((f) => f.trim());
}

/** Parses the text of an OpenBCI GUI RAW file; `source` names it in errors. */
export function parseOpenBciGuiText(text: string, source: string, options: OpenBciGuiOptions = {}): OpenBciGuiReading {
  const lines = contentLines(text);
  if (lines.length === 0 || !TITLE.test(lines[0].text.trim())) {
    throw guiError('BAD_RECORDING', source, lines[0]?.line, 'does not start with an "%OpenBCI Raw ..." line; it is not an OpenBCI GUI RAW recording');
  }
  const warnings: string[] = [];
  const settings = new Map<string, { value: string; line: number }>();
  let i = 0;
  for (; i < lines.length && lines[i].text.trimStart().startsWith('%'); i++) {
    const m = /^%\s*([^=]+?)\s*=\s*(.*?)\s*$/.exec(lines[i].text.trim());
    if (m) settings.set(m[1].toLowerCase(), { value: m[2], line: lines[i].line });
  }
  const headerEnd = lines[i - 1].line;
  const rateSetting = settings.get('sample rate');
  if (!rateSetting) throw guiError('CSV_MALFORMED', source, undefined, 'no "%Sample Rate = ... Hz" line in the header, so the sample rate is unknown');
  const rateMatch = /^(\d+(?:\.\d*)?)\s*Hz$/i.exec(rateSetting.value);
  const rate = rateMatch ? Number(rateMatch[1]) : NaN;
  if (!(rate > 0)) throw guiError('CSV_MALFORMED', source, rateSetting.line, `sample rate "${rateSetting.value}" is not a positive number of Hz`);
  const countSetting = settings.get('number of channels');
  let declared: number | undefined;
  if (countSetting) {
    declared = /^\d+$/.test(countSetting.value) ? Number(countSetting.value) : NaN;
    if (!(declared! > 0)) throw guiError('CSV_MALFORMED', source, countSetting.line, `number of channels "${countSetting.value}" is not a positive whole number`);
  }
  const board = settings.get('board')?.value;
  const title = lines[0].text.trim().replace(/^%\s*/, '');

  let rows = lines.slice(i);
  if (rows.length === 0) throw guiError('CSV_MALFORMED', source, headerEnd, 'a header and no samples');

  // Which fields hold what.
  let layout: OpenBciGuiLayout;
  let channelColumns: number[];
  let markerColumn: number | undefined;
  let columns: string[] | undefined;
  const first = splitFields(rows[0].text);
  if (first[0] !== '' && !/^[+-]?[\d.]/.test(first[0])) {
    layout = 'current';
    columns = first;
    const headerLine = rows[0].line;
    rows = rows.slice(1);
    channelColumns = columns.flatMap((c, k) => (EXG_COLUMN.test(c) ? [k] : []));
    if (channelColumns.length === 0) throw guiError('CSV_MALFORMED', source, headerLine, `no "EXG Channel <n>" columns among: ${columns.join(', ')}`);
    if (declared !== undefined && declared !== channelColumns.length) {
      throw guiError('CSV_MALFORMED', source, headerLine, `the header says ${declared} channels but ${channelColumns.length} columns are named "EXG Channel <n>"`);
    }
    const marker = columns.findIndex((c) => /^marker channel$/i.test(c));
    markerColumn = marker >= 0 ? marker : undefined;
    if (rows.length === 0) throw guiError('CSV_MALFORMED', source, headerLine, 'a header and no samples');
  } else {
    layout = 'older';
    let count = declared;
    if (count === undefined) {
      // The oldest files do not say: the numeric fields after the sample index, less three aux values when the header mentions them.
      const numeric = first.slice(1).findIndex((f) => !/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(f));
      const values = numeric < 0 ? first.length - 1 : numeric;
      const other = settings.get('other columns')?.value ?? '';
      count = /accel|aux/i.test(other) ? values - 3 : values;
      if (count < 1) throw guiError('CSV_MALFORMED', source, rows[0].line, `cannot tell the channel count: no "%Number of channels" line and only ${values} values after the sample index`);
      warnings.push(`${source}: the header does not give the channel count; took ${count} from the columns`);
    }
    if (first.length < count + 1) throw guiError('CSV_MALFORMED', source, rows[0].line, `${first.length} fields, too few for a sample index and ${count} channels`);
    channelColumns = Array.from({ length: count }, (_, k) => k + 1);
  }

  const allNames = channelColumns.map((k, n) => (columns ? columns[k] : `EXG Channel ${n}`));
  const picked = options.channels === undefined ? allNames.map((_, n) => n) : selectChannelsByLabel(allNames, options.channels, source);
  const pickedColumns = picked.map((n) => channelColumns[n]);

  // The current layout names every field; the older one has as many as its first sample.
  const width = columns ? columns.length : first.length;
  // A file the GUI was killed while writing ends in a partial line: drop it, say so.
  const last = rows[rows.length - 1];
  if (rows.length > 1 && splitFields(last.text).length < width) {
    rows = rows.slice(0, -1);
    warnings.push(`${source}:${last.line}: dropped a partial last line (the recording was interrupted)`);
  }
  const channels = pickedColumns.length;
  const samples = new Float32Array(rows.length * channels);
  const markers: DatasetMarker[] = [];
  rows.forEach((row: TextLine, r) => {
    const fields = splitFields(row.text);
    if (fields.length !== width) {
      throw guiError('CSV_MALFORMED', source, row.line, `${fields.length} fields, expected ${width} as on line ${rows[0].line}`);
    }
    for (let c = 0; c < channels; c++) {
      const k = pickedColumns[c];
      samples[r * channels + c] = numberField(fields[k], source, row.line, columns ? `column ${k + 1} (${columns[k]})` : `field ${k + 1}`, 'CSV_BAD_VALUE');
    }
    if (markerColumn !== undefined) {
      const value = numberField(fields[markerColumn], source, row.line, `column ${markerColumn + 1} (${columns![markerColumn]})`, 'CSV_BAD_VALUE');
      if (value !== 0) markers.push({ sample: r, text: String(value) });
    }
  });

  const header: OpenBciGuiHeader = {
    layout,
    title,
    channels: channelColumns.length,
    rate,
    ...(board === undefined ? {} : { board }),
    ...(columns === undefined ? {} : { columns }),
  };
  const recording: DatasetRecording = {
    source,
    channels,
    rate,
    samples,
    channelNames: picked.map((n) => allNames[n]),
    ...(markers.length > 0 ? { markers } : {}),
  };
  return { header, recording, warnings };
}

/** Reads an OpenBCI GUI RAW text file (see parseOpenBciGuiText). */
export function readOpenBciGuiFile(path: string, options: OpenBciGuiOptions = {}): OpenBciGuiReading {
  return parseOpenBciGuiText(readFileBytes(path, 'an OpenBCI GUI recording').toString('utf8'), path, options);
}

export const openBciGuiAdapter: DatasetAdapter = {
  kind: 'openbci-gui',
  describes: 'OpenBCI GUI recordings (OpenBCI-RAW-*.txt, starting "%OpenBCI Raw")',
  // The GUI writes .txt files, as CSV tables may be: told apart by their first line.
  matchesFile: (_path, start) => looksLikeOpenBciGui(new TextDecoder().decode(start().subarray(0, 256))),
  read(files: string[], spec: DatasetSpec): Dataset {
    const warnings: string[] = [];
    const perFile: FileRecordings[] = files.map((path) => {
      const reading = readOpenBciGuiFile(path, spec.channels === undefined ? {} : { channels: spec.channels });
      warnings.push(...reading.warnings);
      return { path, recordings: [reading.recording] };
    });
    const { recordings, classes } = labelByFileName(perFile, spec);
    sameChannelNames(recordings);
    return { kind: 'openbci-gui', classes, channels: recordings[0]!.channels, rate: recordings[0]!.rate, recordings, warnings };
  },
};
