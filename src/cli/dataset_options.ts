/**
 * The options every verb that reads a data set shares (dataset, pretrain,
 * evaluate, sim), so `--rate`, `--columns`, `--channels`, `--label-pattern` mean the same
 * everywhere. Add them with addDatasetOptions, turn the parsed values into a
 * DatasetSpec with datasetSpec.
 */
import type { Command } from 'commander';
import { HeadstartError } from '../core/errors.ts';
import { BRAINFLOW_BOARDS } from '../io/datasets/brainflow_csv.ts';
import { parseChannelList } from '../io/datasets/channel_labels.ts';
import { compileLabelPattern, parseColumnSpec } from '../io/datasets/csv.ts';
import type { DatasetSpec } from '../io/datasets/index.ts';
import { MAX_RATE, parseNumber } from './options.ts';

export interface DatasetOptions {
  rate?: string;
  columns?: string;
  channels?: string;
  board?: string;
  labelPattern?: string;
  classes?: string;
  delimiter?: string;
  header?: boolean;
  sessions?: string;
  people?: string;
}

/** Adds the data set options to a command; the path(s) themselves are the verb's own arguments or options. `except` leaves out options the verb declares with a meaning of its own (e.g. `package import`'s --rate and --classes, which also describe the model). */
export function addDatasetOptions(cmd: Command, except: readonly (keyof DatasetOptions)[] = []): Command {
  const options: [keyof DatasetOptions, string, string][] = [
    ['rate', '--rate <hz>', 'CSV: samples per second per channel (CSV files do not record it; other formats carry their own)'],
    ['columns', '--columns <list>', 'CSV: channel columns, by 0-based index, range or header name, in channel order (e.g. 1-8, or emg1,emg2); default: all'],
    ['channels', '--channels <labels>', 'EDF/BDF, OpenBCI GUI, BrainFlow, eegmat: channels by label, comma-separated, in this order (e.g. Fp1,Fp2,F7,F8 or "EXG Channel 0,EXG Channel 1"); default: all EEG channels'],
    ['board', '--board <name>', `BrainFlow CSV: the board that recorded it (${BRAINFLOW_BOARDS.join(', ')}); default: inferred from the fields and timestamps`],
    ['labelPattern', '--label-pattern <regex>', "CSV, EDF/BDF, OpenBCI GUI, BrainFlow: regex on each file name with a named group label, and optionally rep, subject, session (e.g. 'R_(?<rep>\\d+)_C_(?<label>\\d+)\\.csv')"],
    ['classes', '--classes <names>', 'CSV: comma-separated class names the labels refer to (default: numeric labels are indices; names are sorted)'],
    ['delimiter', '--delimiter <char>', 'CSV: force the delimiter (",", ";", "tab" or "space"); default: detected'],
    ['header', '--header', 'CSV: the first row is a header (default: detected)'],
    ['header', '--no-header', 'CSV: the first row is data'],
    ['sessions', '--sessions <names>', 'keep only these sessions, comma-separated (Myo: training0, Test0, Test1)'],
    ['people', '--people <names>', 'keep only these people, comma-separated (e.g. Male0,Female1)'],
  ];
  for (const [key, flags, description] of options) if (!except.includes(key)) cmd.option(flags, description);
  return cmd;
}

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** Builds the spec for one path from parsed options, checking them before any file is read. */
export function datasetSpec(path: string, opts: DatasetOptions): DatasetSpec {
  const spec: DatasetSpec = { path };
  if (opts.rate !== undefined) spec.rate = parseNumber('--rate', opts.rate, { above: 0, max: MAX_RATE });
  if (opts.columns !== undefined) spec.columns = parseColumnSpec(opts.columns);
  if (opts.channels !== undefined) spec.channels = parseChannelList(opts.channels);
  if (opts.board !== undefined) {
    if (!(BRAINFLOW_BOARDS as string[]).includes(opts.board)) throw new HeadstartError('BAD_OPTION', `--board ${opts.board} is not a BrainFlow board headstart reads; give one of ${BRAINFLOW_BOARDS.join(', ')}`, { setting: 'board' });
    spec.board = opts.board;
  }
  if (opts.labelPattern !== undefined) spec.labelPattern = compileLabelPattern(opts.labelPattern);
  if (opts.classes !== undefined) spec.classes = list(opts.classes);
  if (opts.delimiter !== undefined) {
    const named: Record<string, string> = { tab: '\t', '\\t': '\t', space: ' ', comma: ',', semicolon: ';' };
    spec.delimiter = named[opts.delimiter] ?? opts.delimiter;
  }
  if (opts.header !== undefined) spec.header = opts.header;
  if (opts.sessions !== undefined) spec.sessions = list(opts.sessions);
  if (opts.people !== undefined) spec.people = list(opts.people);
  return spec;
}
