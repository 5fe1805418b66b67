/**
 * A trained head as a pipeline stage: one embedding (and the normalized
 * window it came from, for heads that read time-domain features) in, class
 * scores, the winning class and a confidence out, into reused buffers.
 *
 * The arithmetic is HeadInputBuilder then `scoreInputInto`
 * (src/core/head), the same functions `headScores` runs per row, so the
 * live scores equal what the trainer and the offline evaluation compute (a
 * test checks bit equality).
 *
 * Confidence: for the linear heads (softmax, lda) the winning class's
 * probability; for nearest-class-mean, whose scores are cosine
 * similarities, the winner's share of a softmax over similarity / 0.1
 * (near classes differ by a few hundredths of cosine, so a temperature of
 * 0.1 spreads them over the 0..1 range a threshold is set in).
 */
import { HeadstartError } from '../../core/errors.ts';
import { type HeadData, headInputOf, scoreInputInto } from '../../core/head/head.ts';
import { HeadInputBuilder, headInputSize } from '../../core/head/head_input.ts';
import type { HeadAdapter } from '../../core/head/adapt.ts';

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
  readonly #input: Float32Array;
  readonly #row: Float32Array;
  /** Adapts the head as it scores (core/head/adapt.ts), when asked. */
  adapter: HeadAdapter | undefined;
  readonly #builder: HeadInputBuilder;

  /** `embeddingSize`, `windowLength`, `channels` and `rate` (the package's) describe what the extractor stage hands over. */
  constructor(head: HeadData, embeddingSize: number, windowLength: number, channels: number, rate?: number) {
    if (!Number.isInteger(head.classes) || head.classes < 2 || !Number.isInteger(head.dim) || head.dim < 1) {
      throw new HeadstartError('BAD_PROFILE', `a head needs at least 2 classes and a positive dimension (got ${head.classes} and ${head.dim})`);
    }
    if (head.kind === 'ncm') {
      if (head.centroids.length !== head.classes * head.dim) throw new HeadstartError('BAD_PROFILE', `an ncm head of ${head.classes} classes x ${head.dim} needs ${head.classes * head.dim} centroid values, has ${head.centroids.length}`);
    } else if (head.mean.length !== head.dim || head.invStd.length !== head.dim || head.weights.length !== head.dim * head.classes || head.bias.length !== head.classes) {
      throw new HeadstartError('BAD_PROFILE', `a ${head.kind} head of ${head.classes} classes x ${head.dim} has arrays of the wrong sizes; the profile or package is damaged`);
    }
    const input = headInputOf(head);
    if (headInputSize(input, embeddingSize, channels) !== head.dim) {
      throw new HeadstartError('PROFILE_EXTRACTOR_MISMATCH', `the head reads ${head.dim} values but this extractor gives ${headInputSize(input, embeddingSize, channels)}; it was trained for another extractor`);
    }
    this.head = head;
    this.classes = head.classes;
    this.dim = head.dim;
    this.scores = new Float32Array(head.classes);
    this.#builder = new HeadInputBuilder(input, embeddingSize, windowLength, channels, rate);
    this.#input = new Float32Array(head.dim);
    this.#row = new Float32Array(head.dim);
  }

  /**
   * Scores one embedding as the extractor gives it, with the normalized
   * window it came from; sets `scores`, `label` and `confidence` and returns
   * `label`.
   */
  classify(embedding: Float32Array, window?: Float32Array): number {
    const classes = this.classes;
    if (embedding.length !== this.#builder.embeddingSize) {
      throw new HeadstartError('PROFILE_EXTRACTOR_MISMATCH', `the head expects ${this.#builder.embeddingSize}-value embeddings but got ${embedding.length}; it was trained for another extractor`);
    }
    this.#builder.build(embedding, window, this.#input);
    scoreInputInto(this.head, this.#input, this.#row, this.scores);
    // Scored first, adapted after: the window's own score never sees its own update.
    let top = 0;
    for (let c = 1; c < classes; c++) if (this.scores[c]! > this.scores[top]!) top = c;
    this.adapter?.observe(this.#input, top, this.scores[top]!);
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
