/**
 * A model package as the calibration sees it: the board format it expects,
 * the windowing and normalization, and a head trainer that embeds windows
 * with the package's int8 extractor (native TFLite runtime or the
 * TypeScript interpreter) and trains the profile head on them.
 */
import { resolve } from 'node:path';
import type { HeadMethod } from '../../core/head/head.ts';
import { embedWithRuntime } from '../../io/extractor_embed.ts';
import { loadModelPackage } from '../../io/model_package.ts';
import { trainProfileHead } from '../profiles/train.ts';
import { buildHeadInputs, hasClassicalPart } from '../../core/head/head_input.ts';
import { trainPriorLdaHead } from '../../core/head/lda.ts';
import { classicalPartPrior } from '../../core/head/prior.ts';
import { defaultGuard, fitHead, transferInputs } from '../../tfjs/select_head.ts';
import { SYNC_HEAD_SHIFTS, TOLERANT_HEAD_TURNS, wornAsBand } from '../../core/band_sync.ts';
import { concatRows } from '../../core/head/embeddings.ts';
import { turnNormalizedWindows } from '../../core/band_rotation.ts';
import { openRuntime } from '../../io/runtime/open_runtime.ts';
import type { RuntimeChoice } from '../../io/runtime/types.ts';
import type { CalibrationModel } from './training.ts';

export interface PackageModelOptions {
  runtime?: RuntimeChoice;
  /** Head methods to choose from by cross-validation (default: the profile trainer's). */
  methods?: HeadMethod[];
  /** Prepare the heads a sync chooses from (default: for EMG bands). */
  syncHeads?: boolean;
}

export interface PackageModel extends CalibrationModel {
  /** Set when the native runtime could not be used: why. */
  fallbackReason?: string;
}

export function packageCalibrationModel(dir: string, options: PackageModelOptions = {}): PackageModel {
  const pkg = loadModelPackage(dir, { requireTflite: true });
  const { manifest } = pkg;
  const opened = openRuntime(pkg.tflite!, { runtime: options.runtime ?? 'auto' });
  return {
    name: manifest.name,
    // Absolute, so that `run` finds the package from the profile wherever it is started.
    dir: resolve(dir),
    extractorSha256: manifest.extractor.tflite!.sha256,
    modality: manifest.modality,
    channels: manifest.channels,
    rate: manifest.sampleRate,
    window: manifest.window,
    ...(manifest.preprocessing ? { filters: manifest.preprocessing } : {}),
    normalization: manifest.normalization,
    ...(opened.fallbackReason ? { fallbackReason: opened.fallbackReason } : {}),
    trainHead: async (set, classes) => {
      const embeddings = embedWithRuntime(opened.runtime, manifest, set);
      const fit = pkg.priors ? { prior: pkg.priors.transfer } : {};
      const trained = trainProfileHead({ embeddings, windows: set, labels: set.y, classes: classes.length }, set.rep, {
        ...(options.methods ? { methods: options.methods } : {}),
        guard: defaultGuard(manifest.window),
        ...fit,
      });
      // The classical baseline: the classical part of the head's recipe, with its block of the prior.
      const transfer = pkg.priors?.transfer;
      const prior = transfer && hasClassicalPart(transfer.input) ? classicalPartPrior(transfer, manifest.embeddingSize) : undefined;
      const baseline = prior ? trainPriorLdaHead(buildHeadInputs(prior.input, embeddings, set), set.y, classes.length, prior.input, prior) : undefined;
      // A band (EMG around the forearm) can be put back on turned: the same head fitted on the
      // calibration turned by each prepared amount, so a sync picks the nearest (core/band_sync.ts).
      if (!wornAsBand(manifest) || options.syncHeads === false) return { ...trained, ...(baseline ? { baseline } : {}) };
      const method = trained.cv.chosen;
      // Each turn's head inputs are built once: for its prepared head, and again pooled for the turn-tolerant head.
      const part = (shift: number, windows: typeof set, e: typeof embeddings) => {
        const calibration = { embeddings: e, windows, labels: set.y, classes: classes.length };
        return { shift, calibration, inputs: method === 'transfer' ? transferInputs(calibration, fit) : undefined };
      };
      const parts = [
        part(0, set, embeddings),
        ...SYNC_HEAD_SHIFTS.map((shift) => {
          const turned = { ...set, x: turnNormalizedWindows(set.x, set.channels, manifest.normalization, shift) };
          return part(shift, turned, embedWithRuntime(opened.runtime, manifest, turned));
        }),
      ];
      const syncHeads = parts.filter((p) => p.shift !== 0).map((p) => ({ shift: p.shift, head: fitHead(method, p.calibration, fit, undefined, p.inputs) }));
      // The turn-tolerant head: the calibration as recorded and turned by each tolerated amount, pooled.
      const pooled = parts.filter((p) => p.shift === 0 || TOLERANT_HEAD_TURNS.includes(p.shift));
      const labels = new Int32Array(pooled.length * set.count);
      pooled.forEach((_, i) => labels.set(set.y, i * set.count));
      const tolerantHead = fitHead(
        method,
        { embeddings: concatRows(pooled.map((p) => p.calibration.embeddings)), labels, classes: classes.length },
        fit,
        undefined,
        method === 'transfer' ? concatRows(pooled.map((p) => p.inputs!)) : undefined,
      );
      return { ...trained, syncHeads, tolerantHead, ...(baseline ? { baseline } : {}) };
    },
  };
}
