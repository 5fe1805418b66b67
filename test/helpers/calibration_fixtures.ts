/**
 * Fixtures for the calibration tests: a small model package whose int8
 * extractor is the interpreter's conv1d sample model (random weights, the
 * Myo window shape), and a stand-in model with hand-made features.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CalibrationModel } from '../../src/device/calibration/training.ts';
import { trainProfileHead } from '../../src/device/profiles/train.ts';
import { conv1dExtractorModel } from '../../src/core/tflite/interpreter/sample_models.ts';
import { writeTflite } from '../../src/core/tflite/writer.ts';
import { MYO_GESTURES } from '../../src/io/datasets/myo.ts';

export const PERSON = 'data/demo/EvaluationDataset/Male0/training0';

/**
 * Writes a model package for 8 channels at 200 Hz into `dir`, channels given by `channels`; `modality` is what
 * the manifest says the sensors measure (run warns before adapting an EEG head).
 */
export function writeTestPackage(dir: string, channels = 8, modality: 'emg' | 'eeg' = 'emg'): void {
  mkdirSync(dir, { recursive: true });
  const model = conv1dExtractorModel(3, { channels, embedding: 32 });
  const bytes = writeTflite(model);
  writeFileSync(join(dir, 'extractor.tflite'), bytes);
  const sub = model.subgraphs[0]!;
  const input = sub.tensors[sub.inputs[0]!]!;
  const output = sub.tensors[sub.outputs[0]!]!;
  const q = (t: typeof input) => ({ scale: t.quantization!.scale[0]!, zeroPoint: t.quantization!.zeroPoint[0]!, shape: [...t.shape] });
  const embedding = output.shape[1]!;
  writeFileSync(join(dir, 'population_head.json'), JSON.stringify({ kind: 'ncm', classes: 7, dim: embedding, centroids: new Array(7 * embedding).fill(0) }));
  writeFileSync(join(dir, 'training_report.json'), '{}');
  const manifest = {
    format: 'headstart-model-package',
    formatVersion: 1,
    name: `test-package-${channels}ch`,
    producerVersion: 'test',
    createdAt: '2026-01-01T00:00:00.000Z',
    modality,
    channels,
    channelNames: Array.from({ length: channels }, (_, i) => `ch${i}`),
    sampleRate: 200,
    window: { length: 52, hop: 10 },
    normalization: { offset: new Array(channels).fill(0), scale: new Array(channels).fill(1 / 32) },
    classes: MYO_GESTURES,
    embeddingSize: embedding,
    split: { frozen: 'extractor', embeddingTransform: 'none', head: 'linear-or-ncm' },
    extractor: {
      config: { windowLength: 52, channels, blocks: [{ filters: 32, kernel: 7, pool: 2 }], embedding },
      floatModel: 'float',
      tflite: { file: 'extractor.tflite', sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length, input: q(input), output: q(output) },
    },
    populationHead: 'population_head.json',
    trainingReport: 'training_report.json',
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
}

/** A stand-in for a model package: per-channel log mean absolute value and waveform length as the embedding. */
export function featureModel(): CalibrationModel {
  return {
    name: 'test-features',
    extractorSha256: '0'.repeat(64),
    channels: 8,
    rate: 200,
    window: { length: 52, hop: 10 },
    trainHead: async (set, classes) => {
      const dim = 2 * set.channels;
      const data = new Float32Array(set.count * dim);
      for (let w = 0; w < set.count; w++) {
        for (let c = 0; c < set.channels; c++) {
          let mav = 0;
          let wl = 0;
          for (let i = 0; i < set.length; i++) {
            const v = set.x[(w * set.length + i) * set.channels + c]!;
            mav += Math.abs(v);
            if (i > 0) wl += Math.abs(v - set.x[(w * set.length + i - 1) * set.channels + c]!);
          }
          data[w * dim + c] = Math.log1p(mav / set.length);
          data[w * dim + set.channels + c] = Math.log1p(wl / set.length);
        }
      }
      return trainProfileHead({ embeddings: { count: set.count, dim, data }, labels: set.y, classes: classes.length }, set.rep, { methods: ['lda', 'ncm'] });
    },
  };
}

const BIN = fileURLToPath(new URL('../../bin/headstart.js', import.meta.url));

export interface Spawned {
  child: ChildProcess;
  done: Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Runs the bin without blocking this process (the virtual board lives here). */
export function spawnCli(args: string[]): Spawned {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (status, signal) => setImmediate(() => resolve({ status, signal, stdout, stderr }))),
  );
  return { child, done };
}

/** `calibrate` on `<dir>/board` for profile alice, with `<dir>/package` and `<dir>/data`, without questions. */
export function calibrateArgs(dir: string, extra: string[]): string[] {
  return ['calibrate', '--port', join(dir, 'board'), '--profile', 'alice', '--package', join(dir, 'package'), '--data-dir', join(dir, 'data'), '--baud', '2000000', '--auto', ...extra];
}

