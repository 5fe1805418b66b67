import type { Command } from 'commander';
import { HeadstartError } from '../core/errors.ts';
import { addDatasetOptions, type DatasetOptions, datasetSpec } from './dataset_options.ts';
import { followingScript } from '../sim/follow_script.ts';
import { loadReplayScript } from '../sim/replay_source.ts';
import { scriptLength } from '../sim/replay_script.ts';
import { startVirtualBoardOnPty } from '../sim/run_on_pty.ts';

interface SimOptions extends DatasetOptions {
  pty: string;
  replay: string[];
  speed: string;
  samplesPerFrame?: string;
  baud: string;
  loop?: boolean;
  json?: boolean;
  follow?: string;
  timeScale: string;
}

/** After the last frame, how long to wait for the host's STOP before taking the pty away. */
const END_LINGER_MS = 2000;

function positive(name: string, value: string, integer = false): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new HeadstartError('BAD_OPTION', `${name} must be a positive ${integer ? 'whole ' : ''}number, got "${value}"`);
  }
  return n;
}

export function registerSim(program: Command): void {
  const cmd = program
    .command('sim')
    .description(
      'a virtual sensor board: plays a recording as headstart protocol frames into a pseudo-terminal, at real-time pace\n' +
        'or faster, answering start/stop/ping like the firmware; labelled recordings send the true label as an EVENT at each change',
    )
    .requiredOption('--pty <path>', 'where the host connects (give this path as the port); made with socat, the board opening <path>.board, unless it already is a tty')
    .requiredOption(
      '--replay <recordings...>',
      'what to play, back to back, read as `headstart dataset` reads it: a Myo session folder or classe_<i>.dat files, .csv files (with --rate), .hsrec recordings (whole, with their label markers), or a quoted glob',
    )
    .option('--speed <times>', 'playback speed: 1 = real time, 10 = ten times faster, max = as fast as the link takes', '1')
    .option('--samples-per-frame <n>', 'samples in each SAMPLES frame (default: about 10 ms worth, as the reference sketch)')
    .option('--baud <rate>', 'baud rate set on the board end of the pty', '2000000')
    .option('--loop', 'start over at the end instead of exiting')
    .option('--follow <protocol>', 'play the person of --replay (one labelled data set) following this calibration protocol, prompt by prompt, for `headstart calibrate --auto`')
    .option('--time-scale <x>', 'with --follow: the --time-scale the calibration will be given', '1')
    .option('--json', 'print a JSON line when ready ({"event":"ready",...}) and one with the totals at the end');
  addDatasetOptions(cmd)
    .addHelpText(
      'after',
      '\nThe board waits for the host\'s START before streaming, like a real one; it exits after playing\n' +
        'everything once (unless --loop) and the host\'s STOP (or 2 s), or on Ctrl-C. Progress goes to stderr.\n\n' +
        'A board streams one session: a folder that holds several (a Myo person folder such as .../Male0) is refused with the list of its sessions; pick one with --sessions Test0, or name several to play them one after another in that order.\n\n' +
        'Example (two terminals):\n' +
        '  $ headstart sim --pty /tmp/hs-board --replay ../shared/datasets/myoarmband/EvaluationDataset/Male0/Test0 --speed 2\n' +
        '  $ headstart decode --help    # or any verb that takes --port /tmp/hs-board\n\n' +
        'One session of a person folder:\n' +
        '  $ headstart sim --pty /tmp/hs-board --replay data/demo/EvaluationDataset/Male0 --sessions Test0 --speed 2',
    )
    .action(async (opts: SimOptions) => {
      const speed = opts.speed === 'max' ? Number.POSITIVE_INFINITY : positive('--speed', opts.speed);
      // The paths are read as `headstart dataset` reads them, with the same options.
      const { path: _first, ...datasetOptions } = datasetSpec(opts.replay[0]!, opts);
      if (opts.follow && opts.replay.length > 1) {
        throw new HeadstartError('BAD_OPTION', `--follow plays one person from one data set; give one --replay path (a session folder, or a quoted glob), not ${opts.replay.length}`);
      }
      const script = opts.follow
        ? followingScript({ ...datasetOptions, path: opts.replay[0]! }, opts.follow, positive('--time-scale', opts.timeScale))
        : loadReplayScript(opts.replay, datasetOptions);
      const running = await startVirtualBoardOnPty({
        ptyPath: opts.pty,
        script,
        speed,
        baudRate: positive('--baud', opts.baud, true),
        loop: opts.loop ?? false,
        ...(opts.samplesPerFrame !== undefined ? { samplesPerFrame: positive('--samples-per-frame', opts.samplesPerFrame, true) } : {}),
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
        speed: opts.speed,
        samplesPerFrame: running.board.samplesPerFrame,
      };
      if (opts.json) process.stdout.write(JSON.stringify(ready) + '\n');
      else {
        process.stdout.write(
          `virtual board on ${running.hostPath}: ${script.channels} ch at ${script.rate} Hz, ${seconds.toFixed(1)} s of ${script.source}, ` +
            `${script.labels.length} label changes, speed ${opts.speed}x. Waiting for the host's START.\n`,
        );
      }

      const progress = setInterval(() => {
        const s = running.board.stats;
        if (s.framesSent + s.framesLost === 0) return;
        const played = (s.samplesSent + s.samplesLost) / script.rate;
        process.stderr.write(`played ${played.toFixed(1)} of ${seconds.toFixed(1)} s: ${s.framesSent} frames sent, ${s.framesLost} lost while the link was down\n`);
      }, 5000);
      progress.unref();

      const signalled = new Promise<string>((resolve) => {
        process.once('SIGINT', () => resolve('interrupted'));
        process.once('SIGTERM', () => resolve('terminated'));
      });
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
    });
}
