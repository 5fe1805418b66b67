/**
 * Population pretraining, start to finish: windows from a data set, a
 * normalization fitted on it, the extractor trained with people held out for
 * validation, a population head for uncalibrated use, and a model package.
 */
import type * as tf from '@tensorflow/tfjs';
import { HeadstartError } from '../core/errors.ts';
import { selectRows } from '../core/head/embeddings.ts';
import { selectBackend } from '../tfjs/backend.ts';
import { trainLdaHead } from '../core/head/lda.ts';
import { argmaxRows, type LinearHeadData, predictClasses, scoreInputInto } from '../core/head/head.ts';
import type { Embeddings } from '../core/head/embeddings.ts';
import { buildHeadInputs, CLASSICAL_INPUT, type HeadInput } from '../core/head/head_input.ts';
import { trainPriorLdaHead } from '../core/head/lda.ts';
import type { ModelManifest } from '../core/model_package/manifest.ts';
import { PACKAGE_FORMAT, PACKAGE_FORMAT_VERSION } from '../core/model_package/manifest.ts';
import { PRODUCER_VERSION } from '../io/version.ts';
import { selectWindows, type WindowSet, windowRecordings } from '../core/window_set.ts';
import { fitNormalization } from '../core/windowing.ts';
import type { Dataset, DatasetSpec } from '../io/datasets/types.ts';
import { describeFilters } from '../core/dsp/filters.ts';
import { type Preprocessing, preprocessRecording } from '../core/dsp/preprocess.ts';
import { modalityInputs } from '../core/head/head_input.ts';
import { hasRepetitions, secondsCalibratedAccuracy } from './seconds_validation.ts';
import { copyMatchingWeights, type WeightCopy } from './extractor/init_from.ts';
import { embedWindows } from './evaluate/embed.ts';
import { type ExtractorConfig, extractorMacs, extractorParams, type TrainOptions } from './extractor/config.ts';
import { type BatchProgress, type EpochReport, trainExtractor } from './extractor/train.ts';
import { writeModelPackage } from './package_write.ts';

export interface PretrainRequest {
  dataset: Dataset;
  /** Where the data came from, recorded so `export` can find representative windows. */
  dataPath: string;
  out: string;
  name: string;
  modality: 'emg' | 'eeg';
  extractor: ExtractorConfig;
  /** Hop between training windows (the package's live hop is `windowHop`). */
  trainHop: number;
  windowHop: number;
  train: TrainOptions;
  /** People held out for validation (by subject name); empty = none. */
  valPeople: string[];
  /**
   * The package's chain: the recordings resampled to its rate and filtered,
   * each from its first sample, before normalization and windows; recorded
   * in the manifest so the device applies the same. Absent: the data's rate,
   * no filters.
   */
  preprocessing?: Preprocessing;
  /** The channels' names for the manifest (an EEG montage); default ch0, ch1, ... */
  channelNames?: string[];
  /** Start from this extractor's weights where layer shapes allow (copyMatchingWeights), recorded in the report as `initializedFrom`. */
  initFrom?: { package: string; extractor: tf.LayersModel };
  /** The channels and people read from the data, recorded so that `export` reads the same. */
  dataSelection?: Pick<DatasetSpec, 'channels' | 'people'>;
  onBatch?: (p: BatchProgress) => void;
  onEpoch?: (r: EpochReport) => void;
}

export interface PretrainResult {
  manifest: ModelManifest;
  report: Record<string, unknown>;
}

/** Picks about a tenth of the people (at least one, when there are three or more) for validation, deterministically. */
export function defaultValidationPeople(subjects: string[]): string[] {
  const sorted = [...new Set(subjects)].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (sorted.length < 3) return [];
  const n = Math.max(1, Math.round(sorted.length / 10));
  return sorted.filter((_, i) => i % Math.floor(sorted.length / n) === Math.floor(sorted.length / n) - 1).slice(0, n);
}

/**
 * What pretraining is for, measured on held-out people: for each, an LDA head
 * fitted on their first repetition, scored on their other repetitions (the
 * k = 1 protocol). The mean over people picks the epoch that is kept. With
 * `input`, the head reads what the wearer's transfer head reads (the
 * embedding with time-domain features; no population prior yet: it is
 * computed at export), else the embedding alone.
 */
export function calibratedAccuracy(extractor: tf.LayersModel, val: WindowSet, classes: number, input?: HeadInput): number {
  const raw = embedWindows(extractor, val);
  const emb = input ? buildHeadInputs(input, raw, val) : raw;
  const scores: number[] = [];
  for (let s = 0; s < val.subjects.length; s++) {
    const reps = [...new Set(Array.from(val.rep).filter((_, i) => val.subject[i] === s))].sort((a, b) => a - b);
    if (reps.length < 2) continue;
    const fit: number[] = [];
    const score: number[] = [];
    for (let i = 0; i < val.count; i++) if (val.subject[i] === s) (val.rep[i] === reps[0] ? fit : score).push(i);
    const labels = Int32Array.from(fit, (i) => val.y[i]);
    const head = input ? trainPriorLdaHead(selectRows(emb, fit), labels, classes, CLASSICAL_INPUT, undefined) : trainLdaHead(selectRows(emb, fit), labels, classes);
    // The vectors are built already: score them as they are (the recipe recorded here only names them).
    const pred = input ? argmaxRows(scoreRows(head as LinearHeadData, selectRows(emb, score)), classes) : predictClasses(head, selectRows(emb, score));
    scores.push(pred.reduce((n, p, j) => n + (p === val.y[score[j]] ? 1 : 0), 0) / score.length);
  }
  return scores.length === 0 ? 0 : scores.reduce((a, b) => a + b, 0) / scores.length;
}

/** Scores of prebuilt head input vectors, row by row. */
function scoreRows(head: LinearHeadData, x: Embeddings): Float32Array {
  const out = new Float32Array(x.count * head.classes);
  const row = new Float32Array(head.dim);
  for (let i = 0; i < x.count; i++) scoreInputInto(head, x.data.subarray(i * x.dim, (i + 1) * x.dim), row, out.subarray(i * head.classes, (i + 1) * head.classes));
  return out;
}

/**
 * How the kept epoch is chosen on the held-out people: with repetitions
 * (EMG), a head fitted on the first and scored on the others (reading the
 * hybrid input when the per-person heads were trained on it); with one
 * recording per state (EEG), on the first seconds of each, as the benchmark.
 */
function validationScore(val: WindowSet, classes: number, modality: 'emg' | 'eeg', hybrid: HeadInput | undefined): (extractor: tf.LayersModel) => number {
  if (hasRepetitions(val)) return (extractor) => calibratedAccuracy(extractor, val, classes, hybrid);
  const input = modalityInputs(modality).transfer;
  return (extractor) => secondsCalibratedAccuracy(extractor, val, classes, input);
}

export async function pretrain(req: PretrainRequest): Promise<PretrainResult> {
  const backend = await selectBackend();
  const ds = req.dataset;
  if (ds.channels !== req.extractor.channels) {
    throw new HeadstartError('DATA_PACKAGE_MISMATCH', `the data has ${ds.channels} channels but the extractor is configured for ${req.extractor.channels}`);
  }
  const chain = req.preprocessing;
  const rate = chain?.rate ?? ds.rate;
  // Each recording through the package's chain from its start, as the device will see it live.
  const recordings = chain ? ds.recordings.map((r) => preprocessRecording(r, chain)) : ds.recordings;
  const total = recordings.reduce((s, r) => s + r.samples.length, 0);
  const all = new Float32Array(total);
  let at = 0;
  for (const r of recordings) {
    all.set(r.samples, at);
    at += r.samples.length;
  }
  const normalization = fitNormalization(all, ds.channels);
  const windows = windowRecordings(recordings, { length: req.extractor.windowLength, hop: req.trainHop }, normalization);
  const valIds = new Set(req.valPeople.map((p) => windows.subjects.indexOf(p)));
  for (const p of req.valPeople) {
    if (!windows.subjects.includes(p)) throw new HeadstartError('EMPTY_SELECTION', `validation person ${p} is not in the data (people: ${windows.subjects.join(', ')})`, { setting: 'valPeople' });
  }
  const train = selectWindows(windows, (i) => !valIds.has(windows.subject[i]));
  const val = valIds.size > 0 ? selectWindows(windows, (i) => valIds.has(windows.subject[i])) : undefined;
  const started = Date.now();
  let initialized: (WeightCopy & { package: string }) | undefined;
  const init = req.initFrom;
  const trained = await trainExtractor(
    req.extractor,
    ds.classes.length,
    train,
    val,
    req.train,
    req.onBatch,
    req.onEpoch,
    val ? validationScore(val, ds.classes.length, req.modality, req.train.hybridHeads ? { ...req.train.hybridHeads, embedding: 'sqrt' } : undefined) : undefined,
    init ? (extractor) => (initialized = { package: init.package, ...copyMatchingWeights(init.extractor, extractor) }) : undefined,
  );
  const trainSeconds = (Date.now() - started) / 1000;

  // The population head has the same form as a calibrated one, fitted on population embeddings.
  const popEmb = embedWindows(trained.extractor, train);
  const populationHead = trainLdaHead(popEmb, train.y, ds.classes.length);
  let populationHeadValAccuracy: number | undefined;
  if (val) {
    const pred = predictClasses(populationHead, embedWindows(trained.extractor, val));
    populationHeadValAccuracy = pred.reduce((s, p, i) => s + (p === val.y[i] ? 1 : 0), 0) / val.count;
  }
  const report = {
    data: req.dataPath,
    ...(req.dataSelection ? { dataSelection: req.dataSelection } : {}),
    ...(chain ? { preprocessing: { rate: chain.rate, filters: describeFilters(chain.filters) } } : {}),
    ...(initialized ? { initializedFrom: initialized } : {}),
    people: windows.subjects.filter((_, i) => !valIds.has(i)),
    validationPeople: req.valPeople,
    trainWindows: train.count,
    validationWindows: val?.count ?? 0,
    trainHop: req.trainHop,
    backend: backend.name,
    options: req.train,
    extractor: { ...req.extractor, parameters: extractorParams(req.extractor), macsPerWindow: extractorMacs(req.extractor) },
    history: trained.history,
    bestEpoch: trained.bestEpoch,
    trainSeconds,
    windowsPerSecond: trained.history.reduce((s, h) => s + h.windowsPerSecond, 0) / Math.max(1, trained.history.length),
    populationHeadValAccuracy,
  };
  const manifest = await writeModelPackage(req.out, {
    manifest: {
      format: PACKAGE_FORMAT,
      formatVersion: PACKAGE_FORMAT_VERSION,
      name: req.name,
      producerVersion: PRODUCER_VERSION,
      createdAt: new Date().toISOString(),
      modality: req.modality,
      channels: ds.channels,
      channelNames: req.channelNames ?? Array.from({ length: ds.channels }, (_, i) => `ch${i}`),
      sampleRate: rate,
      ...(chain && chain.filters.length > 0 ? { preprocessing: chain.filters } : {}),
      window: { length: req.extractor.windowLength, hop: req.windowHop },
      normalization,
      classes: ds.classes,
      embeddingSize: req.extractor.embedding,
      split: { frozen: 'extractor', embeddingTransform: 'none', head: 'linear-or-ncm' },
      extractor: { config: req.extractor },
    },
    extractor: trained.extractor,
    populationHead,
    trainingReport: report,
  });
  return { manifest, report };
}
