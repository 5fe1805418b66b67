import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { createProgress } from './progress.ts';
import { DEFAULT_ADAPT } from '../core/head/adapt.ts';
import { HeadstartError } from '../core/errors.ts';
import { packagePreprocessing } from '../core/model_package/manifest.ts';
import { loadModelPackage } from '../io/model_package.ts';
import { loadDataset } from '../io/datasets/index.ts';
import type { DatasetRecording } from '../io/datasets/types.ts';
import { checkCalibrationClasses, checkCyclesAvailable } from '../host/evaluate/calibration_checks.ts';
import type { HeadChoiceMode, PersonData, PersonResult } from '../host/evaluate/protocol.ts';
import { addDatasetOptions, type DatasetOptions, datasetSpec } from './dataset_options.ts';
import { addHelpNotes } from './help.ts';
import { evaluateBySeconds } from './evaluate_seconds.ts';
import { adaptedNotes, autoSyncCheckNotes, baselineRows, belowBaselineNotes, estimateNotes, pct, summaryTable } from './evaluate_report.ts';
import { stoppable } from './interrupt.ts';
import { choiceOption, EVALUATE_RUNTIMES, type EvaluateRuntime, numberListOption, numberOption, packageOption, seedOption, textOption } from './options.ts';
import { DEFAULT_AUTO_SYNC_SECONDS, DEFAULT_SYNC_SECONDS } from '../device/sync.ts';
import { TOLERANT_HEAD_TURNS, wornAsBand } from '../core/band_sync.ts';

const HEAD_CHOICES: readonly HeadChoiceMode[] = ['auto', 'transfer', 'lda', 'softmax', 'ncm'];

interface EvaluateOptions extends DatasetOptions {
  package: string;
  data?: string;
  calib?: string;
  test?: string;
  cycles: number[];
  calibSeconds?: number[];
  head: HeadChoiceMode;
  runtime: EvaluateRuntime;
  extractor?: EvaluateRuntime;
  scratch: boolean;
  scratchSteps: number;
  seed: number;
  out?: string;
  json?: boolean;
  within?: boolean;
  shiftTest: number;
  shiftCalib: number;
  tolerateTurn?: boolean;
  sync?: string | boolean;
  syncSeconds?: number;
  adapt?: boolean;
  reject?: number;
  syncGains?: boolean;
}

/** --extractor is the old name of --runtime: still taken, with a notice. */
function chosenRuntime(opts: EvaluateOptions, cmd: Command): EvaluateRuntime {
  if (opts.extractor === undefined) return opts.runtime;
  process.stderr.write(`note: --extractor is deprecated; use --runtime ${opts.extractor}\n`);
  if (cmd.getOptionValueSource('runtime') === 'cli' && opts.runtime !== opts.extractor) {
    throw new HeadstartError('BAD_OPTION', `--extractor ${opts.extractor} and --runtime ${opts.runtime} disagree; give --runtime only`, { option: '--extractor' });
  }
  return opts.extractor;
}

const CALIBRATION_SESSION = 'training0';

/** Groups recordings by person; Myo: training0 calibrates, the other sessions test. */
function peopleFromMyo(recs: DatasetRecording[], within = false): PersonData[] {
  const byPerson = new Map<string, PersonData>();
  for (const r of recs) {
    const name = r.subject ?? 'person';
    const p = byPerson.get(name) ?? { name, calibration: [], test: [] };
    (r.session === CALIBRATION_SESSION ? p.calibration : p.test).push(r);
    byPerson.set(name, p);
  }
  return [...byPerson.values()].filter((p) => p.calibration.length > 0 && (within || p.test.length > 0));
}

function peopleFromGlobs(calib: DatasetRecording[], test: DatasetRecording[]): PersonData[] {
  const names = [...new Set([...calib, ...test].map((r) => r.subject ?? 'person'))];
  return names
    .map((name) => ({ name, calibration: calib.filter((r) => (r.subject ?? 'person') === name), test: test.filter((r) => (r.subject ?? 'person') === name) }))
    .filter((p) => p.calibration.length > 0 && p.test.length > 0);
}


export function registerEvaluate(program: Command): void {
  const cmd = program
    .command('evaluate')
    .summary('the personalization benchmark: per person and k, train only the head on k calibration cycles and score later recordings')
    .description(
      'the personalization benchmark: per person and k, train only the head on k calibration cycles and score later recordings per window, beside the same network trained from scratch on those cycles',
    )
    .addOption(packageOption('the model package to evaluate').makeOptionMandatory())
    .addOption(textOption('--data <path>', 'evaluation people in the Myo layout (e.g. data/demo/EvaluationDataset): training0 calibrates, Test0/Test1 are scored'))
    .addOption(textOption('--calib <glob>', 'generic form: calibration recordings (CSV/.hsrec), e.g. "data/calib/*.csv"'))
    .addOption(textOption('--test <glob>', 'generic form: recordings to score'))
    .addOption(numberListOption('--cycles <list>', 'values of k, the calibration cycles (repetitions) used; 0 = population head, no calibration', { integer: true, min: 0, max: 1000 }, '0,1,2,3,4'))
    .addOption(
      numberListOption(
        '--calib-seconds <list>',
        'instead of cycles: each person holds each state once (EEG, e.g. eegmat), and the first C seconds of every recording calibrate, for each C of the list; every later window is scored, as balanced accuracy; the population head (C = 0) is scored on every window. People: those in --data the package was not pretrained on (or --people)',
        { min: 1, max: 100_000 },
      ),
    )
    .addOption(
      choiceOption(
        '--head <method>',
        'auto (as calibrate: the transfer head), transfer (the embedding and time-domain features, each with its population prior, pooled), or on the embedding alone: lda, softmax, ncm',
        HEAD_CHOICES,
        'auto',
      ),
    )
    .addOption(
      choiceOption(
        '--runtime <kind>',
        "what embeds the windows: float, the package's float TensorFlow.js model as pretrain trained it; or its int8 extractor as a device runs it: auto (the official TensorFlow Lite runtime when it loads, else the TypeScript interpreter), native or ts",
        EVALUATE_RUNTIMES,
        'float',
      ),
    )
    .addOption(choiceOption('--extractor <which>', 'deprecated name of --runtime', EVALUATE_RUNTIMES).hideHelp())
    .option('--no-scratch', "skip the from-scratch comparison (the same network trained only on the person's k cycles)")
    .addOption(numberOption('--scratch-steps <n>', 'training steps (batches of 64) of each from-scratch model', { integer: true, min: 0, max: 1_000_000 }, 200))
    .addOption(seedOption('seed for head and from-scratch training', 1))
    .option('--within', "score the later cycles of each person's calibration recording instead of their test recordings (a data set with one session; choosing designs without touching the test recordings)")
    .addOption(
      numberOption(
        '--shift-test <electrodes>',
        'simulate the band put back on turned, for the scored recordings: every channel interpolated towards its neighbour around the band by this many electrodes (fractional; negative the other way)',
        { min: -64, max: 64 },
        0,
      ),
    )
    .addOption(numberOption('--shift-calib <electrodes>', 'the same simulated turn of the band for the calibration recordings', { min: -64, max: 64 }, 0))
    .option(
      '--sync [gesture]',
      "simulate run --sync before scoring: 2 s of the gesture (default: the one that stands out most from rest in the calibration) from the start of its first test recording, not scored, give the band's turn and gains, undone on every scored window.; `--sync auto`: the test recordings in order, as ordinary use, until run --sync auto would estimate (scored uncorrected, as run scores them), then the turn undone",
    )
    .option('--sync-gains', 'with --sync: also apply the per-electrode gains it estimates, as run --sync-gains does')
    .addOption(numberOption('--sync-seconds <s>', `signal a simulated sync reads (default ${DEFAULT_SYNC_SECONDS} s; with auto, ${DEFAULT_AUTO_SYNC_SECONDS} s of activity)`, { above: 0, max: 600 }))
    .option('--tolerate-turn', "score the turn-tolerant head, as run --tolerate-turn recognizes: fitted on the calibration as recorded and turned by up to half an electrode (the classical columns get the same turned copies); with --sync, until the sync estimates. --sync auto scores its first seconds with it either way, as run does")
    .option('--adapt', 'also score with unsupervised adaptation, as run --adapt does it: the test recordings streamed in time order, each window scored before it adapts the head')
    .addOption(numberOption('--reject <p>', "also report accuracy on the windows whose winning probability reaches p (run --reject's open-set rejection) and the share rejected", { min: 0, max: 1 }))
    .addOption(textOption('--out <file>', 'also write the full results as JSON to this file'))
    .option('--json', 'print the results as JSON on stdout instead of a table');
  addDatasetOptions(cmd);
  addHelpNotes(cmd, {
    notes: [
      'Per-window accuracy, every window of the test recordings scored. A table of mean, sd and min per k is printed; "scratch" is the same network trained only on that person\'s k cycles, so transfer gain (or loss) shows.',
      '--runtime float measures the float model pretrain made; auto, native and ts measure the int8 extractor export made, as `headstart run` and `headstart calibrate` use it on a device.',
    ],
    examples: [
      '$ headstart evaluate --package models/myo8-200hz --data data/demo/EvaluationDataset --cycles 0,1,2,3,4',
      '$ headstart evaluate --package models/myo8-200hz --data data/demo/EvaluationDataset --cycles 1 --no-scratch --runtime native',
      '$ headstart evaluate --package models/eeg8-250hz --data ../shared/datasets/eegmat --calib-seconds 10,20,30 --runtime auto',
      "$ headstart evaluate --package models/myo8-200hz --rate 200 --label-pattern 'S(?<subject>\\d+)_R(?<rep>\\d+)_C(?<label>\\d+)\\.csv' --calib 'calib/*.csv' --test 'test/*.csv'",
    ],
  });
  cmd.action(async (opts: EvaluateOptions) => {
    const runtime = chosenRuntime(opts, cmd);
    if (opts.calibSeconds) {
      const cycleOnly = ['cycles', 'calib', 'test', 'head', 'within', 'shiftTest', 'shiftCalib', 'tolerateTurn', 'sync', 'syncSeconds', 'reject'].filter((o) => cmd.getOptionValueSource(o) === 'cli');
      if (cycleOnly.length > 0) {
        const flag = cmd.options.find((o) => o.attributeName() === cycleOnly[0])!.long!;
        throw new HeadstartError('BAD_OPTION', `${flag} belongs to the cycles protocol; --calib-seconds calibrates on the first seconds of each recording of --data`, { option: flag });
      }
      if (!opts.data) throw new HeadstartError('MISSING_OPTION', '--calib-seconds needs --data: the people\'s recordings, one per state (e.g. ../shared/datasets/eegmat)', { option: '--data' });
      await evaluateBySeconds({ ...opts, data: opts.data, calibSeconds: opts.calibSeconds, runtime, adapt: opts.adapt === true });
      return;
    }
    const { cycles } = opts;
    const scratchSteps = opts.scratch ? opts.scratchSteps : 0;
    const { shiftTest, shiftCalib } = opts;

    let people: PersonData[];
    let classes: string[];
    if (opts.data) {
      const spec = datasetSpec(opts.data, opts);
      // Within: the test recordings are not even read.
      const ds = loadDataset(opts.within ? { ...spec, sessions: [CALIBRATION_SESSION] } : spec);
      people = peopleFromMyo(ds.recordings, opts.within === true);
      classes = ds.classes;
    } else if (opts.calib && opts.test) {
      const calib = loadDataset(datasetSpec(opts.calib, opts));
      const test = loadDataset(datasetSpec(opts.test, opts));
      if (calib.classes.join('\n') !== test.classes.join('\n')) {
        throw new HeadstartError('MIXED_RECORDINGS', `the calibration recordings have classes ${calib.classes.join(', ')} but the test recordings ${test.classes.join(', ')}; give both the same --classes`);
      }
      people = peopleFromGlobs(calib.recordings, test.recordings);
      classes = calib.classes;
    } else {
      throw new HeadstartError('MISSING_OPTION', 'give --data <Myo evaluation folder>, or both --calib <glob> and --test <glob>');
    }
    if (people.length === 0) throw new HeadstartError('NOT_ENOUGH_DATA', 'no person has both calibration and test recordings');
    checkCalibrationClasses(people);
    checkCyclesAvailable(people, cycles);

    const pkg = loadModelPackage(opts.package, { requireTflite: runtime !== 'float' });
    const m = pkg.manifest;
    const sync: string | boolean = opts.sync ?? false;
    if (opts.tolerateTurn && !wornAsBand(m)) throw new HeadstartError('BAD_OPTION', `--tolerate-turn is for a band of electrodes that can be put back on turned; ${opts.package} is ${m.modality} with ${m.channels} channels`, { option: '--tolerate-turn' });
    // The population head knows the package's gestures only: k = 0 is scored when the data's classes are those.
    const sameClasses = classes.length === m.classes.length && classes.every((c, i) => c === m.classes[i]);
    if (!sameClasses && cycles.includes(0)) {
      process.stderr.write(`note: k = 0 (the population head) is skipped: the data's classes (${classes.join(', ')}) are not the package's (${m.classes.join(', ')})\n`);
    }
    if (!pkg.priors) process.stderr.write(`note: ${opts.package} has no population priors (exported before they existed); the transfer head uses the wearer's covariance alone and the classical column has no prior: re-export it\n`);
    // TensorFlow.js loads here, not at start, so that the verbs that do not train go without it.
    const { selectBackend } = await import('../tfjs/backend.ts');
    const { packageEmbedder } = await import('../host/evaluate/embed.ts');
    const { evaluatePerson, summarize } = await import('../host/evaluate/protocol.ts');
    const { defaultGuard } = await import('../tfjs/select_head.ts');
    const backend = await selectBackend();
    const embed = await packageEmbedder(pkg, opts.package, runtime, (text) => process.stderr.write(`note: ${text}\n`));
    const progress = createProgress('evaluate', process.stderr, opts.json === true && !process.stderr.isTTY);
    const results: PersonResult[] = [];
    // Ctrl-C, SIGTERM, SIGHUP: stop between people and steps; nothing is written before the end.
    await stoppable(async (stop) => {
    for (const [i, p] of people.entries()) {
      // A turn of the event loop: the work is synchronous, and a signal is only seen between turns.
      await new Promise((resolve) => setImmediate(resolve));
      stop.check();
      progress.update(i, people.length, p.name);
      results.push(
        ...(await evaluatePerson(
          p,
          {
            cycles,
            head: opts.head,
            classes: classes.length,
            window: m.window,
            normalization: m.normalization,
            preprocessing: packagePreprocessing(m),
            ...(sameClasses ? { populationHead: pkg.populationHead } : {}),
            ...(pkg.priors ? { priors: pkg.priors } : {}),
            embed,
            scratchSteps,
            extractorConfig: m.extractor.config,
            seed: opts.seed,
            guard: defaultGuard(m.window),
            within: opts.within === true,
            shiftTest,
            shiftCalib,
            ...(wornAsBand(m) ? { tolerantTurns: TOLERANT_HEAD_TURNS } : {}),
            ...(opts.tolerateTurn ? { tolerateTurn: true } : {}),
            ...(opts.adapt ? { adapt: DEFAULT_ADAPT } : {}),
            ...(opts.reject !== undefined ? { reject: opts.reject } : {}),
            ...(sync !== false
              ? {
                  sync: {
                    mode: sync === 'auto' ? ('auto' as const) : ('gesture' as const),
                    seconds: opts.syncSeconds ?? (sync === 'auto' ? DEFAULT_AUTO_SYNC_SECONDS : DEFAULT_SYNC_SECONDS),
                    ...(typeof opts.sync === 'string' && opts.sync !== 'auto' ? { gesture: opts.sync } : {}),
                    classNames: classes,
                    gains: opts.syncGains === true,
                  },
                }
              : {}),
          },
          (step) => {
            stop.check();
            progress.update(i, people.length, step);
          },
        )),
      );
    }
    }, () => {
      const done = new Set(results.map((r) => r.person));
      const left = people.filter((p) => !done.has(p.name)).map((p) => p.name);
      return `the evaluation stopped with ${done.size} of ${people.length} people scored; nothing was written${opts.out ? ` (${opts.out} neither)` : ''}. Run the same command again${done.size > 0 ? `, with --people ${left.join(',')} to score only the people left` : ''}`;
    });
    progress.done();
    const summary = summarize(results);
    const baselines = baselineRows(summary);
    // `extractor` is the field's name from before --runtime, kept for the scripts that read it.
    const report = { package: m.name, runtime, extractor: runtime, backend: backend.name, head: opts.head, within: opts.within === true, shiftTest, shiftCalib, tolerateTurn: opts.tolerateTurn === true, sync, classes, scratchSteps, people: people.map((p) => p.name), summary, baselines, results };
    if (opts.out) writeFileSync(opts.out, JSON.stringify(report, null, 2) + '\n');
    if (opts.json) {
      process.stdout.write(JSON.stringify(report) + '\n');
      return;
    }
    const shifts =
      (shiftTest !== 0 || shiftCalib !== 0 ? `, simulated band turn: test ${shiftTest}, calibration ${shiftCalib} electrodes` : '') +
      (sync !== false ? `, simulated sync (${sync === true ? 'default gesture' : sync})` : '') +
      (opts.tolerateTurn ? ', turn-tolerant head' : '');
    process.stdout.write(`${people.length} people, per-window accuracy (%), runtime ${runtime}, head ${opts.head}${opts.within ? ', scored on the later cycles of the calibration recording' : ''}${shifts}\n`);
    process.stdout.write(summaryTable(summary, 'k'));
    process.stdout.write(estimateNotes(summary, 'k'));
    process.stdout.write(adaptedNotes(summary, 'k'));
    for (const s of summary) {
      if (s.rejection) process.stdout.write(`k=${s.k}: rejecting windows below ${opts.reject}: ${pct(s.rejection.acceptedAccuracy)} % of the accepted windows right, ${pct(s.rejection.rejected)} % rejected\n`);
    }
    process.stdout.write(belowBaselineNotes(summary, 'k'));
    process.stdout.write(autoSyncCheckNotes(results));
  });
}
