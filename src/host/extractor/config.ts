import { HeadstartError } from '../../core/errors.ts';
import { type AugmentOptions, DEFAULT_AUGMENT } from './augment.ts';
import type { HeadInput } from '../../core/head/head_input.ts';
/**
 * The shape of an extractor: everything needed to rebuild it, recorded in the
 * model package. Kernel sizes run along time; the channel axis is the conv's
 * input depth, so a 1-D conv here is a CONV_2D with a 1 x k kernel in TFLite.
 */
export interface ConvBlock {
  filters: number;
  kernel: number;
  /** Max-pool the time axis by this factor after the block (1 = none). */
  pool: number;
}

export interface ExtractorConfig {
  windowLength: number;
  channels: number;
  blocks: ConvBlock[];
  /** Size of the embedding: the last block's filter count (its outputs averaged over time). */
  embedding: number;
}

export function checkExtractorConfig(cfg: ExtractorConfig): void {
  const last = cfg.blocks[cfg.blocks.length - 1];
  if (!last || last.filters !== cfg.embedding) {
    throw new HeadstartError('BAD_OPTION', `the embedding size (${cfg.embedding}) must equal the last conv block's filter count (${last?.filters ?? 'no blocks'})`);
  }
  let length = cfg.windowLength;
  for (const b of cfg.blocks) length = Math.floor(length / b.pool);
  if (length < 1) throw new HeadstartError('BAD_OPTION', `the pooling shrinks a ${cfg.windowLength}-sample window to nothing`);
}

export const DEFAULT_EXTRACTOR: ExtractorConfig = {
  windowLength: 52,
  channels: 8,
  blocks: [
    { filters: 32, kernel: 5, pool: 1 },
    { filters: 32, kernel: 5, pool: 2 },
    { filters: 64, kernel: 5, pool: 1 },
    { filters: 64, kernel: 3, pool: 1 },
  ],
  embedding: 64,
};

/**
 * Conv blocks from their short text form, for command lines:
 * `<filters>x<kernel>[/<pool>]`, comma-separated, e.g. `16x9/4,32x7/2,64x5/2,64x3`
 * (16 filters of 9 samples then max-pool by 4, ...; no pool: 1).
 */
export function parseConvBlocks(text: string): ConvBlock[] {
  const items = text.split(',').map((t) => t.trim()).filter((t) => t !== '');
  if (items.length === 0) throw new HeadstartError('BAD_OPTION', 'give at least one conv block, e.g. 16x9/4,32x7/2,64x5/2,64x3', { option: '--blocks' });
  return items.map((item) => {
    const m = /^(\d+)x(\d+)(?:\/(\d+))?$/.exec(item);
    const [filters, kernel, pool] = m ? [Number(m[1]), Number(m[2]), m[3] === undefined ? 1 : Number(m[3])] : [0, 0, 0];
    if (!m || filters < 1 || filters > 1024 || kernel < 1 || kernel > 1024 || pool < 1 || pool > 1024) {
      throw new HeadstartError('BAD_OPTION', `"${item}" is not a conv block: give <filters>x<kernel>[/<pool>] with whole numbers from 1 to 1024, e.g. 32x5/2`, { option: '--blocks' });
    }
    return { filters, kernel, pool };
  });
}

/** Multiply-accumulates of one window through the extractor (conv 'same' padding). */
export function extractorMacs(cfg: ExtractorConfig): number {
  let length = cfg.windowLength;
  let depth = cfg.channels;
  let macs = 0;
  for (const b of cfg.blocks) {
    macs += length * b.kernel * depth * b.filters;
    depth = b.filters;
    length = Math.floor(length / b.pool);
  }
  return macs;
}

export function extractorParams(cfg: ExtractorConfig): number {
  let depth = cfg.channels;
  let params = 0;
  for (const b of cfg.blocks) {
    params += b.kernel * depth * b.filters + b.filters; // conv weights + folded bias
    depth = b.filters;
  }
  return params;
}

/** How pretraining fits the extractor (src/host/extractor/train.ts). */
export interface TrainOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  augment: AugmentOptions | null;
  /** Fraction of training windows used per epoch (a random subset each time); 1 = all. */
  epochFraction: number;
  /** Also train one head per pretraining person (see buildSubjectHeads). */
  subjectHeads: boolean;
  /** Also train for calibration itself, episode by episode (see EpisodeOptions); null = off. */
  episodes: EpisodeOptions | null;
  /**
   * The per-person heads also read these classical features of each
   * (augmented) window (a head input without the embedding: EMG the rich
   * time-domain set, EEG band power and covariance), as the wearer's
   * transfer head does, so that the embedding learns what those features
   * miss; null = the embedding alone.
   */
  hybridHeads: HeadInput | null;
}

/**
 * Prototypical episodes: each batch holds a few pretraining people; for each,
 * `support` windows of every gesture from one repetition (what a one-cycle
 * calibration sees) and `query` windows of every gesture from their other
 * repetitions. Each query is classified by its distance to the support means
 * of its own person, so the loss rewards features on which a head fitted to
 * one repetition carries over to the next.
 */
export interface EpisodeOptions {
  /** People per batch. */
  people: number;
  /** Windows per gesture from the support repetition. */
  support: number;
  /** Windows per gesture from the other repetitions. */
  query: number;
  /** Weight of the episode loss beside the classification losses. */
  weight: number;
}

export const DEFAULT_EPISODES: EpisodeOptions = { people: 2, support: 5, query: 4, weight: 1 };

export const DEFAULT_TRAIN: TrainOptions = { epochs: 12, batchSize: 128, learningRate: 2e-3, seed: 7, augment: DEFAULT_AUGMENT, epochFraction: 1, subjectHeads: true, episodes: null, hybridHeads: null };
