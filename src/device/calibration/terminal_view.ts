/**
 * The calibration screen on a terminal: the prompt in large type, the phase
 * and its countdown, a progress bar for the session, a level meter per
 * channel, and the latest advice. Redrawn in place with ANSI cursor moves;
 * asks "redo?" with a single key press.
 */
import type { CalibrationView, Phase, SessionEvent, TrialInfo } from './events.ts';
import type { QualityIssue } from './quality.ts';

export interface TerminalViewOptions {
  out: NodeJS.WriteStream;
  input: NodeJS.ReadStream;
  /** Offer to redo a repetition with quality issues (default true). */
  offerRedo?: boolean;
}

const BAR = 30;
const METER = 24;

function bar(share: number, width: number): string {
  const n = Math.max(0, Math.min(width, Math.round(share * width)));
  return '█'.repeat(n) + '░'.repeat(width - n);
}

/** No samples for this long during a phase is shown as a stall. */
const STALL_MS = 1000;

const PHASE_WORD: Record<Phase, string> = { countdown: 'GET READY', hold: 'HOLD', rest: 'RELAX' };

export class TerminalView implements CalibrationView {
  readonly name = 'terminal';
  readonly #out: NodeJS.WriteStream;
  readonly #input: NodeJS.ReadStream;
  readonly #offerRedo: boolean;
  #title = '';
  #trial: TrialInfo | undefined;
  #phase: Phase | undefined;
  #remaining = 0;
  #progress = 0;
  #levels: number[] = [];
  #notes: string[] = [];
  #drawnLines = 0;
  #lastDraw = 0;
  /** When the latest samples arrived (a tick), to notice a stalled link. */
  #lastTick = Date.now();
  #stalled = false;
  readonly #watchdog: NodeJS.Timeout;

  constructor(options: TerminalViewOptions) {
    this.#out = options.out;
    this.#input = options.input;
    this.#offerRedo = options.offerRedo ?? true;
    if (!this.#offerRedo) this.askRedo = undefined;
    this.#watchdog = setInterval(() => {
      const stalled = this.#phase !== undefined && Date.now() - this.#lastTick > STALL_MS;
      if (stalled !== this.#stalled) {
        this.#stalled = stalled;
        this.#draw();
      }
    }, STALL_MS / 2);
    this.#watchdog.unref();
  }

  event(e: SessionEvent): void {
    switch (e.type) {
      case 'samples':
      case 'loss':
      case 'result':
        // Traces and the final figures are for other views; the verb prints the result.
        return;
      case 'link':
        this.#notes.push(e.state === 'reconnecting' ? `! the link dropped (${e.reason ?? 'unknown'}): reconnecting…` : '✓ the link is back');
        break;
      case 'redo-answer':
        if (e.from !== this.name && this.#asked) {
          const asked = this.#asked;
          this.#notes = this.#notes.map((n) => (n.startsWith(asked) ? `${asked}${e.redo ? 'yes' : 'no, kept'} (answered from the ${e.from})` : n));
        }
        break;
      case 'started':
        this.#title = `headstart calibrate · ${e.profile} · ${e.protocol} · ${e.board} (${e.channels} ch, ${e.rate} Hz)${e.resumed ? ` · resumed, ${e.alreadyDone} of ${e.trials} trials already done` : ''}`;
        this.#progress = e.alreadyDone / Math.max(1, e.trials);
        break;
      case 'trial':
        this.#trial = e.trial;
        this.#notes = [];
        break;
      case 'phase':
        this.#phase = e.phase;
        this.#remaining = e.seconds;
        break;
      case 'tick':
        this.#lastTick = Date.now();
        this.#stalled = false;
        this.#remaining = e.remaining;
        this.#progress = e.progress;
        this.#levels = e.levels;
        // The sample clock can run faster than a terminal wants to be redrawn.
        if (Date.now() - this.#lastDraw < 50 && e.remaining > 0) return;
        break;
      case 'quality':
        this.#notes = e.issues.map((i) => `! ${i.advice}`);
        break;
      case 'redo':
        this.#notes = [`↺ recording ${e.trial.gestureInfo.label} again`];
        break;
      case 'gap':
        this.#notes.push(`! the link lost ${e.info.missingSamples ?? 'an unknown number of'} samples (${e.info.cause}); a hold with a gap is checked and can be redone`);
        break;
      case 'recorded':
        this.#phase = undefined;
        this.#notes = ['recording complete'];
        break;
      case 'training':
        this.#notes = [`training the head on ${e.windows} windows of ${e.classes} ${e.classNoun}...`];
        break;
    }
    this.#draw();
  }

  /** The latest question, without its [y/N]: its line is rewritten with the answer, wherever it came from. */
  #asked: string | undefined;

  askRedo?: (trial: TrialInfo, issues: QualityIssue[], signal?: AbortSignal) => Promise<boolean> = (trial, _issues, signal) => {
    // Nothing is collected while the wearer answers: not a stall.
    this.#phase = undefined;
    const question = `Redo ${trial.gestureInfo.label}, repetition ${trial.rep + 1}? [y/N]`;
    this.#asked = question.slice(0, -'[y/N]'.length);
    this.#notes.push(question);
    this.#draw();
    return new Promise((resolve) => {
      const raw = this.#input.isTTY === true;
      if (raw) this.#input.setRawMode(true);
      this.#input.resume();
      const settle = (answerText: string): void => {
        this.#input.off('data', onData);
        signal?.removeEventListener('abort', onAbort);
        if (raw) this.#input.setRawMode(false);
        this.#input.pause();
        // The question is answered: later redraws must not show it again.
        this.#notes = this.#notes.map((n) => (n === question ? `${question.slice(0, -'[y/N]'.length)}${answerText}` : n));
        this.#draw();
      };
      const onData = (chunk: Buffer): void => {
        const key = chunk.toString('utf8').trim().toLowerCase();
        // Ctrl-C in raw mode arrives as a byte, not a signal.
        if (key === '\u0003') process.kill(process.pid, 'SIGINT');
        const redo = key.startsWith('y');
        settle(redo ? 'yes' : 'no, kept');
        resolve(redo);
      };
      // Answered on another view: stop listening; the combined view has the answer.
      const onAbort = (): void => settle('answered elsewhere');
      this.#input.on('data', onData);
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  };

  /** Leaves the last screen as it is and moves below it. */
  close(): void {
    clearInterval(this.#watchdog);
    this.#drawnLines = 0;
  }

  #draw(): void {
    this.#lastDraw = Date.now();
    const lines: string[] = [this.#title, `${bar(this.#progress, BAR)} ${String(Math.round(this.#progress * 100)).padStart(3)} %${this.#trial ? `   trial ${this.#trial.index + 1} of ${this.#trial.total}` : ''}`, ''];
    const t = this.#trial;
    if (t) {
      lines.push(`  ▶ ${t.gestureInfo.label.toUpperCase()}   (repetition ${t.rep + 1} of ${t.repetitions})`);
      lines.push(`    ${t.prompt}`);
      lines.push(this.#phase ? `    ${PHASE_WORD[this.#phase].padEnd(10)} ${this.#remaining.toFixed(1)} s` : '');
    }
    lines.push('');
    this.#levels.forEach((v, c) => lines.push(`  ch${String(c).padEnd(3)} ${bar(v, METER)}`));
    lines.push('', ...this.#notes);
    if (this.#stalled) lines.push('… no samples from the board for a moment: the session waits for them (is the cable in? the board powered?)');
    // A line longer than the terminal wraps and breaks the cursor-up redraw: clip to the width when it is known.
    const columns = this.#out.columns;
    const clipped = columns && columns > 20 ? lines.map((l) => (l.length > columns - 1 ? l.slice(0, columns - 1) : l)) : lines;
    const up = this.#drawnLines > 0 ? `\x1b[${this.#drawnLines}F` : '';
    this.#out.write(`${up}\x1b[J${clipped.join('\n')}\n`);
    this.#drawnLines = clipped.length;
  }
}
