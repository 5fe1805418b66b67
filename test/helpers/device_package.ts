/**
 * A small but complete model package for device tests: a real int8 TFLite
 * extractor built in code (the conv1d-like graph of sample_models.ts, random
 * weights from a seed), a manifest that validates with its sha256, and a
 * population head. Runs on both runtimes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NcmHeadData } from '../../src/core/head/head.ts';
import type { ModelManifest } from '../../src/core/model_package/manifest.ts';
import { conv1dExtractorModel } from '../../src/core/tflite/interpreter/sample_models.ts';
import { writeTflite } from '../../src/core/tflite/writer.ts';
import { sha256Hex } from '../../src/io/model_package.ts';
import { createRng } from '../../src/core/rng.ts';

export const MYO_GESTURE_NAMES = ['rest', 'radial deviation', 'wrist flexion', 'ulnar deviation', 'wrist extension', 'hand close', 'hand open'];

export interface TestPackageOptions {
  seed?: number;
  channels?: number;
  rate?: number;
  length?: number;
  hop?: number;
  filters?: number;
  embedding?: number;
  classes?: string[];
  /** Per-channel normalization scale (default 1/64: Myo counts of about +-128 become +-2). */
  normScale?: number;
}

export interface TestPackage {
  dir: string;
  manifest: ModelManifest;
  tflite: Uint8Array;
  sha256: string;
}

export function writeTestPackage(dir: string, options: TestPackageOptions = {}): TestPackage {
  const seed = options.seed ?? 7;
  const channels = options.channels ?? 8;
  const length = options.length ?? 52;
  const embedding = options.embedding ?? 16;
  const filters = options.filters ?? 8;
  const classes = options.classes ?? MYO_GESTURE_NAMES;
  const model = conv1dExtractorModel(seed, { timeSteps: length, channels, filters, embedding });
  const tflite = writeTflite(model);
  const sg = model.subgraphs[0]!;
  const quant = (index: number) => {
    const t = sg.tensors[index]!;
    return { scale: t.quantization!.scale[0]!, zeroPoint: t.quantization!.zeroPoint[0]!, shape: [...t.shape] };
  };
  const sha256 = sha256Hex(tflite);
  const rng = createRng(seed);
  const centroids = Array.from({ length: classes.length * embedding }, () => rng.normal());
  const head: NcmHeadData = { kind: 'ncm', classes: classes.length, dim: embedding, centroids };
  const manifest: ModelManifest = {
    format: 'headstart-model-package',
    formatVersion: 1,
    name: `test-${channels}ch-${options.rate ?? 200}hz-seed${seed}`,
    producerVersion: 'test',
    createdAt: new Date(0).toISOString(),
    modality: 'emg',
    channels,
    channelNames: Array.from({ length: channels }, (_, i) => `ch${i}`),
    sampleRate: options.rate ?? 200,
    window: { length, hop: options.hop ?? 5 },
    normalization: { offset: new Array<number>(channels).fill(0), scale: new Array<number>(channels).fill(options.normScale ?? 1 / 64) },
    classes,
    embeddingSize: embedding,
    split: { frozen: 'extractor', embeddingTransform: 'none', head: 'linear-or-ncm' },
    extractor: {
      config: { windowLength: length, channels, blocks: [{ filters, kernel: 7, pool: 2 }], embedding },
      floatModel: 'float',
      tflite: { file: 'extractor.tflite', sha256, bytes: tflite.length, input: quant(sg.inputs[0]!), output: quant(sg.outputs[0]!) },
    },
    populationHead: 'population_head.json',
    trainingReport: 'training_report.json',
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'extractor.tflite'), tflite);
  writeFileSync(join(dir, 'population_head.json'), JSON.stringify(head));
  writeFileSync(join(dir, 'training_report.json'), JSON.stringify({ note: 'test package: random extractor weights' }));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return { dir, manifest, tflite, sha256 };
}
