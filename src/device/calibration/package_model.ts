/**
 * A model package as the calibration sees it: the board format it expects,
 * the windowing and normalization, and a head trainer that embeds windows
 * with the package's int8 extractor (native TFLite runtime or the
 * TypeScript interpreter) and trains the profile head on them.
 */
import { resolve } from 'node:path';
import type { HeadMethod } from '../../core/head/head.ts';
import { embedWithRuntime } from '../../io/extractor_embed.ts';
import { loadModelPackage } from '../../io/model_package.ts';
import { trainProfileHead } from '../profiles/train.ts';
import { defaultGuard } from '../../tfjs/select_head.ts';
import { openRuntime } from '../../io/runtime/open_runtime.ts';
import type { RuntimeChoice } from '../../io/runtime/types.ts';
import type { CalibrationModel } from './training.ts';

export interface PackageModelOptions {
  runtime?: RuntimeChoice;
  /** Head methods to choose from by cross-validation (default: the profile trainer's). */
  methods?: HeadMethod[];
}

export interface PackageModel extends CalibrationModel {
  /** Set when the native runtime could not be used: why. */
  fallbackReason?: string;
}

export function packageCalibrationModel(dir: string, options: PackageModelOptions = {}): PackageModel {
  const pkg = loadModelPackage(dir, { requireTflite: true });
  const { manifest } = pkg;
  const opened = openRuntime(pkg.tflite!, { runtime: options.runtime ?? 'auto' });
  return {
    name: manifest.name,
    // Absolute, so that `run` finds the package from the profile wherever it is started.
    dir: resolve(dir),
    extractorSha256: manifest.extractor.tflite!.sha256,
    modality: manifest.modality,
    channels: manifest.channels,
    rate: manifest.sampleRate,
    window: manifest.window,
    ...(manifest.preprocessing ? { filters: manifest.preprocessing } : {}),
    normalization: manifest.normalization,
    ...(opened.fallbackReason ? { fallbackReason: opened.fallbackReason } : {}),
    trainHead: async (set, classes) => {
      const embeddings = embedWithRuntime(opened.runtime, manifest, set);
      return trainProfileHead({ embeddings, windows: set, labels: set.y, classes: classes.length }, set.rep, {
        ...(options.methods ? { methods: options.methods } : {}),
        guard: defaultGuard(manifest.window),
        ...(pkg.priors ? { prior: pkg.priors.transfer } : {}),
      });
    },
  };
}
