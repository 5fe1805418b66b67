/**
 * The personalization benchmark (the standard protocol on the Myo data):
 * for each evaluation person and each k, train only the head on the first k
 * cycles of their calibration recording and score every window of their
 * later recordings; k = 0 is the population head with no calibration. Beside
 * it, a model of the same architecture trained from scratch on the same k
 * cycles shows what transfer gains (or loses).
 */
import type { Embeddings } from '../../core/head/embeddings.ts';
import { selectRows } from '../../core/head/embeddings.ts';
import { type HeadData, predictClasses } from '../../core/head/head.ts';
import { chooseHead, type HeadKind, trainHead } from '../../tfjs/select_head.ts';
import type { Preprocessing } from '../../core/dsp/preprocess.ts';
import type { Recording } from '../../core/signal.ts';
import { type WindowSet, windowRecordings, selectWindows } from '../../core/window_set.ts';
import type { ChannelNormalization, WindowSpec } from '../../core/windowing.ts';
import { DEFAULT_TRAIN, type ExtractorConfig } from '../extractor/config.ts';
import { classifierAccuracy, trainExtractor } from '../extractor/train.ts';

export interface PersonData {
  name: string;
  calibration: Recording[];
  test: Recording[];
}

export type HeadChoiceMode = 'auto' | HeadKind;

export interface EvaluationSetup {
  cycles: number[];
  head: HeadChoiceMode;
  classes: number;
  window: WindowSpec;
  normalization: ChannelNormalization;
  /** The package's chain (packagePreprocessing), applied to each recording from its start before windows are cut. */
  preprocessing?: Preprocessing;
  populationHead: HeadData;
  embed: (set: WindowSet) => Promise<Embeddings> | Embeddings;
  /** From-scratch comparison: training steps per (person, k); 0 = skip it. */
  scratchSteps: number;
  extractorConfig: ExtractorConfig;
  seed: number;
}

export interface PersonResult {
  person: string;
  k: number;
  accuracy: number;
  head: HeadKind | 'population';
  scratchAccuracy?: number;
  calibrationWindows: number;
  testWindows: number;
}

function accuracy(pred: Int32Array, truth: Int32Array): number {
  let c = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === truth[i]) c++;
  return pred.length === 0 ? 0 : c / pred.length;
}

/** The first k distinct repetitions present in the calibration windows. */
function firstCycles(set: WindowSet, k: number): Set<number> {
  return new Set([...new Set(set.rep)].sort((a, b) => a - b).slice(0, k));
}

export async function evaluatePerson(p: PersonData, setup: EvaluationSetup, onStep?: (text: string) => void): Promise<PersonResult[]> {
  const calib = windowRecordings(p.calibration, setup.window, setup.normalization, setup.preprocessing);
  const test = windowRecordings(p.test, setup.window, setup.normalization, setup.preprocessing);
  const ec = await setup.embed(calib);
  const et = await setup.embed(test);
  const results: PersonResult[] = [];
  for (const k of setup.cycles) {
    onStep?.(`${p.name} k=${k}`);
    if (k === 0) {
      results.push({ person: p.name, k, accuracy: accuracy(predictClasses(setup.populationHead, et), test.y), head: 'population', calibrationWindows: 0, testWindows: test.count });
      continue;
    }
    const cycles = firstCycles(calib, k);
    const idx: number[] = [];
    for (let i = 0; i < calib.count; i++) if (cycles.has(calib.rep[i])) idx.push(i);
    const e = selectRows(ec, idx);
    const labels = Int32Array.from(idx, (i) => calib.y[i]);
    const reps = Int32Array.from(idx, (i) => calib.rep[i]);
    const head = setup.head === 'auto' ? chooseHead(e, labels, reps, setup.classes).head : trainHead(setup.head, e, labels, setup.classes);
    const r: PersonResult = {
      person: p.name,
      k,
      accuracy: accuracy(predictClasses(head, et), test.y),
      head: head.kind,
      calibrationWindows: idx.length,
      testWindows: test.count,
    };
    if (setup.scratchSteps > 0) {
      const own = selectWindows(calib, (i) => cycles.has(calib.rep[i]));
      const batchSize = 64;
      const epochFraction = Math.min(1, (setup.scratchSteps * batchSize) / own.count);
      const epochs = Math.max(1, Math.round((setup.scratchSteps * batchSize) / (own.count * epochFraction)));
      const scratch = await trainExtractor(setup.extractorConfig, setup.classes, own, undefined, {
        ...DEFAULT_TRAIN,
        epochs,
        batchSize,
        epochFraction,
        seed: setup.seed,
        subjectHeads: false,
      });
      r.scratchAccuracy = classifierAccuracy(scratch.classifier, test);
      scratch.classifier.dispose();
    }
    results.push(r);
  }
  return results;
}

export interface Summary {
  k: number;
  people: number;
  mean: number;
  sd: number;
  min: number;
  scratchMean?: number;
  scratchSd?: number;
  scratchMin?: number;
}

function stats(values: number[]): { mean: number; sd: number; min: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length - 1));
  return { mean, sd, min: Math.min(...values) };
}

export function summarize(results: PersonResult[]): Summary[] {
  const ks = [...new Set(results.map((r) => r.k))].sort((a, b) => a - b);
  return ks.map((k) => {
    const rows = results.filter((r) => r.k === k);
    const s = stats(rows.map((r) => r.accuracy));
    const out: Summary = { k, people: rows.length, ...s };
    const scratch = rows.map((r) => r.scratchAccuracy).filter((v): v is number => v !== undefined);
    if (scratch.length === rows.length && scratch.length > 0) {
      const t = stats(scratch);
      out.scratchMean = t.mean;
      out.scratchSd = t.sd;
      out.scratchMin = t.min;
    }
    return out;
  });
}
