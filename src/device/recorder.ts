/**
 * Recording a board into a .hsrec file (`headstart record`), through the
 * calibration's crash-safe journal: every sample appended as it arrives,
 * fsynced every second, so a crash or a pulled plug leaves a file whose
 * torn tail (at most the last chunk) readers drop.
 *
 * Labels come from one of two places:
 * - lines typed while recording (`type()`): a line that names one of
 *   `labels` (or gives its number, from 1) starts that label; an empty line
 *   ends the label in force; any other line is kept as a note;
 * - a calibration protocol: its prompts are walked on the board's sample
 *   clock exactly as calibration walks them (countdown, hold, rest), with
 *   the same markers, and the recording ends when the protocol does. Typed
 *   lines are then notes.
 * The board's own EVENT frames (a button, a sync pulse) are kept as
 * markers too.
 *
 * Stopping (stop(), an end condition, the board closing) sends STOP to the
 * board, marks where and why it stopped, and closes the journal; done()
 * then says what the file holds, read back from disk.
 */
import { HeadstartError } from '../core/errors.ts';
import { labelledSegments, type RecordingHeader } from '../core/recording_format.ts';
import type { Frame, HelloFrame } from '../core/protocol/frames.ts';
import { readRecordingFile } from '../io/datasets/hsrec.ts';
import type { CalibrationView } from './calibration/events.ts';
import { Journal } from './calibration/journal.ts';
import { buildPlan } from './calibration/plan.ts';
import type { CalibrationProtocol } from './calibration/protocol.ts';
import { recordTrials } from './calibration/record.ts';
import type { BoardSession, GapInfo } from './transports/board_session.ts';

export interface RecorderOptions {
  /** The board, not started: the recorder starts it, and closes it at the end. */
  board: BoardSession;
  out: string;
  /** Class names typed lines switch between (without a protocol). */
  labels?: string[];
  /** Walk this protocol's prompts, recording its labels. */
  protocol?: CalibrationProtocol;
  /** Multiplies the protocol's durations (default 1). */
  timeScale?: number;
  /** Where the protocol's prompts are shown. */
  view?: CalibrationView;
  /** Stop after this many seconds of samples (by the board's clock: a number of samples). */
  seconds?: number;
  subject?: string;
  session?: string;
  /** What a person should know as it happens: a label in force, a note kept, samples lost. */
  say?: (line: string) => void;
}

export type RecordEnd = 'stopped' | 'duration' | 'protocol finished' | 'board closed';

export interface RecordResult {
  path: string;
  end: RecordEnd;
  reason: string;
  channels: number;
  rate: number;
  /** Samples per channel in the file. */
  samples: number;
  seconds: number;
  labelledStretches: number;
  notes: number;
  markers: number;
  gaps: number;
  /** Samples per channel lost on the link, where the gap's size is known. */
  missingSamples: number;
  /** The board's failure, when the link failed for good (the recording up to then is kept). */
  error?: HeadstartError;
}

export class BoardRecorder {
  readonly #options: RecorderOptions;
  readonly #board: BoardSession;
  readonly #say: (line: string) => void;
  #journal: Journal | undefined;
  #hello: HelloFrame | undefined;
  #target = Number.POSITIVE_INFINITY;
  #label: number | null = null;
  #gaps = 0;
  #missing = 0;
  #ending: { end: RecordEnd; reason: string; error?: HeadstartError } | undefined;
  #finished: Promise<RecordResult> | undefined;
  #wake: () => void = () => undefined;
  #protocolRun: Promise<unknown> | undefined;

  constructor(options: RecorderOptions) {
    if (options.protocol && options.labels) throw new HeadstartError('BAD_OPTION', 'labels come from the protocol or from a list typed lines switch between, not both');
    this.#options = options;
    this.#board = options.board;
    this.#say = options.say ?? (() => undefined);
  }

  /** Handshakes with the board and creates the file; nothing is written before the board has answered. */
  async start(): Promise<HelloFrame> {
    const { board, protocol } = this.#options;
    const early: Frame[] = [];
    const earlyTap = (f: Frame): void => void early.push(f);
    board.on('frame', earlyTap);
    let hello: HelloFrame;
    try {
      hello = await board.start();
    } catch (err) {
      board.off('frame', earlyTap);
      await board.close();
      throw err;
    }
    this.#hello = hello;
    const header: RecordingHeader = {
      channels: hello.channels,
      rate: hello.rate,
      sampleFormat: hello.sampleFormat,
      source: `${hello.boardId} on ${board.description}`,
      startedAt: new Date().toISOString(),
      ...(this.#options.subject ? { subject: this.#options.subject } : {}),
      ...(this.#options.session ? { session: this.#options.session } : {}),
      ...(protocol ? { classes: protocol.gestures.map((g) => g.id) } : this.#options.labels ? { classes: this.#options.labels } : {}),
    };
    try {
      this.#journal = Journal.create(
        this.#options.out,
        header,
        protocol ? { protocol, timeScale: this.#options.timeScale ?? 1 } : { recorder: 'record', ...(this.#options.labels ? { labels: this.#options.labels } : {}) },
      );
    } catch (err) {
      board.off('frame', earlyTap);
      await board.close();
      throw err;
    }
    const journal = this.#journal;
    if (this.#options.seconds !== undefined) this.#target = Math.max(1, Math.round(this.#options.seconds * hello.rate));

    board.on('frame', (f) => this.#onFrame(f, !protocol));
    board.on('gap', (info) => this.#onGap(info, !protocol));
    board.on('error', (err) => this.#requestEnd({ end: 'board closed', reason: 'the link to the board failed', error: err }));
    board.on('close', () => this.#requestEnd({ end: 'board closed', reason: 'the board closed the link' }));

    if (protocol) {
      // The calibration's own walk through the prompts takes the samples (and the early ones) from here.
      const plan = buildPlan(protocol, { rate: hello.rate, timeScale: this.#options.timeScale ?? 1 });
      const earlySamples = early.flatMap((f) => (f.type === 'samples' ? [f.samples] : []));
      this.#protocolRun = recordTrials({ board, hello, protocol, plan, trials: plan.trials, alreadyDone: 0, journal, early: earlySamples, earlyTap, view: this.#options.view ?? { event: () => undefined } }).then(
        () => this.#requestEnd({ end: 'protocol finished', reason: `every prompt of protocol '${protocol.name}' recorded` }),
        (err: unknown) => {
          // Stopping closes the board, which ends the walk with an error that is not one.
          if (!this.#ending) this.#requestEnd({ end: 'board closed', reason: 'the recording of the protocol failed', error: err instanceof HeadstartError ? err : new HeadstartError('INTERNAL', String(err)) });
        },
      );
      for (const f of early) if (f.type === 'event') this.#onFrame(f, false);
    } else {
      board.off('frame', earlyTap);
      for (const f of early) this.#onFrame(f, true);
    }
    return hello;
  }

  /** A typed line: a label change, the end of a label (empty line) or a note. */
  type(line: string): void {
    const journal = this.#journal;
    if (!journal || this.#ending) return;
    const text = line.trim();
    const labels = this.#options.labels;
    const at = journal.sampleCount;
    const when = `${(at / this.#hello!.rate).toFixed(1)} s`;
    if (labels && !this.#options.protocol) {
      if (text === '') {
        if (this.#label === null) return;
        journal.mark({ kind: 'label', label: null, at });
        this.#say(`${when}  ${labels[this.#label]} ended`);
        this.#label = null;
        return;
      }
      const byNumber = /^\d+$/.test(text) ? Number(text) - 1 : -1;
      const index = labels.includes(text) ? labels.indexOf(text) : byNumber >= 0 && byNumber < labels.length ? byNumber : -1;
      if (index >= 0) {
        journal.mark({ kind: 'label', label: index, at });
        this.#label = index;
        this.#say(`${when}  ${labels[index]}`);
        return;
      }
    }
    if (text === '') return;
    journal.mark({ kind: 'note', text, at });
    this.#say(`${when}  note kept: ${text}`);
  }

  /** Ends the recording (Ctrl-C): STOP to the board, the file closed. */
  stop(reason = 'stopped'): void {
    this.#requestEnd({ end: 'stopped', reason });
  }

  /** Resolves once the recording has ended and the file is closed, with what it holds. */
  done(): Promise<RecordResult> {
    return new Promise<void>((resolve) => {
      if (this.#ending) resolve();
      else this.#wake = resolve;
    }).then(() => this.#finish());
  }

  #onFrame(f: Frame, takeSamples: boolean): void {
    const journal = this.#journal!;
    if (f.type === 'event') {
      journal.mark({ kind: `board-${f.kind}`, text: String(f.value) });
      return;
    }
    if (f.type !== 'samples' || !takeSamples || this.#ending) return;
    const channels = this.#hello!.channels;
    const room = this.#target - journal.sampleCount;
    journal.append(f.samples.length / channels > room ? f.samples.subarray(0, room * channels) : f.samples);
    if (journal.sampleCount >= this.#target) this.#requestEnd({ end: 'duration', reason: `${this.#options.seconds} s recorded` });
  }

  #onGap(info: GapInfo, mark: boolean): void {
    this.#gaps++;
    this.#missing += info.missingSamples ?? 0;
    // With a protocol, the calibration's walk marks gaps itself.
    if (mark) this.#journal!.mark({ kind: 'gap', text: JSON.stringify(info) });
    this.#say(`! samples lost on the link (${info.cause}): ${info.missingSamples ?? 'an unknown number of'} samples per channel`);
  }

  #requestEnd(ending: { end: RecordEnd; reason: string; error?: HeadstartError }): void {
    if (this.#ending) return;
    this.#ending = ending;
    this.#wake();
  }

  #finish(): Promise<RecordResult> {
    this.#finished ??= (async () => {
      const ending = this.#ending!;
      await this.#board.close();
      await this.#protocolRun;
      const journal = this.#journal!;
      journal.mark({ kind: 'stopped', text: ending.reason });
      journal.close();
      const file = readRecordingFile(journal.path);
      const { channels, rate } = file.header;
      const samples = file.samples.length / channels;
      return {
        path: journal.path,
        end: ending.end,
        reason: ending.reason,
        channels,
        rate,
        samples,
        seconds: samples / rate,
        labelledStretches: labelledSegments(file.markers, samples).length,
        notes: file.markers.filter((m) => m.kind === 'note').length,
        markers: file.markers.length,
        gaps: this.#gaps,
        missingSamples: this.#missing,
        ...(ending.error ? { error: ending.error } : {}),
      };
    })();
    return this.#finished;
  }
}
