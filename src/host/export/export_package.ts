/**
 * `headstart export` as a function: fold, calibrate, quantize and write the
 * package's extractor as an int8 TensorFlow Lite model, check it against
 * the float model on windows calibration did not see (on the official
 * runtime when it loads), and add the .tflite, its C array and the
 * quantization report to the package, the manifest last.
 */
import { isAbsolute, join, relative, resolve } from 'node:path';
import { HeadstartError } from '../../core/errors.ts';
import type { HeadData } from '../../core/head/head.ts';
import { MANIFEST_FILE, type ModelManifest, packagePreprocessing } from '../../core/model_package/manifest.ts';
import { createRng, shuffledIndices } from '../../core/rng.ts';
import { tfliteToCArray } from '../../core/tflite/c_array.ts';
import { tflmVerdict } from '../../core/tflite/tflm.ts';
import { writeTflite } from '../../core/tflite/writer.ts';
import { PRODUCER_VERSION } from '../../io/version.ts';
import { selectWindows, type WindowSet, windowRecordings } from '../../core/window_set.ts';
import { embedWithRuntime } from '../../io/extractor_embed.ts';
import { PRIORS_FILE, readManifest, readPackageJson, sha256Hex } from '../../io/model_package.ts';
import { modalityInputs } from '../../core/head/head_input.ts';
import { computePackagePriors } from '../priors.ts';
import { openRuntime } from '../../io/runtime/open_runtime.ts';
import { openTsRuntime } from '../../io/runtime/ts_runtime.ts';
import type { TfliteRuntime } from '../../io/runtime/types.ts';
import { writeFileAtomic } from '../../io/atomic_file.ts';
import { type DatasetSpec, loadDataset } from '../../io/datasets/index.ts';
import { embedWindows } from '../evaluate/embed.ts';
import { writeJsonAtomic, writeManifest } from '../package_write.ts';
import { loadLayersModel } from '../../tfjs/model_io.ts';
import { DEFAULT_EXPORT, type ExportOptions, INPUT_SCALINGS, trainingDataSpec } from './export_options.ts';
import { cosineSimilarity, top1Agreement } from './agreement.ts';
import { buildExtractorGraph } from './build_graph.ts';
import { calibrateRanges, inputChannelRanges } from './calibrate.ts';
import { foldExtractor } from './fold.ts';
import { quantizeExtractor } from './quantize.ts';
import { floatModelSizes, layerReports, QUANTIZATION_REPORT_FORMAT, type QuantizationReport, THRESHOLDS } from './report.ts';

export const EXTRACTOR_FILE = 'extractor.tflite';
export const C_ARRAY_HEADER = 'extractor_model_data.h';
export const C_ARRAY_SOURCE = 'extractor_model_data.cc';
export const C_ARRAY_SYMBOL = 'g_extractor_model_data';
export const QUANTIZATION_REPORT_FILE = 'quantization_report.json';

export interface ExportResult {
  manifest: ModelManifest;
  report: QuantizationReport;
  /** Paths written, in order (the manifest last). */
  files: string[];
}

function checkCount(setting: keyof ExportOptions, what: string, n: number, min: number): void {
  if (!Number.isInteger(n) || n < min) throw new HeadstartError('BAD_OPTION', `${what} must be a whole number of at least ${min} (got ${n})`, { setting });
}

/** Disjoint random subsets of the windows for calibration and for the check. */
function splitWindows(set: WindowSet, calibration: number, check: number, seed: number): { calibration: WindowSet; check: WindowSet } {
  if (set.count < 2) throw new HeadstartError('NOT_ENOUGH_DATA', `the representative data holds ${set.count} window(s); export needs at least 2 (one to calibrate, one to check)`);
  const nCal = Math.min(calibration, Math.ceil(set.count / 2));
  const nCheck = Math.min(check, set.count - nCal);
  const order = shuffledIndices(set.count, createRng(seed));
  const role = new Int8Array(set.count);
  for (let i = 0; i < nCal + nCheck; i++) role[order[i]] = i < nCal ? 1 : 2;
  return { calibration: selectWindows(set, (i) => role[i] === 1), check: selectWindows(set, (i) => role[i] === 2) };
}

/** Runs `windows` through both runtimes and counts windows with byte-identical outputs. */
function identicalWindows(native: TfliteRuntime, ts: TfliteRuntime, manifest: ModelManifest, set: WindowSet): number {
  const a = embedWithRuntime(native, manifest, set);
  const b = embedWithRuntime(ts, manifest, set);
  let same = 0;
  for (let i = 0; i < set.count; i++) {
    let equal = true;
    for (let d = 0; d < a.dim && equal; d++) equal = Object.is(a.data[i * a.dim + d], b.data[i * a.dim + d]);
    if (equal) same++;
  }
  return same;
}

export async function exportPackage(dir: string, options: Partial<ExportOptions> = {}): Promise<ExportResult> {
  const opts: ExportOptions = { ...DEFAULT_EXPORT, ...options };
  checkCount('calibrationWindows', 'the number of calibration windows', opts.calibrationWindows, 1);
  checkCount('checkWindows', 'the number of check windows', opts.checkWindows, 1);
  checkCount('interpreterWindows', 'the number of interpreter check windows', opts.interpreterWindows, 0);
  if (!INPUT_SCALINGS.includes(opts.inputScaling)) {
    throw new HeadstartError('BAD_OPTION', `the input scaling must be one of ${INPUT_SCALINGS.join(', ')} (got ${JSON.stringify(opts.inputScaling)})`, { setting: 'inputScaling' });
  }
  const tell = opts.onProgress ?? (() => {});
  // Each step starts on a new turn of the event loop: the steps are synchronous, and a signal (Ctrl-C) is only seen between turns.
  const progress = async (message: string): Promise<void> => {
    await new Promise((resolve) => setImmediate(resolve));
    tell(message);
  };
  const manifest = readManifest(dir);
  const head = readPackageJson(join(dir, manifest.populationHead), 'the population head') as HeadData;

  const spec: DatasetSpec = opts.data ?? trainingDataSpec(dir, manifest);
  await progress(`reading representative data from ${spec.path}`);
  const dataset = loadDataset(spec);
  if (dataset.channels !== manifest.channels) {
    throw new HeadstartError('DATA_PACKAGE_MISMATCH', `${spec.path} has ${dataset.channels} channels but the package's extractor takes ${manifest.channels}; give the data it was trained on`);
  }
  if (dataset.rate < manifest.sampleRate) {
    throw new HeadstartError('DATA_PACKAGE_MISMATCH', `${spec.path} is sampled at ${dataset.rate} Hz but the package's extractor was trained at ${manifest.sampleRate} Hz; give data at that rate or higher`);
  }
  // Through the package's chain (resampled to its rate, its filters), as the device will window them.
  const all = windowRecordings(dataset.recordings, manifest.window, manifest.normalization, packagePreprocessing(manifest));
  const { calibration, check } = splitWindows(all, opts.calibrationWindows, opts.checkWindows, opts.seed);

  await progress(`folding batch norm and calibrating on ${calibration.count} of ${all.count} windows`);
  const extractor = await loadLayersModel(join(dir, manifest.extractor.floatModel));
  const folded = foldExtractor(extractor, manifest.extractor.config);
  const ranges = calibrateRanges(folded, calibration.x, calibration.count, { percentile: opts.percentile });
  const inputChannels = opts.inputScaling === 'per-channel' ? inputChannelRanges(calibration.x, manifest.channels, { percentile: opts.percentile }) : undefined;
  const quantized = quantizeExtractor(folded, ranges, { inputChannels });
  const model = buildExtractorGraph(quantized, {
    channels: manifest.channels,
    rate: manifest.sampleRate,
    window: manifest.window.length,
    hop: manifest.window.hop,
    normalization: manifest.normalization,
    embeddingSize: manifest.embeddingSize,
  });
  const bytes = writeTflite(model);

  const exported: ModelManifest = {
    ...manifest,
    extractor: {
      ...manifest.extractor,
      tflite: {
        file: EXTRACTOR_FILE,
        sha256: sha256Hex(bytes),
        bytes: bytes.length,
        input: { ...quantized.input, shape: [1, manifest.window.length, manifest.channels] },
        output: { ...quantized.output, shape: [1, manifest.embeddingSize] },
      },
      cArray: { header: C_ARRAY_HEADER, source: C_ARRAY_SOURCE, symbol: C_ARRAY_SYMBOL },
    },
    quantizationReport: QUANTIZATION_REPORT_FILE,
  };

  const { runtime, fallbackReason } = openRuntime(bytes, { runtime: opts.runtime });
  await progress(`checking int8 against float on ${check.count} windows with the ${runtime.kind === 'native' ? 'official TensorFlow Lite runtime' : 'TypeScript interpreter'}`);
  const floatEmbeddings = embedWindows(extractor, check);
  extractor.dispose();
  const int8Embeddings = embedWithRuntime(runtime, exported, check);
  const cosine = cosineSimilarity(floatEmbeddings, int8Embeddings);
  const agreement = top1Agreement(head, floatEmbeddings, int8Embeddings);
  const passed = cosine.mean >= THRESHOLDS.meanCosine && agreement >= THRESHOLDS.top1Agreement;

  let interpreterCheck: QuantizationReport['interpreterCheck'];
  if (runtime.kind !== 'native') interpreterCheck = { skipped: 'the check itself ran on the TypeScript interpreter' };
  else if (opts.interpreterWindows === 0) interpreterCheck = { skipped: 'not asked for' };
  else {
    const n = Math.min(opts.interpreterWindows, check.count);
    interpreterCheck = { windows: n, identical: identicalWindows(runtime, openTsRuntime(bytes), exported, selectWindows(check, (i) => i < n)) };
  }

  const float = floatModelSizes(join(dir, manifest.extractor.floatModel));
  const constantBytes = model.buffers.reduce((n, b, i) => n + (model.subgraphs[0].tensors.some((t) => t.buffer === i) ? b.length : 0), 0);
  const verdict = tflmVerdict(model);
  const report: QuantizationReport = {
    format: QUANTIZATION_REPORT_FORMAT,
    producerVersion: PRODUCER_VERSION,
    createdAt: new Date().toISOString(),
    // Relative to where export ran, as pretrain records its data: an absolute path names one machine's folders.
    data: { path: isAbsolute(spec.path) ? relative(resolve('.'), spec.path) || '.' : spec.path, windows: all.count, calibrationWindows: calibration.count, checkWindows: check.count, seed: opts.seed },
    calibration: opts.percentile === undefined ? { method: 'min-max' } : { method: 'percentile', percentile: opts.percentile },
    weights: 'int8 symmetric, per output channel (CONV_2D), per tensor (FULLY_CONNECTED)',
    activations: 'int8 asymmetric, per tensor',
    input: exported.extractor.tflite!.input,
    output: exported.extractor.tflite!.output,
    layers: layerReports(ranges, quantized),
    check: {
      runtime: runtime.kind,
      ...(fallbackReason ? { fallbackReason } : {}),
      windows: check.count,
      cosine,
      populationTop1Agreement: agreement,
      thresholds: THRESHOLDS,
      passed,
    },
    interpreterCheck,
    sizes: {
      tfliteBytes: bytes.length,
      constantBytes,
      floatWeightBytes: float.weights,
      floatModelBytes: float.model,
      tfliteToFloatWeights: bytes.length / float.weights,
      tfliteToFloatModel: bytes.length / float.model,
    },
    tflm: { runnable: verdict.runnable, graph: verdict.graph, reasons: verdict.reasons },
  };

  if (!passed && !opts.force) {
    throw new HeadstartError(
      'QUANTIZATION_CHECK_FAILED',
      `the int8 extractor agrees too little with the float one (mean cosine ${cosine.mean.toFixed(4)}, need ${THRESHOLDS.meanCosine}; ` +
        `population top-1 agreement ${(agreement * 100).toFixed(2)} %, need ${THRESHOLDS.top1Agreement * 100} %); nothing was written. ` +
        'Clipping the ranges to a percentile or calibrating on more windows may help; or write it anyway (force)',
      { report },
    );
  }

  await progress(`computing the population priors on ${dataset.recordings.length} recordings`);
  // An EEG package's heads read band power beside the embedding, an EMG package's time-domain features.
  const inputs = modalityInputs(manifest.modality);
  const priors = computePackagePriors(exported, runtime, dataset.recordings, { transfer: opts.headInput ?? inputs.transfer, classical: inputs.classical });
  exported.priors = PRIORS_FILE;

  const c = tfliteToCArray(bytes, C_ARRAY_SYMBOL, C_ARRAY_HEADER);
  const files = [join(dir, EXTRACTOR_FILE), join(dir, C_ARRAY_HEADER), join(dir, C_ARRAY_SOURCE), join(dir, QUANTIZATION_REPORT_FILE), join(dir, PRIORS_FILE), join(dir, MANIFEST_FILE)];
  writeFileAtomic(files[0], bytes);
  writeFileAtomic(files[1], c.header);
  writeFileAtomic(files[2], c.source);
  writeJsonAtomic(files[3], report);
  writeFileAtomic(files[4], JSON.stringify(priors) + '\n');
  writeManifest(dir, exported);
  return { manifest: exported, report, files };
}
