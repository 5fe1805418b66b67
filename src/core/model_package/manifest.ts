/**
 * The model package manifest: the contract between host and device. A
 * package is a folder holding `manifest.json` and the files it names. The
 * manifest is validated on load; every problem names the field and says how
 * to fix it.
 */
import { checkFilterSpecs, type FilterSpec } from '../dsp/filters.ts';
import type { Preprocessing } from '../dsp/preprocess.ts';
import { HeadstartError } from '../errors.ts';
import type { ChannelNormalization } from '../windowing.ts';

export const MANIFEST_FILE = 'manifest.json';
export const PACKAGE_FORMAT = 'headstart-model-package';
export const PACKAGE_FORMAT_VERSION = 1;

/** How the int8 extractor's input and output map to real values: real = scale * (q - zeroPoint). */
export interface TensorQuantization {
  scale: number;
  zeroPoint: number;
}

export interface ExtractorFiles {
  /** The 1-D CNN's shape (src/host/extractor/config.ts ExtractorConfig). */
  config: { windowLength: number; channels: number; blocks: { filters: number; kernel: number; pool: number }[]; embedding: number };
  /** Float weights in tfjs layers format (folder with model.json + weights.bin), for re-export. */
  floatModel: string;
  /** The int8 TFLite extractor, once exported. */
  tflite?: {
    file: string;
    sha256: string;
    bytes: number;
    /**
     * With channelScales, the device quantizes channel c of a normalized window
     * as round(x / channelScales[c]) + zeroPoint, not with `scale` (which the
     * .tflite records for the tensor; its first convolution absorbs the ratios).
     */
    input: TensorQuantization & { shape: number[]; channelScales?: number[] };
    output: TensorQuantization & { shape: number[] };
  };
  /** The same bytes as a C array for firmware (.h and .cc), once exported. */
  cArray?: { header: string; source: string; symbol: string };
}

export interface ModelManifest {
  format: typeof PACKAGE_FORMAT;
  formatVersion: number;
  name: string;
  producerVersion: string;
  createdAt: string;
  modality: 'emg' | 'eeg';
  channels: number;
  channelNames: string[];
  /** Samples per second per channel that the extractor was trained at. */
  sampleRate: number;
  window: { length: number; hop: number };
  /**
   * Filters applied at `sampleRate` (after resampling a board to it) before
   * windows are cut, in order, on the host and on the device alike (see
   * src/core/dsp/preprocess.ts). Absent: none (samples are windowed as the
   * board sends them, as for the EMG packages).
   */
  preprocessing?: FilterSpec[];
  /** Applied to raw samples before the extractor: x' = (x - offset[c]) * scale[c]. */
  normalization: ChannelNormalization;
  /** Names of the population head's classes, in index order. */
  classes: string[];
  embeddingSize: number;
  /**
   * Where the frozen part ends: the extractor's output (the embedding) feeds
   * the per-user head. Recorded so that a package with a different split is
   * recognisable.
   */
  split: { frozen: 'extractor'; embeddingTransform: 'none'; head: 'linear-or-ncm' };
  extractor: ExtractorFiles;
  /** The population head (JSON HeadData), used before any calibration (k = 0). */
  populationHead: string;
  /** Training report (JSON). */
  trainingReport: string;
  /** Float vs int8 agreement report (JSON), once exported. */
  quantizationReport?: string;
  /** Population priors for the wearer's head and the classical baseline (JSON), once exported. */
  priors?: string;
}

type Json = Record<string, unknown>;

function fail(field: string, problem: string): never {
  throw new HeadstartError('BAD_PACKAGE', `manifest.json: ${field} ${problem}; re-create the package with \`headstart pretrain\` / \`headstart export\``, { field });
}

function num(o: Json, field: string, path: string, integer = false): number {
  const v = o[field];
  if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) fail(`${path}${field}`, `must be a finite ${integer ? 'whole ' : ''}number`);
  return v;
}

function str(o: Json, field: string, path: string): string {
  const v = o[field];
  if (typeof v !== 'string' || v.length === 0) fail(`${path}${field}`, 'must be a non-empty string');
  return v;
}

function obj(o: Json, field: string, path: string): Json {
  const v = o[field];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`${path}${field}`, 'must be an object');
  return v as Json;
}

function numArray(o: Json, field: string, path: string, length?: number): number[] {
  const v = o[field];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) fail(`${path}${field}`, 'must be an array of finite numbers');
  if (length !== undefined && v.length !== length) fail(`${path}${field}`, `must have ${length} entries (one per channel), not ${v.length}`);
  return v as number[];
}

function quant(o: Json, path: string): TensorQuantization & { shape: number[] } {
  return { scale: num(o, 'scale', path), zeroPoint: num(o, 'zeroPoint', path, true), shape: numArray(o, 'shape', path) };
}

function inputQuant(o: Json, channels: number): TensorQuantization & { shape: number[]; channelScales?: number[] } {
  const path = 'extractor.tflite.input.';
  const q = quant(o, path);
  if (o.channelScales === undefined) return q;
  const channelScales = numArray(o, 'channelScales', path, channels);
  if (channelScales.some((s) => !(s > 0))) fail(`${path}channelScales`, 'must all be positive');
  return { ...q, channelScales };
}

/** Validates parsed manifest JSON; throws BAD_PACKAGE naming the first bad field. */
export function validateManifest(value: unknown): ModelManifest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('(root)', 'must be a JSON object');
  const m = value as Json;
  if (m.format !== PACKAGE_FORMAT) fail('format', `must be "${PACKAGE_FORMAT}" (this folder is not a headstart model package)`);
  const formatVersion = num(m, 'formatVersion', '', true);
  if (formatVersion > PACKAGE_FORMAT_VERSION) {
    throw new HeadstartError('FORMAT_TOO_NEW', `manifest.json: package format ${formatVersion} is newer than this headstart reads (${PACKAGE_FORMAT_VERSION}); upgrade headstart`);
  }
  const channels = num(m, 'channels', '', true);
  if (channels < 1) fail('channels', 'must be at least 1');
  const channelNames = m.channelNames;
  if (!Array.isArray(channelNames) || channelNames.length !== channels || channelNames.some((n) => typeof n !== 'string')) fail('channelNames', `must list ${channels} names`);
  const modality = m.modality;
  if (modality !== 'emg' && modality !== 'eeg') fail('modality', 'must be "emg" or "eeg"');
  const window = obj(m, 'window', '');
  const norm = obj(m, 'normalization', '');
  const classes = m.classes;
  if (!Array.isArray(classes) || classes.length < 2 || classes.some((c) => typeof c !== 'string')) fail('classes', 'must list at least two class names');
  const split = obj(m, 'split', '');
  if (split.frozen !== 'extractor') fail('split.frozen', 'must be "extractor" (the only split this version runs)');
  const ex = obj(m, 'extractor', '');
  const cfg = obj(ex, 'config', 'extractor.');
  const blocks = cfg.blocks;
  if (!Array.isArray(blocks) || blocks.length === 0) fail('extractor.config.blocks', 'must list the conv blocks');
  const extractor: ExtractorFiles = {
    config: {
      windowLength: num(cfg, 'windowLength', 'extractor.config.', true),
      channels: num(cfg, 'channels', 'extractor.config.', true),
      embedding: num(cfg, 'embedding', 'extractor.config.', true),
      blocks: (blocks as Json[]).map((b, i) => ({
        filters: num(b, 'filters', `extractor.config.blocks[${i}].`, true),
        kernel: num(b, 'kernel', `extractor.config.blocks[${i}].`, true),
        pool: num(b, 'pool', `extractor.config.blocks[${i}].`, true),
      })),
    },
    floatModel: str(ex, 'floatModel', 'extractor.'),
  };
  if (ex.tflite !== undefined) {
    const t = obj(ex, 'tflite', 'extractor.');
    const sha256 = str(t, 'sha256', 'extractor.tflite.');
    if (!/^[0-9a-f]{64}$/.test(sha256)) fail('extractor.tflite.sha256', 'must be 64 lowercase hex digits');
    extractor.tflite = {
      file: str(t, 'file', 'extractor.tflite.'),
      sha256,
      bytes: num(t, 'bytes', 'extractor.tflite.', true),
      input: inputQuant(obj(t, 'input', 'extractor.tflite.'), channels),
      output: quant(obj(t, 'output', 'extractor.tflite.'), 'extractor.tflite.output.'),
    };
  }
  if (ex.cArray !== undefined) {
    const c = obj(ex, 'cArray', 'extractor.');
    extractor.cArray = { header: str(c, 'header', 'extractor.cArray.'), source: str(c, 'source', 'extractor.cArray.'), symbol: str(c, 'symbol', 'extractor.cArray.') };
  }
  const manifest: ModelManifest = {
    format: PACKAGE_FORMAT,
    formatVersion,
    name: str(m, 'name', ''),
    producerVersion: str(m, 'producerVersion', ''),
    createdAt: str(m, 'createdAt', ''),
    modality,
    channels,
    channelNames: channelNames as string[],
    sampleRate: num(m, 'sampleRate', ''),
    window: { length: num(window, 'length', 'window.', true), hop: num(window, 'hop', 'window.', true) },
    normalization: { offset: numArray(norm, 'offset', 'normalization.', channels), scale: numArray(norm, 'scale', 'normalization.', channels) },
    classes: classes as string[],
    embeddingSize: num(m, 'embeddingSize', '', true),
    split: { frozen: 'extractor', embeddingTransform: 'none', head: 'linear-or-ncm' },
    extractor,
    populationHead: str(m, 'populationHead', ''),
    trainingReport: str(m, 'trainingReport', ''),
  };
  if (m.quantizationReport !== undefined) manifest.quantizationReport = str(m, 'quantizationReport', '');
  if (m.priors !== undefined) manifest.priors = str(m, 'priors', '');
  if (m.preprocessing !== undefined) {
    try {
      manifest.preprocessing = checkFilterSpecs(m.preprocessing, manifest.sampleRate, 'preprocessing');
    } catch (err) {
      throw new HeadstartError('BAD_PACKAGE', `manifest.json: ${(err as Error).message}; re-create the package with \`headstart pretrain\``, { field: 'preprocessing' });
    }
  }
  if (manifest.extractor.config.channels !== channels) fail('extractor.config.channels', `is ${manifest.extractor.config.channels} but the package has ${channels} channels`);
  if (manifest.extractor.config.windowLength !== manifest.window.length) fail('extractor.config.windowLength', 'must equal window.length');
  if (manifest.extractor.config.embedding !== manifest.embeddingSize) fail('embeddingSize', 'must equal extractor.config.embedding');
  return manifest;
}

/** The chain a package applies to raw samples before its windows: its rate, then its filters. */
export function packagePreprocessing(manifest: Pick<ModelManifest, 'sampleRate' | 'preprocessing'>): Preprocessing {
  return { rate: manifest.sampleRate, filters: manifest.preprocessing ?? [] };
}
