import { type Command, Option } from 'commander';
import { HeadstartError } from '../core/errors.ts';
import { addDatasetOptions, type DatasetOptions, datasetSpec } from './dataset_options.ts';
import { followingScript } from '../sim/follow_script.ts';
import { loadReplayScript } from '../sim/replay_source.ts';
import { scriptLength } from '../sim/replay_script.ts';
import { startVirtualBoardOnPty } from '../sim/run_on_pty.ts';
import { addHelpNotes } from './help.ts';
import { handleStopSignals, type StopSignals } from './interrupt.ts';
import type { ReplayScript } from '../sim/replay_script.ts';
import { baudOption, numberOption, parseNumber, textOption } from './options.ts';

interface SimOptions extends DatasetOptions {
  pty: string;
  replay: string[];
  speed: number;
  samplesPerFrame?: number;
  baud: number;
  loop?: boolean;
  json?: boolean;
  follow?: string;
  timeScale: number;
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
    .addOption(baudOption(2000000, 'baud rate set on the board end of the pty'))
    .option('--loop', 'start over at the end instead of exiting')
    .addOption(textOption('--follow <protocol>', 'play the person of --replay (one labelled data set) following this calibration protocol, prompt by prompt, for `headstart calibrate --auto`'))
    .addOption(numberOption('--time-scale <x>', 'with --follow: the --time-scale the calibration will be given', { above: 0, max: 100 }, 1))
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
    ],
  });
  cmd
    .action(async (opts: SimOptions) => {
      // The paths are read as `headstart dataset` reads them, with the same options.
      const { path: _first, ...datasetOptions } = datasetSpec(opts.replay[0]!, opts);
      if (opts.follow && opts.replay.length > 1) {
        throw new HeadstartError('BAD_OPTION', `--follow plays one person from one data set; give one --replay path (a session folder, or a quoted glob), not ${opts.replay.length}`);
      }
      const script = opts.follow
        ? followingScript({ ...datasetOptions, path: opts.replay[0]! }, opts.follow, opts.timeScale)
        : loadReplayScript(opts.replay, datasetOptions);
      const stop = handleStopSignals();
      try {
        await serve(opts, script, stop);
      } finally {
        stop.dispose();
      }
    });
}

async function serve(opts: SimOptions, script: ReplayScript, stop: StopSignals): Promise<void> {
  const { speed } = opts;
  const running = await startVirtualBoardOnPty({
    ptyPath: opts.pty,
    script,
    speed,
    baudRate: opts.baud,
    loop: opts.loop ?? false,
    ...(opts.samplesPerFrame !== undefined ? { samplesPerFrame: opts.samplesPerFrame } : {}),
  });
  const seconds = scriptLength(script) / script.rate;
  const ready = {
    event: 'ready',
    port: running.hostPath,
    boardEnd: running.boardPath,
    channels: script.channels,
    rate: script.rate,
    seconds,
    labelChanges: script.labels.length,
    speed: Number.isFinite(speed) ? speed : 'max',
    samplesPerFrame: running.board.samplesPerFrame,
  };
  if (opts.json) process.stdout.write(JSON.stringify(ready) + '\n');
  else {
    process.stdout.write(
      `virtual board on ${running.hostPath}: ${script.channels} ch at ${script.rate} Hz, ${seconds.toFixed(1)} s of ${script.source}, ` +
        `${script.labels.length} label changes, speed ${Number.isFinite(speed) ? `${speed}x` : 'max'}. Waiting for the host's START.\n`,
    );
  }

  const progress = setInterval(() => {
    const s = running.board.stats;
    if (s.framesSent + s.framesLost === 0) return;
    const played = (s.samplesSent + s.samplesLost) / script.rate;
    process.stderr.write(`played ${played.toFixed(1)} of ${seconds.toFixed(1)} s: ${s.framesSent} frames sent, ${s.framesLost} lost while the link was down\n`);
  }, 5000);
  progress.unref();

  // Ctrl-C, SIGTERM, SIGHUP: the pty pair and socat are taken away, whatever the host did (exit 0 with the totals).
  const signalled = new Promise<string>((resolve) => stop.signal.addEventListener('abort', () => resolve(stop.received === 'SIGINT' ? 'interrupted' : `stopped by ${stop.received}`), { once: true }));
  const stopped = new Promise<void>((resolve) => running.board.on('command', (f) => f.command === 'stop' && resolve()));
  const why = await Promise.race([running.ended.then(() => (opts.loop ? new Promise<string>(() => undefined) : 'played to the end')), signalled]);
  clearInterval(progress);
  if (why === 'played to the end') {
    // Taking the pty away discards what the host has not read yet: wait for its STOP, briefly.
    await Promise.race([stopped, signalled, new Promise((resolve) => setTimeout(resolve, END_LINGER_MS).unref())]);
  }
  await running.stop();
  const s = running.board.stats;
  const summary = { event: 'end', reason: why, ...s };
  if (opts.json) process.stdout.write(JSON.stringify(summary) + '\n');
  else process.stdout.write(`${why}: ${s.framesSent} frames (${s.samplesSent} samples) sent, ${s.framesLost} frames lost while the link was down, ${s.commands} commands answered.\n`);
}
