import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { SYNC_DEADBAND } from '../core/band_sync.ts';
import { checkSyncGesture, DEFAULT_AUTO_SYNC_SECONDS, DEFAULT_SYNC_SECONDS, type SyncMode } from '../device/sync.ts';
import { DEFAULT_ADAPT } from '../core/head/adapt.ts';
import { type BoardOptions, boardFromOptions, boardOptions, PORT_OR_CYTON_DESCRIPTION } from './board_options.ts';
import { HeadstartError } from '../core/errors.ts';
import { createRecognizer, loadProfile } from '../api/index.ts';
import type { HeadData } from '../core/head/head.ts';
import type { SyncReference } from '../device/profiles/profile.ts';
import { ProfileStore } from '../device/profiles/store.ts';
import { resolveDataDir } from '../device/profiles/data_dir.ts';
import type { LiveSink } from '../device/live_session.ts';
import { parseOptionalList } from '../device/pipeline/gesture_outputs.ts';
import type { LivePipelineStats } from '../device/pipeline/live_pipeline.ts';
import { formatConfusion, type ScoreSummary } from '../device/pipeline/live_score.ts';
import { DEFAULT_SMOOTHER, type SmootherOptions } from '../device/pipeline/smoother.ts';
import { JohnnyFiveSink } from '../device/sinks/johnny_five_sink.ts';
import { StdoutSink } from '../device/sinks/stdout_sink.ts';
import type { RuntimeChoice } from '../io/runtime/types.ts';
import type { BoardSessionStats } from '../device/transports/board_session.ts';
import { connectJohnnyFive } from '../device/transports/johnny_five_board.ts';
import type { WebDashboard } from '../device/web/dashboard.ts';
import { addHelpNotes } from './help.ts';
import { handleStopSignals } from './interrupt.ts';
import { dataDirOption, numberOption, packageOption, parseNumber, portOption, profileOption, runtimeOption, textOption } from './options.ts';
import { addNetworkOutputOptions, describeNetworkOutputs, type NetworkOutputOptions, type NetworkOutputs, networkOutputSettings, openNetworkOutputs } from './network_outputs.ts';
import { listenOption, parseWebUi, startWebUi, uiOption, type UiChoice } from './web_ui.ts';

interface RunOptions extends BoardOptions, NetworkOutputOptions {
  port: string;
  profile: string;
  package?: string;
  dataDir?: string;
  runtime: RuntimeChoice;
  votes: number;
  threshold: number;
  enter: number;
  exit: number;
  maxQueue: number;
  score?: boolean;
  json?: boolean;
  idleStop?: number;
  outputsBoard?: string;
  ledPins?: string;
  servoPin?: string;
  servoAngles?: string;
  sync?: string | boolean;
  syncSeconds?: number;
  adapt?: boolean;
  tolerateTurn?: boolean;
  reject?: string | boolean;
  syncGains?: boolean;
  ui: UiChoice;
  listen?: string;
}

/** How often the live score and the pipeline's health go to stderr. */
const PROGRESS_MS = 5000;

/** Votes and queued windows are held in memory: bounds far above any real use keep a typo from allocating gigabytes. */
const MAX_VOTES = 1000;
const MAX_QUEUE = 1_000_000;

function smootherOptions(o: RunOptions): SmootherOptions {
  if (o.exit > o.enter) throw new HeadstartError('BAD_OPTION', `--exit (${o.exit}) must not be above --enter (${o.enter}): a gesture ends below the share it entered at`, { option: '--exit' });
  return { votes: o.votes, threshold: o.threshold, enter: o.enter, exit: o.exit };
}

/** The profile's re-wearing heads after adaptation: the adapted one back in its place (the turn-tolerant head, or a prepared turn's). */
function adaptedSync(sync: SyncReference, adapted: { head: HeadData; tolerant: boolean; preparedShift?: number }): SyncReference {
  if (adapted.tolerant) return { ...sync, tolerantHead: adapted.head };
  if (adapted.preparedShift === undefined) return sync;
  return { ...sync, heads: sync.heads?.map((h) => (h.shift === adapted.preparedShift ? { shift: h.shift, head: adapted.head } : h)) };
}

function pct(x: number): string {
  return `${(100 * x).toFixed(2)} %`;
}

interface Summary {
  event: 'summary';
  reason: string;
  profile: { user: string; version: number; head: string };
  package: string;
  runtime: string;
  pipeline: LivePipelineStats;
  board: BoardSessionStats;
  /** Peak resident memory of this process (MB). */
  maxRssMB: number;
  score?: ScoreSummary;
  /** The OSC and MQTT outputs' deliveries, when any was asked for. */
  outputs?: ReturnType<NetworkOutputs['stats']>;
}

function describeSummary(s: Summary, gestures: string[]): string {
  const p = s.pipeline;
  const lines = [
    `${s.reason}: ${p.windows} windows (${p.inferred} inferred, ${p.dropped} dropped because inference fell behind), ${p.events} gesture changes`,
    `${p.boardSeconds.toFixed(1)} s of signal in ${p.wallSeconds.toFixed(1)} s (${(p.boardSeconds / Math.max(p.wallSeconds, 1e-9)).toFixed(1)}x real time, when the board sends faster than real time)`,
    `latency from a window's last sample to its result: p50 ${p.latency.p50Ms.toFixed(2)} ms, p99 ${p.latency.p99Ms.toFixed(2)} ms, max ${p.latency.maxMs.toFixed(2)} ms`,
    `peak resident memory ${s.maxRssMB.toFixed(0)} MB; board: ${s.board.samples} samples per channel, ${s.board.missingFrames} frames missing, ${s.board.decoder.crcFailures} CRC failures, ${s.board.gaps} gaps`,
  ];
  if (s.outputs) lines.push(...describeNetworkOutputs(s.outputs));
  if (s.score) {
    lines.push(
      '',
      `live per-window accuracy: ${pct(s.score.accuracy)} (${s.score.correct} of ${s.score.scored} windows under one label; ${s.score.straddling} straddling a label change and ${s.score.unlabelled} unlabelled not scored)`,
      formatConfusion(s.score.confusion, gestures),
    );
  }
  return lines.join('\n') + '\n';
}

export function registerRun(program: Command): void {
  const cmd = program
    .command('run')
    .summary("live recognition for a calibrated wearer: board frames, windows, the int8 extractor, the profile's head, smoothed gesture events")
    .description(
      "live gesture recognition for a calibrated wearer: the board's frames are cut into windows, embedded by the package's int8 extractor, classified by the wearer's profile head and smoothed into gesture events (one line per change)",
    )
    .addOption(portOption(PORT_OR_CYTON_DESCRIPTION))
    .addOption(profileOption('whose profile to use (its version in use: see `headstart profile show <user>`)').makeOptionMandatory())
    .addOption(packageOption('model package (default: the one the profile was calibrated with, else the one shipped under models/)'))
    .addOption(dataDirOption('where the profiles live (default $HEADSTART_DATA_DIR, else ~/.headstart)'))
    .addOption(boardOptions()[0]!)
    .addOption(boardOptions()[1]!)
    .addOption(boardOptions()[2]!)
    .addOption(boardOptions()[3]!)
    .addOption(runtimeOption())
    .addOption(numberOption('--votes <n>', 'windows in the smoothing vote', { integer: true, min: 1, max: MAX_VOTES }, DEFAULT_SMOOTHER.votes))
    .addOption(numberOption('--threshold <p>', 'least confidence (0..1) for a window to vote', { min: 0, max: 1 }, DEFAULT_SMOOTHER.threshold))
    .addOption(numberOption('--enter <share>', 'share of the votes a gesture needs to be recognized', { above: 0, max: 1 }, DEFAULT_SMOOTHER.enter))
    .addOption(numberOption('--exit <share>', 'share of the votes below which a recognized gesture ends (lower than --enter: hysteresis)', { min: 0, max: 1 }, DEFAULT_SMOOTHER.exit))
    .addOption(numberOption('--max-queue <windows>', 'windows waiting for inference before the oldest are dropped (and counted)', { integer: true, min: 1, max: MAX_QUEUE }, 64))
    .option('--score', "score each window against the board's label EVENT markers (a replayed labelled recording): live accuracy on stderr, confusion matrix at the end")
    .option('--json', 'events and the final summary as JSON lines on stdout')
    .addOption(numberOption('--idle-stop <seconds>', 'stop once the board has sent no samples for this long (default: run until Ctrl-C)', { above: 0, max: 86_400 }))
    .addOption(textOption('--outputs-board <port>', 'a Firmata board (johnny-five) driving LEDs and a servo from the recognized gesture'))
    .addOption(textOption('--led-pins <list>', "LED pin per gesture in class order, '-' for none (e.g. -,2,3,4,5,6,7)"))
    .addOption(textOption('--servo-pin <pin>', 'servo pin on the outputs board (e.g. a gripper)'))
    .addOption(textOption('--servo-angles <list>', "servo angle 0..180 per gesture in class order, '-' to stay put (e.g. -,-,-,-,-,20,160)"))
    .option(
      '--sync [gesture]',
      "after putting the band back on: hold a gesture for the sync's length at the start (default: the one the profile names, which stands out most from rest) and the band's turn since calibration is undone (the head prepared for the nearest turn, the rest corrected in front of the extractor). `--sync auto` asks for nothing: once ordinary use has given the sync's length of activity (rest is skipped) and looked like at least two calibrated gestures, each half second is matched with the gesture it looks most like, turned (not yet reliable for every wearer: see bench/RESULTS.md; a profile whose calibration failed the sync's self-check gets the estimate reported, not applied). A turn under 1/8 electrode is left alone",
    )
    .addOption(numberOption('--sync-seconds <s>', `how much signal a sync reads (default ${DEFAULT_SYNC_SECONDS} s of the held gesture; with auto, ${DEFAULT_AUTO_SYNC_SECONDS} s of activity)`, { above: 0, max: 60 }))
    .option('--sync-gains', "also apply the per-electrode gains a sync estimates (a contact that changed); off by default: a short hold's levels follow how hard it is held, too")
    .option(
      '--tolerate-turn',
      "recognize with the profile's turn-tolerant head, trained on the calibration as recorded and turned by up to half an electrode: for a band that may be on a little turned, with no sync (a little less accurate on an unturned band; see bench/RESULTS.md). With --sync, until the sync has estimated; `--sync auto` always starts with it",
    )
    .option('--adapt', 'follow slow drift without labels (sweat, contact, hours of wear): confident windows nudge the head; at the end the adapted head is saved as a new profile version (`headstart profile rollback <user>` undoes it)')
    .option('--reject [p]', "answer unknown (no gesture) for windows less confident than p: the profile's suggestion from calibration when no p is given; sets --threshold")
    .addOption(uiOption("every channel's trace and level, the link, the current gesture large, each class's score, latency p50/p99, windows per second and dropped windows"))
    .addOption(listenOption());
  addNetworkOutputOptions(cmd);
  addHelpNotes(cmd, {
    notes: [
      "Each event carries the board's most recent EVENT marker (button, sync, or the true label of a replay). The board must send the package's channels at its rate or a higher one that resamples to it (250 -> 200 Hz); a profile trained for another extractor is refused.",
      'The serial reader never waits for inference: when inference falls behind, the oldest windows are dropped and counted in the summary. Ctrl-C, SIGTERM and SIGHUP stop cleanly: STOP to the board, exit status 0, with the summary.',
      'When the board goes away (cable, power, a sim that ended) run says so and keeps trying to reconnect; with --json the drop and the return are {"event":"link","state":"disconnected"|"reconnected",...} lines. --idle-stop ends the run instead.',
      'An OSC or MQTT output that cannot deliver (nobody listening, the broker down) never stops recognition: it says so once on stderr and counts the events it could not send; the MQTT client reconnects by itself.',
    ],
    examples: [
      '$ headstart run --port /dev/ttyACM0 --profile alice',
      '$ headstart run --port /dev/ttyACM0 --profile alice --json | my-app',
      '$ headstart run --port /dev/ttyACM0 --profile alice --osc 127.0.0.1:9000',
      '$ headstart run --port /dev/ttyACM0 --profile alice --mqtt mqtt://127.0.0.1:1883 --topic home/arm/gesture --qos 1',
      '$ headstart run --port /dev/ttyACM0 --profile alice --ui web   # and open the printed URL',
      '$ headstart sim --pty /tmp/hs-board --replay data/demo/EvaluationDataset/Male0/Test0 --speed 10 &',
      '$ headstart run --port /tmp/hs-board --profile male0 --score --idle-stop 2 --max-queue 100000',
    ],
  });
  cmd
    .action(async (opts: RunOptions) => {
      // Options first: a typo must not open the port.
      const smoother = smootherOptions(opts);
      const { maxQueue, runtime: runtimeChoice } = opts;
      const board = boardFromOptions(opts);
      const idleStopMs = opts.idleStop === undefined ? undefined : 1000 * opts.idleStop;
      const parsePin = (s: string): number | string => (/^\d+$/.test(s) ? Number(s) : s);
      const ledPins = opts.ledPins === undefined ? undefined : parseOptionalList(opts.ledPins, parsePin);
      const servoAngles = opts.servoAngles === undefined ? undefined : parseOptionalList(opts.servoAngles, (s) => parseNumber('--servo-angles', s, { min: 0, max: 180 }));
      const network = networkOutputSettings(opts, opts.profile);
      if ((ledPins || opts.servoPin) && !opts.outputsBoard) throw new HeadstartError('MISSING_OPTION', 'LED and servo pins need --outputs-board <port> (the Firmata board they are wired to)');
      const web = parseWebUi(opts);

      const profile = loadProfile(opts.profile, opts.dataDir === undefined ? {} : { dataDir: opts.dataDir });
      if (opts.package === undefined && profile.package.dir !== undefined && !existsSync(profile.package.dir)) {
        throw new HeadstartError(
          'FILE_NOT_FOUND',
          `${profile.package.dir}: the model package folder that profile '${profile.user}' v${profile.version} was calibrated with (package '${profile.package.name}') is gone; give its new place with --package <dir> (the same extractor: sha256 ${profile.extractorSha256.slice(0, 12)}…)`,
          { file: profile.package.dir, fromProfile: profile.user },
        );
      }
      const recognizer = createRecognizer({ profile, runtime: runtimeChoice, ...(opts.package !== undefined ? { model: opts.package } : {}) });
      const packageDir = recognizer.packageDir;
      if (recognizer.fallbackReason) process.stderr.write(`note: using the TypeScript interpreter (${recognizer.fallbackReason})\n`);
      const gestures = profile.gestures;
      if (opts.reject !== undefined && opts.reject !== false) {
        smoother.threshold = opts.reject === true ? (profile.cv.rejectThreshold ?? DEFAULT_SMOOTHER.threshold) : parseNumber('--reject', opts.reject, { min: 0, max: 1 });
        process.stderr.write(`rejecting windows below ${smoother.threshold} confidence${opts.reject === true ? (profile.cv.rejectThreshold !== undefined ? " (the profile's calibration suggests it)" : ' (the profile suggests none: the default)') : ''}\n`);
      }

      const sinks: LiveSink[] = [new StdoutSink({ json: opts.json === true })];
      if (opts.outputsBoard) {
        const connection = await connectJohnnyFive({ port: opts.outputsBoard });
        try {
          sinks.push(
            new JohnnyFiveSink({
              connection,
              classes: gestures.length,
              ...(ledPins ? { ledPins } : {}),
              ...(opts.servoPin !== undefined ? { servoPin: parsePin(opts.servoPin) } : {}),
              ...(servoAngles ? { servoAngles } : {}),
            }),
          );
        } catch (err) {
          await connection.close();
          throw err;
        }
      }

      const outputs = await openNetworkOutputs(network);
      sinks.push(...outputs.sinks);

      let dashboard: WebDashboard | undefined;
      if (web) {
        try {
          dashboard = await startWebUi(web, (line) => void process.stderr.write(line + '\n'));
        } catch (err) {
          for (const sink of sinks) await sink.close();
          throw err;
        }
        sinks.push(dashboard.liveSink(`headstart run · ${profile.user}`));
      }

      // Ctrl-C, SIGTERM, SIGHUP stop cleanly: STOP to the board, then the summary of what was recognized (exit 0).
      const stop = handleStopSignals();
      try {
        const syncMode: SyncMode | undefined =
          opts.sync === undefined || opts.sync === false
            ? undefined
            : opts.sync === 'auto'
              ? { kind: 'auto' }
              : { kind: 'gesture', gesture: typeof opts.sync === 'string' ? opts.sync : (profile.sync?.gesture ?? '') };
        if (syncMode?.kind === 'gesture') checkSyncGesture(profile.sync, syncMode.gesture, profile.user);
        const syncSeconds = opts.syncSeconds ?? (syncMode?.kind === 'auto' ? DEFAULT_AUTO_SYNC_SECONDS : DEFAULT_SYNC_SECONDS);
        const live = recognizer.listen(board, {
          ...(opts.adapt ? { adapt: DEFAULT_ADAPT } : {}),
          ...(syncMode ? { sync: { mode: syncMode, seconds: syncSeconds, gains: opts.syncGains === true } } : {}),
          ...(opts.tolerateTurn ? { tolerateTurn: true } : {}),
          pipeline: { smoother, maxQueue },
          score: opts.score === true,
          sinks,
          signal: stop.signal,
          ...(idleStopMs !== undefined ? { idleStopMs } : {}),
          statsIntervalMs: PROGRESS_MS,
        });
        // The link as it drops and comes back: a line on stderr, and an event line on stdout with --json.
        let down = false;
        live.on('link', (e) => {
          if (e.state === 'reconnecting') {
            down = true;
            process.stderr.write(`board disconnected (${e.reason ?? 'the link dropped'}): reconnecting to ${e.description}; recognition resumes when it is back\n`);
          } else if (e.state === 'connected' && e.attempts !== undefined) {
            down = false;
            process.stderr.write(`board reconnected after ${((e.downtimeMs ?? 0) / 1000).toFixed(1)} s (${e.attempts} attempt${e.attempts === 1 ? '' : 's'})\n`);
          } else if (e.state === 'disconnected') {
            down = false;
          } else {
            return;
          }
          if (opts.json && (e.state === 'reconnecting' || e.attempts !== undefined)) {
            const { hello: _hello, ...fields } = e;
            process.stdout.write(JSON.stringify({ event: 'link', ...fields, state: e.state === 'reconnecting' ? 'disconnected' : 'reconnected' }) + '\n');
          }
        });
        let lastWindows = -1;
        live.on('stats', (s) => {
          // While the board is away nothing changes: one line said so, not one every few seconds.
          if (down || s.pipeline.windows === lastWindows) return;
          lastWindows = s.pipeline.windows;
          const scored = s.score ? `, live per-window accuracy ${pct(s.score.accuracy)} over ${s.score.scored} windows` : '';
          process.stderr.write(`${s.pipeline.windows} windows, ${s.pipeline.dropped} dropped, latency p50 ${s.pipeline.latency.p50Ms.toFixed(1)} ms${scored}\n`);
        });
        live.on('sync', (e) => {
          if (opts.json) process.stdout.write(JSON.stringify({ event: 'sync', shift: e.shift, headShift: e.headShift, gains: e.gains, mode: e.mode, samples: e.samples, computeMs: e.computeMs, ...(e.undetermined ? { undetermined: true } : {}), ...(e.untrusted ? { untrusted: true } : {}) }) + '\n');
          else if (e.untrusted) {
            process.stderr.write(`sync: estimated a turn of ${e.shift >= 0 ? '+' : ''}${e.shift.toFixed(2)} electrodes, not applied: the automatic sync misread this calibration's own holds, so the ${profile.sync?.tolerantHead ? 'turn-tolerant head goes on' : "calibration's head goes on"} (--sync: hold a gesture instead)\n`);
          } else if (e.undetermined) {
            process.stderr.write(`sync: ${e.seconds.toFixed(0)} s of use all looked like one gesture, which does not tell the band's turn: nothing corrected${profile.sync?.tolerantHead ? ', the turn-tolerant head goes on' : ''} (--sync: hold a gesture instead)\n`);
          } else if (Math.abs(e.shift) < SYNC_DEADBAND) {
            process.stderr.write(`sync: the band sits as at calibration (turn ${e.shift >= 0 ? '+' : ''}${e.shift.toFixed(2)} electrodes, under ${SYNC_DEADBAND}): nothing to undo\n`);
          } else {
            const head = e.headShift !== 0 ? `the head prepared for ${e.headShift >= 0 ? '+' : ''}${e.headShift} electrodes, the rest corrected` : 'undone in front of the extractor';
            process.stderr.write(`sync: the band has turned ${e.shift >= 0 ? '+' : ''}${e.shift.toFixed(2)} electrodes since calibration (electrode gains ${e.gains.map((g) => g.toFixed(2)).join(' ')}): ${head}, from now on\n`);
          }
        });
        if (opts.adapt && recognizer.manifest.modality === 'eeg') {
          // Measured on eegmat's evaluation people (bench/RESULTS.md, EEG): the band power and covariance head loses
          // 1-8 points adapting. The run still adapts as asked, and rollback undoes it.
          process.stderr.write(`warning: adapting an EEG head cost 1-8 points of balanced accuracy in the benchmark (bench/RESULTS.md, EEG); if recognition gets worse, \`headstart profile rollback ${profile.user}\` undoes it\n`);
        }
        if (syncMode?.kind === 'gesture') process.stderr.write(`sync: hold ${syncMode.gesture} for ${syncSeconds} s now\n`);
        else if (syncMode) {
          const check = profile.sync?.autoCheck;
          if (check && check.misses > 0) {
            process.stderr.write(`warning: the automatic sync missed the band's turn in ${check.misses} of ${check.trials} replays of '${profile.user}'s calibration: its estimate will be reported, not applied (--sync with a 2 s hold is reliable)\n`);
          }
          process.stderr.write(`sync: reading the band's position from the first ${syncSeconds} s of activity (use it as usual)\n`);
        }
        const { hello, resampled } = await live.start();
        process.stderr.write(
          `running '${profile.user}' v${profile.version} (${profile.head.kind} head${live.tolerantHeadInUse ? `, turn-tolerant${syncMode ? ' until the sync' : ''}` : ''}, ${gestures.length} gestures) on ${live.description}: ` +
            `board '${hello.boardId}' ${hello.channels} ch at ${hello.rate} Hz${resampled ? ` resampled to ${recognizer.manifest.sampleRate} Hz` : ''}, ${recognizer.runtime} runtime\n`,
        );
        const result = await live.done();
        const summary: Summary = {
          event: 'summary',
          reason: result.reason,
          profile: { user: profile.user, version: profile.version, head: profile.head.kind },
          package: packageDir,
          runtime: recognizer.runtime,
          pipeline: result.pipeline,
          board: result.board,
          maxRssMB: process.resourceUsage().maxRSS / 1024,
          ...(result.score ? { score: result.score } : {}),
          ...(outputs.sinks.length > 0 ? { outputs: outputs.stats() } : {}),
        };
        process.stdout.write(opts.json ? JSON.stringify(summary) + '\n' : describeSummary(summary, gestures));
        const adapted = live.adaptedHead();
        if (adapted && adapted.state.updates > 0) {
          const saved = new ProfileStore(resolveDataDir(opts.dataDir)).save({
            user: profile.user,
            extractorSha256: profile.extractorSha256,
            package: profile.package,
            gestures: profile.gestures,
            // The head that adapted goes back in its own place: the turn-tolerant head, or the one a sync chose for a
            // turned band, leave the calibration's own as it was (a later sync that finds the band unturned uses it).
            head: adapted.tolerant || adapted.preparedShift !== undefined ? profile.head : adapted.head,
            cv: profile.cv,
            ...(profile.calibration ? { calibration: profile.calibration } : {}),
            ...(profile.sync ? { sync: adaptedSync(profile.sync, adapted) } : {}),
            adaptation: {
              fromVersion: profile.version,
              updates: adapted.state.updates,
              resets: adapted.state.resets,
              shift: adapted.state.shift,
              ...(adapted.tolerant ? { tolerant: true } : {}),
              ...(adapted.preparedShift !== undefined ? { preparedShift: adapted.preparedShift } : {}),
            },
          });
          const line = { event: 'adapted', profile: profile.user, version: saved.version, fromVersion: profile.version, updates: adapted.state.updates, resets: adapted.state.resets };
          if (opts.json) process.stdout.write(JSON.stringify(line) + '\n');
          else process.stderr.write(`adapted on ${adapted.state.updates} confident windows: saved as '${profile.user}' v${saved.version} (\`headstart profile rollback ${profile.user}\` goes back to v${profile.version})\n`);
        }
      } finally {
        stop.dispose();
        await dashboard?.close();
      }
    });
}
