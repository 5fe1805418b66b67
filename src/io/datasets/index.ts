/**
 * One entry to every data set headstart reads: `loadDataset(spec)` looks at
 * what the path is and picks the adapter.
 *
 * - a Myo layout (Cote-Allard et al.): a data set folder (PreTrainingDataset
 *   or EvaluationDataset), one person's folder, one session folder, or
 *   classe_<i>.dat files;
 * - the project's own recordings: a .hsrec file, a folder of them, a glob;
 * - labelled CSV recordings: a file, a folder of .csv/.tsv/.txt, or a glob
 *   such as `data/**\/R_*_C_*.csv` (needs `rate`, usually `labelPattern`).
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { HeadstartError } from '../../core/errors.ts';
import { HSREC_EXTENSION } from '../../core/recording_format.ts';
import { type ColumnRef, readCsvRecordings } from './csv.ts';
import { globFiles, hasGlobChars, naturalCompare } from './glob.ts';
import { readRecordingFile, segmentRecordings } from './hsrec.ts';
import { listMyoFiles, listMyoSessions, MYO_GESTURES, myoFileIndex, readMyoDataset, readMyoFile, readMyoPerson, readMyoSession } from './myo.ts';
import type { Dataset, DatasetKind, DatasetRecording } from './types.ts';

export type { Dataset, DatasetKind, DatasetRecording } from './types.ts';

export interface DatasetSpec {
  /** A folder, a file or a glob (see the module comment). */
  path: string;
  /** CSV: samples per second (required). Other formats: checked against what the files say, when given. */
  rate?: number;
  /** CSV: channel columns by 0-based index or header name. */
  columns?: ColumnRef[];
  /** CSV: regex with named groups `label`, and optionally `rep`, `subject`, `session`, matched on file names. */
  labelPattern?: RegExp | string;
  /** CSV: class names the labels refer to (default: whole-number labels as indices, else sorted names). */
  classes?: string[];
  /** CSV: force a header row present or absent. */
  header?: boolean;
  /** CSV: force the delimiter. */
  delimiter?: string;
  /** Keep only these sessions (Myo: training0, Test0, Test1). */
  sessions?: string[];
  /** Keep only these people. */
  people?: string[];
}

const CSV_EXTENSIONS = ['.csv', '.tsv', '.txt'];

/** Reads a data set; the result's recordings all share one channel count and rate. */
export function loadDataset(spec: DatasetSpec | string): Dataset {
  const s: DatasetSpec = typeof spec === 'string' ? { path: spec } : spec;
  const loaded = hasGlobChars(s.path) ? loadFiles(globbed(s.path), s) : loadPath(s);
  return finish(select(loaded, s), s);
}

function globbed(pattern: string): string[] {
  const files = globFiles(pattern);
  if (files.length === 0) throw new HeadstartError('NO_RECORDINGS', `no files match ${pattern}; check the pattern (quote it so the shell does not expand it)`);
  return files;
}

function loadPath(s: DatasetSpec): Dataset {
  let isDir: boolean;
  try {
    isDir = statSync(s.path).isDirectory();
  } catch {
    const file = extname(s.path) !== '';
    throw new HeadstartError('FILE_NOT_FOUND', `${s.path}: no such ${file ? 'file' : 'folder'}`, { file: s.path });
  }
  if (!isDir) return loadFiles([s.path], s);

  if (listMyoFiles(s.path).length > 0) {
    return myoDataset(readMyoSession(s.path, basename(dirname(s.path))));
  }
  const folders = readdirSync(s.path, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  if (folders.includes('PreTrainingDataset') && folders.includes('EvaluationDataset')) {
    throw new HeadstartError(
      'MIXED_RECORDINGS',
      `${s.path}: holds both PreTrainingDataset (for training the extractor) and EvaluationDataset (for calibration and scoring); give one of them so evaluation people never leak into training`,
    );
  }
  if (folders.some((f) => listMyoFiles(join(s.path, f)).length > 0)) {
    return myoDataset(readMyoPerson(s.path));
  }
  if (folders.some((f) => listMyoSessions(join(s.path, f)).length > 0)) {
    return myoDataset(readMyoDataset(s.path, { sessions: s.sessions, people: s.people }));
  }
  const files = readdirSync(s.path, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => e.name);
  const recordings = files.filter((f) => f.endsWith(HSREC_EXTENSION));
  const tables = files.filter((f) => CSV_EXTENSIONS.includes(extname(f).toLowerCase()));
  if (recordings.length > 0 && tables.length > 0) {
    throw new HeadstartError('MIXED_RECORDINGS', `${s.path}: holds both ${HSREC_EXTENSION} recordings and CSV files; give a glob that picks one kind`);
  }
  const chosen = recordings.length > 0 ? recordings : tables;
  if (chosen.length === 0) {
    throw new HeadstartError(
      'NO_RECORDINGS',
      `${s.path}: no recordings found (expected a Myo layout of classe_<i>.dat files, ${HSREC_EXTENSION} recordings, or ${CSV_EXTENSIONS.join('/')} files)`,
    );
  }
  return loadFiles(chosen.sort(naturalCompare).map((f) => join(s.path, f)), s);
}

function loadFiles(files: string[], s: DatasetSpec): Dataset {
  const kinds = new Set(files.map(fileKind));
  if (kinds.size > 1) {
    throw new HeadstartError('MIXED_RECORDINGS', `the files given mix formats (${[...kinds].join(', ')}), e.g. ${files[0]}; give a pattern that picks one kind`);
  }
  const kind = [...kinds][0];
  if (kind === 'myo') {
    // classe_<i>.dat sits in <person>/<session>/: take both from the path.
    return myoDataset(files.map((f) => ({ ...readMyoFile(f), subject: basename(dirname(dirname(f))), session: basename(dirname(f)) })));
  }
  if (kind === 'hsrec') return recordingDataset(files);
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
}

function fileKind(path: string): DatasetKind {
  if (path.endsWith(HSREC_EXTENSION)) return 'hsrec';
  if (myoFileIndex(basename(path)) !== undefined) return 'myo';
  if (CSV_EXTENSIONS.includes(extname(path).toLowerCase())) return 'csv';
  throw new HeadstartError(
    'UNKNOWN_FORMAT',
    `${path}: not a format headstart reads by name; give ${CSV_EXTENSIONS.join('/')} files, ${HSREC_EXTENSION} recordings or Myo classe_<i>.dat files`,
    { file: path },
  );
}

function myoDataset(recordings: DatasetRecording[]): Dataset {
  if (recordings.length === 0) throw new HeadstartError('NO_RECORDINGS', 'no Myo recordings selected');
  return { kind: 'myo', classes: [...MYO_GESTURES], channels: recordings[0].channels, rate: recordings[0].rate, recordings, warnings: [] };
}

function recordingDataset(files: string[]): Dataset {
  const warnings: string[] = [];
  let classes: string[] | undefined;
  let classesFrom = '';
  const recordings = files.flatMap((f) => {
    const decoded = readRecordingFile(f);
    if (decoded.tornBytes > 0) warnings.push(`${f}: dropped a torn last chunk of ${decoded.tornBytes} bytes (the recording was interrupted)`);
    const own = decoded.header.classes;
    if (own !== undefined) {
      if (classes !== undefined && JSON.stringify(classes) !== JSON.stringify(own)) {
        throw new HeadstartError('MIXED_RECORDINGS', `${f}: classes ${own.join(', ')} differ from ${classesFrom}'s (${classes.join(', ')}); recordings of one data set must share a class list`);
      }
      classes = own;
      classesFrom = f;
    }
    const segments = segmentRecordings(decoded, f);
    if (segments.length === 0) warnings.push(`${f}: no labelled segments (no 'label' markers), nothing taken from it`);
    return segments;
  });
  if (recordings.length === 0) throw new HeadstartError('NOT_ENOUGH_DATA', `${files.length === 1 ? files[0] : `${files.length} recordings`}: no labelled segments to use`);
  const maxLabel = recordings.reduce((m, r) => Math.max(m, r.label ?? -1), -1);
  const names = classes ?? Array.from({ length: maxLabel + 1 }, (_, i) => String(i));
  const outside = recordings.find((r) => (r.label ?? 0) >= names.length);
  if (outside) throw new HeadstartError('BAD_LABEL', `${outside.source}: label ${outside.label} is outside the class list (${names.join(', ')})`);
  return { kind: 'hsrec', classes: names, channels: recordings[0].channels, rate: recordings[0].rate, recordings, warnings };
}

function select(ds: Dataset, s: DatasetSpec): Dataset {
  const recordings = ds.recordings.filter(
    (r) => (s.sessions === undefined || (r.session !== undefined && s.sessions.includes(r.session))) && (s.people === undefined || (r.subject !== undefined && s.people.includes(r.subject))),
  );
  if (recordings.length === 0) {
    const have = (key: 'session' | 'subject') => [...new Set(ds.recordings.map((r) => r[key]).filter((v) => v !== undefined))].join(', ') || 'none named';
    throw new HeadstartError(
      'EMPTY_SELECTION',
      `${s.path}: nothing left after selecting${s.sessions ? ` sessions ${s.sessions.join(', ')} (present: ${have('session')})` : ''}${s.people ? ` people ${s.people.join(', ')} (present: ${have('subject')})` : ''}`,
    );
  }
  return { ...ds, recordings };
}

function finish(ds: Dataset, s: DatasetSpec): Dataset {
  for (const r of ds.recordings) {
    if (r.channels !== ds.channels) {
      throw new HeadstartError('MIXED_RECORDINGS', `${r.source}: ${r.channels} channels, but ${ds.recordings[0].source} has ${ds.channels}; one data set has one channel layout`);
    }
    if (r.rate !== ds.rate) throw new HeadstartError('MIXED_RECORDINGS', `${r.source}: ${r.rate} samples/s, but ${ds.recordings[0].source} has ${ds.rate}`);
  }
  if (s.rate !== undefined && s.rate !== ds.rate) {
    throw new HeadstartError('BAD_OPTION', `${s.path}: the data says ${ds.rate} samples/s but ${s.rate} was given; leave the rate out for ${ds.kind} data`, { setting: 'rate' });
  }
  return ds;
}

export interface DatasetSummary {
  kind: DatasetKind;
  channels: number;
  rate: number;
  recordings: number;
  samples: number;
  seconds: number;
  subjects: string[];
  sessions: string[];
  /** Recordings per class name. */
  perClass: Record<string, number>;
}

/** Counts for a `--json` report or a one-line description. */
export function summarizeDataset(ds: Dataset): DatasetSummary {
  const samples = ds.recordings.reduce((n, r) => n + r.samples.length / r.channels, 0);
  const perClass: Record<string, number> = Object.fromEntries(ds.classes.map((c) => [c, 0]));
  for (const r of ds.recordings) if (r.label !== undefined) perClass[ds.classes[r.label]] = (perClass[ds.classes[r.label]] ?? 0) + 1;
  const distinct = (values: (string | undefined)[]) => [...new Set(values.filter((v): v is string => v !== undefined))].sort(naturalCompare);
  return {
    kind: ds.kind,
    channels: ds.channels,
    rate: ds.rate,
    recordings: ds.recordings.length,
    samples,
    seconds: samples / ds.rate,
    subjects: distinct(ds.recordings.map((r) => r.subject)),
    sessions: distinct(ds.recordings.map((r) => r.session)),
    perClass,
  };
}
