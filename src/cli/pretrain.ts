import type { Command } from 'commander';
import { createProgress } from './progress.ts';
import { loadDataset } from '../io/datasets/index.ts';
import { join } from 'node:path';
import { HeadstartError } from '../core/errors.ts';
import { readManifest } from '../io/model_package.ts';
import { parseFilterList } from '../core/dsp/filters.ts';
import { checkExtractorConfig, DEFAULT_EPISODES, DEFAULT_EXTRACTOR, DEFAULT_TRAIN, parseConvBlocks } from '../host/extractor/config.ts';
import { classicalPart, modalityInputs } from '../core/head/head_input.ts';
import { addDatasetOptions, type DatasetOptions, datasetSpec } from './dataset_options.ts';
import { addHelpNotes } from './help.ts';
import { stoppable } from './interrupt.ts';
import { choiceOption, MAX_RATE, numberOption, seedOption, textOption } from './options.ts';

interface PretrainOptions extends DatasetOptions {
  data: string;
  out: string;
  name?: string;
  modality: 'emg' | 'eeg';
  epochs: number;
  batch: number;
  lr: number;
  seed: number;
  trainHop: number;
  hop: number;
  window: number;
  embedding?: number;
  blocks?: string;
  resample?: number;
  filters?: string;
  valPeople?: string;
  initFrom?: string;
  subjectHeads: boolean;
  augment: boolean;
  rotateMax: number;
  rotateProbability: number;
  rotateFractional?: boolean;
  episodes?: boolean;
  episodeWeight: number;
  hybridHeads?: boolean;
  json?: boolean;
}

/** Window lengths, hops and batches size memory: bounds far above any real use keep a typo from allocating gigabytes. */
const MAX_SAMPLES = 100_000;

export function registerPretrain(program: Command): void {
  const cmd = program
    .command('pretrain')
    .summary("train the population feature extractor (1-D CNN, tfjs) on many people's recordings and write a model package")
    .description('train the population feature extractor on many people and write a model package')
    .addOption(textOption('--data <path>', 'population recordings: a Myo data set folder (e.g. ../shared/datasets/myoarmband/PreTrainingDataset), CSV files or .hsrec recordings').makeOptionMandatory())
    .addOption(textOption('--out <dir>', 'the model package folder to write (created if missing)').makeOptionMandatory())
    .addOption(textOption('--name <name>', 'package name recorded in the manifest (default: the folder name)'))
    .addOption(choiceOption('--modality <kind>', 'what the sensors measure', ['emg', 'eeg'], 'emg'))
    .addOption(numberOption('--epochs <n>', 'passes over the training windows', { integer: true, min: 1, max: 10_000 }, DEFAULT_TRAIN.epochs))
    .addOption(numberOption('--batch <n>', 'windows per training step', { integer: true, min: 1, max: 65_536 }, DEFAULT_TRAIN.batchSize))
    .addOption(numberOption('--lr <rate>', 'Adam learning rate at the start (cosine decay to 5 %)', { above: 0, max: 1 }, DEFAULT_TRAIN.learningRate))
    .addOption(seedOption('seed for weights, shuffling and augmentation (same seed, same model)', DEFAULT_TRAIN.seed))
    .addOption(numberOption('--train-hop <samples>', 'hop between training windows (smaller = more, more correlated windows)', { integer: true, min: 1, max: MAX_SAMPLES }, 10))
    .addOption(numberOption('--window <samples>', 'window length in samples', { integer: true, min: 1, max: MAX_SAMPLES }, DEFAULT_EXTRACTOR.windowLength))
    .addOption(numberOption('--hop <samples>', 'hop between windows at run time, recorded in the package', { integer: true, min: 1, max: MAX_SAMPLES }, 5))
    .addOption(numberOption('--embedding <n>', `embedding size, 32 to 128: the filter count of the last conv block (default ${DEFAULT_EXTRACTOR.embedding}, or the last of --blocks)`, { integer: true, min: 32, max: 128 }))
    .addOption(
      textOption(
        '--blocks <list>',
        `the extractor's conv blocks as <filters>x<kernel>[/<pool>], comma-separated: each a 1-D convolution along time, batch norm and ReLU, then max-pooled by <pool> (default ${DEFAULT_EXTRACTOR.blocks.map((b) => `${b.filters}x${b.kernel}${b.pool > 1 ? `/${b.pool}` : ''}`).join(',')}; long EEG windows want early pooling, e.g. 16x9/4,32x7/2,64x5/2,64x3)`,
      ),
    )
    .addOption(numberOption('--resample <hz>', "the package's sample rate: recordings are resampled to it before filtering and windows, and a board is resampled to it live (default: the data's rate)", { above: 0, max: MAX_RATE }))
    .addOption(
      textOption(
        '--filters <list>',
        'filters run at the package rate on each recording from its first sample, recorded in the manifest so calibrate and run apply the same: bandpass:<low>-<high>[:<order>], notch:<Hz>[:<q>], car (common average reference), comma-separated, e.g. bandpass:1-45:4,notch:50:30,car (default: none)',
      ),
    )
    .addOption(textOption('--init-from <package>', "start the extractor from another model package's float weights, layer by layer where the shapes agree (e.g. an EEG extractor from the EMG one); the training report says which layers were copied"))
    .addOption(textOption('--val-people <names>', 'people held out to choose the best epoch, comma-separated (default: about a tenth of them)'))
    .option('--no-subject-heads', 'train only the population classifier (no per-person heads)')
    .option('--no-augment', 'no channel rotation, gain or noise augmentation')
    .addOption(numberOption('--rotate-max <electrodes>', 'largest turn of the band in the augmentation, in electrodes either way', { min: 0, max: 64 }, DEFAULT_TRAIN.augment!.rotateMax))
    .addOption(numberOption('--rotate-probability <p>', 'share of training windows turned', { min: 0, max: 1 }, DEFAULT_TRAIN.augment!.rotateProbability))
    .option('--rotate-fractional', 'rotate by any fraction of an electrode (interpolating between neighbours), not only whole electrodes')
    .option('--hybrid-heads', "the per-person heads also read each window's classical features, as the wearer's transfer head does (EMG: the rich time-domain set; EEG: band power and covariance), so the embedding learns what they miss")
    .option('--episodes', 'also train on calibration episodes: one repetition of each gesture as support, the others as queries, per person')
    .addOption(numberOption('--episode-weight <w>', 'weight of the episode loss beside the classification losses', { min: 0, max: 1000 }, DEFAULT_EPISODES.weight))
    .option('--json', 'print the training report as JSON on stdout');
  addDatasetOptions(cmd);
  addHelpNotes(cmd, {
    notes: [
      'The extractor learns general features from many people; later, each new wearer trains only a small head on top of it (headstart calibrate). Training progress (epoch, loss, accuracy, windows/s) goes to stderr.',
    ],
    examples: [
      '$ headstart pretrain --data ../shared/datasets/myoarmband/PreTrainingDataset --out models/myo8-200hz',
      '$ headstart export --package models/myo8-200hz',
      '$ headstart pretrain --data ../shared/datasets/eegmat --people Subject00,Subject01,Subject02 --channels Fp1,Fp2,F7,F8,T3,T4,Fz,Pz --modality eeg --resample 250 --filters bandpass:1-45:4,notch:50:30,car --window 500 --hop 125 --train-hop 50 --blocks 16x7/4,32x7/2,64x5/2,64x3 --rotate-max 0 --out models/my-eeg',
    ],
    examplesTitle: 'Examples (then quantize the extractor for devices):',
  });
  cmd.action(async (opts: PretrainOptions) => {
    const spec = datasetSpec(opts.data, opts);
    const given = opts.blocks === undefined ? undefined : parseConvBlocks(opts.blocks);
    if (given && opts.embedding !== undefined && opts.embedding !== given[given.length - 1]!.filters) {
      throw new HeadstartError('BAD_OPTION', `--embedding ${opts.embedding} differs from the last of --blocks (${given[given.length - 1]!.filters} filters); the embedding is the last block's filter count: give one of them`, { option: '--embedding' });
    }
    const dataset = loadDataset(spec);
    for (const w of dataset.warnings) process.stderr.write(`warning: ${w}\n`);
    const rate = opts.resample ?? dataset.rate;
    const filters = opts.filters === undefined ? [] : parseFilterList(opts.filters, rate);
    const embedding = given ? given[given.length - 1]!.filters : (opts.embedding ?? DEFAULT_EXTRACTOR.embedding);
    const blocks = given ?? DEFAULT_EXTRACTOR.blocks.map((b, i, all) => (i === all.length - 1 ? { ...b, filters: embedding } : b));
    const extractor = { ...DEFAULT_EXTRACTOR, blocks, channels: dataset.channels, windowLength: opts.window, embedding };
    checkExtractorConfig(extractor);
    // TensorFlow.js loads here, not at start, so that the verbs that do not train go without it.
    const { defaultValidationPeople, pretrain } = await import('../host/pretrain.ts');
    const subjects = dataset.recordings.map((r) => r.subject ?? '');
    const valPeople = opts.valPeople !== undefined ? opts.valPeople.split(',').map((s) => s.trim()).filter(Boolean) : defaultValidationPeople(subjects);
    const { loadLayersModel } = await import('../tfjs/model_io.ts');
    const initFrom = opts.initFrom === undefined ? undefined : { package: opts.initFrom, extractor: await loadLayersModel(join(opts.initFrom, readManifest(opts.initFrom).extractor.floatModel)) };
    const progress = createProgress('pretrain');
    let epochNow = 0;
    const { report } = await stoppable(
      (stop) => pretrain({
      dataset,
      dataPath: opts.data,
      out: opts.out,
      name: opts.name ?? opts.out.split(/[\\/]/).filter(Boolean).pop() ?? 'model',
      modality: opts.modality,
      extractor,
      trainHop: opts.trainHop,
      windowHop: opts.hop,
      valPeople,
      ...(initFrom ? { initFrom } : {}),
      ...(rate !== dataset.rate || filters.length > 0 ? { preprocessing: { rate, filters } } : {}),
      ...(spec.channels ? { channelNames: spec.channels } : {}),
      ...(spec.channels || spec.people ? { dataSelection: { ...(spec.channels ? { channels: spec.channels } : {}), ...(spec.people ? { people: spec.people } : {}) } } : {}),
      train: {
        ...DEFAULT_TRAIN,
        epochs: opts.epochs,
        batchSize: opts.batch,
        learningRate: opts.lr,
        seed: opts.seed,
        subjectHeads: opts.subjectHeads,
        augment: opts.augment
          ? {
              ...DEFAULT_TRAIN.augment!,
              rotateMax: opts.rotateMax,
              rotateProbability: opts.rotateProbability,
              rotateWhole: !opts.rotateFractional,
            }
          : null,
        episodes: opts.episodes ? { ...DEFAULT_EPISODES, weight: opts.episodeWeight } : null,
        hybridHeads: opts.hybridHeads ? classicalPart(modalityInputs(opts.modality).transfer) : null,
      },
      onBatch: (p) => {
        // Ctrl-C, SIGTERM, SIGHUP: stop between batches; the package is written only at the end, so nothing is left half-made.
        stop.check();
        epochNow = p.epoch;
        progress.update(
          (p.epoch - 1) * p.batches + p.batch,
          p.epochs * p.batches,
          `epoch ${p.epoch}/${p.epochs} loss ${p.loss.toFixed(3)} acc ${p.accuracy.toFixed(3)} ${p.windowsPerSecond.toFixed(0)} windows/s`,
        );
      },
      onEpoch: (r) =>
        progress.log(
          `epoch ${r.epoch}: loss ${r.loss.toFixed(4)} acc ${r.accuracy.toFixed(4)}` +
            (r.valAccuracy !== undefined ? ` val ${r.valAccuracy.toFixed(4)}` : '') +
            (r.valCalibratedAccuracy !== undefined ? ` val-calibrated ${r.valCalibratedAccuracy.toFixed(4)}` : '') +
            ` ${r.windowsPerSecond.toFixed(0)} windows/s ${r.seconds.toFixed(0)} s`,
        ),
      }),
      () => `pretraining stopped in epoch ${epochNow} of ${opts.epochs}; nothing was written to ${opts.out} (the package is written once training ends). Run the same command again to train from the start (fewer --epochs make it shorter)`,
    );
    progress.done();
    if (opts.json) process.stdout.write(JSON.stringify(report) + '\n');
    else process.stdout.write(`wrote ${opts.out} (best epoch ${report.bestEpoch}, ${report.trainWindows} training windows on ${report.backend})\n`);
  });
}
