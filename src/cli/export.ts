import type { Command } from 'commander';
import { readManifest } from '../io/model_package.ts';
import type { RuntimeChoice } from '../io/runtime/types.ts';
import { DEFAULT_EXPORT, INPUT_SCALINGS, type InputScaling, trainingDataPath, trainingDataSelection } from '../host/export/export_options.ts';
import type { QuantizationReport } from '../host/export/report.ts';
import { addDatasetOptions, type DatasetOptions, datasetSpec } from './dataset_options.ts';
import { addHelpNotes } from './help.ts';
import { stoppable } from './interrupt.ts';
import { choiceOption, numberOption, packageOption, runtimeOption, seedOption, textOption } from './options.ts';

interface ExportCliOptions extends DatasetOptions {
  package: string;
  data?: string;
  calibrationWindows: number;
  checkWindows: number;
  percentile?: number;
  inputScaling: InputScaling;
  runtime: RuntimeChoice;
  seed: number;
  force?: boolean;
  json?: boolean;
}

/** Windows are held in memory while calibrating and checking: a bound keeps a typo from allocating gigabytes. */
const MAX_WINDOWS = 1_000_000;

function summary(dir: string, r: QuantizationReport): string {
  const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
  const lines = [
    `${dir}: int8 extractor written (${r.sizes.tfliteBytes} bytes)`,
    `  calibration: ${r.calibration.method}${r.calibration.percentile !== undefined ? ` ${r.calibration.percentile}` : ''} on ${r.data.calibrationWindows} of ${r.data.windows} windows of ${r.data.path}`,
    `  input  int8 [${r.input.shape.join(', ')}] scale ${r.input.scale.toPrecision(6)} zero point ${r.input.zeroPoint}`,
    ...(r.input.channelScales ? [`         per-channel scales (the device quantizes with these): ${r.input.channelScales.map((s) => s.toPrecision(4)).join(', ')}`] : []),
    `  output int8 [${r.output.shape.join(', ')}] scale ${r.output.scale.toPrecision(6)} zero point ${r.output.zeroPoint}`,
    `  checked on the ${r.check.runtime === 'native' ? 'official TensorFlow Lite runtime' : 'TypeScript interpreter'} over ${r.check.windows} other windows:`,
    `    cosine similarity to float: mean ${r.check.cosine.mean.toFixed(5)}, min ${r.check.cosine.min.toFixed(5)} (need mean >= ${r.check.thresholds.meanCosine})`,
    `    population head top-1 agreement: ${pct(r.check.populationTop1Agreement)} (need >= ${pct(r.check.thresholds.top1Agreement)})${r.check.passed ? '' : '  BELOW THRESHOLD (written because of --force)'}`,
    'windows' in r.interpreterCheck
      ? `    TypeScript interpreter: ${r.interpreterCheck.identical} of ${r.interpreterCheck.windows} windows byte-identical to the native runtime`
      : `    TypeScript interpreter check skipped: ${r.interpreterCheck.skipped}`,
    `  size: ${pct(r.sizes.tfliteToFloatModel)} of the float model (${r.sizes.floatModelBytes} bytes: model.json + weights), ${pct(r.sizes.tfliteToFloatWeights)} of the weight shards alone`,
    `  TensorFlow Lite Micro: ${r.tflm.runnable ? 'can run it' : `cannot run it: ${r.tflm.reasons.join('; ')}`}`,
    '  ranges per layer (min .. max -> scale, zero point):',
    ...r.layers.map((l) => `    ${l.stage.padEnd(10)} ${l.min.toFixed(4)} .. ${l.max.toFixed(4)} -> ${l.scale.toPrecision(5)}, ${l.zeroPoint}`),
  ];
  return lines.join('\n') + '\n';
}

export function registerExport(program: Command): void {
  const cmd = program
    .command('export')
    .summary("quantize a model package's extractor to a full-integer int8 .tflite, check it against the float model, and add it to the package")
    .description(
      "quantize a model package's float extractor to a full-integer int8 TensorFlow Lite model and add it to the package: batch norm folded into the convolutions, ReLU fused, int8 weights (per output channel) and activations calibrated on representative windows; then checks it against the float model on other windows with the official TensorFlow Lite runtime and writes extractor.tflite, its C array (extractor_model_data.h/.cc), quantization_report.json and the manifest",
    )
    .addOption(packageOption('the model package folder (made by `headstart pretrain`)').makeOptionMandatory())
    .addOption(textOption('--data <path>', 'representative data: the data the extractor was trained on (default: the path its training report records)'))
    .addOption(numberOption('--calibration-windows <n>', 'windows, picked at random, whose activations set the int8 ranges', { integer: true, min: 1, max: MAX_WINDOWS }, DEFAULT_EXPORT.calibrationWindows))
    .addOption(numberOption('--check-windows <n>', 'other windows on which the int8 and float embeddings are compared', { integer: true, min: 1, max: MAX_WINDOWS }, DEFAULT_EXPORT.checkWindows))
    .addOption(numberOption('--percentile <p>', 'clip each activation range to this percentile of its values at both ends (e.g. 99.99) instead of the full min/max', { above: 50, max: 100 }))
    .addOption(
      choiceOption(
        '--input-scaling <how>',
        "per-channel gives each input channel its own int8 scale, folded into the first convolution (headstart devices read the scales from the manifest, firmware from the model's headstart metadata); per-tensor uses one scale for all channels, for firmware that quantizes from the input tensor's parameters alone",
        INPUT_SCALINGS,
        DEFAULT_EXPORT.inputScaling,
      ),
    )
    .addOption(runtimeOption('runtime that checks the model: auto (the official TensorFlow Lite runtime when it loads, else the TypeScript interpreter), native or ts', DEFAULT_EXPORT.runtime))
    .addOption(seedOption('seed of the random choice of windows', DEFAULT_EXPORT.seed))
    .option('--force', 'write the files even when the int8 model misses the agreement thresholds (mean cosine 0.99, top-1 agreement 99 %)')
    .option('--json', 'print the quantization report as one JSON object');
  addDatasetOptions(cmd);
  addHelpNotes(cmd, {
    notes: [
      'The device quantizes each normalized window with the input scale and zero point recorded in the manifest (by default one scale per channel: channels differ in range, and one shared scale would give the narrow ones few steps), runs the int8 extractor and dequantizes the embedding with the output scale and zero point.',
      'Nothing is written when the check fails (unless --force): the exit status is then 1. Progress goes to stderr.',
    ],
    examples: [
      '$ headstart export --package models/myo8-200hz',
      '$ headstart export --package my-package --data ../shared/datasets/myoarmband/PreTrainingDataset --percentile 99.99',
      '$ headstart export --package my-package --json | jq .check',
    ],
  });
  cmd
    .action(async (opts: ExportCliOptions) => {
      const { percentile, calibrationWindows, checkWindows, runtime, seed } = opts;
      const manifest = readManifest(opts.package);
      // The channels pretraining read (an EEG montage) go with any data; its people only with its own data.
      const recorded = trainingDataSelection(opts.package, manifest);
      const dataPath = opts.data ?? trainingDataPath(opts.package, manifest);
      const data = { ...(opts.data ? (recorded.channels ? { channels: recorded.channels } : {}) : recorded), ...datasetSpec(dataPath, opts) };
      // TensorFlow.js loads here, for the verbs that need it only.
      const { selectBackend } = await import('../tfjs/backend.ts');
      const { exportPackage } = await import('../host/export/export_package.ts');
      await selectBackend();
      const { report } = await stoppable(
        (stop) =>
          exportPackage(opts.package, {
        data,
        calibrationWindows,
        checkWindows,
        ...(percentile === undefined ? {} : { percentile }),
        inputScaling: opts.inputScaling,
        runtime,
        seed,
        force: Boolean(opts.force),
        onProgress: (m) => {
          // Ctrl-C, SIGTERM, SIGHUP: stop between steps; the package's files are written only at the very end.
          stop.check();
          process.stderr.write(`headstart: ${m}\n`);
        },
      }),
        () => `the export was stopped before it wrote anything; ${opts.package} is as it was. Run the same command again to export`,
      );
      process.stdout.write(opts.json ? JSON.stringify(report) + '\n' : summary(opts.package, report));
    });
}
