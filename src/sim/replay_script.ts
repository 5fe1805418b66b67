/**
 * What the virtual board plays: one continuous stream of samples and the
 * true label in force from given sample positions. Built from recordings
 * played back-to-back (a Myo session, CSV files) or from a whole `.hsrec`
 * file with its label markers.
 */
import { HeadstartError } from '../core/errors.ts';
import type { RecordingMarker } from '../core/recording_format.ts';
import type { Recording } from '../core/signal.ts';

/** EVENT 'label' value meaning "no gesture labelled here" (an unlabelled stretch). */
export const NO_LABEL = -1;

export interface LabelChange {
  /** Sample index (per channel) from which the label holds. */
  at: number;
  /** Class index, or NO_LABEL. */
  label: number;
}

export interface ReplayScript {
  /** What was loaded, for messages. */
  source: string;
  channels: number;
  rate: number;
  /** Interleaved samples, in the recordings' units; sent as rounded, clamped int16. */
  samples: Float32Array;
  /** Label changes in increasing `at`; empty when nothing is labelled. */
  labels: LabelChange[];
}

/** Plays recordings one after another; a label change is marked where consecutive labels differ. */
export function scriptFromRecordings(recordings: Recording[]): ReplayScript {
  const first = recordings[0];
  if (!first) throw new HeadstartError('NO_RECORDINGS', 'no recordings to replay; give at least one file');
  for (const r of recordings) {
    if (r.channels !== first.channels || r.rate !== first.rate) {
      throw new HeadstartError(
        'MIXED_RECORDINGS',
        `${r.source}: ${r.channels} channels at ${r.rate} Hz, but ${first.source} has ${first.channels} at ${first.rate} Hz; a board streams one format, so replay recordings of one kind together`,
      );
    }
  }
  const total = recordings.reduce((n, r) => n + r.samples.length, 0);
  const samples = new Float32Array(total);
  const labels: LabelChange[] = [];
  const anyLabelled = recordings.some((r) => r.label !== undefined);
  let offset = 0;
  for (const r of recordings) {
    samples.set(r.samples, offset);
    const label = r.label ?? NO_LABEL;
    const at = offset / first.channels;
    if (anyLabelled && labels.at(-1)?.label !== label) labels.push({ at, label });
    offset += r.samples.length;
  }
  const source = recordings.length === 1 ? first.source : `${first.source} and ${recordings.length - 1} more`;
  return { source, channels: first.channels, rate: first.rate, samples, labels };
}

/** A whole recording with its 'label' markers (label null or absent -> NO_LABEL). */
export function scriptFromMarkedRecording(recording: Omit<Recording, 'label'>, markers: RecordingMarker[]): ReplayScript {
  const count = recording.samples.length / recording.channels;
  const labels: LabelChange[] = [];
  for (const m of [...markers].filter((x) => x.kind === 'label').sort((a, b) => a.at - b.at)) {
    const label = m.label ?? NO_LABEL;
    const at = Math.min(Math.max(0, m.at), count);
    if (labels.at(-1)?.at === at) labels.pop();
    if (labels.at(-1)?.label !== label) labels.push({ at, label });
  }
  return { source: recording.source, channels: recording.channels, rate: recording.rate, samples: recording.samples, labels };
}

/** Samples (per channel) in a script. */
export function scriptLength(script: ReplayScript): number {
  return script.samples.length / script.channels;
}

/** Plays scripts one after another (they must share channels and rate). */
export function concatScripts(scripts: ReplayScript[]): ReplayScript {
  const first = scripts[0];
  if (!first) throw new HeadstartError('NO_RECORDINGS', 'no recordings to replay; give at least one file');
  if (scripts.length === 1) return first;
  for (const s of scripts) {
    if (s.channels !== first.channels || s.rate !== first.rate) {
      throw new HeadstartError('MIXED_RECORDINGS', `${s.source}: ${s.channels} channels at ${s.rate} Hz, but ${first.source} has ${first.channels} at ${first.rate} Hz; replay recordings of one kind together`);
    }
  }
  const samples = new Float32Array(scripts.reduce((n, s) => n + s.samples.length, 0));
  const labels: LabelChange[] = [];
  let offset = 0;
  for (const s of scripts) {
    samples.set(s.samples, offset * first.channels);
    // A script without labels is unlabelled throughout, which must be said if labels came before it.
    const own = s.labels.length > 0 ? s.labels : labels.length > 0 ? [{ at: 0, label: NO_LABEL }] : [];
    for (const l of own) {
      if (labels.at(-1)?.label !== l.label) labels.push({ at: l.at + offset, label: l.label });
    }
    offset += scriptLength(s);
  }
  return { source: `${first.source} and ${scripts.length - 1} more`, channels: first.channels, rate: first.rate, samples, labels };
}
