/**
 * The folded extractor run in plain float arithmetic, one window at a time,
 * showing every tensor the int8 graph will hold: what calibration measures
 * ranges on, and the check that folding kept the model's function.
 */
import type { FoldedConv, FoldedExtractor, FusedActivation } from './fold.ts';

/** Where a value sits in the graph; the int8 graph has one quantized tensor per stage. */
export type StageName = 'input' | `conv${number}` | 'mean' | 'dense';

/**
 * Stage names in graph order: input, conv0..convN-1 (after the activation,
 * before pooling), mean, and dense when the extractor has a dense layer.
 * The last stage is the embedding.
 */
export function stageNames(f: FoldedExtractor): StageName[] {
  return ['input', ...f.convs.map((_, i) => `conv${i}` as const), 'mean', ...(f.dense ? ['dense' as const] : [])];
}

function activate(x: number, a: FusedActivation): number {
  if (a === 'NONE') return x;
  const r = x > 0 ? x : 0;
  return a === 'RELU6' && r > 6 ? 6 : r;
}

/** 'same' padding, stride 1: TensorFlow's convention puts the odd padding sample after the window. */
function conv(c: FoldedConv, x: Float32Array, length: number): Float32Array {
  const out = new Float32Array(length * c.filters);
  const before = Math.floor((c.kernel - 1) / 2);
  for (let t = 0; t < length; t++) {
    for (let f = 0; f < c.filters; f++) {
      let sum = c.bias[f];
      for (let k = 0; k < c.kernel; k++) {
        const at = t + k - before;
        if (at < 0 || at >= length) continue;
        const w = (f * c.kernel + k) * c.inChannels;
        const row = at * c.inChannels;
        for (let ch = 0; ch < c.inChannels; ch++) sum += x[row + ch] * c.weights[w + ch];
      }
      out[t * c.filters + f] = activate(sum, c.activation);
    }
  }
  return out;
}

/** 'valid' max pooling along time with stride = pool: floor(length / pool) outputs. */
function maxPool(x: Float32Array, length: number, depth: number, pool: number): Float32Array {
  const outLength = Math.floor(length / pool);
  const out = new Float32Array(outLength * depth).fill(-Infinity);
  for (let t = 0; t < outLength * pool; t++) {
    const o = Math.floor(t / pool) * depth;
    for (let d = 0; d < depth; d++) if (x[t * depth + d] > out[o + d]) out[o + d] = x[t * depth + d];
  }
  return out;
}

/**
 * Embeds one window ([windowLength][channels], normalized). `visit` sees each
 * stage's values in graph order (see stageNames); the arrays are not reused.
 */
export function forwardFolded(f: FoldedExtractor, window: Float32Array, visit?: (stage: number, values: Float32Array) => void): Float32Array {
  let stage = 0;
  visit?.(stage++, window);
  let x = window;
  let length = f.windowLength;
  for (const c of f.convs) {
    x = conv(c, x, length);
    visit?.(stage++, x);
    if (c.pool > 1) {
      x = maxPool(x, length, c.filters, c.pool);
      length = Math.floor(length / c.pool);
    }
  }
  const depth = f.convs[f.convs.length - 1].filters;
  const mean = new Float32Array(depth);
  for (let t = 0; t < length; t++) for (let d = 0; d < depth; d++) mean[d] += x[t * depth + d];
  for (let d = 0; d < depth; d++) mean[d] /= length;
  visit?.(stage++, mean);
  const dense = f.dense;
  if (!dense) return mean;
  const out = new Float32Array(dense.units);
  for (let u = 0; u < dense.units; u++) {
    let sum = dense.bias[u];
    for (let d = 0; d < depth; d++) sum += mean[d] * dense.weights[u * depth + d];
    out[u] = sum;
  }
  visit?.(stage++, out);
  return out;
}
