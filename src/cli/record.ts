import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { type Command, Option } from 'commander';
import { HeadstartError } from '../core/errors.ts';
import { LineView } from '../device/calibration/line_view.ts';
import { loadProtocol } from '../device/calibration/protocol.ts';
import { BoardRecorder, type RecordResult } from '../device/recorder.ts';
import { type BoardOptions, boardFromOptions, boardOptions, PORT_OR_CYTON_DESCRIPTION } from './board_options.ts';
import { addHelpNotes } from './help.ts';
import { numberOption, portOption, textOption } from './options.ts';
import { handleStopSignals } from './interrupt.ts';

interface RecordOptions extends BoardOptions {
  out: string;
  labels?: string[];
  protocol?: string;
  timeScale: number;
  seconds?: number;
  subject?: string;
  session?: string;
  json?: boolean;
}

function parseLabels(text: string): string[] {
  const labels = text.split(',').map((s) => s.trim());
  if (labels.some((l) => l === '' || /^\d+$/.test(l))) throw new HeadstartError('BAD_OPTION', `--labels must be a comma-separated list of names (not numbers: a typed number picks a label by its place), got ${JSON.stringify(text)}`, { option: '--labels', got: text });
  if (new Set(labels).size !== labels.length) throw new HeadstartError('BAD_OPTION', `--labels names a label twice: ${JSON.stringify(text)}`, { option: '--labels', got: text });
  return labels;
}

function describeResult(r: RecordResult): string {
  const lost = r.gaps > 0 ? `; ${r.gaps} gaps on the link lost ${r.missingSamples} samples per channel (marked in the file)` : '';
  return `${r.reason}: kept ${r.samples} samples per channel (${r.seconds.toFixed(1)} s) of ${r.channels} channels at ${r.rate} Hz in ${r.path}, ${r.labelledStretches} labelled stretches, ${r.notes} notes, ${r.markers} markers in all${lost}\n`;
}

export function registerRecord(program: Command): void {
  const cmd = program
    .command('record')
    .summary('record a board into a crash-safe .hsrec file, labels typed as you go or prompted by a protocol')
    .description('record a board into a .hsrec file, crash-safe (appended as it arrives, made durable every second), with labels typed as you go or prompted by a calibration protocol; Ctrl-C stops the board and leaves a valid file')
    .addOption(portOption(PORT_OR_CYTON_DESCRIPTION))
    .addOption(textOption('--out <file>', 'the recording to create (.hsrec); an existing file is never overwritten').makeOptionMandatory())
    .addOption(new Option('--labels <list>', 'class names (e.g. rest,fist,hand-open): a typed line naming one, or giving its number from 1, starts that label; an empty line ends it; other lines are kept as notes').argParser(parseLabels))
    .addOption(textOption('--protocol <file>', 'walk a calibration protocol instead (calibration/myo7.json, calibration/quick5.json): its prompts are shown on stderr and its labels recorded; the recording ends with the protocol'))
    .addOption(numberOption('--time-scale <x>', 'with --protocol: multiply every duration (0.5 = twice as fast)', { above: 0, max: 100 }, 1))
    .addOption(numberOption('--seconds <s>', "stop after this much signal (by the board's sample count); default: until Ctrl-C", { above: 0, max: 31_536_000 }))
    .addOption(textOption('--subject <name>', 'who is recorded (kept in the file, and as the patient code in EDF)'))
    .addOption(textOption('--session <name>', 'a name for the session, kept in the file'))
    .option('--json', 'print what was kept as one JSON object on stdout');
  for (const option of boardOptions()) cmd.addOption(option);
  addHelpNotes(cmd, {
    notes: [
      'Every sample goes to the file as it arrives and is made durable at least every second: if the machine dies, the file keeps everything up to then, and readers (convert, dataset, sim) drop a torn last chunk with a warning. Samples lost on the link are marked where they were lost. Ctrl-C sends STOP to the board, closes the file and says what it kept (exit status 0).',
      'Typed lines are read from stdin, so a script can pipe them; with --labels, a line such as "fist" or "2" starts that label from the sample that has just arrived.',
    ],
    examples: [
      '$ headstart record --port /dev/ttyACM0 --out alice-1.hsrec --labels rest,fist,hand-open --subject alice',
      '$ headstart record --port /dev/ttyACM0 --out alice-2.hsrec --protocol calibration/quick5.json',
      '$ headstart record --port /dev/ttyUSB0 --format cyton --out eeg.hsrec --seconds 300   # float32 microvolts, then convert to .bdf',
      '$ headstart convert alice-1.hsrec alice-1.edf     # for EDFbrowser or MNE',
    ],
  });
  cmd
    .action(async (opts: RecordOptions) => {
      // Options first: a typo must not open the port or create the file.
      const { timeScale, seconds, labels } = opts;
      if (labels !== undefined && opts.protocol !== undefined) throw new HeadstartError('BAD_OPTION', '--labels and --protocol both give the labels; use one');
      if (timeScale !== 1 && opts.protocol === undefined) throw new HeadstartError('MISSING_OPTION', '--time-scale needs --protocol (it scales the protocol\'s durations)');
      const protocol = opts.protocol === undefined ? undefined : loadProtocol(opts.protocol);
      if (!opts.out.endsWith('.hsrec')) throw new HeadstartError('BAD_OPTION', `--out must name a .hsrec file, got ${JSON.stringify(opts.out)}; \`headstart convert\` makes EDF, BDF or CSV from it afterwards`, { option: '--out', got: opts.out });
      if (existsSync(opts.out)) throw new HeadstartError('FILE_EXISTS', `${opts.out}: already exists; choose another name (a recording is never overwritten)`, { file: opts.out });
      const folder = dirname(opts.out);
      if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new HeadstartError('FILE_NOT_FOUND', `${folder}: no such folder for --out; create it first`, { file: folder });

      const say = (line: string): void => void process.stderr.write(line + '\n');
      const recorder = new BoardRecorder({
        board: boardFromOptions(opts).session(),
        out: opts.out,
        ...(labels ? { labels } : {}),
        ...(protocol ? { protocol, timeScale, view: new LineView(say) } : {}),
        ...(seconds !== undefined ? { seconds } : {}),
        ...(opts.subject ? { subject: opts.subject } : {}),
        ...(opts.session ? { session: opts.session } : {}),
        say,
      });
      // Ctrl-C, SIGTERM, SIGHUP: STOP to the board and a valid file up to then (exit 0, with the result); a second signal ends it at once.
      const stop = handleStopSignals();
      stop.signal.addEventListener('abort', () => recorder.stop('interrupted'), { once: true });
      let lines: ReturnType<typeof createInterface> | undefined;
      try {
        const hello = await recorder.start();
        // Read only now: what was typed before the board answered applies from the first sample.
        lines = createInterface({ input: process.stdin, terminal: false });
        lines.on('line', (line) => recorder.type(line));
        const how = protocol ? `following protocol '${protocol.name}'` : labels ? `type a label (${labels.map((l, i) => `${i + 1} ${l}`).join(', ')}) and Enter to start it, an empty line to end it, anything else for a note` : 'type a line and Enter to keep a note';
        say(`recording board '${hello.boardId}' (${hello.channels} channels at ${hello.rate} Hz) on ${opts.port} into ${opts.out}; ${how}; Ctrl-C stops`);
        const result = await recorder.done();
        process.stdout.write(opts.json ? JSON.stringify({ ...result, ...(result.error ? { error: { code: result.error.code, message: result.error.message } } : {}) }) + '\n' : describeResult(result));
        if (result.error) throw new HeadstartError(result.error.code, `${result.error.message}; the recording up to then is kept in ${result.path}`, result.error.details);
      } finally {
        lines?.close();
        stop.dispose();
      }
    });
}
