/**
 * A labelled batch of windows cut from recordings: the unit of data for
 * extractor training, head training and evaluation.
 */
import { type Preprocessing, preprocessRecording } from './dsp/preprocess.ts';
import { HeadstartError } from './errors.ts';
import type { Recording } from './signal.ts';
import { type ChannelNormalization, normalizeInPlace, sliceWindows, type WindowSpec, windowCount } from './windowing.ts';

export interface WindowSet {
  length: number;
  channels: number;
  /** Samples per second of the windows (the recordings' rate after any preprocessing). */
  rate: number;
  count: number;
  /** [count][length][channels] */
  x: Float32Array;
  /** Class index per window. */
  y: Int32Array;
  /** Repetition (cycle) of the recording each window came from, -1 if unknown. */
  rep: Int32Array;
  /** First sample of each window within its recording (at the windows' rate): where in a recording a window lies. */
  start: Int32Array;
  /** Index into `subjects` per window. */
  subject: Int32Array;
  subjects: string[];
}

/**
 * Cuts labelled recordings into windows (optionally normalized). Every
 * recording must carry a label. With `preprocessing` (a model package's:
 * packagePreprocessing), each recording first goes through the chain the
 * device runs live, from its first sample (resampled to the package's
 * rate, then filtered), so these windows are the ones a live run of the
 * recording gives.
 */
export function windowRecordings(recordings: Recording[], spec: WindowSpec, norm?: ChannelNormalization, preprocessing?: Preprocessing): WindowSet {
  if (recordings.length === 0) throw new HeadstartError('NO_RECORDINGS', 'no recordings to cut into windows');
  if (preprocessing) recordings = recordings.map((r) => preprocessRecording(r, preprocessing));
  const channels = recordings[0].channels;
  const rate = recordings[0].rate;
  const subjects: string[] = [];
  let count = 0;
  for (const r of recordings) {
    if (r.channels !== channels) {
      throw new HeadstartError('MIXED_RECORDINGS', `${r.source}: ${r.channels} channels, but ${recordings[0].source} has ${channels}`);
    }
    if (r.rate !== rate) throw new HeadstartError('MIXED_RECORDINGS', `${r.source}: ${r.rate} samples/s, but ${recordings[0].source} has ${rate}`);
    if (r.label === undefined) throw new HeadstartError('BAD_LABEL', `${r.source}: no label (give a label pattern for its file name)`);
    count += windowCount(r.samples.length / channels, spec);
  }
  const size = spec.length * channels;
  const set: WindowSet = {
    length: spec.length,
    channels,
    rate,
    count,
    x: new Float32Array(count * size),
    y: new Int32Array(count),
    rep: new Int32Array(count),
    start: new Int32Array(count),
    subject: new Int32Array(count),
    subjects,
  };
  let at = 0;
  for (const r of recordings) {
    const n = windowCount(r.samples.length / channels, spec);
    sliceWindows(r.samples, channels, spec, set.x.subarray(at * size, (at + n) * size));
    let s = subjects.indexOf(r.subject ?? '');
    if (s < 0) s = subjects.push(r.subject ?? '') - 1;
    set.y.fill(r.label!, at, at + n);
    set.rep.fill(r.rep ?? -1, at, at + n);
    for (let i = 0; i < n; i++) set.start[at + i] = i * spec.hop;
    set.subject.fill(s, at, at + n);
    at += n;
  }
  if (norm) normalizeInPlace(set.x, channels, norm);
  return set;
}

/** The windows whose index passes `keep`, as a new set. */
export function selectWindows(set: WindowSet, keep: (i: number) => boolean): WindowSet {
  const idx: number[] = [];
  for (let i = 0; i < set.count; i++) if (keep(i)) idx.push(i);
  const size = set.length * set.channels;
  const out: WindowSet = {
    ...set,
    count: idx.length,
    x: new Float32Array(idx.length * size),
    y: new Int32Array(idx.length),
    rep: new Int32Array(idx.length),
    start: new Int32Array(idx.length),
    subject: new Int32Array(idx.length),
  };
  idx.forEach((src, dst) => {
    out.x.set(set.x.subarray(src * size, (src + 1) * size), dst * size);
    out.y[dst] = set.y[src];
    out.rep[dst] = set.rep[src];
    out.start[dst] = set.start[src];
    out.subject[dst] = set.subject[src];
  });
  return out;
}

/** Window sets of one shape, one after another, as one set (subjects matched by name). */
export function concatWindowSets(sets: readonly WindowSet[]): WindowSet {
  const first = sets[0];
  if (!first) throw new HeadstartError('NO_RECORDINGS', 'no windows to join');
  const size = first.length * first.channels;
  const count = sets.reduce((n, s) => n + s.count, 0);
  const subjects: string[] = [];
  const out: WindowSet = { length: first.length, channels: first.channels, rate: first.rate, count, x: new Float32Array(count * size), y: new Int32Array(count), rep: new Int32Array(count), start: new Int32Array(count), subject: new Int32Array(count), subjects };
  let at = 0;
  for (const s of sets) {
    if (s.length !== first.length || s.channels !== first.channels || s.rate !== first.rate) {
      throw new HeadstartError('MIXED_RECORDINGS', `windows of ${s.length} x ${s.channels} at ${s.rate} Hz cannot join windows of ${first.length} x ${first.channels} at ${first.rate} Hz`);
    }
    out.x.set(s.x.subarray(0, s.count * size), at * size);
    out.y.set(s.y.subarray(0, s.count), at);
    out.rep.set(s.rep.subarray(0, s.count), at);
    out.start.set(s.start.subarray(0, s.count), at);
    for (let i = 0; i < s.count; i++) {
      const name = s.subjects[s.subject[i]!] ?? '';
      let j = subjects.indexOf(name);
      if (j < 0) j = subjects.push(name) - 1;
      out.subject[at + i] = j;
    }
    at += s.count;
  }
  return out;
}
