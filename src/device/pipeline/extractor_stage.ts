/**
 * The frozen int8 extractor as a pipeline stage: one raw window in, one
 * embedding out. Normalization (the package's per-channel offset and
 * scale) and input quantization are fused into one pass that writes the
 * runtime's input view directly; the output is dequantized into a reused
 * buffer. Nothing is allocated per window.
 *
 * The same stage embeds whole window batches for calibration and for the
 * offline figures, so live and offline embeddings are computed by one code
 * path.
 */
import { HeadstartError } from '../../core/errors.ts';
import type { Embeddings } from '../../core/head/embeddings.ts';
import type { ModelManifest } from '../../core/model_package/manifest.ts';
import type { ExtractorRuntime, RuntimeTensor } from '../runtime/index.ts';

const INT8_MIN = -128;
const INT8_MAX = 127;

/** Round half away from zero, as TensorFlow Lite's quantizer rounds. */
function roundHalfAway(x: number): number {
  return x >= 0 ? Math.floor(x + 0.5) : -Math.floor(-x + 0.5);
}

function elementCount(t: RuntimeTensor): number {
  return t.data.length;
}

/** Relative difference above which the manifest's quantization and the model file's are said to disagree. */
const QUANT_TOLERANCE = 1e-6;

function checkQuantization(which: 'input' | 'output', tensor: RuntimeTensor, manifest: ModelManifest): void {
  const declared = manifest.extractor.tflite?.[which];
  if (!declared || tensor.type !== 'int8') return;
  const scaleOff = Math.abs(declared.scale - tensor.scale) > QUANT_TOLERANCE * Math.max(Math.abs(declared.scale), 1e-30);
  if (scaleOff || declared.zeroPoint !== tensor.zeroPoint) {
    throw new HeadstartError(
      'EXTRACTOR_QUANTIZATION_MISMATCH',
      `the extractor's ${which} is quantized with scale ${tensor.scale} and zero point ${tensor.zeroPoint}, but the manifest says ${declared.scale} and ${declared.zeroPoint}; ` +
        're-export the package with `headstart export`',
    );
  }
}

export class ExtractorStage {
  readonly length: number;
  readonly channels: number;
  readonly embeddingSize: number;
  readonly runtime: ExtractorRuntime;
  /** Reused output: the embedding of the latest window. */
  readonly embedding: Float32Array;
  readonly #input: RuntimeTensor;
  readonly #output: RuntimeTensor;
  readonly #offset: Float64Array;
  /** Per channel: normalization scale divided by the input quantization scale (1 for a float input). */
  readonly #gain: Float64Array;

  constructor(runtime: ExtractorRuntime, manifest: ModelManifest) {
    const input = runtime.inputs[0];
    const output = runtime.outputs[0];
    if (!input || !output || runtime.inputs.length !== 1 || runtime.outputs.length !== 1) {
      throw new HeadstartError('EXTRACTOR_SHAPE', `an extractor has one input and one output, but this model has ${runtime.inputs.length} and ${runtime.outputs.length}; is it the package's extractor.tflite?`);
    }
    this.length = manifest.window.length;
    this.channels = manifest.channels;
    this.embeddingSize = manifest.embeddingSize;
    const windowValues = this.length * this.channels;
    if (elementCount(input) !== windowValues) {
      throw new HeadstartError(
        'EXTRACTOR_SHAPE',
        `the extractor takes [${input.shape.join(', ')}] (${elementCount(input)} values), but the package's window is ${this.length} samples x ${this.channels} channels; the package and its extractor.tflite do not belong together`,
      );
    }
    if (elementCount(output) !== this.embeddingSize) {
      throw new HeadstartError('EXTRACTOR_SHAPE', `the extractor outputs [${output.shape.join(', ')}], but the package's embedding has ${this.embeddingSize} values; re-export the package`);
    }
    for (const [which, t] of [['input', input], ['output', output]] as const) {
      if (t.type !== 'int8' && t.type !== 'float32') {
        throw new HeadstartError('EXTRACTOR_TYPE', `the extractor's ${which} is ${t.type}; headstart runs int8 (or float32-wrapped) extractors`);
      }
      checkQuantization(which, t, manifest);
    }
    if (input.type === 'int8' && !(input.scale > 0)) {
      throw new HeadstartError('EXTRACTOR_TYPE', "the extractor's int8 input has no quantization scale; re-export the package with `headstart export`");
    }
    this.runtime = runtime;
    this.#input = input;
    this.#output = output;
    this.embedding = new Float32Array(this.embeddingSize);
    const qScale = input.type === 'int8' ? input.scale : 1;
    this.#offset = Float64Array.from(manifest.normalization.offset);
    this.#gain = Float64Array.from(manifest.normalization.scale, (s) => s / qScale);
  }

  /** Embeds one raw window ([length][channels], not normalized) into `out` (default: `this.embedding`). */
  embed(window: Float32Array, out: Float32Array = this.embedding): Float32Array {
    const c = this.channels;
    const n = this.length * c;
    const inData = this.#input.data;
    const offset = this.#offset;
    const gain = this.#gain;
    if (this.#input.type === 'int8') {
      const zp = this.#input.zeroPoint;
      for (let i = 0, ch = 0; i < n; i++) {
        let q = roundHalfAway((window[i] - offset[ch]) * gain[ch]) + zp;
        if (q < INT8_MIN) q = INT8_MIN;
        else if (q > INT8_MAX) q = INT8_MAX;
        inData[i] = q;
        if (++ch === c) ch = 0;
      }
    } else {
      for (let i = 0, ch = 0; i < n; i++) {
        inData[i] = (window[i] - offset[ch]) * gain[ch];
        if (++ch === c) ch = 0;
      }
    }
    // Inputs were written in place, so nothing is passed to run().
    this.runtime.run();
    // The runtime's output view is the same object after every run.
    const o = this.#output;
    const od = o.data;
    if (o.type === 'int8') {
      const { scale, zeroPoint } = o;
      for (let d = 0; d < this.embeddingSize; d++) out[d] = scale * ((od[d] as number) - zeroPoint);
    } else {
      for (let d = 0; d < this.embeddingSize; d++) out[d] = od[d] as number;
    }
    return out;
  }

  /** Embeds a batch of raw windows ([count][length][channels]), e.g. a calibration recording. */
  embedWindows(windows: Float32Array, count: number, onProgress?: (done: number) => void): Embeddings {
    const size = this.length * this.channels;
    if (windows.length < count * size) {
      throw new HeadstartError('BAD_WINDOW_BATCH', `${count} windows of ${this.length} x ${this.channels} need ${count * size} values, got ${windows.length}`);
    }
    const data = new Float32Array(count * this.embeddingSize);
    for (let w = 0; w < count; w++) {
      this.embed(windows.subarray(w * size, (w + 1) * size), data.subarray(w * this.embeddingSize, (w + 1) * this.embeddingSize));
      if (onProgress && (w + 1) % 1000 === 0) onProgress(w + 1);
    }
    return { count, dim: this.embeddingSize, data };
  }
}
