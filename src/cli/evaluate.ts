import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { createProgress } from './progress.ts';
import { HeadstartError } from '../core/errors.ts';
import type { Embeddings } from '../core/head/embeddings.ts';
import { packagePreprocessing } from '../core/model_package/manifest.ts';
import type { WindowSet } from '../core/window_set.ts';
import { embedWithRuntime } from '../io/extractor_embed.ts';
import { loadModelPackage } from '../io/model_package.ts';
import { openRuntime, parseRuntimeChoice } from '../io/runtime/index.ts';
import { loadDataset } from '../io/datasets/index.ts';
import type { DatasetRecording } from '../io/datasets/types.ts';
import type { HeadChoiceMode, PersonData, PersonResult } from '../host/evaluate/protocol.ts';
import { addDatasetOptions, type DatasetOptions, datasetSpec } from './dataset_options.ts';

interface EvaluateOptions extends DatasetOptions {
  package: string;
  data?: string;
  calib?: string;
  test?: string;
  cycles: string;
  head: string;
  extractor: string;
  scratch: boolean;
  scratchSteps: string;
  seed: string;
  out?: string;
  json?: boolean;
}

const CALIBRATION_SESSION = 'training0';

/** Groups recordings by person; Myo: training0 calibrates, the other sessions test. */
function peopleFromMyo(recs: DatasetRecording[]): PersonData[] {
  const byPerson = new Map<string, PersonData>();
  for (const r of recs) {
    const name = r.subject ?? 'person';
    const p = byPerson.get(name) ?? { name, calibration: [], test: [] };
    (r.session === CALIBRATION_SESSION ? p.calibration : p.test).push(r);
    byPerson.set(name, p);
  }
  return [...byPerson.values()].filter((p) => p.calibration.length > 0 && p.test.length > 0);
}

function peopleFromGlobs(calib: DatasetRecording[], test: DatasetRecording[]): PersonData[] {
  const names = [...new Set([...calib, ...test].map((r) => r.subject ?? 'person'))];
  return names
    .map((name) => ({ name, calibration: calib.filter((r) => (r.subject ?? 'person') === name), test: test.filter((r) => (r.subject ?? 'person') === name) }))
    .filter((p) => p.calibration.length > 0 && p.test.length > 0);
}

const pct = (v: number | undefined) => (v === undefined ? '     -' : `${(100 * v).toFixed(2).padStart(6)}`);

export function registerEvaluate(program: Command): void {
  const cmd = program
    .command('evaluate')
    .description('the personalization benchmark: per person and k, train only the head on k calibration cycles and score later recordings')
    .requiredOption('--package <dir>', 'the model package to evaluate')
    .option('--data <path>', 'evaluation people in the Myo layout (e.g. ../shared/datasets/myoarmband/EvaluationDataset): training0 calibrates, Test0/Test1 are scored')
    .option('--calib <glob>', 'generic form: calibration recordings (CSV/.hsrec), e.g. "data/calib/*.csv"')
    .option('--test <glob>', 'generic form: recordings to score')
    .option('--cycles <list>', 'values of k, the calibration cycles (repetitions) used; 0 = population head, no calibration', '0,1,2,3,4')
    .option('--head <kind>', 'auto (leave-one-repetition-out choice), lda, softmax or ncm', 'auto')
    .option('--extractor <which>', 'float (the tfjs weights), or the device path: native or ts (the int8 .tflite)', 'float')
    .option('--no-scratch', 'skip the from-scratch comparison (the same network trained only on the person\'s k cycles)')
    .option('--scratch-steps <n>', 'training steps (batches of 64) of each from-scratch model', '200')
    .option('--seed <n>', 'seed for head and from-scratch training', '1')
    .option('--out <file>', 'also write the full results as JSON to this file')
    .option('--json', 'print the results as JSON on stdout instead of a table');
  addDatasetOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Per-window accuracy, every window of the test recordings scored. A
table of mean, sd and min per k is printed; "scratch" is the same network
trained only on that person's k cycles, so transfer gain (or loss) shows.

Examples:
  headstart evaluate --package models/myo8-200hz --data ../shared/datasets/myoarmband/EvaluationDataset --cycles 0,1,2,3,4
  headstart evaluate --package models/myo8-200hz --rate 200 --label-pattern 'S(?<subject>\\d+)_R(?<rep>\\d+)_C(?<label>\\d+)\\.csv' \\
      --calib 'calib/*.csv' --test 'test/*.csv'`,
  );
  cmd.action(async (opts: EvaluateOptions) => {
    const cycles = opts.cycles.split(',').map((s) => Number(s.trim()));
    if (cycles.some((k) => !Number.isInteger(k) || k < 0)) throw new HeadstartError('BAD_OPTION', `--cycles ${opts.cycles} must list whole numbers of at least 0`);
    if (!['auto', 'lda', 'softmax', 'ncm'].includes(opts.head)) throw new HeadstartError('BAD_OPTION', `--head ${opts.head} must be auto, lda, softmax or ncm`);
    if (!['float', 'native', 'ts'].includes(opts.extractor)) throw new HeadstartError('BAD_OPTION', `--extractor ${opts.extractor} must be float, native or ts`);
    const scratchSteps = opts.scratch ? Number(opts.scratchSteps) : 0;
    if (!Number.isInteger(scratchSteps) || scratchSteps < 0) throw new HeadstartError('BAD_OPTION', `--scratch-steps ${opts.scratchSteps} must be a whole number`);

    let people: PersonData[];
    if (opts.data) {
      people = peopleFromMyo(loadDataset(datasetSpec(opts.data, opts)).recordings);
    } else if (opts.calib && opts.test) {
      people = peopleFromGlobs(loadDataset(datasetSpec(opts.calib, opts)).recordings, loadDataset(datasetSpec(opts.test, opts)).recordings);
    } else {
      throw new HeadstartError('BAD_OPTION', 'give --data <Myo evaluation folder>, or both --calib <glob> and --test <glob>');
    }
    if (people.length === 0) throw new HeadstartError('NO_PEOPLE', 'no person has both calibration and test recordings');

    const pkg = loadModelPackage(opts.package, { requireTflite: opts.extractor !== 'float' });
    const m = pkg.manifest;
    // TensorFlow.js loads here, not at start, so that the verbs that do not train go without it.
    const { selectBackend } = await import('../tfjs/backend.ts');
    const { embedWindows } = await import('../host/evaluate/embed.ts');
    const { evaluatePerson, summarize } = await import('../host/evaluate/protocol.ts');
    const { loadLayersModel } = await import('../tfjs/model_io.ts');
    const backend = await selectBackend();
    let embed: (set: WindowSet) => Embeddings;
    if (opts.extractor === 'float') {
      const model = await loadLayersModel(`${opts.package}/${m.extractor.floatModel}`);
      embed = (set) => embedWindows(model, set);
    } else {
      const { runtime, fallbackReason } = openRuntime(pkg.tflite!, { runtime: parseRuntimeChoice(opts.extractor) });
      if (fallbackReason) process.stderr.write(`note: ${fallbackReason}\n`);
      embed = (set) => embedWithRuntime(runtime, m, set);
    }
    const progress = createProgress('evaluate', process.stderr, opts.json === true && !process.stderr.isTTY);
    const results: PersonResult[] = [];
    for (const [i, p] of people.entries()) {
      progress.update(i, people.length, p.name);
      results.push(
        ...(await evaluatePerson(
          p,
          {
            cycles,
            head: opts.head as HeadChoiceMode,
            classes: m.classes.length,
            window: m.window,
            normalization: m.normalization,
            preprocessing: packagePreprocessing(m),
            populationHead: pkg.populationHead,
            embed,
            scratchSteps,
            extractorConfig: m.extractor.config,
            seed: Number(opts.seed),
          },
          (step) => progress.update(i, people.length, step),
        )),
      );
    }
    progress.done();
    const summary = summarize(results);
    const report = { package: m.name, extractor: opts.extractor, backend: backend.name, head: opts.head, scratchSteps, people: people.map((p) => p.name), summary, results };
    if (opts.out) writeFileSync(opts.out, JSON.stringify(report, null, 2) + '\n');
    if (opts.json) {
      process.stdout.write(JSON.stringify(report) + '\n');
      return;
    }
    process.stdout.write(`${people.length} people, per-window accuracy (%), extractor ${opts.extractor}, head ${opts.head}\n`);
    process.stdout.write(' k   mean     sd    min | scratch mean     sd    min | gain\n');
    for (const s of summary) {
      const gain = s.scratchMean === undefined ? '     -' : `${(100 * (s.mean - s.scratchMean)).toFixed(2).padStart(6)}`;
      process.stdout.write(
        `${String(s.k).padStart(2)} ${pct(s.mean)} ${pct(s.sd)} ${pct(s.min)} |      ${pct(s.scratchMean)} ${pct(s.scratchSd)} ${pct(s.scratchMin)} | ${gain}\n`,
      );
    }
  });
}
