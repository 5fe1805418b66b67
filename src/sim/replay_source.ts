/**
 * Files -> a ReplayScript for the virtual board. Accepted: Myo data set
 * files (`classe_<i>.dat`) or session folders of them, CSV files (the rate
 * must be given: CSV does not record it), and headstart recordings
 * (`.hsrec`, labels from their markers). Several paths play back-to-back.
 */
import { statSync } from 'node:fs';
import { extname } from 'node:path';
import { HeadstartError } from '../core/errors.ts';
import { HSREC_EXTENSION } from '../core/recording_format.ts';
import { readCsvRecordings, type ColumnRef } from '../io/datasets/csv.ts';
import { readRecordingFile } from '../io/datasets/hsrec.ts';
import { readMyoFile, readMyoSession } from '../io/datasets/myo.ts';
import type { Recording } from '../core/signal.ts';
import { concatScripts, scriptFromMarkedRecording, scriptFromRecordings, type ReplayScript } from './replay_script.ts';

export interface ReplaySourceOptions {
  /** Samples per second of CSV files. */
  csvRate?: number;
  /** CSV channel columns (indices or header names); all columns when absent. */
  csvColumns?: ColumnRef[];
  /** CSV: regex with a named group `label` matched on the file name, e.g. `C_(?<label>\d+)`. */
  labelPattern?: string;
}

type Kind = 'myo' | 'csv' | 'hsrec';

function kindOf(path: string): Kind {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new HeadstartError('FILE_NOT_FOUND', `${path}: no such file or folder`);
  }
  if (isDir) return 'myo';
  const ext = extname(path).toLowerCase();
  if (ext === '.dat') return 'myo';
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt') return 'csv';
  if (ext === HSREC_EXTENSION) return 'hsrec';
  throw new HeadstartError('UNKNOWN_FORMAT', `${path}: cannot tell what kind of recording this is; give Myo classe_<i>.dat files or session folders, .csv files (with their rate) or ${HSREC_EXTENSION} files`);
}

export function loadReplayScript(paths: string[], options: ReplaySourceOptions = {}): ReplayScript {
  if (paths.length === 0) throw new HeadstartError('MISSING_OPTION', 'give at least one recording to replay', { setting: 'replay' });
  const kinds = new Set(paths.map(kindOf));
  if (kinds.size > 1) throw new HeadstartError('MIXED_RECORDINGS', `replay recordings of one kind at a time (got ${[...kinds].join(' and ')})`);
  const kind = [...kinds][0] as Kind;
  switch (kind) {
    case 'myo': {
      const recordings: Recording[] = paths.flatMap((p) => (statSync(p).isDirectory() ? readMyoSession(p) : [readMyoFile(p)]));
      return scriptFromRecordings(recordings);
    }
    case 'csv': {
      if (options.csvRate === undefined) throw new HeadstartError('MISSING_OPTION', 'CSV files do not record their sample rate; give it', { setting: 'rate' });
      const { recordings } = readCsvRecordings(paths, {
        rate: options.csvRate,
        ...(options.csvColumns ? { columns: options.csvColumns } : {}),
        ...(options.labelPattern ? { labelPattern: options.labelPattern } : {}),
      });
      return scriptFromRecordings(recordings);
    }
    case 'hsrec':
      return concatScripts(
        paths.map((path) => {
          const { header, samples, markers } = readRecordingFile(path);
          return scriptFromMarkedRecording({ source: path, channels: header.channels, rate: header.rate, samples }, markers);
        }),
      );
  }
}
