/**
 * A wearer who follows the prompts, for the virtual board: given a plan and
 * a person's recordings of each gesture, the stream that person's muscles
 * would produce during the session, sample for sample (the session runs on
 * the sample clock, so the two line up): rest during countdowns and rests,
 * the prompted gesture during each hold. The true label goes with it, so a
 * replay can be scored. Used by the demo and by tests of the session.
 */
import { HeadstartError } from '../core/errors.ts';
import type { Recording } from '../core/signal.ts';
import { NO_LABEL, type LabelChange, type ReplayScript } from './replay_script.ts';
import type { PlanTimings, Trial } from '../device/calibration/plan.ts';

export interface PersonRecordings {
  /** Per protocol gesture (by index), that person's recordings of it, one per repetition. */
  byGesture: Recording[][];
  /** The gesture index whose recordings are played when the wearer is at rest. */
  restGesture: number;
}

/** Copies `count` samples of `source` starting at `from` (wrapping round), into `out` at `at`. */
function copyCyclic(source: Recording, from: number, count: number, out: Float32Array, at: number): void {
  const c = source.channels;
  const length = source.samples.length / c;
  for (let i = 0; i < count; i++) {
    const s = (from + i) % length;
    out.set(source.samples.subarray(s * c, (s + 1) * c), (at + i) * c);
  }
}

/**
 * The stream for `trials` (in the order the session will prompt them), with
 * `leadIn` rest samples before the first trial (0 when the session starts
 * on the board's first sample).
 */
export function personScript(person: PersonRecordings, timings: PlanTimings, trials: Trial[], leadIn = 0): ReplayScript {
  const rest = person.byGesture[person.restGesture];
  const first = rest?.[0];
  if (!first) throw new HeadstartError('NO_GESTURE_RECORDING', 'the simulated person has no rest recording to play between holds');
  for (const t of trials) {
    if (!person.byGesture[t.gesture]?.length) throw new HeadstartError('NO_GESTURE_RECORDING', `the simulated person has no recording of gesture ${t.gesture}`);
  }
  const { channels, rate } = first;
  const perTrial = timings.countdown + timings.hold + timings.rest;
  const total = leadIn + perTrial * trials.length;
  const samples = new Float32Array(total * channels);
  const labels: LabelChange[] = [];
  let at = 0;
  let restCursor = 0;
  let restPick = 0;
  const playRest = (count: number): void => {
    if (count === 0) return;
    if (labels.at(-1)?.label !== person.restGesture) labels.push({ at, label: person.restGesture });
    const r = rest[restPick % rest.length]!;
    copyCyclic(r, restCursor, count, samples, at);
    restCursor += count;
    if (restCursor >= r.samples.length / channels) {
      restCursor = 0;
      restPick++;
    }
    at += count;
  };
  playRest(leadIn);
  // Per gesture, the next holds' place in its recordings, for people with fewer recordings than repetitions.
  const cursors = person.byGesture.map(() => ({ take: 0, at: 0 }));
  const repetitions = trials.reduce((n, t) => Math.max(n, t.rep + 1), 0);
  for (const t of trials) {
    playRest(timings.countdown);
    const takes = person.byGesture[t.gesture]!;
    for (const take of takes) {
      if (take.channels !== channels || take.rate !== rate) {
        throw new HeadstartError('MIXED_RECORDINGS', `${take.source}: ${take.channels} channels at ${take.rate} Hz, but the rest recording has ${channels} at ${rate} Hz`);
      }
    }
    labels.push({ at, label: t.gesture });
    if (takes.length < repetitions && t.gesture === person.restGesture) {
      // One long rest recording: a rest hold goes on with the rest played between holds.
      playRest(timings.hold + timings.rest);
      continue;
    }
    if (takes.length >= repetitions) {
      // One recording per repetition (the Myo data): the middle of it, past the person getting into the gesture.
      const take = takes[t.rep % takes.length]!;
      const length = take.samples.length / channels;
      copyCyclic(take, Math.max(0, Math.floor((length - timings.hold) / 2)), timings.hold, samples, at);
    } else {
      // One long recording of the state (eegmat's minute of arithmetic): each hold plays the next stretch of it.
      const cursor = cursors[t.gesture]!;
      const take = takes[cursor.take % takes.length]!;
      copyCyclic(take, cursor.at, timings.hold, samples, at);
      cursor.at += timings.hold;
      if (cursor.at >= take.samples.length / channels) {
        cursor.at = 0;
        cursor.take++;
      }
    }
    at += timings.hold;
    playRest(timings.rest);
  }
  if (labels.length === 0) labels.push({ at: 0, label: NO_LABEL });
  return { source: `a simulated wearer following ${trials.length} prompts`, channels, rate, samples, labels };
}

/** A gesture name as a protocol id: 'wrist flexion' -> 'wrist-flexion'. */
function slug(name: string): string {
  return name.trim().toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

/**
 * A person of a labelled data set (e.g. a Myo session) as the wearer of a
 * protocol: each protocol gesture takes the recordings whose class name has
 * the gesture's id (class 'wrist flexion' plays gesture 'wrist-flexion').
 */
export function personFromDataset(recordings: Recording[], classes: string[], gestureIds: string[], restId = 'rest'): PersonRecordings {
  const byGesture = gestureIds.map((id) => {
    const label = classes.findIndex((c) => slug(c) === id);
    if (label < 0) throw new HeadstartError('NO_GESTURE_RECORDING', `the recordings have no class for gesture '${id}' (classes: ${classes.join(', ')})`);
    return recordings.filter((r) => r.label === label).sort((a, b) => (a.rep ?? 0) - (b.rep ?? 0));
  });
  const restGesture = gestureIds.indexOf(restId);
  if (restGesture < 0) throw new HeadstartError('BAD_PROTOCOL', `the protocol has no '${restId}' gesture to play between holds`);
  return { byGesture, restGesture };
}
