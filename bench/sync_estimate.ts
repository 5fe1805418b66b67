/**
 * How often the automatic sync (`run --sync auto`, core/band_sync.ts
 * SyncFromUse) finds the band's turn, with no gesture asked for. Per person
 * and k = 1..3: the references are the first k cycles of training0, as
 * calibration stores them (each hold trimmed 0.5 s at both ends); "use" is
 * what came after, in recording order (rest first, then each gesture),
 * turned by a known amount (0, +-0.5, +-1 and 2 electrodes) and fed until
 * the sync estimates. A trial misses when the estimate is off by more than a
 * quarter electrode (the prepared heads' step). Run on the pretraining
 * people (whose later cycles are the same session) and on the evaluation
 * people (their later cycles, and their Test0 + Test1 sessions). Each
 * calibration also gets the self-check calibrate runs on its own holds
 * (core/band_sync.ts checkSyncFromUse), and the trials are split by it.
 *
 *   node --import tsx bench/sync_estimate.ts [path/to/myoarmband]
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { rotateBand } from '../src/core/band_rotation.ts';
import { AUTO_SYNC_MISS, channelCovariance, checkSyncFromUse, SyncFromUse } from '../src/core/band_sync.ts';
import { concatSamples } from '../src/core/signal.ts';
import { DEFAULT_AUTO_SYNC_SECONDS } from '../src/device/sync.ts';
import { loadDataset } from '../src/io/datasets/index.ts';
import { cannotRun, printResultLine } from './lib/result_line.ts';

const ROOT = process.argv[2] ?? '../shared/datasets/myoarmband';
if (!existsSync(join(ROOT, 'PreTrainingDataset')) || !existsSync(join(ROOT, 'EvaluationDataset'))) cannotRun(`${ROOT} has no PreTrainingDataset and EvaluationDataset (the Myo data set of ../shared)`);

const TURNS = [0, 0.5, -0.5, 1, -1, 2];
const TRIM_SECONDS = 0.5;
const MISS = AUTO_SYNC_MISS;

interface Tally {
  data: string;
  trials: number;
  misses: number;
  undetermined: number;
  meanError: number;
  meanSecondsRead: number;
  missesByPerson: Record<string, number>;
  /** Split by the self-check calibrate runs (core/band_sync.ts checkSyncFromUse): calibrations it passes and flags, and their trials. */
  selfCheck: { passed: { calibrations: number; trials: number; misses: number }; flagged: { calibrations: number; trials: number; misses: number; who: string[] } };
}

function measure(data: string, dir: string, later: 'cycles' | 'sessions'): Tally {
  const people = readdirSync(dir).filter((p) => !p.includes('.')).sort();
  const tally: Tally = {
    data, trials: 0, misses: 0, undetermined: 0, meanError: 0, meanSecondsRead: 0, missesByPerson: {},
    selfCheck: { passed: { calibrations: 0, trials: 0, misses: 0 }, flagged: { calibrations: 0, trials: 0, misses: 0, who: [] } },
  };
  for (const person of people) {
    const calibration = loadDataset({ path: join(dir, person), sessions: ['training0'] });
    const sessions = later === 'sessions' ? loadDataset({ path: join(dir, person), sessions: ['Test0', 'Test1'] }) : undefined;
    const { channels, rate } = calibration.recordings[0]!;
    const trim = Math.round(TRIM_SECONDS * rate);
    for (const k of [1, 2, 3]) {
      const parts: Record<string, Float32Array[]> = {};
      const holds: { gesture: string; rep: number; samples: Float32Array }[] = [];
      for (const r of calibration.recordings) {
        if ((r.rep ?? 0) >= k) continue;
        const n = r.samples.length / channels;
        const samples = r.samples.subarray(trim * channels, (n - trim) * channels);
        (parts[calibration.classes[r.label!]!] ??= []).push(samples);
        holds.push({ gesture: calibration.classes[r.label!]!, rep: r.rep ?? 0, samples });
      }
      const check = checkSyncFromUse(holds, channels, rate, DEFAULT_AUTO_SYNC_SECONDS);
      const side = check.misses === 0 ? tally.selfCheck.passed : tally.selfCheck.flagged;
      side.calibrations++;
      if (check.misses > 0) tally.selfCheck.flagged.who.push(`${person} k=${k}`);
      const references = Object.fromEntries(Object.entries(parts).map(([id, p]) => [id, channelCovariance(concatSamples(p), channels)]));
      const use = concatSamples((sessions ? sessions.recordings : calibration.recordings.filter((r) => (r.rep ?? 0) >= k)).map((r) => r.samples));
      for (const turn of TURNS) {
        const sync = new SyncFromUse(references, channels, rate, DEFAULT_AUTO_SYNC_SECONDS);
        sync.push(rotateBand(use, channels, turn));
        if (!sync.done) throw new Error(`${person} k=${k}: the sync never estimated`);
        const estimate = sync.estimate();
        const error = Math.abs(estimate.shift - turn);
        tally.trials++;
        tally.meanError += error;
        tally.meanSecondsRead += sync.samplesRead / rate;
        if (estimate.undetermined) tally.undetermined++;
        side.trials++;
        if (error > MISS) side.misses++;
        if (error > MISS) {
          tally.misses++;
          tally.missesByPerson[person] = (tally.missesByPerson[person] ?? 0) + 1;
        }
      }
    }
  }
  tally.meanError /= tally.trials;
  tally.meanSecondsRead /= tally.trials;
  return tally;
}

const rows = [
  measure('pretraining people, later cycles of training0', join(ROOT, 'PreTrainingDataset'), 'cycles'),
  measure('evaluation people, later cycles of training0', join(ROOT, 'EvaluationDataset'), 'cycles'),
  measure('evaluation people, Test0 + Test1', join(ROOT, 'EvaluationDataset'), 'sessions'),
];
console.log(`automatic sync, ${DEFAULT_AUTO_SYNC_SECONDS} s of activity matching at least two gestures; turns ${TURNS.join(', ')} electrodes; k = 1..3`);
for (const r of rows) {
  const who = Object.entries(r.missesByPerson).map(([p, n]) => `${p} ${n}`).join(', ');
  console.log(`${r.data}: ${r.misses} of ${r.trials} trials off by more than ${MISS} electrode${who ? ` (${who})` : ''}, mean error ${r.meanError.toFixed(3)}, ${r.undetermined} undetermined, ${r.meanSecondsRead.toFixed(1)} s of use read on average`);
  const { passed, flagged } = r.selfCheck;
  console.log(
    `  self-check: ${passed.calibrations} calibrations pass, their trials missed ${passed.misses} of ${passed.trials}; ${flagged.calibrations} flagged` +
      (flagged.calibrations > 0 ? ` (${flagged.who.join(', ')}), their trials missed ${flagged.misses} of ${flagged.trials}` : ''),
  );
}
printResultLine('sync_estimate', { seconds: DEFAULT_AUTO_SYNC_SECONDS, turns: TURNS, miss: MISS, rows });
