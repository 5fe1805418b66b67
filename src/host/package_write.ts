/**
 * Writes a model package folder: float extractor weights (tfjs format), the
 * population head, the training report and the manifest last, each file
 * atomically, so a crash leaves either the previous package or a complete
 * new one's files with the old manifest.
 */
import type * as tf from '@tensorflow/tfjs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { HeadData } from '../core/head/head.ts';
import { MANIFEST_FILE, type ModelManifest, validateManifest } from '../core/model_package/manifest.ts';
import { writeFileAtomic } from '../io/atomic_file.ts';
import { saveLayersModel } from '../tfjs/model_io.ts';

export const FLOAT_MODEL_DIR = 'float';
export const POPULATION_HEAD_FILE = 'population_head.json';
export const TRAINING_REPORT_FILE = 'training_report.json';

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

export function writeManifest(dir: string, manifest: ModelManifest): void {
  validateManifest(JSON.parse(JSON.stringify(manifest)));
  writeJsonAtomic(join(dir, MANIFEST_FILE), manifest);
}

export interface NewPackage {
  manifest: Omit<ModelManifest, 'populationHead' | 'trainingReport' | 'extractor'> & { extractor: Omit<ModelManifest['extractor'], 'floatModel'> };
  extractor: tf.LayersModel;
  populationHead: HeadData;
  trainingReport: unknown;
}

export async function writeModelPackage(dir: string, pkg: NewPackage): Promise<ModelManifest> {
  mkdirSync(dir, { recursive: true });
  await saveLayersModel(pkg.extractor, join(dir, FLOAT_MODEL_DIR));
  writeJsonAtomic(join(dir, POPULATION_HEAD_FILE), pkg.populationHead);
  writeJsonAtomic(join(dir, TRAINING_REPORT_FILE), pkg.trainingReport);
  const manifest: ModelManifest = {
    ...pkg.manifest,
    extractor: { ...pkg.manifest.extractor, floatModel: FLOAT_MODEL_DIR },
    populationHead: POPULATION_HEAD_FILE,
    trainingReport: TRAINING_REPORT_FILE,
  };
  writeManifest(dir, manifest);
  return manifest;
}
