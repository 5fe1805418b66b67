/**
 * One entry to every data set headstart reads: `loadDataset(spec)` looks at
 * what the path is and picks the adapter from a table.
 *
 * - a Myo layout (Cote-Allard et al.): a data set folder (PreTrainingDataset
 *   or EvaluationDataset), one person's folder, one session folder, or
 *   classe_<i>.dat files;
 * - the project's own recordings: a .hsrec file, a folder of them, a glob;
 * - EEG recordings: EDF/EDF+/BDF/BDF+ files, OpenBCI GUI RAW .txt files,
 *   BrainFlow CSV files (labelled by `labelPattern` on file names, channels
 *   chosen by label with `channels`), and the eegmat data set's folder or
 *   files (rest and arithmetic, one person per SubjectNN);
 * - labelled CSV recordings: a file, a folder of .csv/.tsv/.txt, or a glob
 *   such as `data/**\/R_*_C_*.csv` (needs `rate`, usually `labelPattern`).
 *
 * A folder goes to the first adapter that knows it as a layout of its own;
 * otherwise its files (and a glob's) go to the first adapter that matches
 * each (by name, or by how the file starts), and must all be of one format.
 * A new format is one DatasetAdapter (types.ts) added to ADAPTERS.
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { HeadstartError } from '../../core/errors.ts';
import { brainflowAdapter } from './brainflow_csv.ts';
import { csvAdapter } from './csv.ts';
import { edfAdapter } from './edf.ts';
import { eegmatAdapter } from './eegmat.ts';
import { globFiles, hasGlobChars, naturalCompare } from './glob.ts';
import { hsrecAdapter } from './hsrec.ts';
import { myoAdapter } from './myo.ts';
import { openBciGuiAdapter } from './openbci_gui.ts';
import type { Dataset, DatasetAdapter, DatasetKind, DatasetSpec } from './types.ts';

export type { Dataset, DatasetAdapter, DatasetKind, DatasetRecording, DatasetSpec } from './types.ts';

/** Every format read, in the order folders are offered to them. */
export const ADAPTERS: readonly DatasetAdapter[] = [myoAdapter, hsrecAdapter, eegmatAdapter, edfAdapter, openBciGuiAdapter, brainflowAdapter, csvAdapter];

/** What a path resolves to: the adapter that reads it and what to hand it (files, or the one folder it knows). */
interface Resolved {
  adapter: DatasetAdapter;
  paths: string[];
}

/**
 * Reads a data set; the result's recordings all share one channel count and
 * rate. `adapters` replaces the table (a format of an application's own).
 */
export function loadDataset(spec: DatasetSpec | string, adapters: readonly DatasetAdapter[] = ADAPTERS): Dataset {
  const s: DatasetSpec = typeof spec === 'string' ? { path: spec } : spec;
  const { adapter, paths } = resolveDataset(s.path, adapters);
  return finish(select(adapter.read(paths, s), s), s);
}

/** The format a path would be read as, without reading it (it must exist, a glob must match). */
export function datasetKind(path: string, adapters: readonly DatasetAdapter[] = ADAPTERS): DatasetKind {
  return resolveDataset(path, adapters).adapter.kind;
}

function resolveDataset(path: string, adapters: readonly DatasetAdapter[]): Resolved {
  if (hasGlobChars(path)) {
    const files = globFiles(path);
    if (files.length === 0) throw new HeadstartError('NO_RECORDINGS', `no files match ${path}; check the pattern (quote it so the shell does not expand it)`);
    return byFileNames(files, adapters);
  }
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    const file = extname(path) !== '';
    throw new HeadstartError(file ? 'FILE_NOT_FOUND' : 'FILE_NOT_FOUND', `${path}: no such ${file ? 'file' : 'folder'}`, { file: path });
  }
  if (!isDir) return byFileNames([path], adapters);
  const layout = adapters.find((a) => a.matchesFolder?.(path));
  if (layout) return { adapter: layout, paths: [path] };
  const files = readdirSync(path, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort(naturalCompare)
    .map((f) => join(path, f));
  // Files no adapter reads (notes, licences) are left out of a folder.
  const { groups } = groupByAdapter(files, adapters);
  if (groups.size === 0) {
    // A folder above the data sets (data/demo holds EvaluationDataset): name the ones inside rather than only saying "none".
    const inside = readdirSync(path, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.') && adapters.some((a) => a.matchesFolder?.(join(path, e.name))))
      .map((e) => join(path, e.name))
      .sort(naturalCompare);
    const pointer = inside.length > 0 ? `; the data set folder${inside.length === 1 ? ' inside is' : 's inside are'} ${inside.join(', ')}: give ${inside.length === 1 ? 'it' : 'one of them'}` : '';
    throw new HeadstartError('NO_RECORDINGS', `${path}: no recordings found (expected ${adapters.map((a) => a.describes).join(', or ')})${pointer}`, { file: path });
  }
  if (groups.size > 1) {
    throw new HeadstartError('MIXED_RECORDINGS', `${path}: holds ${[...groups.keys()].map((a) => a.describes).join(' and ')}; give a glob that picks one kind`);
  }
  const [[adapter, paths]] = groups;
  return { adapter, paths };
}

/** Bytes of a file's start an adapter may look at to tell formats that share a name. */
const START_BYTES = 4096;

function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function fileStart(path: string): () => Uint8Array {
  let start: Uint8Array | undefined;
  return () => {
    if (start) return start;
    start = new Uint8Array(0);
    // Opening a named pipe waits for a writer: its start is not read (the reader refuses it).
    if (!isRegularFile(path)) return start;
    try {
      const fd = openSync(path, 'r');
      try {
        const buffer = new Uint8Array(START_BYTES);
        start = buffer.subarray(0, readSync(fd, buffer, 0, START_BYTES, 0));
      } finally {
        closeSync(fd);
      }
    } catch {
      // Unreadable: no adapter recognizes it by its content, and reading it will say why.
    }
    return start;
  };
}

function adapterOf(file: string, adapters: readonly DatasetAdapter[]): DatasetAdapter | undefined {
  const start = fileStart(file);
  return adapters.find((a) => a.matchesFile(file, start));
}

function groupByAdapter(files: string[], adapters: readonly DatasetAdapter[]): { groups: Map<DatasetAdapter, string[]>; unknown: string[] } {
  const groups = new Map<DatasetAdapter, string[]>();
  const unknown: string[] = [];
  for (const f of files) {
    const adapter = adapterOf(f, adapters);
    if (adapter) groups.set(adapter, [...(groups.get(adapter) ?? []), f]);
    else unknown.push(f);
  }
  return { groups, unknown };
}

/** Files named one by one or by a glob: every one must be of a format read, and of the same one. */
function byFileNames(files: string[], adapters: readonly DatasetAdapter[]): Resolved {
  const { groups, unknown: [unknown] } = groupByAdapter(files, adapters);
  if (unknown !== undefined) {
    throw new HeadstartError('UNKNOWN_FORMAT', `${unknown}: not a format headstart reads; give ${adapters.map((a) => a.describes).join(', ')}`, { file: unknown });
  }
  if (groups.size > 1) {
    throw new HeadstartError('MIXED_RECORDINGS', `the files given mix formats (${[...groups.keys()].map((a) => a.kind).join(', ')}), e.g. ${files[0]}; give a pattern that picks one kind`);
  }
  const [[adapter, paths]] = groups;
  return { adapter, paths };
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
