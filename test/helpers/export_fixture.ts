// A small but real model package for export tests: the default extractor
// shape trained briefly on the Myo fixture's pretraining people, a softmax
// population head on its float embeddings, the training data recorded in the
// training report as pretraining records it. The population head is shrinkage
// LDA, as pretraining fits it.
import type * as tf from '@tensorflow/tfjs';
import { fileURLToPath } from 'node:url';
import type { HeadData } from '../../src/core/head/head.ts';
import { trainLdaHead } from '../../src/core/head/lda.ts';
import type { ModelManifest } from '../../src/core/model_package/manifest.ts';
import { selectWindows, type WindowSet, windowRecordings } from '../../src/core/window_set.ts';
import { type ChannelNormalization, fitNormalization } from '../../src/core/windowing.ts';
import { MYO_CHANNELS, MYO_GESTURES, MYO_RATE, readMyoDataset } from '../../src/io/datasets/myo.ts';
import { embedWindows } from '../../src/host/evaluate/embed.ts';
import { DEFAULT_EXTRACTOR } from '../../src/host/extractor/config.ts';
import { trainExtractor } from '../../src/host/extractor/train.ts';
import { writeModelPackage } from '../../src/host/package_write.ts';

export const FIXTURE_PRETRAINING = fileURLToPath(new URL('../fixtures/myo/PreTrainingDataset', import.meta.url));
export const FIXTURE_EVALUATION = fileURLToPath(new URL('../fixtures/myo/EvaluationDataset', import.meta.url));
export const WINDOW = { length: 52, hop: 5 };

export interface TestPackage {
  manifest: ModelManifest;
  extractor: tf.LayersModel;
  head: HeadData;
  normalization: ChannelNormalization;
}

/** Trains and writes the package into `dir` (a tfjs backend must be active). */
export async function makeTestPackage(dir: string, trainingReport: Record<string, unknown> = { data: FIXTURE_PRETRAINING }): Promise<TestPackage> {
  const recordings = readMyoDataset(FIXTURE_PRETRAINING);
  const all = new Float32Array(recordings.reduce((n, r) => n + r.samples.length, 0));
  let at = 0;
  for (const r of recordings) {
    all.set(r.samples, at);
    at += r.samples.length;
  }
  const normalization = fitNormalization(all, MYO_CHANNELS);
  const train = windowRecordings(recordings, WINDOW, normalization);
  const trained = await trainExtractor(DEFAULT_EXTRACTOR, MYO_GESTURES.length, train, undefined, {
    epochs: 2,
    batchSize: 64,
    learningRate: 3e-3,
    seed: 3,
    augment: null,
    epochFraction: 0.25,
    subjectHeads: false,
    episodes: null,
    hybridHeads: null,
  });
  const headWindows = selectWindows(train, (i) => i % 4 === 0);
  const head = trainLdaHead(embedWindows(trained.extractor, headWindows), headWindows.y, MYO_GESTURES.length);
  const manifest = await writeModelPackage(dir, {
    manifest: {
      format: 'headstart-model-package',
      formatVersion: 1,
      name: 'export-test',
      producerVersion: '0.1.0',
      createdAt: new Date(0).toISOString(),
      modality: 'emg',
      channels: MYO_CHANNELS,
      channelNames: Array.from({ length: MYO_CHANNELS }, (_, i) => `emg${i}`),
      sampleRate: MYO_RATE,
      window: WINDOW,
      normalization,
      classes: MYO_GESTURES,
      embeddingSize: DEFAULT_EXTRACTOR.embedding,
      split: { frozen: 'extractor', embeddingTransform: 'none', head: 'linear-or-ncm' },
      extractor: { config: DEFAULT_EXTRACTOR },
    },
    extractor: trained.extractor,
    populationHead: head,
    trainingReport,
  });
  return { manifest, extractor: trained.extractor, head, normalization };
}

/** Pretraining windows the population head was not fitted on (it takes every fourth). */
export function heldOutPretrainingWindows(normalization: ChannelNormalization): WindowSet {
  const all = windowRecordings(readMyoDataset(FIXTURE_PRETRAINING), WINDOW, normalization);
  return selectWindows(all, (i) => i % 4 === 2);
}

/** Windows of people the extractor never saw (the fixture's evaluation people), normalized as the package says. */
export function evaluationWindows(normalization: ChannelNormalization): WindowSet {
  return windowRecordings(readMyoDataset(FIXTURE_EVALUATION), WINDOW, normalization);
}
