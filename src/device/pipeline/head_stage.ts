/**
 * A trained head as a pipeline stage: one embedding in, class scores, the
 * winning class and a confidence out, into reused buffers.
 *
 * The arithmetic is `scoreNormalizedInto` (src/core/head/head.ts), the
 * same function `headScores` runs per row, so the live scores equal what
 * the trainer and the offline evaluation compute (a test checks bit equality).
 *
 * Confidence: for the linear heads (softmax, lda) the winning class's
 * probability; for nearest-class-mean, whose scores are cosine
 * similarities, the winner's share of a softmax over similarity / 0.1
 * (near classes differ by a few hundredths of cosine, so a temperature of
 * 0.1 spreads them over the 0..1 range a threshold is set in).
 */
import { HeadstartError } from '../../core/errors.ts';
import { type HeadData, l2NormalizeInto, scoreNormalizedInto } from '../../core/head/head.ts';

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

  constructor(head: HeadData) {
    if (!Number.isInteger(head.classes) || head.classes < 2 || !Number.isInteger(head.dim) || head.dim < 1) {
      throw new HeadstartError('BAD_PROFILE', `a head needs at least 2 classes and a positive dimension (got ${head.classes} and ${head.dim})`);
    }
    if (head.kind === 'ncm') {
      if (head.centroids.length !== head.classes * head.dim) throw new HeadstartError('BAD_PROFILE', `an ncm head of ${head.classes} classes x ${head.dim} needs ${head.classes * head.dim} centroid values, has ${head.centroids.length}`);
    } else if (head.mean.length !== head.dim || head.invStd.length !== head.dim || head.weights.length !== head.dim * head.classes || head.bias.length !== head.classes) {
      throw new HeadstartError('BAD_PROFILE', `a ${head.kind} head of ${head.classes} classes x ${head.dim} has arrays of the wrong sizes; the profile or package is damaged`);
    }
    this.head = head;
    this.classes = head.classes;
    this.dim = head.dim;
    this.scores = new Float32Array(head.classes);
    this.#normalized = new Float32Array(head.dim);
    this.#row = new Float32Array(head.dim);
  }

  /** Scores one raw (not normalized) embedding; sets `scores`, `label` and `confidence` and returns `label`. */
  classify(embedding: Float32Array): number {
    const dim = this.dim;
    const classes = this.classes;
    if (embedding.length !== dim) {
      throw new HeadstartError('PROFILE_EXTRACTOR_MISMATCH', `the head expects ${dim}-value embeddings but got ${embedding.length}; it was trained for another extractor`);
    }
    l2NormalizeInto(embedding, this.#normalized);
    scoreNormalizedInto(this.head, this.#normalized, this.#row, this.scores);
    const out = this.scores;
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
