/**
 * The frozen int8 extractor as a pipeline stage: one raw window in, one
 * embedding out, into reused buffers (nothing allocated per window).
 *
 * It is the calibration's path exactly: the package's normalization as
 * `normalizeInPlace` applies it to window sets, then `windowEmbedder`
 * (quantize with the manifest's input parameters, run, dequantize), so a
 * head trained on calibration embeddings sees the same numbers live. The
 * same stage embeds whole batches of raw windows for offline figures.
 */
import { applyBandCorrection, type BandCorrection, type CorrectionPlan, correctionPlan } from '../../core/band_sync.ts';
import { HeadstartError } from '../../core/errors.ts';
import type { Embeddings } from '../../core/head/embeddings.ts';
import type { ModelManifest } from '../../core/model_package/manifest.ts';
import { normalizeInPlace } from '../../core/windowing.ts';
import { type WindowEmbedder, windowEmbedder } from '../../io/extractor_embed.ts';
import type { ExtractorRuntime } from '../../io/runtime/index.ts';

export class ExtractorStage {
  readonly length: number;
  readonly channels: number;
  readonly embeddingSize: number;
  readonly runtime: ExtractorRuntime;
  /** Reused output: the embedding of the latest window. */
  readonly embedding: Float32Array;
  /** Reused output: the latest window as the extractor saw it (normalized), for heads that read it too. */
  readonly normalized: Float32Array;
  readonly #manifest: ModelManifest;
  readonly #embedder: WindowEmbedder;
  readonly #scratch: Float64Array;
  #correction: CorrectionPlan | undefined;

  constructor(runtime: ExtractorRuntime, manifest: ModelManifest) {
    this.length = manifest.window.length;
    this.channels = manifest.channels;
    this.embeddingSize = manifest.embeddingSize;
    this.runtime = runtime;
    this.#manifest = manifest;
    this.#embedder = windowEmbedder(runtime, manifest);
    this.normalized = new Float32Array(this.length * this.channels);
    this.embedding = new Float32Array(this.embeddingSize);
    this.#scratch = new Float64Array(this.channels);
    if (runtime.outputs[0]!.data.length !== this.embeddingSize) {
      throw new HeadstartError('BAD_PACKAGE', `the extractor outputs ${runtime.outputs[0]!.data.length} values, but the package's embedding has ${this.embeddingSize}; re-export the package`);
    }
    if (runtime.inputs[0]!.data.length !== this.normalized.length) {
      throw new HeadstartError('BAD_PACKAGE', `the extractor takes ${runtime.inputs[0]!.data.length} values, but the package's window is ${this.length} samples x ${this.channels} channels; re-export the package`);
    }
  }

  /** A sync's correction of the band's turn and gains, applied to each raw window first (none until a sync). */
  setCorrection(correction: BandCorrection | undefined): void {
    this.#correction = correction ? correctionPlan(correction, this.channels) : undefined;
  }

  /** Embeds one raw window ([length][channels], not normalized) into `out` (default: `this.embedding`). */
  embed(window: Float32Array, out: Float32Array = this.embedding): Float32Array {
    const x = this.normalized;
    x.set(window);
    if (this.#correction) applyBandCorrection(x, this.#correction, this.#manifest.normalization.offset, this.#scratch);
    normalizeInPlace(x, this.channels, this.#manifest.normalization);
    this.#embedder.embed(x, out);
    return out;
  }

  /** Embeds a batch of raw windows ([count][length][channels]), e.g. for an offline figure. */
  embedWindows(windows: Float32Array, count: number): Embeddings {
    const size = this.length * this.channels;
    if (windows.length < count * size) {
      throw new HeadstartError('INTERNAL', `${count} windows of ${this.length} x ${this.channels} need ${count * size} values, got ${windows.length}`);
    }
    const data = new Float32Array(count * this.embeddingSize);
    for (let w = 0; w < count; w++) this.embed(windows.subarray(w * size, (w + 1) * size), data.subarray(w * this.embeddingSize, (w + 1) * this.embeddingSize));
    return { count, dim: this.embeddingSize, data };
  }
}
