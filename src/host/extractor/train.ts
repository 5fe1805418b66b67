/**
 * Population training of the extractor: a softmax classifier over the
 * population's gestures, fitted on augmented windows with Adam and a cosine
 * learning-rate decay. Validation is on people held out of training, because
 * what matters is how the features carry over to someone new.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, shuffledIndices } from '../../core/rng.ts';
import type { WindowSet } from '../../core/window_set.ts';
import { augmentWindow } from './augment.ts';
import type { ExtractorConfig, TrainOptions } from './config.ts';
import { buildExtractor, buildPopulationClassifier, buildSubjectHeads } from './model.ts';

export interface EpochReport {
  epoch: number;
  loss: number;
  accuracy: number;
  valAccuracy?: number;
  /** The score that picks the kept epoch (see TrainHooks.validationScore), when given. */
  valCalibratedAccuracy?: number;
  windowsPerSecond: number;
  seconds: number;
}

export interface BatchProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number;
  accuracy: number;
  windowsPerSecond: number;
}

export interface TrainedExtractor {
  extractor: tf.LayersModel;
  classifier: tf.LayersModel;
  history: EpochReport[];
  bestEpoch: number;
}

/** Top-1 accuracy of a classifier on a window set, in batches. */
export function classifierAccuracy(model: tf.LayersModel, set: WindowSet, batchSize = 512): number {
  let correct = 0;
  const size = set.length * set.channels;
  for (let start = 0; start < set.count; start += batchSize) {
    const n = Math.min(batchSize, set.count - start);
    const pred = tf.tidy(() => {
      const x = tf.tensor3d(set.x.subarray(start * size, (start + n) * size), [n, set.length, set.channels]);
      return (model.predict(x) as tf.Tensor).argMax(-1).dataSync();
    });
    for (let i = 0; i < n; i++) if (pred[i] === set.y[start + i]) correct++;
  }
  return set.count === 0 ? 0 : correct / set.count;
}

export async function trainExtractor(
  cfg: ExtractorConfig,
  classes: number,
  train: WindowSet,
  val: WindowSet | undefined,
  opts: TrainOptions,
  onBatch?: (p: BatchProgress) => void,
  onEpoch?: (r: EpochReport) => void,
  /**
   * Scores the extractor after each epoch on the held-out people the way it
   * will be used (a calibrated head per person); the best-scoring epoch is
   * kept. Without it, the population classifier's validation accuracy decides.
   */
  validationScore?: (extractor: tf.LayersModel) => number,
): Promise<TrainedExtractor> {
  const extractor = buildExtractor(cfg, opts.seed);
  const classifier = buildPopulationClassifier(extractor, classes, opts.seed);
  const subjects = train.subjects.length;
  const withSubjects = opts.subjectHeads && subjects > 1;
  // The model that is fitted: the population classifier, plus the per-person heads when asked.
  const fitted = withSubjects
    ? (() => {
        const heads = buildSubjectHeads(extractor, classes, subjects, opts.seed);
        return tf.model({ inputs: [extractor.inputs[0], heads.inputs[1]], outputs: [classifier.outputs[0], heads.outputs[0]] });
      })()
    : classifier;
  const optimizer = tf.train.adam(opts.learningRate);
  fitted.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  const rng = createRng(opts.seed);
  const size = cfg.windowLength * cfg.channels;
  const xb = new Float32Array(opts.batchSize * size);
  const yb = new Float32Array(opts.batchSize * classes);
  const sb = new Float32Array(withSubjects ? opts.batchSize * classes * subjects : 0);
  const mb = new Float32Array(sb.length);
  const gains = new Float32Array(cfg.channels);
  const perEpoch = Math.max(opts.batchSize, Math.floor(train.count * opts.epochFraction));
  const batches = Math.floor(perEpoch / opts.batchSize);
  const totalSteps = batches * opts.epochs;
  const history: EpochReport[] = [];
  let best = { acc: -1, epoch: 0, weights: [] as tf.Tensor[] };

  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    const order = shuffledIndices(train.count, rng);
    const started = Date.now();
    let lossSum = 0;
    let accSum = 0;
    for (let b = 0; b < batches; b++) {
      // Cosine decay over all steps, from the base rate to 5 % of it.
      const step = (epoch - 1) * batches + b;
      (optimizer as unknown as { learningRate: number }).learningRate =
        opts.learningRate * (0.05 + 0.95 * 0.5 * (1 + Math.cos((Math.PI * step) / totalSteps)));
      yb.fill(0);
      sb.fill(0);
      mb.fill(-1e9);
      for (let i = 0; i < opts.batchSize; i++) {
        const w = order[b * opts.batchSize + i];
        const src = train.x.subarray(w * size, (w + 1) * size);
        const dst = xb.subarray(i * size, (i + 1) * size);
        if (opts.augment) augmentWindow(src, dst, cfg.windowLength, cfg.channels, opts.augment, rng, gains);
        else dst.set(src);
        yb[i * classes + train.y[w]] = 1;
        if (withSubjects) {
          const block = i * classes * subjects + train.subject[w] * classes;
          sb[block + train.y[w]] = 1;
          mb.fill(0, block, block + classes);
        }
      }
      const x = tf.tensor3d(xb, [opts.batchSize, cfg.windowLength, cfg.channels]);
      const y = tf.tensor2d(yb, [opts.batchSize, classes]);
      const extra = withSubjects ? [tf.tensor2d(mb, [opts.batchSize, classes * subjects]), tf.tensor2d(sb, [opts.batchSize, classes * subjects])] : [];
      const out = (await fitted.trainOnBatch(withSubjects ? [x, extra[0]] : x, withSubjects ? [y, extra[1]] : y)) as number[];
      // [loss, acc] for one output; [loss, loss1, loss2, acc1, acc2] for two.
      const loss = out[0];
      const acc = withSubjects ? out[3] : out[1];
      x.dispose();
      y.dispose();
      extra.forEach((t) => t.dispose());
      lossSum += loss;
      accSum += acc;
      const seconds = (Date.now() - started) / 1000;
      onBatch?.({
        epoch,
        epochs: opts.epochs,
        batch: b + 1,
        batches,
        loss: lossSum / (b + 1),
        accuracy: accSum / (b + 1),
        windowsPerSecond: ((b + 1) * opts.batchSize) / Math.max(seconds, 1e-3),
      });
      // A turn of the event loop per batch, so that a signal (Ctrl-C) is seen while training.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const seconds = (Date.now() - started) / 1000;
    const report: EpochReport = {
      epoch,
      loss: lossSum / batches,
      accuracy: accSum / batches,
      windowsPerSecond: (batches * opts.batchSize) / seconds,
      seconds,
    };
    if (val) report.valAccuracy = classifierAccuracy(classifier, val);
    if (validationScore) report.valCalibratedAccuracy = validationScore(extractor);
    history.push(report);
    onEpoch?.(report);
    const score = report.valCalibratedAccuracy ?? report.valAccuracy ?? report.accuracy;
    if (score > best.acc) {
      best.weights.forEach((t) => t.dispose());
      best = { acc: score, epoch, weights: classifier.getWeights().map((t) => t.clone()) };
    }
  }
  classifier.setWeights(best.weights);
  best.weights.forEach((t) => t.dispose());
  return { extractor, classifier, history, bestEpoch: best.epoch };
}
