/**
 * The options every verb that reads a data set shares (dataset, pretrain,
 * evaluate, sim), so `--rate`, `--columns`, `--label-pattern` mean the same
 * everywhere. Add them with addDatasetOptions, turn the parsed values into a
 * DatasetSpec with datasetSpec.
 */
import type { Command } from 'commander';
import { compileLabelPattern, parseColumnSpec } from '../io/datasets/csv.ts';
import type { DatasetSpec } from '../io/datasets/index.ts';
import { MAX_RATE, parseNumber } from './options.ts';

export interface DatasetOptions {
  rate?: string;
  columns?: string;
  labelPattern?: string;
  classes?: string;
  delimiter?: string;
  header?: boolean;
  sessions?: string;
  people?: string;
}

/** Adds the data set options to a command; the path(s) themselves are the verb's own arguments or options. */
export function addDatasetOptions(cmd: Command): Command {
  return cmd
    .option('--rate <hz>', 'CSV: samples per second per channel (CSV files do not record it; other formats carry their own)')
    .option('--columns <list>', 'CSV: channel columns, by 0-based index, range or header name, in channel order (e.g. 1-8, or emg1,emg2); default: all')
    .option('--label-pattern <regex>', 'CSV: regex on each file name with a named group label, and optionally rep, subject, session (e.g. \'R_(?<rep>\\d+)_C_(?<label>\\d+)\\.csv\')')
    .option('--classes <names>', 'CSV: comma-separated class names the labels refer to (default: numeric labels are indices; names are sorted)')
    .option('--delimiter <char>', 'CSV: force the delimiter (",", ";", "tab" or "space"); default: detected')
    .option('--header', 'CSV: the first row is a header (default: detected)')
    .option('--no-header', 'CSV: the first row is data')
    .option('--sessions <names>', 'keep only these sessions, comma-separated (Myo: training0, Test0, Test1)')
    .option('--people <names>', 'keep only these people, comma-separated (e.g. Male0,Female1)');
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
