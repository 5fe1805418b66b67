/**
 * The population priors a package ships (core/head/prior.ts): computed at
 * export from the pretraining people's windows as the device sees them
 * (the package's chain from each recording's start, int8 extractor, the
 * package's window and hop), one for the transfer head's input and one for
 * the classical baseline's, so `evaluate` can show the baseline with its
 * prior beside transfer; and the classical population LDA, the baseline of
 * the uncalibrated population head.
 */
import type { HeadInput } from '../core/head/head_input.ts';
import { buildHeadInputs } from '../core/head/head_input.ts';
import { computePopulationPrior, type PersonFeatures, type PopulationPrior } from '../core/head/prior.ts';
import { type ModelManifest, packagePreprocessing } from '../core/model_package/manifest.ts';
import { concatRows } from '../core/head/embeddings.ts';
import { trainPriorLdaHead } from '../core/head/lda.ts';
import type { Recording } from '../core/signal.ts';
import { windowRecordings } from '../core/window_set.ts';
import { embedWithRuntime } from '../io/extractor_embed.ts';
import type { PackagePriors } from '../io/model_package.ts';
import { PRIORS_FORMAT, PRIORS_FORMAT_VERSION } from '../io/model_package.ts';
import type { ExtractorRuntime } from '../io/runtime/types.ts';

export interface PriorInputs {
  transfer: HeadInput;
  classical: HeadInput;
}

/** Groups recordings by person (recordings without a subject form one group). */
function byPerson(recordings: Recording[]): Recording[][] {
  const groups = new Map<string, Recording[]>();
  for (const r of recordings) {
    const key = r.subject ?? '';
    const list = groups.get(key);
    if (list) list.push(r);
    else groups.set(key, [r]);
  }
  return [...groups.values()];
}

export function computePackagePriors(manifest: ModelManifest, runtime: ExtractorRuntime, recordings: Recording[], inputs: PriorInputs, onPerson?: (done: number, total: number) => void): PackagePriors {
  const people = byPerson(recordings);
  const transfer: PersonFeatures[] = [];
  const classical: PersonFeatures[] = [];
  people.forEach((recs, i) => {
    const set = windowRecordings(recs, manifest.window, manifest.normalization, packagePreprocessing(manifest));
    const e = embedWithRuntime(runtime, manifest, set);
    transfer.push({ features: buildHeadInputs(inputs.transfer, e, set), labels: set.y });
    classical.push({ features: buildHeadInputs(inputs.classical, e, set), labels: set.y });
    onPerson?.(i + 1, people.length);
  });
  const classes = manifest.classes.length;
  const round = (p: PopulationPrior): PopulationPrior => ({
    ...p,
    mean: p.mean.map(shortest),
    invStd: p.invStd.map(shortest),
    covariance: p.covariance.map(shortest),
  });
  const pooled = concatRows(classical.map((p) => p.features));
  const pooledLabels = new Int32Array(pooled.count);
  let at = 0;
  for (const p of classical) {
    pooledLabels.set(p.labels, at);
    at += p.labels.length;
  }
  const population = trainPriorLdaHead(pooled, pooledLabels, classes, inputs.classical, undefined, CLASSICAL_POPULATION_LDA);
  const { classMeans: _unused, ...classicalPopulation } = population;
  return {
    format: PRIORS_FORMAT,
    formatVersion: PRIORS_FORMAT_VERSION,
    transfer: round(computePopulationPrior(inputs.transfer, transfer, classes)),
    classical: round(computePopulationPrior(inputs.classical, classical, classes)),
    classicalPopulation: {
      ...classicalPopulation,
      mean: classicalPopulation.mean.map(shortest),
      invStd: classicalPopulation.invStd.map(shortest),
      weights: classicalPopulation.weights.map(shortest),
      bias: classicalPopulation.bias.map(shortest),
    },
  };
}

/** The shrinkage of the classical population LDA (../shared/reference's). */
const CLASSICAL_POPULATION_LDA = { priorWeight: 0, shrinkage: 0.1 };

/** Seven significant digits: float32 precision, a third of the JSON. */
function shortest(v: number): number {
  return Number(v.toPrecision(7));
}
