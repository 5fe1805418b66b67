import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { HeadstartError } from '../core/errors.ts';
import { MANIFEST_FILE } from '../core/model_package/manifest.ts';
import type { ChannelNormalization } from '../core/windowing.ts';
import { planLayers, SUPPORTED_LAYERS } from '../host/import/layer_plan.ts';
import { addDatasetOptions, type DatasetOptions, datasetSpec } from './dataset_options.ts';
import { addHelpNotes } from './help.ts';
import { choiceOption, MAX_RATE, numberOption, textOption } from './options.ts';

interface ImportCliOptions extends Omit<DatasetOptions, 'rate' | 'channels'> {
  tfjs: string;
  window: number;
  channels: number;
  rate: number;
  classes?: string;
  normalization?: string;
  data?: string;
  embeddingLayer?: string;
  name?: string;
  modality: 'emg' | 'eeg';
  hop?: number;
  out: string;
  json?: boolean;
}

/** Longest window, in samples, and most channels an imported model may take (sizes memory). */
const MAX_WINDOW = 100_000;
const MAX_CHANNELS = 1024;

/** --normalization: a JSON file or inline JSON {"offset": [...], "scale": [...]}, or `identity`. */
function parseNormalization(text: string, channels: number): ChannelNormalization {
  if (text === 'identity') return { offset: new Array<number>(channels).fill(0), scale: new Array<number>(channels).fill(1) };
  let value: unknown;
  try {
    value = JSON.parse(text.trim().startsWith('{') ? text : readFileSync(text, 'utf8'));
  } catch (err) {
    throw new HeadstartError('BAD_OPTION', `--normalization ${text}: not 'identity', inline JSON or a readable JSON file (${(err as Error).message})`);
  }
  const { offset, scale } = (value ?? {}) as { offset?: unknown; scale?: unknown };
  const numbers = (v: unknown): v is number[] => Array.isArray(v) && v.length === channels && v.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (!numbers(offset) || !numbers(scale)) {
    throw new HeadstartError('BAD_OPTION', `--normalization must give "offset" and "scale", ${channels} finite numbers each (one per channel): x' = (x - offset[c]) * scale[c]`);
  }
  return { offset, scale };
}

function registerImport(group: Command): void {
  const cmd = group
    .command('import')
    .summary('make a model package from a TensorFlow.js Layers model trained elsewhere (a Keras model through tensorflowjs_converter)')
    .description(
      "make a model package from a TensorFlow.js Layers model trained elsewhere (a Keras model converted by tensorflowjs_converter): its layers are checked against what the int8 exporter and TensorFlow Lite Micro run, its weights copied into headstart's layout (checked to compute the same embedding), and the package written for export, evaluate, calibrate and run",
    )
    .addOption(textOption('--tfjs <model.json>', "the Layers model's model.json (its weight files beside it)").makeOptionMandatory())
    .addOption(numberOption('--window <n>', 'samples per window the model takes', { integer: true, min: 1, max: MAX_WINDOW }).makeOptionMandatory())
    .addOption(numberOption('--channels <n>', 'channels the model takes, in the order the board sends them', { integer: true, min: 1, max: MAX_CHANNELS }).makeOptionMandatory())
    .addOption(numberOption('--rate <hz>', 'samples per second per channel the model was trained at (also the rate of CSV --data)', { above: 0, max: MAX_RATE }).makeOptionMandatory())
    .addOption(textOption('--classes <names>', "comma-separated gesture names (default with --data: the data set's; also the names of CSV labels)"))
    .addOption(textOption('--normalization <json>', "what the model expects of raw samples, x' = (x - offset[c]) * scale[c]: a JSON file, inline {\"offset\": [...], \"scale\": [...]}, or identity (default: fitted on --data, else identity)"))
    .addOption(textOption('--data <path>', 'labelled recordings (Myo folder, CSV, .hsrec) at --rate: fit the normalization (unless given) and the population head; export later takes its representative windows from them'))
    .addOption(textOption('--embedding-layer <name>', 'the layer whose output is the embedding; later layers (a classifier) are left out (default: the last layer)'))
    .addOption(textOption('--name <name>', 'the package name (default: the --out folder name)'))
    .addOption(choiceOption('--modality <kind>', 'what the channels measure', ['emg', 'eeg'] as const, 'emg'))
    .addOption(numberOption('--hop <n>', 'samples between live windows (default: a tenth of the window)', { integer: true, min: 1, max: MAX_WINDOW }))
    .addOption(textOption('--out <dir>', 'the package folder to write (must not hold a package yet)').makeOptionMandatory())
    .option('--json', 'print the result (manifest, layer plan, check, notes) as one JSON object');
  // --rate, --classes and --channels describe the model here (its channel count), not the data's selection.
  addDatasetOptions(cmd, ['rate', 'classes', 'channels']);
  addHelpNotes(cmd, {
    notes: [
      `Supported layers: ${SUPPORTED_LAYERS}. A layer outside these is refused by name, before any weight is loaded.`,
      "A convolution's bias and its batch norm are folded as the exporter folds them. Without --data the population head predicts nothing (k = 0 scores are chance: calibrate before use) and export needs --data for its representative windows.",
    ],
    examples: [
      '# a Keras model converted with: tensorflowjs_converter --input_format keras my_emg_net.h5 converted/',
      '$ headstart package import --tfjs converted/model.json --window 52 --channels 8 --rate 200 --data ../shared/datasets/myoarmband/PreTrainingDataset --embedding-layer embedding --out models/my-emg-net',
      '$ headstart export --package models/my-emg-net',
      '$ headstart package import --tfjs net/model.json --window 250 --channels 16 --rate 250 --modality eeg --classes rest,left,right --normalization norm.json --out models/my-eeg-net',
    ],
  });
  cmd.action(async (opts: ImportCliOptions) => {
    const { window, channels, rate } = opts;
    const hop = opts.hop ?? Math.max(1, Math.round(window / 10));
    const classes = opts.classes?.split(',').map((c) => c.trim()).filter((c) => c !== '');
    const normalization = opts.normalization === undefined ? undefined : parseNormalization(opts.normalization, channels);
    if (existsSync(join(opts.out, MANIFEST_FILE))) throw new HeadstartError('FILE_EXISTS', `${opts.out} already holds a model package; give another --out, or remove it first`);
    // The layers are checked before TensorFlow.js loads: a model that cannot be exported is refused at once.
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(opts.tfjs, 'utf8'));
    } catch (err) {
      throw new HeadstartError(existsSync(opts.tfjs) ? 'UNKNOWN_FORMAT' : 'FILE_NOT_FOUND', `${opts.tfjs}: cannot read a TensorFlow.js model.json (${(err as Error).message})`);
    }
    planLayers(json, opts.tfjs, opts.embeddingLayer);
    const data = opts.data === undefined ? undefined : datasetSpec(opts.data, { ...opts, rate: String(rate), channels: undefined });
    const { selectBackend } = await import('../tfjs/backend.ts');
    const { importPackage } = await import('../host/import/import_package.ts');
    await selectBackend();
    const result = await importPackage({
      modelJson: opts.tfjs,
      window,
      channels,
      rate,
      ...(classes ? { classes } : {}),
      ...(normalization ? { normalization } : {}),
      ...(data ? { data } : {}),
      ...(opts.embeddingLayer !== undefined ? { embeddingLayer: opts.embeddingLayer } : {}),
      name: opts.name ?? basename(resolve(opts.out)),
      modality: opts.modality,
      hop,
      out: opts.out,
    });
    if (opts.json) {
      process.stdout.write(JSON.stringify(result) + '\n');
      return;
    }
    const m = result.manifest;
    const blocks = result.plan.blocks.map((b) => `${b.filters}x${b.kernel}${b.batchNorm ? '+bn' : ''}${b.activation === 'NONE' ? '' : `+${b.activation.toLowerCase()}`}${b.pool > 1 ? `+pool${b.pool}` : ''}`);
    const lines = [
      `${opts.out}: model package '${m.name}' imported from ${opts.tfjs}`,
      `  ${m.channels} channels at ${m.sampleRate} Hz, windows of ${m.window.length} samples (hop ${m.window.hop}), classes ${m.classes.join(', ')}`,
      `  conv blocks ${blocks.join(', ')}, global average${result.plan.dense ? `, dense ${result.plan.dense.units}` : ''}: embedding of ${m.embeddingSize}`,
      `  same embedding as the model on random windows (largest difference ${result.maxRelativeDifference.toExponential(1)} of its largest value)`,
      `  normalization: ${result.normalization}; population head: ${result.populationHead}`,
      ...result.notes.map((n) => `  note: ${n}`),
      `next: headstart export --package ${opts.out}${opts.data ? '' : ' --data <representative recordings>'}`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
  });
}

export function registerPackage(program: Command): void {
  const group = program.command('package').summary('model packages made elsewhere: `package import` turns a TensorFlow.js Layers model into one').description('model packages made elsewhere: `package import` turns a TensorFlow.js Layers model into one');
  registerImport(group);
}
