/**
 * Population training of the extractor: a softmax classifier over the
 * population's gestures, fitted on augmented windows with Adam and a cosine
 * learning-rate decay. Validation is on people held out of training, because
 * what matters is how the features carry over to someone new.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, shuffledIndices } from '../../core/rng.ts';
import { classicalPart, type HeadInput, HeadInputBuilder } from '../../core/head/head_input.ts';
import type { WindowSet } from '../../core/window_set.ts';
import { augmentScratch, augmentWindow } from './augment.ts';
import type { EpisodeOptions, ExtractorConfig, TrainOptions } from './config.ts';
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

/** A classifier's predicted class of every window of a set, in batches. */
export function classifierPredictions(model: tf.LayersModel, set: WindowSet, batchSize = 512): Int32Array {
  const out = new Int32Array(set.count);
  const size = set.length * set.channels;
  for (let start = 0; start < set.count; start += batchSize) {
    const n = Math.min(batchSize, set.count - start);
    const pred = tf.tidy(() => {
      const x = tf.tensor3d(set.x.subarray(start * size, (start + n) * size), [n, set.length, set.channels]);
      return (model.predict(x) as tf.Tensor).argMax(-1).dataSync();
    });
    out.set(pred as Int32Array, start);
  }
  return out;
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

/**
 * Where each window of a training set is, by person, gesture and repetition:
 * what episodes are drawn from.
 */
interface EpisodeIndex {
  /** byPerson[s][c] = map repetition -> window indices. */
  byPerson: Map<number, number[]>[][];
  /** People with at least two repetitions of every gesture (the only ones an episode can use). */
  usable: number[];
}

function indexEpisodes(set: WindowSet, classes: number): EpisodeIndex {
  const byPerson = set.subjects.map(() => Array.from({ length: classes }, () => new Map<number, number[]>()));
  for (let i = 0; i < set.count; i++) {
    const m = byPerson[set.subject[i]][set.y[i]];
    const list = m.get(set.rep[i]);
    if (list) list.push(i);
    else m.set(set.rep[i], [i]);
  }
  const usable = byPerson.flatMap((cls, s) => (cls.every((m) => m.size >= 2) ? [s] : []));
  return { byPerson, usable };
}

/** Window indices of one episode batch: per person, support (class-major) then query. */
function drawEpisode(index: EpisodeIndex, classes: number, e: EpisodeOptions, rng: ReturnType<typeof createRng>): number[] {
  const out: number[] = [];
  const people = shuffledIndices(index.usable.length, rng).slice(0, e.people).map((i) => index.usable[i]);
  const pick = (list: number[]) => list[Math.floor(rng.next() * list.length)];
  for (const s of people) {
    const reps = [...index.byPerson[s][0].keys()];
    const supportRep = reps[Math.floor(rng.next() * reps.length)];
    const query: number[] = [];
    for (let c = 0; c < classes; c++) {
      const m = index.byPerson[s][c];
      const support = m.get(supportRep) ?? [...m.values()][0];
      const others = [...m.entries()].filter(([r]) => r !== supportRep).flatMap(([, v]) => v);
      for (let j = 0; j < e.support; j++) out.push(pick(support));
      for (let j = 0; j < e.query; j++) query.push(pick(others.length > 0 ? others : support));
    }
    out.push(...query);
  }
  return out;
}

/**
 * The constant tensors that turn a batch's embeddings into the episode loss:
 * support means per (person, gesture), the query rows, their targets, and a
 * mask that keeps each query among its own person's gestures.
 */
// The query rows are picked by a 0/1 matrix product rather than a gather:
// gather's gradient needs a kernel the wasm backend lacks.
function episodeTensors(people: number, classes: number, e: EpisodeOptions): { average: tf.Tensor2D; queries: tf.Tensor2D; target: tf.Tensor2D; mask: tf.Tensor2D } {
  const block = classes * (e.support + e.query);
  const protos = people * classes;
  const batch = people * block;
  const average = new Float32Array(protos * batch);
  const queries: number[] = [];
  const target = new Float32Array(people * classes * e.query * protos);
  const mask = new Float32Array(target.length).fill(-1e9);
  let q = 0;
  for (let p = 0; p < people; p++) {
    for (let c = 0; c < classes; c++) for (let j = 0; j < e.support; j++) average[(p * classes + c) * batch + p * block + c * e.support + j] = 1 / e.support;
    for (let c = 0; c < classes; c++) {
      for (let j = 0; j < e.query; j++, q++) {
        queries.push(p * block + classes * e.support + c * e.query + j);
        target[q * protos + p * classes + c] = 1;
        mask.fill(0, q * protos + p * classes, q * protos + (p + 1) * classes);
      }
    }
  }
  return {
    average: tf.tensor2d(average, [protos, batch]),
    queries: tf.tensor2d(
      Float32Array.from({ length: queries.length * batch }, (_, i) => (queries[Math.floor(i / batch)] === i % batch ? 1 : 0)),
      [queries.length, batch],
    ),
    target: tf.tensor2d(target, [q, protos]),
    mask: tf.tensor2d(mask, [q, protos]),
  };
}

/**
 * The side features of the per-person heads: the classical features of each
 * window (a head input without the embedding), standardized by statistics
 * of (a sample of) the training windows.
 */
function sideFeatureStats(train: WindowSet, input: HeadInput, seed: number): { size: number; features(window: Float32Array, out: Float32Array): void } {
  const builder = new HeadInputBuilder(classicalPart(input), 0, train.length, train.channels, train.rate);
  const size = builder.size;
  const none = new Float32Array(0);
  const sample = shuffledIndices(train.count, createRng(seed + 11)).slice(0, 5000);
  const mean = new Float64Array(size);
  const sq = new Float64Array(size);
  const f = new Float64Array(size);
  const windowSize = train.length * train.channels;
  for (const w of sample) {
    builder.build(none, train.x.subarray(w * windowSize, (w + 1) * windowSize), f);
    for (let d = 0; d < size; d++) {
      mean[d] += f[d];
      sq[d] += f[d] * f[d];
    }
  }
  const invStd = new Float64Array(size);
  for (let d = 0; d < size; d++) {
    mean[d] /= sample.length;
    invStd[d] = 1 / Math.sqrt(Math.max(sq[d] / sample.length - mean[d] * mean[d], 1e-12));
  }
  return {
    size,
    features(window, out) {
      builder.build(none, window, f);
      for (let d = 0; d < size; d++) out[d] = (f[d] - mean[d]) * invStd[d];
    },
  };
}

/** Mean categorical cross-entropy of softmax outputs against one-hot targets. */
function crossEntropy(target: tf.Tensor, probs: tf.Tensor): tf.Scalar {
  return target.mul(probs.clipByValue(1e-7, 1).log()).sum(-1).neg().mean() as tf.Scalar;
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
  /** Sets the new extractor's starting weights (e.g. copied from another package's) before training. */
  initialize?: (extractor: tf.LayersModel) => void,
): Promise<TrainedExtractor> {
  const extractor = buildExtractor(cfg, opts.seed);
  initialize?.(extractor);
  const classifier = buildPopulationClassifier(extractor, classes, opts.seed);
  const subjects = train.subjects.length;
  const withSubjects = opts.subjectHeads && subjects > 1;
  const index = opts.episodes ? indexEpisodes(train, classes) : undefined;
  const episodes = opts.episodes && index && index.usable.length >= opts.episodes.people ? opts.episodes : null;
  const side = withSubjects && opts.hybridHeads ? sideFeatureStats(train, opts.hybridHeads, opts.seed) : undefined;
  const heads = withSubjects ? buildSubjectHeads(extractor, classes, subjects, opts.seed, 0.3, side?.size ?? 0) : undefined;
  // One model, every output in one forward pass: population probabilities,
  // per-person probabilities, and the embedding the episode loss reads.
  const fitted = tf.model({
    inputs: heads ? heads.inputs : [extractor.inputs[0]],
    outputs: [classifier.outputs[0], ...(heads ? [heads.outputs[0]] : []), extractor.outputs[0]],
  });
  const logScale = episodes ? tf.variable(tf.scalar(0), true) : undefined;
  const variables = [...fitted.trainableWeights.map((w) => w.read() as tf.Variable), ...(logScale ? [logScale] : [])];
  const optimizer = tf.train.adam(opts.learningRate);

  const rng = createRng(opts.seed);
  const size = cfg.windowLength * cfg.channels;
  const batchSize = episodes ? episodes.people * classes * (episodes.support + episodes.query) : opts.batchSize;
  const fixed = episodes ? episodeTensors(episodes.people, classes, episodes) : undefined;
  const xb = new Float32Array(batchSize * size);
  const yb = new Float32Array(batchSize * classes);
  const sb = new Float32Array(withSubjects ? batchSize * classes * subjects : 0);
  const mb = new Float32Array(sb.length);
  const fb = new Float32Array(side ? batchSize * side.size : 0);
  const scratch = augmentScratch(cfg.windowLength, cfg.channels);
  const perEpoch = Math.max(batchSize, Math.floor(train.count * opts.epochFraction));
  const batches = Math.floor(perEpoch / batchSize);
  const totalSteps = batches * opts.epochs;
  const history: EpochReport[] = [];
  let best = { acc: -1, epoch: 0, weights: [] as tf.Tensor[] };

  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    const order = episodes ? undefined : shuffledIndices(train.count, rng);
    const started = Date.now();
    let lossSum = 0;
    let accSum = 0;
    for (let b = 0; b < batches; b++) {
      // Cosine decay over all steps, from the base rate to 5 % of it.
      const step = (epoch - 1) * batches + b;
      (optimizer as unknown as { learningRate: number }).learningRate =
        opts.learningRate * (0.05 + 0.95 * 0.5 * (1 + Math.cos((Math.PI * step) / totalSteps)));
      const picked = episodes ? drawEpisode(index!, classes, episodes, rng) : order!.slice(b * batchSize, (b + 1) * batchSize);
      yb.fill(0);
      sb.fill(0);
      mb.fill(-1e9);
      picked.forEach((w, i) => {
        const src = train.x.subarray(w * size, (w + 1) * size);
        const dst = xb.subarray(i * size, (i + 1) * size);
        if (opts.augment) augmentWindow(src, dst, cfg.windowLength, cfg.channels, opts.augment, rng, scratch);
        else dst.set(src);
        if (side) side.features(dst, fb.subarray(i * side.size, (i + 1) * side.size));
        yb[i * classes + train.y[w]] = 1;
        if (withSubjects) {
          const block = i * classes * subjects + train.subject[w] * classes;
          sb[block + train.y[w]] = 1;
          mb.fill(0, block, block + classes);
        }
      });
      const x = tf.tensor3d(xb, [batchSize, cfg.windowLength, cfg.channels]);
      const y = tf.tensor2d(yb, [batchSize, classes]);
      const mask = withSubjects ? tf.tensor2d(mb, [batchSize, classes * subjects]) : undefined;
      const ys = withSubjects ? tf.tensor2d(sb, [batchSize, classes * subjects]) : undefined;
      const sf = side ? tf.tensor2d(fb, [batchSize, side.size]) : undefined;
      let accuracy: tf.Scalar | undefined;
      const cost = optimizer.minimize(
        () => {
          const outs = fitted.apply(mask ? (sf ? [x, mask, sf] : [x, mask]) : [x], { training: true }) as tf.Tensor[];
          const probs = outs[0];
          accuracy?.dispose();
          accuracy = tf.keep(probs.argMax(-1).equal(y.argMax(-1)).toFloat().mean() as tf.Scalar);
          let loss = crossEntropy(y, probs);
          if (ys) loss = loss.add(crossEntropy(ys, outs[1]));
          if (fixed && logScale && episodes) {
            const embedding = outs[outs.length - 1] as tf.Tensor2D;
            const protos = fixed.average.matMul(embedding);
            const q = fixed.queries.matMul(embedding);
            const d2 = q.square().sum(-1, true).sub(q.matMul(protos, false, true).mul(2)).add(protos.square().sum(-1).expandDims(0));
            const logits = d2.mul(logScale.exp().neg()).add(fixed.mask);
            loss = loss.add(tf.losses.softmaxCrossEntropy(fixed.target, logits).mul(episodes.weight));
          }
          return loss as tf.Scalar;
        },
        true,
        variables,
      )!;
      const loss = (await cost.data())[0];
      const acc = accuracy ? (await (accuracy as tf.Scalar).data())[0] : 0;
      cost.dispose();
      (accuracy as tf.Scalar | undefined)?.dispose();
      x.dispose();
      y.dispose();
      mask?.dispose();
      ys?.dispose();
      sf?.dispose();
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
        windowsPerSecond: ((b + 1) * batchSize) / Math.max(seconds, 1e-3),
      });
      // A turn of the event loop per batch, so that a signal (Ctrl-C) is seen while training.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const seconds = (Date.now() - started) / 1000;
    const report: EpochReport = {
      epoch,
      loss: lossSum / batches,
      accuracy: accSum / batches,
      windowsPerSecond: (batches * batchSize) / seconds,
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
  optimizer.dispose();
  logScale?.dispose();
  if (fixed) Object.values(fixed).forEach((t) => t.dispose());
  return { extractor, classifier, history, bestEpoch: best.epoch };
}
