/**
 * A trained head as a pipeline stage: one embedding in, class scores, the
 * winning class and a confidence out, into reused buffers.
 *
 * The arithmetic is `headScores` (src/core/head/head.ts) step for step,
 * with the same float32 roundings, so the live scores equal what the
 * trainer and the offline evaluation compute (a test checks bit equality);
 * it exists beside it only because `headScores` allocates per call and
 * this runs for every window.
 *
 * Confidence: for the linear heads (softmax, lda) the winning class's
 * probability; for nearest-class-mean, whose scores are cosine
 * similarities, the winner's share of a softmax over similarity / 0.1
 * (near classes differ by a few hundredths of cosine, so a temperature of
 * 0.1 spreads them over the 0..1 range a threshold is set in).
 */
import { HeadstartError } from '../../core/errors.ts';
import type { HeadData } from '../../core/head/head.ts';

const NCM_TEMPERATURE = 0.1;

export class HeadStage {
  readonly head: HeadData;
  readonly classes: number;
  readonly dim: number;
  /** Class scores of the latest embedding (probabilities, or cosine similarities for ncm). */
  readonly scores: Float32Array;
  /** Winning class of the latest embedding. */
  label = -1;
  /** Confidence in `label`, 0..1. */
  confidence = 0;
  readonly #normalized: Float32Array;
  readonly #row: Float32Array;
  readonly #mean: Float64Array;
  readonly #invStd: Float64Array;
  readonly #weights: Float64Array;
  readonly #bias: Float64Array;

  constructor(head: HeadData) {
    if (!Number.isInteger(head.classes) || head.classes < 2 || !Number.isInteger(head.dim) || head.dim < 1) {
      throw new HeadstartError('BAD_HEAD', `a head needs at least 2 classes and a positive dimension (got ${head.classes} and ${head.dim})`);
    }
    this.head = head;
    this.classes = head.classes;
    this.dim = head.dim;
    this.scores = new Float32Array(head.classes);
    this.#normalized = new Float32Array(head.dim);
    this.#row = new Float32Array(head.dim);
    if (head.kind === 'ncm') {
      this.#mean = new Float64Array(0);
      this.#invStd = new Float64Array(0);
      this.#weights = Float64Array.from(head.centroids);
      this.#bias = new Float64Array(0);
      if (this.#weights.length !== head.classes * head.dim) throw new HeadstartError('BAD_HEAD', `an ncm head of ${head.classes} classes x ${head.dim} needs ${head.classes * head.dim} centroid values, has ${this.#weights.length}`);
    } else {
      this.#mean = Float64Array.from(head.mean);
      this.#invStd = Float64Array.from(head.invStd);
      this.#weights = Float64Array.from(head.weights);
      this.#bias = Float64Array.from(head.bias);
      if (this.#mean.length !== head.dim || this.#invStd.length !== head.dim || this.#weights.length !== head.dim * head.classes || this.#bias.length !== head.classes) {
        throw new HeadstartError('BAD_HEAD', `a ${head.kind} head of ${head.classes} classes x ${head.dim} has arrays of the wrong sizes; the profile or package is damaged`);
      }
    }
  }

  /** Scores one raw (not normalized) embedding; sets `scores`, `label` and `confidence` and returns `label`. */
  classify(embedding: Float32Array): number {
    const dim = this.dim;
    const classes = this.classes;
    if (embedding.length !== dim) {
      throw new HeadstartError('HEAD_DIM_MISMATCH', `the head expects ${dim}-value embeddings but got ${embedding.length}; it was trained for another extractor`);
    }
    const x = this.#normalized;
    let sum = 0;
    for (let d = 0; d < dim; d++) sum += embedding[d] ** 2;
    const inv = sum > 0 ? 1 / Math.sqrt(sum) : 0;
    for (let d = 0; d < dim; d++) x[d] = embedding[d] * inv;
    const out = this.scores;
    const w = this.#weights;
    if (this.head.kind !== 'ncm') {
      const row = this.#row;
      const mean = this.#mean;
      const invStd = this.#invStd;
      for (let d = 0; d < dim; d++) row[d] = (x[d] - mean[d]) * invStd[d];
      let max = -Infinity;
      for (let c = 0; c < classes; c++) {
        let z = this.#bias[c];
        for (let d = 0; d < dim; d++) z += row[d] * w[d * classes + c];
        out[c] = z;
        if (z > max) max = z;
      }
      let total = 0;
      for (let c = 0; c < classes; c++) {
        const e = Math.exp(out[c] - max);
        out[c] = e;
        total += e;
      }
      for (let c = 0; c < classes; c++) out[c] /= total;
    } else {
      for (let c = 0; c < classes; c++) {
        let dot = 0;
        for (let d = 0; d < dim; d++) dot += x[d] * w[c * dim + d];
        out[c] = dot;
      }
    }
    let best = 0;
    for (let c = 1; c < classes; c++) if (out[c] > out[best]) best = c;
    this.label = best;
    this.confidence = this.head.kind === 'ncm' ? this.#ncmConfidence(best) : out[best];
    return best;
  }

  #ncmConfidence(best: number): number {
    const out = this.scores;
    let total = 0;
    for (let c = 0; c < this.classes; c++) total += Math.exp((out[c] - out[best]) / NCM_TEMPERATURE);
    return 1 / total;
  }
}
