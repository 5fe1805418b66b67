/**
 * The device path from normalized windows to embeddings: quantize each
 * window with the input scale (or per-channel scales) and zero point the
 * manifest records, run the int8 extractor, dequantize the output with the
 * manifest's output parameters. Any runtime (native or the TypeScript
 * interpreter) works.
 */
import { HeadstartError } from '../core/errors.ts';
import type { Embeddings } from '../core/head/embeddings.ts';
import type { ModelManifest, TensorQuantization } from '../core/model_package/manifest.ts';
import { dequantizeInt8, quantizeFloatToInt8, quantizeFloatToInt8PerChannel } from '../core/tflite/interpreter/kernels/quantize.ts';
import type { WindowSet } from '../core/window_set.ts';
import type { ExtractorRuntime } from './runtime/types.ts';

type Exported = NonNullable<ModelManifest['extractor']['tflite']>;

function exported(manifest: ModelManifest): Exported {
  const t = manifest.extractor.tflite;
  if (!t) throw new HeadstartError('PACKAGE_NOT_EXPORTED', `model package ${manifest.name} has no int8 extractor yet; export it first`);
  return t;
}

/** Checks that the runtime holds the manifest's extractor: one int8 input of a window, one int8 output of an embedding. */
function checkRuntime(runtime: ExtractorRuntime, t: Exported): void {
  const input = runtime.inputs[0];
  const output = runtime.outputs[0];
  const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
  if (runtime.inputs.length !== 1 || runtime.outputs.length !== 1 || input.type !== 'int8' || output.type !== 'int8' || input.data.length !== size(t.input.shape) || output.data.length !== size(t.output.shape)) {
    throw new HeadstartError(
      'BAD_PACKAGE',
      `the loaded model (${runtime.inputs.map((x) => `${x.type}[${x.shape.join('x')}]`).join(', ')} -> ${runtime.outputs.map((x) => `${x.type}[${x.shape.join('x')}]`).join(', ')}) ` +
        `is not the package's extractor (int8[${t.input.shape.join('x')}] -> int8[${t.output.shape.join('x')}]); load the package's ${t.file}`,
    );
  }
}

/**
 * Quantizes a normalized window ([length][channels]) to the extractor's int8
 * input. With per-channel scales, channel c is round(x / channelScales[c]) +
 * zeroPoint, rounded and clamped as TensorFlow Lite's QUANTIZE does; the
 * exporter folded each ratio to the tensor's scale into the first convolution.
 */
export function quantizeWindow(window: Float32Array, out: Int8Array, input: TensorQuantization & { channelScales?: readonly number[] }): void {
  if (input.channelScales) quantizeFloatToInt8PerChannel(window, out, input.channelScales, input.zeroPoint);
  else quantizeFloatToInt8(window, out, input.scale, input.zeroPoint);
}

/** Reusable buffers for embedding one window after another with one runtime. */
export interface WindowEmbedder {
  /** Embeds one normalized window ([length][channels]) into `out` (embedding size values). */
  embed(window: Float32Array, out: Float32Array): void;
}

export function windowEmbedder(runtime: ExtractorRuntime, manifest: ModelManifest): WindowEmbedder {
  const t = exported(manifest);
  checkRuntime(runtime, t);
  const q = new Int8Array(runtime.inputs[0].data.length);
  return {
    embed(window, out) {
      quantizeWindow(window, q, t.input);
      const result = runtime.run(q)[0].data as Int8Array;
      dequantizeInt8(result, out, t.output.scale, t.output.zeroPoint);
    },
  };
}

/** Embeddings of every window of a normalized set (normalized with the manifest's normalization), one window at a time. */
export function embedWithRuntime(runtime: ExtractorRuntime, manifest: ModelManifest, set: WindowSet): Embeddings {
  if (set.length !== manifest.window.length || set.channels !== manifest.channels) {
    throw new HeadstartError(
      'DATA_PACKAGE_MISMATCH',
      `the windows are ${set.length} samples x ${set.channels} channels but the package's extractor takes ${manifest.window.length} x ${manifest.channels}`,
    );
  }
  const embedder = windowEmbedder(runtime, manifest);
  const dim = manifest.embeddingSize;
  const size = set.length * set.channels;
  const data = new Float32Array(set.count * dim);
  for (let i = 0; i < set.count; i++) embedder.embed(set.x.subarray(i * size, (i + 1) * size), data.subarray(i * dim, (i + 1) * dim));
  return { count: set.count, dim, data };
}
