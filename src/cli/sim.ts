import { type Command, Option } from 'commander';
import { HeadstartError } from '../core/errors.ts';
import { addDatasetOptions, type DatasetOptions, datasetSpec } from './dataset_options.ts';
import { followingScript } from '../sim/follow_script.ts';
import { rotateBand } from '../core/band_rotation.ts';
import { loadReplayScript } from '../sim/replay_source.ts';
import { scriptLength } from '../sim/replay_script.ts';
import { type RunningCytonBoard, type RunningVirtualBoard, startCytonBoardOnPty, startVirtualBoardOnPty } from '../sim/run_on_pty.ts';
import { CYTON_CHANNELS } from '../core/protocol/cyton.ts';
import { datasetKind } from '../io/datasets/index.ts';
import { EEGMAT_CYTON_MONTAGE } from '../io/datasets/eegmat.ts';
import { CYTON_PACKET_RATE } from '../sim/cyton_board.ts';
import { resampleScript } from '../sim/resample_script.ts';
import type { ReplayScript } from '../sim/replay_script.ts';
import { addHelpNotes } from './help.ts';
import { handleStopSignals } from './interrupt.ts';
import { choiceOption, MAX_BAUD, numberOption, parseNumber, textOption } from './options.ts';

const SIM_FORMATS = ['headstart', 'cyton'] as const;

interface SimOptions extends DatasetOptions {
  pty: string;
  format: (typeof SIM_FORMATS)[number];
  replay: string[];
  speed: number;
  samplesPerFrame?: number;
  baud?: number;
  loop?: boolean;
  json?: boolean;
  follow?: string;
  timeScale: number;
  turn: number;
}

/** After the last frame, how long to wait for the host's STOP before taking the pty away. */
const END_LINGER_MS = 2000;

/** --speed: a number of times real time, or `max` (as fast as the link takes). */
function parseSpeed(text: string): number {
  return text.trim() === 'max' ? Number.POSITIVE_INFINITY : parseNumber('--speed', text, { above: 0, max: 10_000 });
}

export function registerSim(program: Command): void {
  const cmd = program
    .command('sim')
    .summary('a virtual board: plays a recording (Myo, CSV, .hsrec) as protocol frames into a pseudo-terminal, with true-label EVENTs')
    .description(
      'a virtual sensor board: plays a recording as headstart protocol frames into a pseudo-terminal, at real-time pace or faster, answering start/stop/ping like the firmware; labelled recordings send the true label as an EVENT at each change',
    )
    .addOption(textOption('--pty <path>', 'where the host connects (give this path as the port); made with socat, the board opening <path>.board, unless it already is a tty').makeOptionMandatory())
    .requiredOption(
      '--replay <recordings...>',
      'what to play, back to back, read as `headstart dataset` reads it: a Myo session folder or classe_<i>.dat files, .csv files (with --rate), .hsrec recordings (whole, with their label markers), or a quoted glob',
    )
    .addOption(new Option('--speed <times>', 'playback speed: 1 = real time, 10 = ten times faster, max = as fast as the link takes').argParser(parseSpeed).default(1))
    .addOption(numberOption('--samples-per-frame <n>', 'samples in each SAMPLES frame (default: about 10 ms worth, as the reference sketch)', { integer: true, min: 1, max: 1000 }))
    .addOption(
      choiceOption(
        '--format <format>',
        "what the board speaks: headstart (protocol frames, with true-label EVENTs) or cyton (an OpenBCI Cyton's byte stream: 33-byte packets of 24-bit counts at 250 Hz, or 16 channels at 125 Hz as with a Daisy; the recording is resampled to that rate; no labels on the wire)",
        SIM_FORMATS,
        'headstart',
      ),
    )
    .addOption(numberOption('--baud <rate>', 'baud rate set on the board end of the pty (default 2000000; 115200 with --format cyton, as the Cyton dongle)', { integer: true, min: 1, max: MAX_BAUD }))
    .option('--loop', 'start over at the end instead of exiting')
    .addOption(textOption('--follow <protocol>', 'play the person of --replay (one labelled data set) following this calibration protocol, prompt by prompt, for `headstart calibrate --auto`'))
    .addOption(numberOption('--time-scale <x>', 'with --follow: the --time-scale the calibration will be given', { above: 0, max: 100 }, 1))
    .addOption(numberOption('--turn <electrodes>', 'play the band put back on turned by this many electrodes, fractional (a simulation: each channel interpolated towards its neighbour around the band), to try `run --sync`', { min: -64, max: 64 }, 0))
    .option('--json', 'print a JSON line when ready ({"event":"ready",...}) and one with the totals at the end');
  addDatasetOptions(cmd);
  addHelpNotes(cmd, {
    notes: [
      "The board waits for the host's START before streaming, like a real one; it exits after playing everything once (unless --loop) and the host's STOP (or 2 s), or on Ctrl-C, SIGTERM or SIGHUP (exit status 0, with the totals; the pty pair and socat go with it). Progress goes to stderr.",
      'A board streams one session: a folder that holds several (a Myo person folder such as .../Male0) is refused with the list of its sessions; pick one with --sessions Test0, or name several to play them one after another in that order.',
    ],
    examples: [
      '# two terminals: the board, then any verb that takes --port /tmp/hs-board',
      '$ headstart sim --pty /tmp/hs-board --replay data/demo/EvaluationDataset/Male0/Test0 --speed 2',
      '$ headstart decode --help',
      '# one session of a person folder',
      '$ headstart sim --pty /tmp/hs-board --replay data/demo/EvaluationDataset/Male0 --sessions Test0 --speed 2',
      "# an OpenBCI Cyton playing an eegmat person who follows the EEG protocol (8 channels: Fp1 Fp2 F7 F8 T3 T4 Fz Pz unless --channels; 'b' starts it, 's' stops it)",
      '$ headstart sim --pty /tmp/cyton --format cyton --replay ../shared/datasets/eegmat --people Subject30 --follow calibration/eeg-mental2.json --speed 4 &',
      '$ headstart calibrate --port /tmp/cyton --format cyton --protocol calibration/eeg-mental2.json --profile s30 --auto',
    ],
  });
  cmd
    .action(async (opts: SimOptions) => {
      const { speed } = opts;
      const cyton = opts.format === 'cyton';
      if (cyton && opts.samplesPerFrame !== undefined) throw new HeadstartError('BAD_OPTION', '--samples-per-frame is for --format headstart: a Cyton sends one sample per packet', { setting: 'samplesPerFrame' });
      // The paths are read as `headstart dataset` reads them, with the same options.
      const { path: _first, ...datasetOptions } = datasetSpec(opts.replay[0]!, opts);
      // A Cyton carries 8 channels: eegmat's montage for it, unless chosen.
      if (cyton && datasetOptions.channels === undefined && datasetKind(opts.replay[0]!) === 'eegmat') datasetOptions.channels = EEGMAT_CYTON_MONTAGE;
      if (opts.follow && opts.replay.length > 1) {
        throw new HeadstartError('BAD_OPTION', `--follow plays one person from one data set; give one --replay path (a session folder, or a quoted glob), not ${opts.replay.length}`);
      }
      const cytonRate = (channels: number) => CYTON_PACKET_RATE / (channels > CYTON_CHANNELS ? 2 : 1);
      let script: ReplayScript;
      if (opts.follow) {
        const rate = cyton ? cytonRate(datasetOptions.channels?.length ?? CYTON_CHANNELS) : undefined;
        script = followingScript({ ...datasetOptions, path: opts.replay[0]! }, opts.follow, opts.timeScale, rate);
      } else {
        script = loadReplayScript(opts.replay, datasetOptions);
        if (cyton) script = resampleScript(script, cytonRate(script.channels));
      }
      if (opts.turn !== 0) script = { ...script, samples: rotateBand(script.samples, script.channels, opts.turn) };
      const stop = handleStopSignals();
      try {
        const running: SimBoard = cyton
          ? cytonSimBoard(await startCytonBoardOnPty({ ptyPath: opts.pty, script, speed, loop: opts.loop ?? false, ...(opts.baud ? { baudRate: opts.baud } : {}) }), script.rate)
          : headstartSimBoard(
              await startVirtualBoardOnPty({
                ptyPath: opts.pty,
                script,
                speed,
                loop: opts.loop ?? false,
                ...(opts.baud ? { baudRate: opts.baud } : {}),
                ...(opts.samplesPerFrame !== undefined ? { samplesPerFrame: opts.samplesPerFrame } : {}),
              }),
              script.rate,
            );
        const seconds = scriptLength(script) / script.rate;
        const ready = {
          event: 'ready',
          port: running.hostPath,
          boardEnd: running.boardPath,
          channels: script.channels,
          rate: script.rate,
          seconds,
          labelChanges: cyton ? 0 : script.labels.length,
          speed: Number.isFinite(speed) ? speed : 'max',
          format: opts.format,
          ...(running.samplesPerFrame === undefined ? {} : { samplesPerFrame: running.samplesPerFrame }),
        };
        if (opts.json) process.stdout.write(JSON.stringify(ready) + '\n');
        else {
          process.stdout.write(
            `virtual ${cyton ? 'Cyton' : 'board'} on ${running.hostPath}: ${script.channels} ch at ${script.rate} Hz, ${seconds.toFixed(1)} s of ${script.source}, ` +
              `${cyton ? 'no labels on the wire' : `${script.labels.length} label changes`}, speed ${Number.isFinite(speed) ? `${speed}x` : 'max'}. Waiting for the host's ${cyton ? "'b'" : 'START'}.\n`,
          );
        }

        const progress = setInterval(() => {
          const line = running.progress(seconds);
          if (line) process.stderr.write(line + '\n');
        }, 5000);
        progress.unref();

        // Ctrl-C, SIGTERM, SIGHUP: the pty pair and socat are taken away, whatever the host did (exit 0 with the totals).
        const signalled = new Promise<string>((resolve) => stop.signal.addEventListener('abort', () => resolve(stop.received === 'SIGINT' ? 'interrupted' : `stopped by ${stop.received}`), { once: true }));
        const stopped = running.stopped;
        const why = await Promise.race([running.ended.then(() => (opts.loop ? new Promise<string>(() => undefined) : 'played to the end')), signalled]);
        clearInterval(progress);
        if (why === 'played to the end') {
          // Taking the pty away discards what the host has not read yet: wait for its STOP, briefly.
          await Promise.race([stopped, signalled, new Promise((resolve) => setTimeout(resolve, END_LINGER_MS).unref())]);
        }
        await running.stop();
        const summary = { event: 'end', reason: why, ...running.stats() };
        if (opts.json) process.stdout.write(JSON.stringify(summary) + '\n');
        else process.stdout.write(`${why}: ${running.summary()}.\n`);
      } finally {
        stop.dispose();
      }
    });
}

/** What the verb needs of either virtual board. */
interface SimBoard {
  hostPath: string;
  boardPath: string;
  ended: Promise<void>;
  stop(): Promise<void>;
  /** Resolves on the host's stop command. */
  stopped: Promise<void>;
  samplesPerFrame?: number;
  stats(): object;
  /** A progress line, undefined before anything was played. */
  progress(seconds: number): string | undefined;
  summary(): string;
}

function headstartSimBoard(running: RunningVirtualBoard, rate: number): SimBoard {
  const { board } = running;
  return {
    ...running,
    stopped: new Promise<void>((resolve) => board.on('command', (f) => f.command === 'stop' && resolve())),
    samplesPerFrame: board.samplesPerFrame,
    stats: () => board.stats,
    progress: (seconds) => {
      const s = board.stats;
      if (s.framesSent + s.framesLost === 0) return undefined;
      return `played ${((s.samplesSent + s.samplesLost) / rate).toFixed(1)} of ${seconds.toFixed(1)} s: ${s.framesSent} frames sent, ${s.framesLost} lost while the link was down`;
    },
    summary: () => {
      const s = board.stats;
      return `${s.framesSent} frames (${s.samplesSent} samples) sent, ${s.framesLost} frames lost while the link was down, ${s.commands} commands answered`;
    },
  };
}

function cytonSimBoard(running: RunningCytonBoard, rate: number): SimBoard {
  const { board } = running;
  return {
    ...running,
    stopped: new Promise<void>((resolve) => board.on('command', (letter) => letter === 's' && board.stats.samplesSent > 0 && resolve())),
    stats: () => board.stats,
    progress: (seconds) => {
      const s = board.stats;
      if (s.samplesSent + s.samplesLost === 0) return undefined;
      return `played ${((s.samplesSent + s.samplesLost) / rate).toFixed(1)} of ${seconds.toFixed(1)} s: ${s.packetsSent} packets sent, ${s.samplesLost} samples lost while the link was down`;
    },
    summary: () => {
      const s = board.stats;
      return `${s.packetsSent} packets (${s.samplesSent} samples) sent, ${s.samplesLost} samples lost while the link was down, ${s.clipped} values beyond the ADC's range, ${s.commands} command bytes answered`;
    },
  };
}
