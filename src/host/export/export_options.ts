/**
 * What `headstart export` can be asked, its defaults, and where it finds
 * representative data by default. Kept apart from the exporter so that the
 * CLI can describe its options without loading TensorFlow.js.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { HeadstartError } from '../../core/errors.ts';
import type { HeadInput } from '../../core/head/head_input.ts';
import type { ModelManifest } from '../../core/model_package/manifest.ts';
import { readPackageJson } from '../../io/model_package.ts';
import type { RuntimeChoice } from '../../io/runtime/types.ts';
import type { DatasetSpec } from '../../io/datasets/index.ts';

export interface ExportOptions {
  /** Representative data; default: the `data` path recorded in the package's training report. */
  data?: DatasetSpec;
  /** Windows whose activations set the ranges. */
  calibrationWindows: number;
  /** Other windows on which int8 and float embeddings are compared. */
  checkWindows: number;
  /** Of those, windows also run on the TypeScript interpreter and compared byte for byte with the native runtime. */
  interpreterWindows: number;
  /** Clip each activation range to this percentile (absent: min/max). */
  percentile?: number;
  /**
   * per-channel: each input channel gets its own scale, folded into the first
   * convolution (the device reads them from the manifest or the model's
   * metadata); per-tensor: one input scale, for firmware that quantizes the
   * input from the tensor's parameters alone.
   */
  inputScaling: InputScaling;
  /** Which runtime checks the model: auto = the official (native) one when it loads. */
  runtime: RuntimeChoice;
  /** Write the files even when the check misses the thresholds. */
  force: boolean;
  /** What the wearer's head reads; the transfer prior is computed in that space. Absent: the package's modality's recipe (modalityInputs). */
  headInput?: HeadInput;
  seed: number;
  onProgress?: (message: string) => void;
}

export const INPUT_SCALINGS = ['per-channel', 'per-tensor'] as const;
export type InputScaling = (typeof INPUT_SCALINGS)[number];

export const DEFAULT_EXPORT: ExportOptions = {
  calibrationWindows: 1000,
  checkWindows: 2000,
  interpreterWindows: 200,
  inputScaling: 'per-channel',
  runtime: 'auto',
  force: false,
  seed: 1,
};

/** The channels and people pretraining read from its data, as its training report records them (`dataSelection`). */
export function trainingDataSelection(dir: string, manifest: ModelManifest): Pick<DatasetSpec, 'channels' | 'people'> {
  const report = readPackageJson(join(dir, manifest.trainingReport), 'the training report') as { dataSelection?: { channels?: unknown; people?: unknown } } | null;
  const selection = typeof report === 'object' && report !== null ? report.dataSelection : undefined;
  const names = (v: unknown) => (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined);
  const channels = names(selection?.channels);
  const people = names(selection?.people);
  return { ...(channels ? { channels } : {}), ...(people ? { people } : {}) };
}

/** The data the package was trained on, as its training report records it: the path, the channels and the people read. */
export function trainingDataSpec(dir: string, manifest: ModelManifest): DatasetSpec {
  return { path: trainingDataPath(dir, manifest), ...trainingDataSelection(dir, manifest) };
}

/** The data the package was trained on, as its training report records it (the `data` field). */
export function trainingDataPath(dir: string, manifest: ModelManifest): string {
  const report = readPackageJson(join(dir, manifest.trainingReport), 'the training report') as { data?: unknown };
  const path = typeof report === 'object' && report !== null ? report.data : undefined;
  if (typeof path !== 'string' || path === '') {
    throw new HeadstartError(
      'MISSING_OPTION',
      `${join(dir, manifest.trainingReport)} does not say which data the extractor was trained on; give representative data (e.g. the pretraining data set)`,
      { setting: 'data' },
    );
  }
  // Recorded as given to pretrain: relative to where it ran, else (a moved package) to the package.
  const candidates = isAbsolute(path) ? [path] : [resolve(path), resolve(dir, path)];
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new HeadstartError('FILE_NOT_FOUND', `the training data recorded in the package (${path}) is not here; give representative data`, { file: path, setting: 'data' });
  }
  return found;
}
