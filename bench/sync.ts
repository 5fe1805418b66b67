/**
 * Sync cost on the device: what `run --sync` computes. A shipped person's
 * calibration recording (data/demo Male0, training0, first cycle) gives the
 * reference covariances, as calibration stores them. Gesture sync: 2 s of
 * their later recording (Test0) of the sync gesture; automatic sync: their
 * Test0 recordings in order until 3 s of activity. Either turned by a known
 * number of electrodes, is fed frame by frame to the collector, then the turn
 * is estimated (a grid of 161 turns), the nearest prepared head chosen and
 * the correction planned. Goal: at most 100 ms.
 *
 *   node --import tsx bench/sync.ts [repetitions, default 50]
 *
 * Wall time of the whole step per sync (median and worst over the
 * repetitions), and the turn it found, for each turn.
 */
import { rotateBand } from '../src/core/band_rotation.ts';
import { channelCovariance, correctionPlan, defaultSyncGesture, nearestSyncShift } from '../src/core/band_sync.ts';
import type { SyncReference } from '../src/device/profiles/profile.ts';
import { DEFAULT_AUTO_SYNC_SECONDS, DEFAULT_SYNC_SECONDS, type SyncMode, syncCollector } from '../src/device/sync.ts';
import { concatSamples } from '../src/core/signal.ts';
import { loadDataset } from '../src/io/datasets/index.ts';
import { printResultLine } from './lib/result_line.ts';

const repetitions = Number(process.argv[2] ?? 50);
const PERSON = 'data/demo/EvaluationDataset/Male0';
const SAMPLES_PER_FRAME = 10;

const calibration = loadDataset({ path: PERSON, sessions: ['training0'] });
const later = loadDataset({ path: PERSON, sessions: ['Test0'] });
const { channels, rate } = calibration.recordings[0]!;
const firstCycle = (r: { rep?: number }): boolean => (r.rep ?? 0) === 0;
const covariances: Record<string, Float64Array> = {};
for (const r of calibration.recordings.filter(firstCycle)) covariances[calibration.classes[r.label!]!] = channelCovariance(r.samples, channels);
const gesture = defaultSyncGesture(covariances, channels);
const label = later.classes.indexOf(gesture);
const hold = later.recordings.find((r) => r.label === label && firstCycle(r))!;
const needed = Math.round(DEFAULT_SYNC_SECONDS * rate);
// Two seconds from the middle of the hold, away from its onset.
const start = Math.max(0, Math.floor((hold.samples.length / channels - needed) / 2));
const twoSeconds = Float32Array.from(hold.samples.subarray(start * channels, (start + needed) * channels));
const use = concatSamples(later.recordings.filter(firstCycle).map((r) => r.samples));
const reference: SyncReference = { channels, gesture, gestures: Object.fromEntries(Object.entries(covariances).map(([id, c]) => [id, Array.from(c)])) };

console.log(`${PERSON}: sync gesture '${gesture}', ${DEFAULT_SYNC_SECONDS} s = ${needed} samples of ${channels} channels; automatic: ${DEFAULT_AUTO_SYNC_SECONDS} s of activity; frames of ${SAMPLES_PER_FRAME}; ${repetitions} repetitions`);
const measured: { mode: SyncMode['kind']; turn: number; found: number; head: number; samplesRead: number; medianMs: number; worstMs: number }[] = [];
for (const [mode, seconds, source] of [
  [{ kind: 'gesture', gesture }, DEFAULT_SYNC_SECONDS, twoSeconds],
  [{ kind: 'auto' }, DEFAULT_AUTO_SYNC_SECONDS, use],
] as const)
for (const turn of [0, 0.5, 1]) {
  const signal = rotateBand(source, channels, turn);
  const frames = signal.length / channels;
  const times: number[] = [];
  let found = NaN;
  let head = NaN;
  let samplesRead = 0;
  for (let r = 0; r < repetitions; r++) {
    const t0 = performance.now();
    const collector = syncCollector(reference, mode, 'Male0', rate, seconds);
    for (let i = 0; i < frames && !collector.done; i += SAMPLES_PER_FRAME) {
      collector.push({ type: 'samples', seq: 0, timestampUs: 0, channels, samples: signal.subarray(i * channels, Math.min(frames, i + SAMPLES_PER_FRAME) * channels) });
    }
    if (!collector.done) throw new Error(`the ${mode.kind} sync never had enough signal`);
    const estimate = collector.estimate();
    samplesRead = collector.samplesRead;
    const nearest = nearestSyncShift(estimate.shift);
    correctionPlan({ shift: nearest.residual, gains: estimate.gains }, channels);
    times.push(performance.now() - t0);
    found = estimate.shift;
    head = nearest.head;
  }
  times.sort((a, b) => a - b);
  const row = { mode: mode.kind, turn, found, head, samplesRead, medianMs: times[Math.floor(times.length / 2)]!, worstMs: times.at(-1)! };
  measured.push(row);
  console.log(`${mode.kind} sync (${(samplesRead / rate).toFixed(1)} s read), turn ${turn.toFixed(2)} electrodes: found ${found.toFixed(2)} (head prepared for ${head}), ${row.medianMs.toFixed(2)} ms median, ${row.worstMs.toFixed(2)} ms worst`);
}
printResultLine('sync', { person: PERSON, gesture, seconds: DEFAULT_SYNC_SECONDS, autoSeconds: DEFAULT_AUTO_SYNC_SECONDS, samples: needed, channels, repetitions, turns: measured });
