/**
 * The quantization report stored in the model package: how each layer was
 * quantized, how well the int8 extractor agrees with the float one (and on
 * which runtime that was measured), and what it weighs.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { HeadstartError } from '../../core/errors.ts';
import type { TflmVerdict } from '../../core/tflite/tflm.ts';
import type { CosineSummary } from './agreement.ts';
import type { StageRange } from './calibrate.ts';
import type { InputQuant, QuantizedExtractor, TensorQuant } from './quantize.ts';

export const QUANTIZATION_REPORT_FORMAT = 'headstart-quantization-report';

/** What export requires of the int8 extractor before it writes it into a package (from the acceptance figures). */
export const THRESHOLDS = { meanCosine: 0.99, top1Agreement: 0.99 } as const;

export interface LayerReport extends TensorQuant {
  stage: string;
  /** Range used for the scale and zero point (before widening to include 0). */
  min: number;
  max: number;
  observedMin: number;
  observedMax: number;
  /** Weight scales of the operator producing this stage (per output channel for convolutions). */
  weightScales?: { count: number; min: number; max: number };
}

export interface SizeReport {
  tfliteBytes: number;
  /** int8 weights + int32 biases + small constants inside the file. */
  constantBytes: number;
  /** The float weight shards (weights.bin). */
  floatWeightBytes: number;
  /** The float model as the package stores it (model.json + shards). */
  floatModelBytes: number;
  tfliteToFloatWeights: number;
  tfliteToFloatModel: number;
}

export interface QuantizationReport {
  format: typeof QUANTIZATION_REPORT_FORMAT;
  producerVersion: string;
  createdAt: string;
  data: { path: string; windows: number; calibrationWindows: number; checkWindows: number; seed: number };
  calibration: { method: 'min-max' | 'percentile'; percentile?: number };
  weights: 'int8 symmetric, per output channel (CONV_2D), per tensor (FULLY_CONNECTED)';
  activations: 'int8 asymmetric, per tensor';
  /** With channelScales when each input channel has its own scale. */
  input: InputQuant & { shape: number[] };
  output: TensorQuant & { shape: number[] };
  layers: LayerReport[];
  check: {
    runtime: 'native' | 'ts';
    /** Why the native runtime was not used, when it was not. */
    fallbackReason?: string;
    windows: number;
    cosine: CosineSummary;
    populationTop1Agreement: number;
    thresholds: typeof THRESHOLDS;
    passed: boolean;
  };
  /** Whether headstart's TypeScript interpreter gave the same bytes as the native runtime. */
  interpreterCheck: { windows: number; identical: number } | { skipped: string };
  sizes: SizeReport;
  tflm: Pick<TflmVerdict, 'runnable' | 'graph' | 'reasons'>;
}

function scaleSpan(scales: readonly number[]): LayerReport['weightScales'] {
  return { count: scales.length, min: Math.min(...scales), max: Math.max(...scales) };
}

/** One entry per stage: the calibrated range and the quantization it became. */
export function layerReports(ranges: readonly StageRange[], q: QuantizedExtractor): LayerReport[] {
  const quant: TensorQuant[] = [q.input, ...q.convs.map((c) => c.output), q.mean, ...(q.dense ? [q.dense.output] : [])];
  const scales: (readonly number[] | undefined)[] = [undefined, ...q.convs.map((c) => c.weightScales), undefined, ...(q.dense ? [[q.dense.weightScale]] : [])];
  return ranges.map((r, i) => ({
    stage: r.stage,
    min: r.min,
    max: r.max,
    observedMin: r.observedMin,
    observedMax: r.observedMax,
    scale: quant[i].scale,
    zeroPoint: quant[i].zeroPoint,
    ...(scales[i] ? { weightScales: scaleSpan(scales[i]!) } : {}),
  }));
}

/** Bytes of a tfjs float model folder: its weight shards, and those plus model.json. */
export function floatModelSizes(dir: string): { weights: number; model: number } {
  let json: { weightsManifest?: { paths?: string[] }[] };
  try {
    json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  } catch (err) {
    throw new HeadstartError('BAD_PACKAGE', `${join(dir, 'model.json')}: cannot read the float model (${(err as Error).message})`);
  }
  const shards = (json.weightsManifest ?? []).flatMap((g) => g.paths ?? []);
  const size = (path: string): number => {
    try {
      return statSync(path).size;
    } catch {
      throw new HeadstartError('FILE_NOT_FOUND', `${path}: missing (a weight shard of the float model)`);
    }
  };
  const weights = shards.reduce((n, p) => n + size(join(dir, p)), 0);
  return { weights, model: weights + size(join(dir, 'model.json')) };
}
