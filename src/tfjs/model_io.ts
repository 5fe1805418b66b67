/**
 * Saves and loads tfjs layers models as `model.json` + `weights.bin` in a
 * folder, without tfjs-node's file:// handler (absent when tfjs-node is not
 * installed). Files are written atomically.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { HeadstartError } from '../core/errors.ts';
import { writeFileAtomic } from '../io/atomic_file.ts';

const WEIGHTS_FILE = 'weights.bin';

export async function saveLayersModel(model: tf.LayersModel, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = artifacts.weightData ? Buffer.from(tf.io.concatenateArrayBuffers(([] as ArrayBuffer[]).concat(artifacts.weightData as ArrayBuffer | ArrayBuffer[]))) : Buffer.alloc(0);
      writeFileAtomic(join(dir, WEIGHTS_FILE), weights);
      const json = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
      };
      writeFileAtomic(join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.length } };
    }),
  );
}

export async function loadLayersModel(dir: string): Promise<tf.LayersModel> {
  return loadLayersModelFrom(dir, 'model.json');
}

async function loadLayersModelFrom(dir: string, file: string): Promise<tf.LayersModel> {
  let json: { modelTopology: object; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
  try {
    json = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  } catch (err) {
    throw new HeadstartError('BAD_PACKAGE', `${join(dir, file)}: cannot read a tfjs model (${(err as Error).message})`);
  }
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const buffers = json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p))));
  const weightData = tf.io.concatenateArrayBuffers(buffers.map((b) => Uint8Array.from(b).buffer));
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData }));
}

/** A Layers model from its model.json file, whatever the file is called; its weight files are found beside it. */
export async function loadLayersModelFile(modelJson: string): Promise<tf.LayersModel> {
  return loadLayersModelFrom(dirname(modelJson), basename(modelJson));
}
