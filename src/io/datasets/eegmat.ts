/**
 * PhysioNet's "EEG During Mental Arithmetic Tasks" (Zyma et al. 2019) as
 * published (../shared/datasets/eegmat): `SubjectNN_1.edf`, about 3 minutes
 * at rest, and `SubjectNN_2.edf`, one minute of serial subtraction, for
 * NN = 00..35; EDF+ at 500 Hz with 19 monopolar EEG channels (ear
 * reference) beside `EEG A2-A1` and an ECG. Read as two classes, `rest`
 * (from `_1`) and `arithmetic` (from `_2`), one person per `SubjectNN`,
 * the 19 EEG channels unless `channels` chooses others (by electrode:
 * `F3,F4,C3,...`).
 */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { HeadstartError } from '../../core/errors.ts';
import { readEdfFile } from './edf.ts';
import { naturalCompare } from './glob.ts';
import type { Dataset, DatasetAdapter, DatasetRecording, DatasetSpec } from './types.ts';

export const EEGMAT_CLASSES = ['rest', 'arithmetic'] as const;

/** The 19 EEG electrodes in the files' order (10-20 system, old temporal names T3 T4 T5 T6). */
export const EEGMAT_CHANNELS = ['Fp1', 'Fp2', 'F3', 'F4', 'F7', 'F8', 'T3', 'T4', 'C3', 'C4', 'T5', 'T6', 'P3', 'P4', 'O1', 'O2', 'Fz', 'Cz', 'Pz'];

/**
 * The 8 of the 19 an OpenBCI Cyton carries in headstart's EEG package:
 * a frontal/temporal ring and the midline, chosen on Subject00..23 only.
 * The frontal and temporal sites tell rest from arithmetic best on this
 * data (the first picks of a forward selection); Fz and Pz add frontal
 * midline theta and parietal alpha. Placed like a headband: forehead,
 * temples, above the ears, and two midline sites.
 */
export const EEGMAT_CYTON_MONTAGE = ['Fp1', 'Fp2', 'F7', 'F8', 'T3', 'T4', 'Fz', 'Pz'];

const FILE = /^(Subject\d+)_([12])\.edf$/i;

function eegmatFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => FILE.test(n)).sort(naturalCompare).map((n) => join(dir, n));
}

export function readEegmat(files: string[], spec: DatasetSpec): Dataset {
  const people = spec.people === undefined ? undefined : new Set(spec.people);
  const chosen = files.filter((f) => people === undefined || people.has(FILE.exec(basename(f))![1]!));
  if (chosen.length === 0) {
    const present = [...new Set(files.map((f) => FILE.exec(basename(f))![1]!))].join(', ');
    throw new HeadstartError('EMPTY_SELECTION', `${spec.path}: nothing left after selecting people ${spec.people!.join(', ')} (present: ${present})`);
  }
  const warnings: string[] = [];
  const channels = spec.channels ?? EEGMAT_CHANNELS;
  const recordings: DatasetRecording[] = chosen.flatMap((path) => {
    const [, subject, state] = FILE.exec(basename(path))!;
    const reading = readEdfFile(path, { channels });
    warnings.push(...reading.warnings);
    return reading.recordings.map((r) => ({ ...r, subject: subject!, label: Number(state) - 1 }));
  });
  return { kind: 'eegmat', classes: [...EEGMAT_CLASSES], channels: recordings[0]!.channels, rate: recordings[0]!.rate, recordings, warnings };
}

export const eegmatAdapter: DatasetAdapter = {
  kind: 'eegmat',
  describes: 'eegmat SubjectNN_1.edf (rest) and SubjectNN_2.edf (arithmetic) files',
  matchesFile: (path) => FILE.test(basename(path)),
  // The published folder holds subject-info.csv and a licence beside the recordings: it is read as a layout.
  matchesFolder: (dir) => eegmatFiles(dir).length > 0,
  read: (paths, spec) => readEegmat(paths.length === 1 && !FILE.test(basename(paths[0]!)) ? eegmatFiles(paths[0]!) : paths, spec),
};
