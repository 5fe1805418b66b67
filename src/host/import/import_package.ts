/**
 * `headstart package import` as a function: a TensorFlow.js Layers model
 * trained elsewhere (a Keras model through tensorflowjs_converter) becomes a
 * model package that export, evaluate, calibrate and run treat like one made
 * by `headstart pretrain`.
 *
 * The model's layers are checked first (layer_plan.ts); then its weights
 * are loaded and copied into headstart's own layout of the same network
 * (conv{i}, bn{i}, relu{i}, pool{i}, embedding: what the exporter folds),
 * with a convolution's bias moved into its batch norm (or into a batch norm
 * of unit gain where the model has none), so the folded weights are the
 * model's. Both networks are run on the same random windows and must agree.
 *
 * Normalization: the one given, else fitted on `data` as pretrain does,
 * else identity (the model then sees raw sample values, as it was trained).
 * Population head: an LDA head fitted on the embeddings of `data` (labelled
 * recordings), as pretrain fits one; without data, a nearest-class-mean head
 * with no centroids, which predicts nothing (k = 0 scores are chance) until
 * the package is imported again with --data.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { HeadstartError } from '../../core/errors.ts';
import type { HeadData } from '../../core/head/head.ts';
import { trainLdaHead } from '../../core/head/lda.ts';
import { type ModelManifest, PACKAGE_FORMAT, PACKAGE_FORMAT_VERSION } from '../../core/model_package/manifest.ts';
import { createRng } from '../../core/rng.ts';
import { windowRecordings } from '../../core/window_set.ts';
import { type ChannelNormalization, fitNormalization } from '../../core/windowing.ts';
import { type DatasetSpec, loadDataset } from '../../io/datasets/index.ts';
import { PRODUCER_VERSION } from '../../io/version.ts';
import { loadLayersModelFile } from '../../tfjs/model_io.ts';
import { embedWindows } from '../evaluate/embed.ts';
import type { ExtractorConfig } from '../extractor/config.ts';
import { EMBEDDING_LAYER } from '../extractor/model.ts';
import { writeModelPackage } from '../package_write.ts';
import { type LayerPlan, planLayers } from './layer_plan.ts';

export interface ImportRequest {
  /** The model.json of a TensorFlow.js Layers model (its weight files beside it). */
  modelJson: string;
  window: number;
  channels: number;
  rate: number;
  /** Class names; with `data`, default the data set's. */
  classes?: string[];
  normalization?: ChannelNormalization;
  /** Labelled recordings for the normalization and the population head (and, recorded, for export's representative windows). */
  data?: DatasetSpec;
  /** Layer whose output is the embedding (default: the model's last). */
  embeddingLayer?: string;
  name: string;
  modality: 'emg' | 'eeg';
  /** Hop of the live windows (samples). */
  hop: number;
  out: string;
}

export interface ImportResult {
  manifest: ModelManifest;
  plan: LayerPlan;
  /** Largest difference between the model's embedding and the package's on the check windows, relative to the largest value. */
  maxRelativeDifference: number;
  normalization: 'given' | 'fitted on the data' | 'identity';
  populationHead: string;
  notes: string[];
}

/** Windows both networks are run on, and how closely they must agree (float32 arithmetic in a different order). */
const CHECK_WINDOWS = 16;
const AGREEMENT = 1e-4;

function checkShape(plan: LayerPlan, req: ImportRequest): void {
  const [window, channels] = plan.inputShape;
  if (channels !== null && channels !== req.channels) {
    throw new HeadstartError('BAD_OPTION', `${req.modelJson}: the model takes ${channels} channels but --channels says ${req.channels}`);
  }
  if (window !== null && window !== req.window) {
    throw new HeadstartError('BAD_OPTION', `${req.modelJson}: the model takes windows of ${window} samples but --window says ${req.window}`);
  }
  if (req.normalization && (req.normalization.offset.length !== req.channels || req.normalization.scale.length !== req.channels)) {
    throw new HeadstartError('BAD_OPTION', `the normalization must give ${req.channels} offsets and ${req.channels} scales (one per channel)`);
  }
  let length = req.window;
  for (const b of plan.blocks) length = Math.floor(length / b.pool);
  if (length < 1) throw new HeadstartError('BAD_OPTION', `the model's pooling shrinks a ${req.window}-sample window to nothing; give a longer --window`);
}

/** headstart's layout of the planned network, untrained. */
function buildCanonical(plan: LayerPlan, req: ImportRequest, epsilons: number[]): tf.LayersModel {
  const input = tf.input({ shape: [req.window, req.channels], name: 'window' });
  let x: tf.SymbolicTensor = input;
  plan.blocks.forEach((b, i) => {
    x = tf.layers.conv1d({ filters: b.filters, kernelSize: b.kernel, padding: 'same', useBias: false, name: `conv${i}` }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization({ name: `bn${i}`, epsilon: epsilons[i]! }).apply(x) as tf.SymbolicTensor;
    if (b.activation !== 'NONE') x = tf.layers.reLU({ name: `relu${i}`, ...(b.activation === 'RELU6' ? { maxValue: 6 } : {}) }).apply(x) as tf.SymbolicTensor;
    if (b.pool > 1) x = tf.layers.maxPooling1d({ poolSize: b.pool, strides: b.pool, name: `pool${i}` }).apply(x) as tf.SymbolicTensor;
  });
  x = tf.layers.globalAveragePooling1d({ name: plan.dense ? 'average' : EMBEDDING_LAYER }).apply(x) as tf.SymbolicTensor;
  if (plan.dense) x = tf.layers.dense({ units: plan.dense.units, name: EMBEDDING_LAYER }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x, name: 'extractor' });
}

/** The batch norm of block `b` as [gamma, beta, mean, variance] and its epsilon, with the convolution's bias moved into it. */
function foldableBatchNorm(source: tf.LayersModel, b: LayerPlan['blocks'][number]): { weights: tf.Tensor[]; epsilon: number } {
  const conv = source.getLayer(b.conv).getWeights();
  const bias = b.useBias ? conv[1]! : tf.zeros([b.filters]);
  if (!b.batchNorm) {
    // A batch norm of unit gain that adds the bias: folding gives the convolution back exactly (epsilon 0, variance 1).
    return { weights: [tf.ones([b.filters]), bias.clone(), tf.zeros([b.filters]), tf.ones([b.filters])], epsilon: 0 };
  }
  const bn = source.getLayer(b.batchNorm);
  const config = bn.getConfig() as { epsilon?: number; center?: boolean; scale?: boolean };
  const w = bn.getWeights();
  let at = 0;
  const gamma = config.scale === false ? tf.ones([b.filters]) : w[at++]!;
  const beta = config.center === false ? tf.zeros([b.filters]) : w[at++]!;
  const mean = w[at++]!;
  const variance = w[at++]!;
  // bn(conv + bias) = gamma * (conv - (mean - bias)) / sqrt(variance + eps) + beta
  return { weights: [gamma, beta, tf.sub(mean, bias), variance], epsilon: config.epsilon ?? 1e-3 };
}

/** Normalized windows (what the extractor sees on the device), values spread over a few standard deviations. */
function randomWindows(req: ImportRequest): tf.Tensor3D {
  const rng = createRng(1);
  const data = Float32Array.from({ length: CHECK_WINDOWS * req.window * req.channels }, () => (rng.next() * 2 - 1) * 3);
  return tf.tensor3d(data, [CHECK_WINDOWS, req.window, req.channels]);
}

export async function importPackage(req: ImportRequest): Promise<ImportResult> {
  const notes: string[] = [];
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(req.modelJson, 'utf8'));
  } catch (err) {
    throw new HeadstartError(existsSync(req.modelJson) ? 'UNKNOWN_FORMAT' : 'FILE_NOT_FOUND', `${req.modelJson}: cannot read a TensorFlow.js model (${(err as Error).message})`);
  }
  const plan = planLayers(json, req.modelJson, req.embeddingLayer);
  checkShape(plan, req);
  if (plan.ignoredAfter.length > 0) notes.push(`left out of the package (after the embedding): ${plan.ignoredAfter.join(', ')}`);
  if (plan.skipped.length > 0) notes.push(`no-ops at inference, skipped: ${plan.skipped.join(', ')}`);

  // The data first: a bad path fails before any model is loaded.
  const dataset = req.data ? loadDataset(req.data) : undefined;
  if (dataset) {
    if (dataset.channels !== req.channels) throw new HeadstartError('DATA_PACKAGE_MISMATCH', `${req.data!.path} has ${dataset.channels} channels but the model takes ${req.channels}`);
    if (dataset.rate !== req.rate) throw new HeadstartError('DATA_PACKAGE_MISMATCH', `${req.data!.path} is sampled at ${dataset.rate} Hz but --rate says ${req.rate}`);
    if (req.classes && req.classes.length !== dataset.classes.length) {
      throw new HeadstartError('BAD_OPTION', `--classes names ${req.classes.length} classes but ${req.data!.path} has ${dataset.classes.length} (${dataset.classes.join(', ')})`);
    }
  }
  const classes = req.classes ?? dataset?.classes;
  if (!classes || classes.length < 2) throw new HeadstartError('MISSING_OPTION', 'give the class names with --classes (at least two), or labelled recordings with --data');

  let normalization: ChannelNormalization;
  let normalizationSource: ImportResult['normalization'];
  if (req.normalization) {
    normalization = req.normalization;
    normalizationSource = 'given';
  } else if (dataset) {
    const all = new Float32Array(dataset.recordings.reduce((n, r) => n + r.samples.length, 0));
    let at = 0;
    for (const r of dataset.recordings) {
      all.set(r.samples, at);
      at += r.samples.length;
    }
    normalization = fitNormalization(all, req.channels);
    normalizationSource = 'fitted on the data';
  } else {
    normalization = { offset: new Array<number>(req.channels).fill(0), scale: new Array<number>(req.channels).fill(1) };
    normalizationSource = 'identity';
    notes.push('normalization: identity (no --normalization and no --data): the extractor sees raw sample values');
  }

  const source = await loadLayersModelFile(req.modelJson);
  const cutName = req.embeddingLayer ?? source.layers.at(-1)!.name;
  const sourceExtractor = tf.model({ inputs: source.inputs, outputs: source.getLayer(cutName).output as tf.SymbolicTensor });
  const batchNorms = plan.blocks.map((b) => foldableBatchNorm(source, b));
  const canonical = buildCanonical(plan, req, batchNorms.map((b) => b.epsilon));
  plan.blocks.forEach((b, i) => {
    canonical.getLayer(`conv${i}`).setWeights([source.getLayer(b.conv).getWeights()[0]!]);
    canonical.getLayer(`bn${i}`).setWeights(batchNorms[i]!.weights);
  });
  if (plan.dense) {
    const w = source.getLayer(plan.dense.layer).getWeights();
    canonical.getLayer(EMBEDDING_LAYER).setWeights([w[0]!, plan.dense.useBias ? w[1]! : tf.zeros([plan.dense.units])]);
  }

  const windows = randomWindows(req);
  const [a, b] = tf.tidy(() => [sourceExtractor.predict(windows) as tf.Tensor, canonical.predict(windows) as tf.Tensor]);
  const av = a.dataSync();
  const bv = b.dataSync();
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < av.length; i++) {
    scale = Math.max(scale, Math.abs(av[i]!));
    diff = Math.max(diff, Math.abs(av[i]! - bv[i]!));
  }
  tf.dispose([a, b, windows]);
  const maxRelativeDifference = diff / Math.max(scale, 1e-12);
  if (!(maxRelativeDifference <= AGREEMENT)) {
    throw new HeadstartError('IMPORT_CHECK_FAILED', `the package's network differs from the model by up to ${maxRelativeDifference.toExponential(2)} of its largest output (allowed ${AGREEMENT}); the model computes something the layer check did not see`);
  }

  let populationHead: HeadData;
  let headWords: string;
  if (dataset) {
    const set = windowRecordings(dataset.recordings, { length: req.window, hop: req.hop }, normalization);
    populationHead = trainLdaHead(embedWindows(canonical, set), set.y, classes.length);
    headWords = `LDA on ${set.count} windows of ${req.data!.path}`;
  } else {
    populationHead = { kind: 'ncm', classes: classes.length, dim: plan.embeddingSize, centroids: new Array<number>(classes.length * plan.embeddingSize).fill(0) };
    headWords = 'none (no --data): a nearest-class-mean head without centroids, which predicts nothing';
    notes.push('population head: none without --data (k = 0 scores are chance; calibrate before use); export will need --data for representative windows');
  }

  const config: ExtractorConfig = {
    windowLength: req.window,
    channels: req.channels,
    blocks: plan.blocks.map((b) => ({ filters: b.filters, kernel: b.kernel, pool: b.pool })),
    embedding: plan.embeddingSize,
  };
  if (plan.dense) notes.push("the embedding is a Dense layer: evaluate's from-scratch comparison (which trains headstart's own architecture of these blocks) needs --no-scratch");
  const manifest = await writeModelPackage(req.out, {
    manifest: {
      format: PACKAGE_FORMAT,
      formatVersion: PACKAGE_FORMAT_VERSION,
      name: req.name,
      producerVersion: PRODUCER_VERSION,
      createdAt: new Date().toISOString(),
      modality: req.modality,
      channels: req.channels,
      channelNames: Array.from({ length: req.channels }, (_, i) => `ch${i}`),
      sampleRate: req.rate,
      window: { length: req.window, hop: req.hop },
      normalization,
      classes,
      embeddingSize: plan.embeddingSize,
      split: { frozen: 'extractor', embeddingTransform: 'none', head: 'linear-or-ncm' },
      extractor: { config },
    },
    extractor: canonical,
    populationHead,
    trainingReport: {
      importedFrom: resolve(req.modelJson),
      // Where export finds representative windows by default.
      ...(req.data ? { data: resolve(req.data.path) } : {}),
      layers: plan,
      maxRelativeDifference,
      normalization: normalizationSource,
      populationHead: headWords,
    },
  });
  source.dispose();
  canonical.dispose();
  return { manifest, plan, maxRelativeDifference, normalization: normalizationSource, populationHead: headWords, notes };
}
