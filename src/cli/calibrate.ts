import type { Command } from 'commander';
import { type BoardOptions, boardFromOptions, boardOptions, PORT_OR_CYTON_DESCRIPTION } from './board_options.ts';
import { HeadstartError } from '../core/errors.ts';
import { calibrate } from '../api/index.ts';
import type { CalibrationCues, CalibrationView } from '../device/calibration/events.ts';
import { johnnyFiveCues } from '../device/calibration/johnny_five_cues.ts';
import { LineView } from '../device/calibration/line_view.ts';
import { loadProtocol } from '../device/calibration/protocol.ts';
import { TerminalView } from '../device/calibration/terminal_view.ts';
import type { RuntimeChoice } from '../io/runtime/types.ts';
import { connectJohnnyFive, type JohnnyFiveConnection } from '../device/transports/johnny_five_board.ts';
import { combineViews } from '../device/calibration/views.ts';
import type { WebDashboard } from '../device/web/dashboard.ts';
import { addHelpNotes } from './help.ts';
import { handleStopSignals } from './interrupt.ts';
import { dataDirOption, numberOption, packageOption, portOption, profileOption, runtimeOption, textOption } from './options.ts';
import { listenOption, parseWebUi, startWebUi, uiOption, type UiChoice } from './web_ui.ts';
import { checkPortPath } from '../device/transports/serial.ts';

interface CalibrateOptions extends BoardOptions {
  port: string;
  protocol?: string;
  profile: string;
  package?: string;
  dataDir?: string;
  timeScale: number;
  only?: string;
  resume?: boolean;
  auto?: boolean;
  json?: boolean;
  runtime: RuntimeChoice;
  minAccuracy: number;
  cueBoard?: string;
  cueLed: string;
  cueVibration?: string;
  ui: UiChoice;
  listen?: string;
}

export function registerCalibrate(program: Command): void {
  const cmd = program
    .command('calibrate')
    .summary("teach the wearable its wearer: a guided session, then the wearer's head trained on the device")
    .description(
      "teach the wearable its wearer: a guided session of prompts, holds and rests recorded from the board, checked as it goes, then a head trained on the device, scored leave-one-repetition-out, saved as the wearer's profile with an HTML report beside it",
    )
    .addOption(portOption(PORT_OR_CYTON_DESCRIPTION))
    .addOption(profileOption('whose calibration this is: the profile saved (letters, digits, ".", "_", "-")').makeOptionMandatory())
    .addOption(textOption('--protocol <file>', 'calibration protocol (JSON, see calibration/README.md): calibration/myo7.json, calibration/quick5.json; not needed with --resume'))
    .addOption(packageOption('model package whose int8 extractor embeds the recordings (default: the one shipped under models/, the EEG one with --format cyton)'))
    .addOption(dataDirOption())
    .addOption(boardOptions()[0]!)
    .addOption(boardOptions()[1]!)
    .addOption(boardOptions()[2]!)
    .addOption(boardOptions()[3]!)
    .addOption(numberOption('--time-scale <x>', 'multiply every duration of the protocol (0.5 = twice as fast; for practice runs and tests)', { above: 0, max: 100 }, 1))
    .addOption(textOption('--only <gesture>', 're-record one gesture (by id, e.g. wrist-flexion) and retrain the profile with the earlier recordings of the others'))
    .option('--resume', 'continue an interrupted calibration of this profile from its journal (nothing recorded is lost)')
    .option('--auto', 'no terminal UI and no questions: progress lines on stderr (for scripts and tests)')
    .option('--json', 'print the result (profile, report, accuracy, confusion matrix, verdict) as JSON on stdout')
    .addOption(runtimeOption())
    .addOption(numberOption('--min-accuracy <share>', 'per-gesture leave-one-repetition-out accuracy below which the verdict asks for a redo', { above: 0, max: 1 }, 0.8))
    .addOption(textOption('--cue-board <port>', 'a Firmata board (johnny-five) for cues beside the screen: LED lit during holds, a buzz at start and end'))
    .addOption(textOption('--cue-led <pin>', 'LED pin on the cue board').default('13'))
    .addOption(textOption('--cue-vibration <pin>', 'PWM pin of a vibration motor on the cue board (through a transistor)'))
    .addOption(uiOption("every channel's trace and level, the link, the prompt, countdown and hold, the checks' advice, the redo question (answered from the page or the terminal, the first answer wins), then the verdict and the confusion matrix"))
    .addOption(listenOption());
  addHelpNotes(cmd, {
    notes: [
      "The session runs on the board's sample clock: each hold lasts exactly its number of samples, so a stalled link pauses the session instead of mislabelling it. Every sample is journalled as it arrives (<data dir>/profiles/<user>/calibration/journal.hsrec); after a crash or a pulled cable, --resume re-records only the repetition that was cut short. The report is <data dir>/profiles/<user>/report.html.",
      'The exit status is 0 once the profile is saved, whatever the verdict: scripts read verdict.pass from --json. A re-record (--only) whose verdict fails is saved but not put in use (inUse in --json). Ctrl-C (or SIGTERM, SIGHUP) stops the board and keeps what was recorded: the same command with --resume goes on (exit status 130).',
    ],
    examples: [
      '$ headstart calibrate --port /dev/ttyACM0 --protocol calibration/quick5.json --profile alice',
      '$ headstart calibrate --port /dev/ttyACM0 --profile alice --resume',
      '$ headstart calibrate --port /dev/ttyACM0 --protocol calibration/quick5.json --profile alice --only hand-open',
      '$ headstart calibrate --port /dev/ttyACM0 --protocol calibration/myo7.json --profile bob --auto --json   # from a script',
      '$ headstart calibrate --port /dev/ttyACM0 --protocol calibration/quick5.json --profile alice --ui web   # and open the printed URL',
      '$ headstart calibrate --port /dev/ttyACM0 --protocol calibration/quick5.json --profile alice --ui web --listen 0.0.0.0:8080   # from a phone on the same network',
      '# no hardware: a virtual board playing a recorded person who keeps to the protocol (no redos: use --auto)',
      '$ headstart sim --pty /tmp/hs-board --replay data/demo/EvaluationDataset/Male0/training0 --follow calibration/myo7.json --speed 10 &',
      '$ headstart calibrate --port /tmp/hs-board --baud 2000000 --protocol calibration/myo7.json --profile demo --auto',
    ],
  });
  cmd
    .action(async (opts: CalibrateOptions) => {
      // Options first: a typo must not open the port or touch the data folder.
      if (opts.protocol === undefined && !opts.resume) throw new HeadstartError('MISSING_OPTION', 'give the calibration protocol with --protocol (e.g. calibration/quick5.json), or --resume an interrupted one');
      const protocol = opts.protocol === undefined ? undefined : loadProtocol(opts.protocol);
      const { timeScale, minAccuracy, runtime } = opts;
      const web = parseWebUi(opts);
      if (protocol && opts.only !== undefined && !protocol.gestures.some((g) => g.id === opts.only)) {
        throw new HeadstartError('UNKNOWN_GESTURE', `protocol '${protocol.name}' has no gesture '${opts.only}'; its gestures are ${protocol.gestures.map((g) => g.id).join(', ')}`);
      }
      // A port that is not there fails now, not after the model and TensorFlow.js have loaded.
      checkPortPath(opts.port);
      const interactive = !opts.auto && process.stdout.isTTY === true && process.stdin.isTTY === true;
      if (!opts.auto && !interactive && !web) throw new HeadstartError('NO_TERMINAL', 'the guided session needs a terminal or the page (--ui web); run it in one, or pass --auto to record without questions');
      const terminal: CalibrationView & { close?: () => void } = interactive
        ? new TerminalView({ out: process.stdout, input: process.stdin })
        : new LineView((line) => process.stderr.write(line + '\n'));

      let cueConnection: JohnnyFiveConnection | undefined;
      let cues: CalibrationCues | undefined;
      if (opts.cueBoard) {
        cueConnection = await connectJohnnyFive({ port: opts.cueBoard });
        cues = johnnyFiveCues({ board: cueConnection.board, led: opts.cueLed, ...(opts.cueVibration ? { vibration: opts.cueVibration } : {}) });
      }
      let dashboard: WebDashboard | undefined;
      try {
        if (web) dashboard = await startWebUi(web, (line) => void process.stderr.write(line + '\n'));
      } catch (err) {
        terminal.close?.();
        await cueConnection?.close();
        throw err;
      }
      // Without a terminal, the page alone asks (and nothing asks with --auto).
      const combined = combineViews([terminal, ...(dashboard ? [dashboard.calibrationView('headstart calibrate', { offerRedo: !opts.auto })] : [])]);
      // Ctrl-C, SIGTERM, SIGHUP: STOP to the board, the journal kept, and the way to resume said (exit 130).
      const stop = handleStopSignals();
      // Link drops and returns, as they happened, for --json (the lines on stderr show them at once).
      const linkEvents: { state: string; atMs: number; reason?: string; downtimeMs?: number }[] = [];
      const startedAt = performance.now();
      const view: CalibrationView = {
        event: (e) => {
          if (e.type === 'link') linkEvents.push({ ...e, atMs: Math.round(performance.now() - startedAt) });
          combined.event(e);
        },
        ...(combined.askRedo ? { askRedo: (trial, issues) => combined.askRedo!(trial, issues) } : {}),
      };
      let result;
      try {
        // TensorFlow.js (the head trainers) loads inside: the verbs that do not train start without it.
        result = await calibrate({
          board: boardFromOptions(opts),
          ...(protocol ? { protocol } : {}),
          user: opts.profile,
          ...(opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {}),
          ...(opts.package !== undefined ? { model: opts.package } : {}),
          runtime,
          onNote: (note) => process.stderr.write(`note: ${note}\n`),
          view,
          signal: stop.signal,
          ...(cues ? { cues } : {}),
          timeScale,
          ...(opts.only !== undefined ? { only: opts.only } : {}),
          ...(opts.resume ? { resume: true } : {}),
          minAccuracy,
        });
      } finally {
        stop.dispose();
        terminal.close?.();
        await cueConnection?.close();
        await dashboard?.close();
      }
      if (opts.json) {
        process.stdout.write(
          JSON.stringify({
            profile: result.profile.user,
            version: result.profile.version,
            inUse: result.inUse,
            profilePath: result.profilePath,
            reportPath: result.reportPath,
            journalPath: result.journalPath,
            head: result.trained.head.kind,
            cv: { method: result.trained.cv.method, accuracy: result.trained.cv.accuracy[result.trained.cv.chosen] ?? null, perGesture: result.trained.cv.perClass ?? null, confusion: result.trained.cv.confusion ?? null },
            gestures: result.profile.gestures,
            windows: result.windows,
            verdict: result.verdict,
            ...(result.profile.sync?.autoCheck ? { autoSyncCheck: result.profile.sync.autoCheck } : {}),
            link: linkEvents,
          }) + '\n',
        );
        return;
      }
      const out: string[] = [''];
      if (result.confusionText) out.push(result.confusionText, '');
      for (const g of result.verdict.gestures) {
        out.push(`${g.redo ? '✗' : '✓'} ${g.label.padEnd(20)} ${g.accuracy === undefined ? '' : `${Math.round(g.accuracy * 100)} %`}`);
        for (const r of g.reasons) out.push(`    ${r}`);
      }
      out.push('', `verdict: ${result.verdict.summary}`, `profile '${result.profile.user}' version ${result.profile.version}: ${result.profilePath}`);
      if (!result.inUse) {
        out.push(`  not put in use: its verdict failed, so the version in use stays (\`headstart profile use ${result.profile.user} ${result.profile.version}\` takes this one anyway)`);
      }
      const check = result.profile.sync?.autoCheck;
      if (check) {
        out.push(
          check.misses === 0
            ? `automatic sync (run --sync auto): found the band's turn in all ${check.trials} replays of this calibration turned`
            : `automatic sync (run --sync auto): missed the band's turn in ${check.misses} of ${check.trials} replays of this calibration turned: not to be trusted for this wearer; after re-wearing, use run --sync (a 2 s hold) or --tolerate-turn`,
        );
      }
      out.push(`recording: ${result.journalPath}`, `report: ${result.reportPath}`);
      process.stdout.write(out.join('\n') + '\n');
    });
}
