/**
 * Reading a TensorFlow.js Layers model's topology (model.json, as written by
 * tensorflowjs_converter from a Keras model, or by tfjs itself) and checking
 * it against what headstart's int8 exporter turns into TensorFlow Lite
 * Micro builtins: 1-D convolution blocks (CONV_2D 1 x k, SAME padding, batch
 * norm folded in, ReLU or ReLU6 fused, optional MAX_POOL_2D), a global
 * average over time (MEAN) and an optional linear dense layer
 * (FULLY_CONNECTED). The result is a plan of blocks naming the source
 * layers, or an error naming the first layer that does not fit and why.
 * Pure: reads JSON, loads no weights.
 */
import { HeadstartError } from '../../core/errors.ts';

/** The layers headstart can export, in words, for error messages. */
export const SUPPORTED_LAYERS =
  'Conv1D (padding same, stride 1, dilation 1), BatchNormalization (right after a Conv1D), ReLU / Activation relu or relu6, ' +
  'MaxPooling1D (pool size = strides), GlobalAveragePooling1D, Dense (linear, after the global average), and Dropout-like layers (no-ops at inference)';

/** Layers that compute nothing at inference. */
const INFERENCE_NO_OPS = new Set(['Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'ActivityRegularization']);

export type PlanActivation = 'NONE' | 'RELU' | 'RELU6';

export interface PlannedBlock {
  /** Source layer names. */
  conv: string;
  batchNorm?: string;
  filters: number;
  kernel: number;
  useBias: boolean;
  activation: PlanActivation;
  pool: number;
}

export interface LayerPlan {
  /** [window, channels] from the input layer; null where the model leaves a dimension open. */
  inputShape: [number | null, number | null];
  blocks: PlannedBlock[];
  /** The GlobalAveragePooling1D layer. */
  globalAverage: string;
  /** The linear Dense layer after it, when the embedding is not the average itself. */
  dense?: { layer: string; units: number; useBias: boolean };
  embeddingSize: number;
  /** Layers after the embedding (a classifier head, say), left out of the package. */
  ignoredAfter: string[];
  /** Dropout-like layers skipped. */
  skipped: string[];
}

interface LayerJson {
  class_name: string;
  config: Record<string, unknown> & { name?: string };
  inbound_nodes?: unknown[];
}

function unsupported(layer: LayerJson, why: string): HeadstartError {
  return new HeadstartError(
    'UNSUPPORTED_LAYER',
    `layer '${layer.config.name ?? '?'}' (${layer.class_name}) ${why}; headstart exports only ${SUPPORTED_LAYERS}. Retrain with those layers, or cut the model before it with --embedding-layer`,
    { layer: layer.config.name, className: layer.class_name },
  );
}

function badModel(path: string, why: string): HeadstartError {
  return new HeadstartError('UNKNOWN_FORMAT', `${path}: ${why}; give the model.json that tensorflowjs_converter (or tfjs model.save) wrote`);
}

/** The model's class name and layer list, from either form of modelTopology. */
function layersOf(json: unknown, path: string): { kind: string; layers: LayerJson[] } {
  const topology = (json as { modelTopology?: unknown })?.modelTopology as Record<string, unknown> | undefined;
  if (!topology || typeof topology !== 'object') throw badModel(path, 'no modelTopology (a graph model from a SavedModel is not a Layers model: convert the Keras model with --input_format keras)');
  const model = (topology.model_config ?? topology) as { class_name?: unknown; config?: unknown };
  const kind = typeof model.class_name === 'string' ? model.class_name : '';
  const config = model.config as { layers?: unknown } | unknown[] | undefined;
  const layers = Array.isArray(config) ? config : (config as { layers?: unknown } | undefined)?.layers;
  if (!Array.isArray(layers)) throw badModel(path, `the topology (${kind || 'no class name'}) has no layer list`);
  for (const l of layers) {
    if (typeof l !== 'object' || l === null || typeof (l as LayerJson).class_name !== 'string' || typeof (l as LayerJson).config !== 'object') throw badModel(path, 'a layer without class_name and config');
  }
  return { kind, layers: layers as LayerJson[] };
}

/** Names of the layers feeding a layer of a functional model (Keras 2 and tfjs form: [[[name, node, tensor, kwargs], ...]]). */
function inboundNames(layer: LayerJson): string[] {
  const nodes = layer.inbound_nodes;
  if (!Array.isArray(nodes)) return [];
  const names: string[] = [];
  for (const node of nodes) {
    if (Array.isArray(node)) for (const edge of node) if (Array.isArray(edge) && typeof edge[0] === 'string') names.push(edge[0]);
    // Keras 3 writes {args: [{config: {keras_history: [name, ...]}}]}
    const args = (node as { args?: unknown[] }).args;
    if (Array.isArray(args)) {
      for (const a of args) {
        const history = (a as { config?: { keras_history?: unknown[] } })?.config?.keras_history;
        if (Array.isArray(history) && typeof history[0] === 'string') names.push(history[0]);
      }
    }
  }
  return names;
}

function shapeOf(layer: LayerJson): [number | null, number | null] | undefined {
  const shape = (layer.config.batch_input_shape ?? layer.config.batch_shape ?? layer.config.batchInputShape) as unknown;
  if (!Array.isArray(shape)) return undefined;
  if (shape.length !== 3) throw unsupported(layer, `takes input of shape [${shape.map(String).join(', ')}]; an extractor takes [batch, window, channels]`);
  return [shape[1] as number | null, shape[2] as number | null];
}

function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'number') return v[0];
  return undefined;
}

function activationOf(layer: LayerJson, value: unknown): PlanActivation {
  const name = typeof value === 'string' ? value : typeof value === 'object' && value !== null ? String((value as { class_name?: unknown; config?: { name?: unknown } }).config?.name ?? (value as { class_name?: unknown }).class_name) : 'linear';
  if (name === 'linear' || name === 'None' || name === 'null') return 'NONE';
  if (name === 'relu') return 'RELU';
  if (name === 'relu6') return 'RELU6';
  throw unsupported(layer, `uses the activation '${name}', which does not fuse into a TensorFlow Lite convolution (only relu and relu6 do)`);
}

function reluActivation(layer: LayerJson): PlanActivation {
  const c = layer.config;
  const maxValue = c.max_value ?? c.maxValue;
  const slope = c.negative_slope ?? c.negativeSlope ?? 0;
  const threshold = c.threshold ?? 0;
  if (slope !== 0 || threshold !== 0) throw unsupported(layer, 'is a leaky or thresholded ReLU, which TensorFlow Lite does not fuse into a convolution');
  if (maxValue === undefined || maxValue === null) return 'RELU';
  if (maxValue === 6) return 'RELU6';
  throw unsupported(layer, `caps at ${String(maxValue)}; only ReLU and ReLU6 fuse into TensorFlow Lite convolutions`);
}

/**
 * The plan for exporting the model of `json` (parsed model.json), cut after
 * `embeddingLayer` when given (else the whole model is the extractor).
 */
export function planLayers(json: unknown, path: string, embeddingLayer?: string): LayerPlan {
  const { kind, layers: all } = layersOf(json, path);
  // A functional model must be a chain: each layer fed by the one before it.
  if (kind !== 'Sequential') {
    all.forEach((l, i) => {
      const inbound = inboundNames(l);
      const previous = all[i - 1]?.config.name;
      if (i === 0 ? inbound.length > 0 : inbound.length !== 1 || inbound[0] !== previous) {
        throw unsupported(l, `is fed by ${inbound.length === 0 ? 'nothing' : inbound.join(' and ')}${previous ? ` rather than by the layer before it ('${previous}')` : ''}: only a plain chain of layers exports`);
      }
    });
  }
  let cut = all.length;
  if (embeddingLayer !== undefined) {
    const at = all.findIndex((l) => l.config.name === embeddingLayer);
    if (at < 0) throw new HeadstartError('BAD_OPTION', `--embedding-layer ${embeddingLayer}: the model has no such layer (its layers: ${all.map((l) => l.config.name).join(', ')})`);
    cut = at + 1;
  }
  const layers = all.slice(0, cut);
  const plan: LayerPlan = { inputShape: [null, null], blocks: [], globalAverage: '', embeddingSize: 0, ignoredAfter: all.slice(cut).map((l) => String(l.config.name)), skipped: [] };
  let block: PlannedBlock | undefined;
  let blockHasActivation = false;
  let depth: number | null = null;
  let stage: 'blocks' | 'average' | 'dense' = 'blocks';
  for (const layer of layers) {
    const c = layer.config;
    const name = String(c.name);
    const shape = shapeOf(layer);
    if (shape) {
      plan.inputShape = shape;
      depth = shape[1];
    }
    if (layer.class_name === 'InputLayer') continue;
    if (INFERENCE_NO_OPS.has(layer.class_name)) {
      plan.skipped.push(name);
      continue;
    }
    switch (layer.class_name) {
      case 'Conv1D': {
        if (stage !== 'blocks') throw unsupported(layer, 'comes after the global average');
        const padding = c.padding ?? 'valid';
        if (padding !== 'same') throw unsupported(layer, `uses padding '${String(padding)}'; the exported graph pads 'same' (the window keeps its length)`);
        if ((num(c.strides) ?? 1) !== 1) throw unsupported(layer, `has stride ${String(c.strides)}; only stride 1 exports (downsample with MaxPooling1D)`);
        if ((num(c.dilation_rate ?? c.dilationRate) ?? 1) !== 1) throw unsupported(layer, 'is dilated; only dilation 1 exports');
        if ((c.data_format ?? c.dataFormat ?? 'channels_last') !== 'channels_last') throw unsupported(layer, 'is channels_first; only channels_last exports');
        if ((num(c.groups) ?? 1) !== 1) throw unsupported(layer, 'is a grouped convolution');
        const filters = num(c.filters);
        const kernel = num(c.kernel_size ?? c.kernelSize);
        if (!filters || !kernel) throw unsupported(layer, 'has no filters or kernel size');
        block = { conv: name, filters, kernel, useBias: (c.use_bias ?? c.useBias ?? true) !== false, activation: activationOf(layer, c.activation), pool: 1 };
        blockHasActivation = block.activation !== 'NONE';
        plan.blocks.push(block);
        depth = filters;
        continue;
      }
      case 'BatchNormalization': {
        if (!block || block.batchNorm || blockHasActivation || block.pool > 1 || stage !== 'blocks') {
          throw unsupported(layer, 'does not follow a Conv1D directly, so it cannot be folded into the convolution');
        }
        const axis = num(c.axis) ?? -1;
        if (axis !== -1 && axis !== 2) throw unsupported(layer, `normalizes axis ${axis}; only the channel axis (-1) folds into a convolution`);
        block.batchNorm = name;
        continue;
      }
      case 'ReLU':
      case 'Activation': {
        const activation = layer.class_name === 'ReLU' ? reluActivation(layer) : activationOf(layer, c.activation);
        if (activation === 'NONE') continue;
        if (!block || blockHasActivation || stage !== 'blocks') throw unsupported(layer, 'is an activation that does not belong to a convolution block (one per Conv1D)');
        block.activation = activation;
        blockHasActivation = true;
        continue;
      }
      case 'MaxPooling1D': {
        if (!block || block.pool > 1 || stage !== 'blocks') throw unsupported(layer, 'is not the one pooling layer of a convolution block');
        const size = num(c.pool_size ?? c.poolSize) ?? 2;
        const strides = num(c.strides) ?? size;
        if (strides !== size) throw unsupported(layer, `pools ${size} with stride ${strides}; only non-overlapping pooling (pool size = strides) exports`);
        if ((c.padding ?? 'valid') !== 'valid') throw unsupported(layer, "pads 'same'; only 'valid' pooling exports");
        block.pool = size;
        continue;
      }
      case 'GlobalAveragePooling1D': {
        if (stage !== 'blocks' || plan.blocks.length === 0) throw unsupported(layer, 'must come once, after the convolution blocks');
        if ((c.data_format ?? c.dataFormat ?? 'channels_last') !== 'channels_last') throw unsupported(layer, 'is channels_first');
        plan.globalAverage = name;
        stage = 'average';
        continue;
      }
      case 'Dense': {
        if (stage !== 'average') throw unsupported(layer, stage === 'dense' ? 'is a second dense layer; the embedding is at most one linear layer after the average (cut the model before a classifier with --embedding-layer)' : 'comes before the global average');
        if (activationOf(layer, c.activation) !== 'NONE') throw unsupported(layer, `has activation '${String(c.activation)}'; the embedding layer must be linear (cut the model before a classifier with --embedding-layer)`);
        const units = num(c.units);
        if (!units) throw unsupported(layer, 'has no units');
        plan.dense = { layer: name, units, useBias: (c.use_bias ?? c.useBias ?? true) !== false };
        stage = 'dense';
        continue;
      }
      default:
        throw unsupported(layer, 'has no counterpart among the TensorFlow Lite Micro builtins the exporter writes');
    }
  }
  if (!plan.globalAverage) throw new HeadstartError('UNSUPPORTED_LAYER', `${path}: the model (cut at '${String(layers.at(-1)?.config.name)}') has no GlobalAveragePooling1D; the embedding is the average over time of the last convolution block (optionally followed by one linear Dense layer)`);
  plan.embeddingSize = plan.dense?.units ?? depth ?? 0;
  return plan;
}
