import type { Command } from 'commander';
import { LINK_CHOICES, type LinkChoice } from '../sim/demo/demo_link.ts';
import type { DemoSummary } from '../sim/demo/run_demo.ts';
import { HeadstartError } from '../core/errors.ts';
import { defaultEegPackageDir, defaultPackageDir } from '../io/install_root.ts';
import { formatConfusion } from '../device/pipeline/live_score.ts';
import type { RuntimeChoice } from '../io/runtime/types.ts';
import type { WebDashboard } from '../device/web/dashboard.ts';
import { addHelpNotes } from './help.ts';
import { handleStopSignals } from './interrupt.ts';
import { choiceOption, dataDirOption, numberOption, packageOption, runtimeOption, textOption } from './options.ts';
import { listenOption, parseWebUi, startWebUi, uiOption, type UiChoice } from './web_ui.ts';

/** Board speed (times real time) at which the demo takes about a minute on a small machine. */
export const DEFAULT_DEMO_SPEED = 4;

interface DemoCliOptions {
  speed: number;
  eeg?: boolean;
  eegData?: string;
  package?: string;
  dataDir?: string;
  keep?: boolean;
  runtime: RuntimeChoice;
  link: LinkChoice;
  json?: boolean;
  ui: UiChoice;
  listen?: string;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(2)} %`;
}

function describe(s: DemoSummary): string {
  const l = s.live;
  const c = s.calibration;
  return [
    '',
    `calibration: ${c.trials} prompts, ${c.windows} windows, ${c.head} head, held-out accuracy ${c.cv.accuracy === null ? 'not scored' : pct(c.cv.accuracy)}; ${c.verdict.pass ? 'passed' : 'asks for a redo'}`,
    `live per-window accuracy on the later recording: ${pct(l.score.accuracy)} (${l.score.correct} of ${l.score.scored} windows under one ${l.balancedAccuracy === undefined ? 'gesture' : 'state'}; ${l.score.straddling} straddling a change not scored)`,
    ...(l.balancedAccuracy === undefined ? [] : [`balanced accuracy (the mean of each state's share right): ${pct(l.balancedAccuracy)}`]),
    ...(l.baseline
      ? [
          `classical baseline on the same windows (LDA on ${l.baseline.features} with the package's prior, fitted on the same calibration): ${pct(l.baseline.score.accuracy)}${l.baseline.balancedAccuracy === undefined ? '' : `, balanced ${pct(l.baseline.balancedAccuracy)}`}`,
        ]
      : []),
    `latency from a window's last sample to its result: p50 ${l.latency.p50Ms.toFixed(2)} ms, p99 ${l.latency.p99Ms.toFixed(2)} ms (${s.runtime.kind} runtime)`,
    `${l.signalSeconds.toFixed(0)} s of signal in ${l.wallSeconds.toFixed(1)} s: ${l.realTimeMultiple.toFixed(1)}x real time, ${l.windowsPerSecond.toFixed(0)} windows/s`,
    `dropped: ${l.droppedWindows} windows (inference behind), ${l.framesLost} frames lost, ${l.crcFailures} CRC failures; link: ${s.link.kind}`,
    '',
    formatConfusion(l.score.confusion, l.gestures),
    '',
    `the demo took ${s.totalSeconds.toFixed(0)} s${s.dataDir ? `; profile: ${c.profilePath}, report: ${c.reportPath}` : ''}`,
  ].join('\n') + '\n';
}

export function registerDemo(program: Command): void {
  const cmd = program
    .command('demo')
    .summary('the whole story with a virtual board, in about a minute: a shipped person calibrated, then recognized live and scored')
    .description(
      'the whole story with no hardware and no network, in about a minute: the shipped model package; a virtual board playing one person of the Myo armband data set (shipped in data/demo) who follows the calibration prompts; an automatic calibration of that person; then their later recording replayed live, recognized and scored: accuracy, latency and the confusion matrix',
    )
    .option('--eeg', 'the EEG story instead: the EEG package (models/eeg8-250hz), a software OpenBCI Cyton playing an eegmat person who follows calibration/eeg-mental2.json, then the rest of their recordings recognized live')
    .addOption(textOption('--eeg-data <dir>', 'with --eeg: the eegmat folder (default ../shared/datasets/eegmat beside the install)'))
    .addOption(numberOption('--speed <x>', 'how many times faster than real time the virtual board plays (both the calibration and the live recording)', { above: 0, max: 1000 }, DEFAULT_DEMO_SPEED))
    .addOption(packageOption('model package (default: the one shipped under models/)'))
    .addOption(dataDirOption('save the demo profile (and its report) here instead of in a temporary folder'))
    .option('--keep', 'keep the temporary folder with the profile and report instead of removing it (its path is printed)')
    .addOption(runtimeOption())
    .addOption(
      choiceOption(
        '--link <kind>',
        'the cable to the virtual board: auto takes a socat pseudo-terminal pair (through serialport) when socat is installed, else the in-process loopback',
        LINK_CHOICES,
        'auto',
      ),
    )
    .option('--json', 'print one summary object (calibration, live accuracy, latency, drops, confusion matrix) on stdout')
    .addOption(uiOption("the calibration's prompts, traces and verdict, then the live replay's gesture, class scores, latency and drops"))
    .addOption(listenOption());
  addHelpNotes(cmd, {
    notes: [
      'The calibration uses calibration/myo7.json with one repetition of each gesture (the k = 1 case: 5 s holds, shorter countdown and rest); the simulated wearer plays the prompted gesture from Male0/training0. The live part streams Male0/Test0, recorded later, with the true gesture as label EVENT markers, so every window under one gesture is scored as it is recognized. Progress goes to stderr, results to stdout.',
      'With --eeg: Subject24 of eegmat (not among the EEG package\'s pretraining people) follows calibration/eeg-mental2.json (3 repetitions of 10 s of rest and of mental arithmetic, shorter countdown and rest) on a software Cyton; then the rest of their two recordings, alternating 16 s of each state, is recognized live. The Cyton\'s wire carries no labels, so each window is scored against what the board played at that point; balanced accuracy is printed beside accuracy.',
      'Nothing is written outside a temporary folder unless --data-dir is given.',
    ],
    examples: ['$ headstart demo', '$ headstart demo --eeg', '$ headstart demo --speed 20 --json | jq .live.score.accuracy', '$ headstart demo --link loopback --runtime ts --keep', '$ headstart demo --speed 1 --ui web   # and open the printed URL'],
  });
  cmd
    .action(async (opts: DemoCliOptions) => {
      const { speed, runtime, link } = opts;
      if (opts.eegData !== undefined && !opts.eeg) throw new HeadstartError('BAD_OPTION', '--eeg-data is for the EEG demo: add --eeg', { option: '--eeg-data' });
      const web = parseWebUi(opts);
      const log = (line: string): void => void process.stderr.write(line + '\n');
      // Ctrl-C, SIGTERM, SIGHUP: stop the boards (and socat) and remove the temporary folder rather than leave them behind.
      const stop = handleStopSignals();
      let summary: DemoSummary;
      let dashboard: WebDashboard | undefined;
      try {
        if (web) dashboard = await startWebUi(web, log);
        // Loaded here, not at start: it brings TensorFlow.js, which the verbs that do not train go without.
        const run = opts.eeg ? (await import('../sim/demo/run_eeg_demo.ts')).runEegDemo : (await import('../sim/demo/run_demo.ts')).runDemo;
        summary = await run({
        packageDir: opts.package ?? (opts.eeg ? defaultEegPackageDir() : defaultPackageDir()),
        ...(opts.eegData !== undefined ? { eegData: opts.eegData } : {}),
        runtime,
        link,
        speed,
        ...(opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {}),
        keep: opts.keep === true,
        log,
        signal: stop.signal,
        ...(dashboard ? { dashboard } : {}),
      });
      } finally {
        stop.dispose();
        await dashboard?.close();
      }
      process.stdout.write(opts.json ? JSON.stringify(summary) + '\n' : describe(summary));
    });
}
