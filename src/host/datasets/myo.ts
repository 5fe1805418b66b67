/**
 * Adapter for the Myo armband data set layout (Cote-Allard et al.):
 * `<root>/<Person>/<session>/classe_<i>.dat`, raw int16 little-endian,
 * 8 channels interleaved at 200 Hz; gesture = i % 7, cycle = floor(i / 7).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { HeadstartError } from '../../core/errors.ts';
import type { Recording } from '../../core/signal.ts';

export const MYO_CHANNELS = 8;
export const MYO_RATE = 200;
export const MYO_GESTURES = ['rest', 'radial deviation', 'wrist flexion', 'ulnar deviation', 'wrist extension', 'hand close', 'hand open'];

const FILE = /^classe_(\d+)\.dat$/;

/** Reads one classe_<i>.dat file. */
export function readMyoFile(path: string): Recording {
  const match = FILE.exec(path.split(/[\\/]/).pop() ?? '');
  if (!match) throw new HeadstartError('BAD_FILE_NAME', `${path}: Myo files are named classe_<i>.dat`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new HeadstartError('FILE_UNREADABLE', `${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const frameBytes = 2 * MYO_CHANNELS;
  if (bytes.length % frameBytes !== 0) {
    throw new HeadstartError('BAD_BYTE_COUNT', `${path}: ${bytes.length} bytes is not a whole number of ${MYO_CHANNELS}-channel int16 samples (${frameBytes} bytes each); the file is truncated or not Myo data`);
  }
  const samples = new Float32Array(bytes.length / 2);
  for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(2 * i);
  const index = Number(match[1]);
  return { source: path, channels: MYO_CHANNELS, rate: MYO_RATE, samples, label: index % MYO_GESTURES.length, rep: Math.floor(index / MYO_GESTURES.length) };
}

/** Reads every classe_<i>.dat of one session folder, ordered by file index. */
export function readMyoSession(dir: string, subject?: string): Recording[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    throw new HeadstartError('MISSING_FOLDER', `${dir}: no such folder (expected a Myo session folder of classe_<i>.dat files)`);
  }
  const files = names.filter((n) => FILE.test(n)).sort((a, b) => Number(FILE.exec(a)![1]) - Number(FILE.exec(b)![1]));
  if (files.length === 0) throw new HeadstartError('EMPTY_FOLDER', `${dir}: no classe_<i>.dat files`);
  return files.map((f) => ({ ...readMyoFile(join(dir, f)), subject }));
}

export interface MyoPerson {
  name: string;
  dir: string;
  /** Session folder names present (training0, Test0, Test1). */
  sessions: string[];
}

/** Lists the people under a Myo data set folder (PreTrainingDataset or EvaluationDataset). */
export function listMyoPeople(root: string): MyoPerson[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    throw new HeadstartError('MISSING_FOLDER', `${root}: no such folder (expected a Myo data set folder such as .../myoarmband/PreTrainingDataset)`);
  }
  const people = names
    .filter((n) => statSync(join(root, n)).isDirectory())
    .map((name) => {
      const dir = join(root, name);
      const sessions = readdirSync(dir).filter((s) => statSync(join(dir, s)).isDirectory());
      return { name, dir, sessions };
    })
    .filter((p) => p.sessions.length > 0)
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  if (people.length === 0) throw new HeadstartError('EMPTY_FOLDER', `${root}: no person folders with session subfolders`);
  return people;
}
