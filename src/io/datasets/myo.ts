/**
 * Adapter for the Myo armband data set layout (Cote-Allard et al.):
 * `<root>/<Person>/<session>/classe_<i>.dat`, raw int16 little-endian,
 * 8 channels interleaved at 200 Hz; gesture = i % 7, cycle = floor(i / 7).
 */
import { readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { HeadstartError } from '../../core/errors.ts';
import { naturalCompare } from './glob.ts';
import type { Dataset, DatasetAdapter, DatasetRecording, DatasetSpec } from './types.ts';
import { refuseSpecialFile } from './file_read.ts';

export const MYO_CHANNELS = 8;
export const MYO_RATE = 200;
export const MYO_GESTURES = ['rest', 'radial deviation', 'wrist flexion', 'ulnar deviation', 'wrist extension', 'hand close', 'hand open'];

const FILE = /^classe_(\d+)\.dat$/;
const BYTES_PER_SAMPLE = 2 * MYO_CHANNELS;

/** Index i of a `classe_<i>.dat` base name, or undefined for any other name. */
export function myoFileIndex(name: string): number | undefined {
  const match = FILE.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** Reads one classe_<i>.dat file. */
export function readMyoFile(path: string): DatasetRecording {
  const index = myoFileIndex(basename(path));
  if (index === undefined) throw new HeadstartError('BAD_FILE_NAME', `${path}: Myo files are named classe_<i>.dat`);
  let bytes: Buffer;
  refuseSpecialFile(path, 'a Myo classe_<i>.dat file');
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new HeadstartError('FILE_NOT_FOUND', `${path}: no such file`);
    throw new HeadstartError('FILE_ACCESS', `${path}: cannot read (${code ?? (err as Error).message})`);
  }
  if (bytes.length === 0 || bytes.length % BYTES_PER_SAMPLE !== 0) {
    throw new HeadstartError(
      'BAD_RECORDING',
      `${path}: ${bytes.length} bytes is not a whole, non-zero number of ${MYO_CHANNELS}-channel int16 samples (${BYTES_PER_SAMPLE} bytes each); the file is truncated or not Myo data`,
    );
  }
  // Copy into an aligned buffer: a pooled Buffer's offset need not be even, and Int16Array needs it to be.
  const ints = new Int16Array(Uint8Array.from(bytes).buffer);
  if (!LITTLE_ENDIAN_HOST) swapBytes16(ints);
  return {
    source: path,
    channels: MYO_CHANNELS,
    rate: MYO_RATE,
    samples: Float32Array.from(ints),
    label: index % MYO_GESTURES.length,
    rep: Math.floor(index / MYO_GESTURES.length),
  };
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function swapBytes16(values: Int16Array): void {
  const view = new DataView(values.buffer, values.byteOffset, values.byteLength);
  for (let i = 0; i < values.length; i++) values[i] = view.getInt16(2 * i, true);
}

function listDir(dir: string, expected: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new HeadstartError('WRONG_PATH_TYPE', `${dir}: is a file, expected ${expected}`);
    throw new HeadstartError('FILE_NOT_FOUND', `${dir}: no such folder (expected ${expected})`);
  }
}

/** Names of the classe_<i>.dat files directly in `dir`, ordered by index. */
export function listMyoFiles(dir: string): string[] {
  return listDir(dir, 'a Myo session folder of classe_<i>.dat files')
    .filter((e) => !e.isDirectory() && myoFileIndex(e.name) !== undefined)
    .map((e) => e.name)
    .sort((a, b) => myoFileIndex(a)! - myoFileIndex(b)!);
}

/** Reads every classe_<i>.dat of one session folder, ordered by file index; `session` is the folder's name. */
export function readMyoSession(dir: string, subject?: string): DatasetRecording[] {
  const files = listMyoFiles(dir);
  if (files.length === 0) throw new HeadstartError('NO_RECORDINGS', `${dir}: no classe_<i>.dat files (is this a Myo session folder such as .../Male0/training0?)`);
  const session = basename(dir);
  return files.map((f) => ({ ...readMyoFile(join(dir, f)), ...(subject === undefined ? {} : { subject }), session }));
}

export interface MyoPerson {
  name: string;
  dir: string;
  /** Session folder names present (training0, Test0, Test1) that hold classe_<i>.dat files. */
  sessions: string[];
}

/** Session subfolders of one person folder that hold Myo files, in natural order. */
export function listMyoSessions(personDir: string): string[] {
  return listDir(personDir, 'a Myo person folder such as .../EvaluationDataset/Male0')
    .filter((e) => e.isDirectory() && listMyoFiles(join(personDir, e.name)).length > 0)
    .map((e) => e.name)
    .sort(naturalCompare);
}

/** Lists the people under a Myo data set folder (PreTrainingDataset or EvaluationDataset). */
export function listMyoPeople(root: string): MyoPerson[] {
  const people = listDir(root, 'a Myo data set folder such as .../myoarmband/PreTrainingDataset')
    .filter((e) => e.isDirectory())
    .map((e) => ({ name: e.name, dir: join(root, e.name), sessions: listMyoSessions(join(root, e.name)) }))
    .filter((p) => p.sessions.length > 0)
    .sort((a, b) => naturalCompare(a.name, b.name));
  if (people.length === 0) throw new HeadstartError('NO_RECORDINGS', `${root}: no person folders with session subfolders of classe_<i>.dat files`);
  return people;
}

export interface MyoSelection {
  /** Only these sessions (e.g. ['training0']); all when absent. */
  sessions?: string[];
  /** Only these people (e.g. ['Male0', 'Female1']); all when absent. */
  people?: string[];
}

/** Reads all (or the selected) sessions of one person folder; the subject is the folder's name. */
export function readMyoPerson(personDir: string, select: Pick<MyoSelection, 'sessions'> = {}): DatasetRecording[] {
  const present = listMyoSessions(personDir);
  const sessions = select.sessions ?? present;
  const missing = sessions.filter((s) => !present.includes(s));
  if (missing.length > 0) {
    throw new HeadstartError('EMPTY_SELECTION', `${personDir}: no session ${missing.join(', ')} (present: ${present.join(', ') || 'none'})`);
  }
  return sessions.flatMap((s) => readMyoSession(join(personDir, s), basename(personDir)));
}

/** Reads a whole data set folder (PreTrainingDataset or EvaluationDataset), optionally restricted to some people and sessions. */
export function readMyoDataset(root: string, select: MyoSelection = {}): DatasetRecording[] {
  const people = listMyoPeople(root);
  const names = people.map((p) => p.name);
  const unknown = (select.people ?? []).filter((p) => !names.includes(p));
  if (unknown.length > 0) throw new HeadstartError('EMPTY_SELECTION', `${root}: no person ${unknown.join(', ')} (present: ${names.join(', ')})`);
  const recordings = people
    .filter((p) => select.people === undefined || select.people.includes(p.name))
    .flatMap((p) => readMyoPerson(p.dir, { sessions: select.sessions?.filter((s) => p.sessions.includes(s)) ?? p.sessions }));
  if (recordings.length === 0) {
    throw new HeadstartError('EMPTY_SELECTION', `${root}: no person has session ${(select.sessions ?? []).join(', ')} (sessions present: ${[...new Set(people.flatMap((p) => p.sessions))].join(', ')})`);
  }
  return recordings;
}

type MyoFolder = 'session' | 'person' | 'dataset' | 'both halves';

/** Which Myo folder `dir` is, if any: a session (classe_<i>.dat files), a person (session folders), a data set half (person folders), or the root holding both halves. */
function myoFolderLayout(dir: string): MyoFolder | undefined {
  if (listMyoFiles(dir).length > 0) return 'session';
  const folders = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  if (folders.includes('PreTrainingDataset') && folders.includes('EvaluationDataset')) return 'both halves';
  if (folders.some((f) => listMyoFiles(join(dir, f)).length > 0)) return 'person';
  if (folders.some((f) => listMyoSessions(join(dir, f)).length > 0)) return 'dataset';
  return undefined;
}

function readMyoFolder(dir: string, spec: DatasetSpec): DatasetRecording[] {
  switch (myoFolderLayout(dir)) {
    case 'session':
      return readMyoSession(dir, basename(dirname(dir)));
    case 'person':
      return readMyoPerson(dir);
    case 'dataset':
      return readMyoDataset(dir, { sessions: spec.sessions, people: spec.people });
    case 'both halves':
      throw new HeadstartError(
        'MIXED_RECORDINGS',
        `${dir}: holds both PreTrainingDataset (for training the extractor) and EvaluationDataset (for calibration and scoring); give one of them so evaluation people never leak into training`,
      );
    default:
      throw new HeadstartError('NO_RECORDINGS', `${dir}: not a Myo data set, person or session folder`);
  }
}

/** The Myo layouts: a data set half, a person or a session folder, or classe_<i>.dat files (person and session taken from their path). */
export const myoAdapter: DatasetAdapter = {
  kind: 'myo',
  describes: 'a Myo layout of classe_<i>.dat files',
  matchesFile: (path) => myoFileIndex(basename(path)) !== undefined,
  matchesFolder: (dir) => myoFolderLayout(dir) !== undefined,
  read(paths: string[], spec: DatasetSpec): Dataset {
    const recordings = paths.flatMap((p) =>
      statSync(p).isDirectory()
        ? readMyoFolder(p, spec)
        : // classe_<i>.dat sits in <person>/<session>/: take both from the path.
          [{ ...readMyoFile(p), subject: basename(dirname(dirname(p))), session: basename(dirname(p)) }],
    );
    if (recordings.length === 0) throw new HeadstartError('NO_RECORDINGS', 'no Myo recordings selected');
    return { kind: 'myo', classes: [...MYO_GESTURES], channels: recordings[0].channels, rate: recordings[0].rate, recordings, warnings: [] };
  },
};
