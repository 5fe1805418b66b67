/**
 * `evaluate --calib-seconds`: the benchmark on data where each person holds
 * each state once (eegmat: rest, mental arithmetic), calibrating on the
 * first C seconds of each recording (host/evaluate/seconds_protocol.ts).
 *
 * Who is scored: by default every person in the data who was not among the
 * package's pretraining people (its training report names them), so that
 * `--data ../shared/datasets/eegmat` scores Subject24..35 for a package
 * pretrained on Subject00..23; `--people` chooses instead (a pretraining
 * person among them is scored, with a warning that the figure is not held
 * out). Channels: by default the package's (its montage), by label.
 */
import { writeFileSync } from 'node:fs';
import { HeadstartError } from '../core/errors.ts';
import { modalityInputs } from '../core/head/head_input.ts';
import { packagePreprocessing } from '../core/model_package/manifest.ts';
import { loadModelPackage, readPackageJson } from '../io/model_package.ts';
import { loadDataset } from '../io/datasets/index.ts';
import { naturalCompare } from '../io/datasets/glob.ts';
import type { DatasetRecording } from '../io/datasets/types.ts';
import type { AugmentOptions } from '../host/extractor/augment.ts';
import type { PersonResult } from '../host/evaluate/protocol.ts';
import { checkSecondsAvailable } from '../host/evaluate/calibration_checks.ts';
import type { SecondsPerson } from '../host/evaluate/seconds_protocol.ts';
import { createProgress } from './progress.ts';
import { type DatasetOptions, datasetSpec } from './dataset_options.ts';
import { DEFAULT_ADAPT } from '../core/head/adapt.ts';
import { adaptedNotes, baselineRows, belowBaselineNotes, estimateNotes, summaryTable } from './evaluate_report.ts';
import type { EvaluateRuntime } from './options.ts';

export interface SecondsOptions extends DatasetOptions {
  package: string;
  data: string;
  calibSeconds: number[];
  runtime: EvaluateRuntime;
  scratch: boolean;
  scratchSteps: number;
  seed: number;
  out?: string;
  json?: boolean;
  /** Also score with unsupervised adaptation (evaluate --adapt). */
  adapt?: boolean;
}

/** What the training report says of the pretraining: its people and how it augmented windows. */
interface PretrainingRecord {
  people: string[];
  augment?: AugmentOptions | null;
}

function pretrainingRecord(dir: string, reportFile: string): PretrainingRecord {
  const report = readPackageJson(`${dir}/${reportFile}`, 'the training report') as { people?: unknown; validationPeople?: unknown; options?: { augment?: unknown } } | null;
  const names = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const people = [...names(report?.people), ...names(report?.validationPeople)];
  const augment = report?.options?.augment;
  return { people, ...(augment === null || (typeof augment === 'object' && augment !== undefined) ? { augment: augment as AugmentOptions | null } : {}) };
}

function peopleOf(recordings: DatasetRecording[]): SecondsPerson[] {
  const byName = new Map<string, DatasetRecording[]>();
  for (const r of recordings) {
    const name = r.subject ?? 'person';
    byName.set(name, [...(byName.get(name) ?? []), r]);
  }
  return [...byName.entries()].sort(([a], [b]) => naturalCompare(a, b)).map(([name, recs]) => ({ name, recordings: recs }));
}

export async function evaluateBySeconds(opts: SecondsOptions): Promise<void> {
  const { runtime } = opts;
  const pkg = loadModelPackage(opts.package, { requireTflite: runtime !== 'float' });
  const m = pkg.manifest;
  const record = pretrainingRecord(opts.package, m.trainingReport);
  const spec = datasetSpec(opts.data, opts);
  // The package's montage, by label, unless other channels are asked for.
  if (spec.channels === undefined && m.channelNames.some((n) => !/^ch\d+$/.test(n))) spec.channels = m.channelNames;
  const ds = loadDataset(spec);
  if (ds.channels !== m.channels) {
    throw new HeadstartError('DATA_PACKAGE_MISMATCH', `${opts.data} gives ${ds.channels} channels but the package's extractor takes ${m.channels} (${m.channelNames.join(', ')}); choose them with --channels`);
  }
  const everyone = peopleOf(ds.recordings);
  const pretrained = new Set(record.people);
  let people: SecondsPerson[];
  if (spec.people) {
    people = everyone;
    const seen = people.filter((p) => pretrained.has(p.name)).map((p) => p.name);
    if (seen.length > 0) process.stderr.write(`warning: ${seen.join(', ')} ${seen.length > 1 ? 'were' : 'was'} among the package's pretraining people: ${seen.length > 1 ? 'their' : 'the'} figures are not held out\n`);
  } else {
    people = everyone.filter((p) => !pretrained.has(p.name));
    const skipped = everyone.length - people.length;
    if (people.length === 0) {
      throw new HeadstartError('EMPTY_SELECTION', `every person in ${opts.data} was among the package's pretraining people; give data of other people, or --people to score some of them anyway`, { option: '--people' });
    }
    process.stderr.write(`note: scoring ${people.length} people (${people[0]!.name} .. ${people[people.length - 1]!.name}) not among the package's pretraining people${skipped > 0 ? ` (${skipped} pretraining people left out)` : ''}\n`);
  }
  const classes = ds.classes;
  const sameClasses = classes.length === m.classes.length && classes.every((c, i) => c === m.classes[i]);
  if (!sameClasses) process.stderr.write(`note: C = 0 (the population head) is skipped: the data's classes (${classes.join(', ')}) are not the package's (${m.classes.join(', ')})\n`);
  if (!pkg.priors) process.stderr.write(`note: ${opts.package} has no population priors; the transfer head uses the wearer's covariance alone and the classical column has no prior: re-export it\n`);
  const calibSeconds = [...new Set([0, ...opts.calibSeconds])].sort((a, b) => a - b);
  checkSecondsAvailable(people, calibSeconds, { ...m.window, rate: m.sampleRate });
  const scratchSteps = opts.scratch ? opts.scratchSteps : 0;

  // TensorFlow.js loads here, not at start, so that the verbs that do not train go without it.
  const { selectBackend } = await import('../tfjs/backend.ts');
  const { packageEmbedder } = await import('../host/evaluate/embed.ts');
  const { summarize } = await import('../host/evaluate/protocol.ts');
  const { evaluatePersonBySeconds } = await import('../host/evaluate/seconds_protocol.ts');
  const { defaultGuard } = await import('../tfjs/select_head.ts');
  const { DEFAULT_TRAIN } = await import('../host/extractor/config.ts');
  const backend = await selectBackend();
  const embed = await packageEmbedder(pkg, opts.package, runtime, (text) => process.stderr.write(`note: ${text}\n`));
  const classicalInput = pkg.priors?.classical.input ?? modalityInputs(m.modality).classical;
  const progress = createProgress('evaluate', process.stderr, opts.json === true && !process.stderr.isTTY);
  const results: PersonResult[] = [];
  for (const [i, p] of people.entries()) {
    progress.update(i, people.length, p.name);
    results.push(
      ...(await evaluatePersonBySeconds(
        p,
        {
          calibSeconds: sameClasses ? calibSeconds : calibSeconds.filter((c) => c > 0),
          classes: classes.length,
          window: m.window,
          normalization: m.normalization,
          preprocessing: packagePreprocessing(m),
          ...(sameClasses ? { populationHead: pkg.populationHead } : {}),
          ...(pkg.priors ? { priors: pkg.priors } : {}),
          classicalInput,
          embed,
          scratchSteps,
          extractorConfig: m.extractor.config,
          scratchAugment: record.augment === undefined ? DEFAULT_TRAIN.augment : record.augment,
          seed: opts.seed,
          guard: defaultGuard(m.window),
          ...(opts.adapt ? { adapt: DEFAULT_ADAPT } : {}),
        },
        (step) => progress.update(i, people.length, step),
      )),
    );
  }
  progress.done();
  const summary = summarize(results);
  const report = {
    package: m.name,
    runtime,
    backend: backend.name,
    protocol: 'seconds',
    calibSeconds,
    accuracy: 'balanced',
    classes,
    channels: m.channelNames,
    scratchSteps,
    people: people.map((p) => p.name),
    // Rows are keyed by C in seconds (k = C), the calibration length of each state.
    summary,
    baselines: baselineRows(summary),
    results,
  };
  if (opts.out) writeFileSync(opts.out, JSON.stringify(report, null, 2) + '\n');
  if (opts.json) {
    process.stdout.write(JSON.stringify(report) + '\n');
    return;
  }
  process.stdout.write(`${people.length} people, balanced accuracy (%), runtime ${runtime}; C = seconds of each state calibrated on (0: the population head, no calibration), every later window scored\n`);
  process.stdout.write(summaryTable(summary, 'C'));
  process.stdout.write(estimateNotes(summary, 'C'));
  process.stdout.write(adaptedNotes(summary, 'C'));
  process.stdout.write(belowBaselineNotes(summary, 'C'));
}
