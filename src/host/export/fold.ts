/**
 * Batch-norm folding: the trained tfjs extractor becomes plain float arrays
 * of the graph TensorFlow Lite will run, conv (with the batch norm folded
 * into its weights and a new bias) + fused activation, optional max pool,
 * global mean, and a dense layer when the extractor has one (extractors whose
 * `embedding` layer is the global average itself have none). Inference-time batch norm is an affine map per
 * channel, so it folds exactly: w' = w * g / sqrt(v + eps), b' = beta - g * m / sqrt(v + eps).
 */
import type * as tf from '@tensorflow/tfjs';
import { HeadstartError } from '../../core/errors.ts';
import type { ExtractorConfig } from '../extractor/config.ts';
import { EMBEDDING_LAYER } from '../extractor/model.ts';

/** Activations TensorFlow Lite fuses into a convolution. */
export type FusedActivation = 'NONE' | 'RELU' | 'RELU6';

export interface FoldedConv {
  kernel: number;
  inChannels: number;
  filters: number;
  /** Max-pool factor along time after the activation (1 = none). */
  pool: number;
  activation: FusedActivation;
  /** [filters][kernel][inChannels]: TensorFlow Lite's OHWI layout with H = 1. */
  weights: Float32Array;
  bias: Float32Array;
}

export interface FoldedDense {
  inputs: number;
  units: number;
  /** [units][inputs]: TensorFlow Lite's FULLY_CONNECTED layout. */
  weights: Float32Array;
  bias: Float32Array;
}

export interface FoldedExtractor {
  windowLength: number;
  channels: number;
  convs: FoldedConv[];
  /** Absent when the embedding is the global mean itself. */
  dense?: FoldedDense;
  embeddingSize: number;
}

function mismatch(what: string): HeadstartError {
  return new HeadstartError(
    'BAD_PACKAGE',
    `the float extractor does not match the package's extractor config: ${what}; re-create the package with \`headstart pretrain\``,
  );
}

function layer(model: tf.LayersModel, name: string): tf.layers.Layer {
  try {
    return model.getLayer(name);
  } catch {
    throw mismatch(`it has no layer named ${name}`);
  }
}

function values(t: tf.Tensor, expected: number[], what: string): Float32Array {
  if (t.shape.length !== expected.length || t.shape.some((d, i) => d !== expected[i])) {
    throw mismatch(`${what} has shape [${t.shape.join(', ')}], expected [${expected.join(', ')}]`);
  }
  return t.dataSync() as Float32Array;
}

/** The activation applied after a block's batch norm: a ReLU layer (RELU6 when capped at 6), or none. */
function blockActivation(model: tf.LayersModel, index: number): FusedActivation {
  const found = model.layers.find((l) => l.name === `relu${index}`);
  if (!found) return 'NONE';
  const config = found.getConfig() as { maxValue?: number | null };
  if (config.maxValue === undefined || config.maxValue === null) return 'RELU';
  if (config.maxValue === 6) return 'RELU6';
  throw mismatch(`layer relu${index} caps at ${config.maxValue}; only ReLU and ReLU6 fuse into TensorFlow Lite convolutions`);
}

/** Folds each conv + batch norm of an extractor built by buildExtractor(cfg). */
export function foldExtractor(model: tf.LayersModel, cfg: ExtractorConfig): FoldedExtractor {
  const convs: FoldedConv[] = [];
  let depth = cfg.channels;
  cfg.blocks.forEach((block, i) => {
    const convWeights = layer(model, `conv${i}`).getWeights();
    if (convWeights.length !== 1) throw mismatch(`conv${i} has ${convWeights.length} weight tensors (expected only a kernel, no bias)`);
    const kernel = values(convWeights[0], [block.kernel, depth, block.filters], `conv${i} kernel`);
    const bn = layer(model, `bn${i}`);
    const bnConfig = bn.getConfig() as { epsilon?: number; center?: boolean; scale?: boolean };
    if (bnConfig.center === false || bnConfig.scale === false) throw mismatch(`bn${i} lacks a beta or gamma`);
    const [gammaT, betaT, meanT, varianceT] = bn.getWeights();
    const gamma = values(gammaT, [block.filters], `bn${i} gamma`);
    const beta = values(betaT, [block.filters], `bn${i} beta`);
    const mean = values(meanT, [block.filters], `bn${i} moving mean`);
    const variance = values(varianceT, [block.filters], `bn${i} moving variance`);
    const epsilon = bnConfig.epsilon ?? 1e-3;

    const weights = new Float32Array(block.filters * block.kernel * depth);
    const bias = new Float32Array(block.filters);
    for (let f = 0; f < block.filters; f++) {
      const g = gamma[f] / Math.sqrt(variance[f] + epsilon);
      bias[f] = beta[f] - g * mean[f];
      for (let k = 0; k < block.kernel; k++) {
        for (let c = 0; c < depth; c++) weights[(f * block.kernel + k) * depth + c] = kernel[(k * depth + c) * block.filters + f] * g;
      }
    }
    convs.push({ kernel: block.kernel, inChannels: depth, filters: block.filters, pool: block.pool, activation: blockActivation(model, i), weights, bias });
    depth = block.filters;
  });

  const embedding = layer(model, EMBEDDING_LAYER);
  const folded: FoldedExtractor = { windowLength: cfg.windowLength, channels: cfg.channels, convs, embeddingSize: cfg.embedding };
  const kind = embedding.getClassName();
  if (kind === 'GlobalAveragePooling1D') {
    if (depth !== cfg.embedding) throw mismatch(`the embedding is the mean of ${depth} filters but the config says ${cfg.embedding}`);
    return folded;
  }
  if (kind !== 'Dense') throw mismatch(`layer ${EMBEDDING_LAYER} is a ${kind}, expected GlobalAveragePooling1D or Dense`);
  const denseActivation = (embedding.getConfig() as { activation?: string }).activation ?? 'linear';
  if (denseActivation !== 'linear') throw mismatch(`${EMBEDDING_LAYER} has activation ${denseActivation}, expected linear`);
  const denseWeights = embedding.getWeights();
  if (denseWeights.length !== 2) throw mismatch(`${EMBEDDING_LAYER} has ${denseWeights.length} weight tensors (expected kernel and bias)`);
  const kernel = values(denseWeights[0], [depth, cfg.embedding], `${EMBEDDING_LAYER} kernel`);
  const bias = values(denseWeights[1], [cfg.embedding], `${EMBEDDING_LAYER} bias`).slice();
  const weights = new Float32Array(cfg.embedding * depth);
  for (let u = 0; u < cfg.embedding; u++) for (let d = 0; d < depth; d++) weights[u * depth + d] = kernel[d * cfg.embedding + u];
  return { ...folded, dense: { inputs: depth, units: cfg.embedding, weights, bias } };
}
