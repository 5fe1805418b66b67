import type { Command } from 'commander';
import { HeadstartError } from '../core/errors.ts';
import { createProgress } from './progress.ts';
import { loadDataset } from '../io/datasets/index.ts';
import { DEFAULT_EPISODES, DEFAULT_EXTRACTOR, DEFAULT_TRAIN } from '../host/extractor/config.ts';
import { addDatasetOptions, type DatasetOptions, datasetSpec } from './dataset_options.ts';

interface PretrainOptions extends DatasetOptions {
  data: string;
  out: string;
  name?: string;
  modality: string;
  epochs: string;
  batch: string;
  lr: string;
  seed: string;
  trainHop: string;
  hop: string;
  window?: string;
  embedding?: string;
  valPeople?: string;
  subjectHeads: boolean;
  augment: boolean;
  rotateMax: string;
  rotateProbability: string;
  rotateFractional?: boolean;
  episodes?: boolean;
  episodeWeight: string;
  json?: boolean;
}

function positiveInt(name: string, text: string): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < 1) throw new HeadstartError('BAD_OPTION', `${name} ${text} must be a whole number of at least 1`);
  return v;
}

function nonNegative(name: string, text: string): number {
  const v = Number(text);
  if (!Number.isFinite(v) || v < 0) throw new HeadstartError('BAD_OPTION', `${name} ${text} must be a number of at least 0`);
  return v;
}

export function registerPretrain(program: Command): void {
  const cmd = program
    .command('pretrain')
    .description('train the population feature extractor on many people and write a model package')
    .requiredOption('--data <path>', 'population recordings: a Myo data set folder (e.g. ../shared/datasets/myoarmband/PreTrainingDataset), CSV files or .hsrec recordings')
    .requiredOption('--out <dir>', 'the model package folder to write (created if missing)')
    .option('--name <name>', 'package name recorded in the manifest (default: the folder name)')
    .option('--modality <emg|eeg>', 'what the sensors measure', 'emg')
    .option('--epochs <n>', 'passes over the training windows', String(DEFAULT_TRAIN.epochs))
    .option('--batch <n>', 'windows per training step', String(DEFAULT_TRAIN.batchSize))
    .option('--lr <rate>', 'Adam learning rate at the start (cosine decay to 5 %)', String(DEFAULT_TRAIN.learningRate))
    .option('--seed <n>', 'seed for weights, shuffling and augmentation (same seed, same model)', String(DEFAULT_TRAIN.seed))
    .option('--train-hop <samples>', 'hop between training windows (smaller = more, more correlated windows)', '10')
    .option('--window <samples>', 'window length in samples', String(DEFAULT_EXTRACTOR.windowLength))
    .option('--hop <samples>', 'hop between windows at run time, recorded in the package', '5')
    .option('--embedding <n>', 'embedding size, 32 to 128: the filter count of the last conv block', String(DEFAULT_EXTRACTOR.embedding))
    .option('--val-people <names>', 'people held out to choose the best epoch, comma-separated (default: about a tenth of them)')
    .option('--no-subject-heads', 'train only the population classifier (no per-person heads)')
    .option('--no-augment', 'no channel rotation, gain or noise augmentation')
    .option('--rotate-max <electrodes>', 'largest band rotation in the augmentation, in electrodes either way', String(DEFAULT_TRAIN.augment!.rotateMax))
    .option('--rotate-probability <p>', 'share of training windows rotated', String(DEFAULT_TRAIN.augment!.rotateProbability))
    .option('--rotate-fractional', 'rotate by any fraction of an electrode (interpolating between neighbours), not only whole electrodes')
    .option('--episodes', 'also train on calibration episodes: one repetition of each gesture as support, the others as queries, per person')
    .option('--episode-weight <w>', 'weight of the episode loss beside the classification losses', String(DEFAULT_EPISODES.weight))
    .option('--json', 'print the training report as JSON on stdout');
  addDatasetOptions(cmd);
  cmd.addHelpText(
    'after',
    `
The extractor learns general features from many people; later, each new
wearer trains only a small head on top of it (headstart calibrate). Training
progress (epoch, loss, accuracy, windows/s) goes to stderr.

Example:
  headstart pretrain --data ../shared/datasets/myoarmband/PreTrainingDataset --out models/myo8-200hz
  headstart export --package models/myo8-200hz`,
  );
  cmd.action(async (opts: PretrainOptions) => {
    const dataset = loadDataset(datasetSpec(opts.data, opts));
    for (const w of dataset.warnings) process.stderr.write(`warning: ${w}\n`);
    if (opts.modality !== 'emg' && opts.modality !== 'eeg') throw new HeadstartError('BAD_OPTION', `--modality ${opts.modality} must be emg or eeg`);
    const embedding = positiveInt('--embedding', opts.embedding ?? String(DEFAULT_EXTRACTOR.embedding));
    if (embedding < 32 || embedding > 128) throw new HeadstartError('BAD_OPTION', `--embedding ${embedding} must be between 32 and 128`);
    const blocks = DEFAULT_EXTRACTOR.blocks.map((b, i, all) => (i === all.length - 1 ? { ...b, filters: embedding } : b));
    const extractor = { ...DEFAULT_EXTRACTOR, blocks, channels: dataset.channels, windowLength: positiveInt('--window', opts.window ?? '52'), embedding };
    // TensorFlow.js loads here, not at start, so that the verbs that do not train go without it.
    const { defaultValidationPeople, pretrain } = await import('../host/pretrain.ts');
    const subjects = dataset.recordings.map((r) => r.subject ?? '');
    const valPeople = opts.valPeople !== undefined ? opts.valPeople.split(',').map((s) => s.trim()).filter(Boolean) : defaultValidationPeople(subjects);
    const progress = createProgress('pretrain');
    const lr = Number(opts.lr);
    if (!(lr > 0)) throw new HeadstartError('BAD_OPTION', `--lr ${opts.lr} must be a positive number`);
    const { report } = await pretrain({
      dataset,
      dataPath: opts.data,
      out: opts.out,
      name: opts.name ?? opts.out.split(/[\\/]/).filter(Boolean).pop() ?? 'model',
      modality: opts.modality,
      extractor,
      trainHop: positiveInt('--train-hop', opts.trainHop),
      windowHop: positiveInt('--hop', opts.hop),
      valPeople,
      train: {
        ...DEFAULT_TRAIN,
        epochs: positiveInt('--epochs', opts.epochs),
        batchSize: positiveInt('--batch', opts.batch),
        learningRate: lr,
        seed: positiveInt('--seed', opts.seed),
        subjectHeads: opts.subjectHeads,
        augment: opts.augment
          ? {
              ...DEFAULT_TRAIN.augment!,
              rotateMax: nonNegative('--rotate-max', opts.rotateMax),
              rotateProbability: nonNegative('--rotate-probability', opts.rotateProbability),
              rotateWhole: !opts.rotateFractional,
            }
          : null,
        episodes: opts.episodes ? { ...DEFAULT_EPISODES, weight: nonNegative('--episode-weight', opts.episodeWeight) } : null,
      },
      onBatch: (p) =>
        progress.update(
          (p.epoch - 1) * p.batches + p.batch,
          p.epochs * p.batches,
          `epoch ${p.epoch}/${p.epochs} loss ${p.loss.toFixed(3)} acc ${p.accuracy.toFixed(3)} ${p.windowsPerSecond.toFixed(0)} windows/s`,
        ),
      onEpoch: (r) =>
        progress.log(
          `epoch ${r.epoch}: loss ${r.loss.toFixed(4)} acc ${r.accuracy.toFixed(4)}` +
            (r.valAccuracy !== undefined ? ` val ${r.valAccuracy.toFixed(4)}` : '') +
            (r.valCalibratedAccuracy !== undefined ? ` val-calibrated ${r.valCalibratedAccuracy.toFixed(4)}` : '') +
            ` ${r.windowsPerSecond.toFixed(0)} windows/s ${r.seconds.toFixed(0)} s`,
        ),
    });
    progress.done();
    if (opts.json) process.stdout.write(JSON.stringify(report) + '\n');
    else process.stdout.write(`wrote ${opts.out} (best epoch ${report.bestEpoch}, ${report.trainWindows} training windows on ${report.backend})\n`);
  });
}
