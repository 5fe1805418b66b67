/**
 * Recordings -> a ReplayScript for the virtual board, read by the one data
 * set reader (loadDataset) with the options `headstart dataset` takes, so a
 * path plays exactly the recordings `headstart dataset` lists for it: Myo
 * files and folders, CSV files (their rate given), headstart recordings
 * (.hsrec, played whole with their label changes). Several paths play back
 * to back and must be of one format.
 *
 * A board streams one session of one person. A path that holds several
 * (a Myo person or data set folder, a glob over many recordings) is refused
 * with the sessions it holds, unless sessions or people are selected: then
 * what is selected plays in the order it was named.
 */
import { HeadstartError } from '../core/errors.ts';
import { type Dataset, datasetKind, type DatasetRecording, type DatasetSpec, loadDataset } from '../io/datasets/index.ts';
import { concatScripts, scriptFromMarkedRecording, scriptFromRecordings, type ReplayScript } from './replay_script.ts';

/** The data set options of the paths (rate, columns, label pattern, sessions, people...). */
export type ReplayOptions = Omit<DatasetSpec, 'path' | 'whole'>;

/** Sessions named in a message before "and N more". */
const LISTED_SESSIONS = 6;

/**
 * Reads one path for a replay: the data set reader's recordings, refused
 * when they span several sessions that were not selected.
 */
export function readReplayDataset(spec: DatasetSpec): Dataset {
  const ds = loadDataset(spec);
  if (spec.sessions !== undefined || spec.people !== undefined) return { ...ds, recordings: inSelectionOrder(ds.recordings, spec) };
  const sessions: { subject: string | undefined; session: string }[] = [];
  const seen = new Set<string>();
  for (const r of ds.recordings) {
    if (r.session === undefined) continue;
    const key = `${r.subject ?? ''}\u0000${r.session}`;
    if (seen.has(key)) continue;
    seen.add(key);
    sessions.push({ subject: r.subject, session: r.session });
  }
  if (sessions.length <= 1) return ds;
  const named = sessions.map((s) => (s.subject === undefined ? s.session : `${s.subject}/${s.session}`));
  const list = named.length > LISTED_SESSIONS ? `${named.slice(0, LISTED_SESSIONS).join(', ')} and ${named.length - LISTED_SESSIONS} more` : named.join(', ');
  const people = new Set(sessions.map((s) => s.subject));
  const first = sessions[0]!;
  const pick = people.size > 1 && first.subject !== undefined ? `--people ${first.subject} --sessions ${first.session}` : `--sessions ${first.session}`;
  throw new HeadstartError(
    'MIXED_RECORDINGS',
    `${spec.path}: holds ${sessions.length} recording sessions (${list}), and a board streams one; pick one with ${pick}, name several with --sessions to play them one after another in that order, or give the session's own folder`,
  );
}

/** The recordings of the people and sessions named, in the order they were named (people first); the data set's order within each. */
function inSelectionOrder(recordings: DatasetRecording[], spec: DatasetSpec): DatasetRecording[] {
  const rank = (list: string[] | undefined, value: string | undefined): number => (list === undefined || value === undefined ? 0 : list.indexOf(value));
  return recordings
    .map((r, i) => ({ r, i, person: rank(spec.people, r.subject), session: rank(spec.sessions, r.session) }))
    .sort((a, b) => a.person - b.person || a.session - b.session || a.i - b.i)
    .map((x) => x.r);
}

export function loadReplayScript(paths: string[], options: ReplayOptions = {}): ReplayScript {
  if (paths.length === 0) throw new HeadstartError('MISSING_OPTION', 'give at least one recording to replay', { setting: 'replay' });
  const kinds = new Set(paths.map((p) => datasetKind(p)));
  if (kinds.size > 1) throw new HeadstartError('MIXED_RECORDINGS', `replay recordings of one kind at a time (got ${[...kinds].join(' and ')})`);
  const datasets = paths.map((path) => readReplayDataset({ ...options, path, whole: true }));
  // Labels go out as class indices: an index must name the same class in every path (one list may be longer).
  const longest = datasets.reduce((a, b) => (b.classes.length > a.classes.length ? b : a));
  datasets.forEach((ds, i) => {
    if (ds.classes.some((c, k) => c !== longest.classes[k])) {
      throw new HeadstartError(
        'MIXED_RECORDINGS',
        `${paths[i]}: its classes (${ds.classes.join(', ')}) do not agree with ${paths[datasets.indexOf(longest)]}'s (${longest.classes.join(', ')}), so a label would mean one gesture in one and another in the other; give the class list (--classes) or replay them one at a time`,
      );
    }
  });
  const recordings = datasets.flatMap((ds) => ds.recordings);
  if (recordings.every((r) => r.labelChanges === undefined)) return scriptFromRecordings(recordings);
  return concatScripts(
    recordings.map((r) =>
      r.labelChanges === undefined ? scriptFromRecordings([r]) : scriptFromMarkedRecording(r, r.labelChanges.map((c) => ({ at: c.at, kind: 'label', label: c.label }))),
    ),
  );
}
