/**
 * Turns a stream of per-window predictions into steady gesture states: a
 * vote over the last `votes` windows, where a window counts only when its
 * confidence reaches `threshold`, with hysteresis: a gesture is entered
 * when it holds at least `enter` of the votes, and kept until it holds
 * fewer than `exit` of them (exit < enter, so a gesture near the line does
 * not flicker on and off). When the current gesture is left and no other
 * reaches `enter`, the state is "none" (-1).
 */
import { HeadstartError } from '../../core/errors.ts';

export interface SmootherOptions {
  /** Windows in the vote (default 8: 200 ms at 200 Hz with a hop of 5). */
  votes: number;
  /** Least confidence for a window to vote (default 0.5). */
  threshold: number;
  /** Share of the votes needed to enter a gesture (default 0.6). */
  enter: number;
  /** Share of the votes below which the current gesture is left (default 0.35). */
  exit: number;
}

export const DEFAULT_SMOOTHER: SmootherOptions = { votes: 8, threshold: 0.5, enter: 0.6, exit: 0.35 };

export function checkSmootherOptions(o: SmootherOptions): void {
  if (!Number.isInteger(o.votes) || o.votes < 1) throw new HeadstartError('BAD_OPTION', `the vote needs a whole number of windows >= 1 (got ${o.votes})`);
  if (!(o.threshold >= 0 && o.threshold <= 1)) throw new HeadstartError('BAD_OPTION', `the confidence threshold is a number in 0..1 (got ${o.threshold})`);
  if (!(o.enter > 0 && o.enter <= 1)) throw new HeadstartError('BAD_OPTION', `the share of votes to enter a gesture is in (0, 1] (got ${o.enter})`);
  if (!(o.exit >= 0 && o.exit <= o.enter)) throw new HeadstartError('BAD_OPTION', `the share of votes to leave a gesture must be in 0..enter (${o.enter}), got ${o.exit}; hysteresis needs exit <= enter`);
}

export class Smoother {
  readonly options: SmootherOptions;
  /** The recognized gesture, or -1 for none. */
  current = -1;
  /** Votes the current gesture holds. */
  currentVotes = 0;
  readonly #ring: Int32Array;
  /** Votes per class; index `classes` counts windows below the threshold. */
  readonly #counts: Int32Array;
  readonly #classes: number;
  readonly #enterVotes: number;
  readonly #exitVotes: number;
  #slot = 0;

  constructor(classes: number, options: SmootherOptions = DEFAULT_SMOOTHER) {
    checkSmootherOptions(options);
    if (!Number.isInteger(classes) || classes < 1) throw new HeadstartError('INTERNAL', `the smoother needs the number of classes (got ${classes})`);
    this.options = { ...options };
    this.#classes = classes;
    this.#ring = new Int32Array(options.votes).fill(classes);
    this.#counts = new Int32Array(classes + 1);
    this.#counts[classes] = options.votes;
    this.#enterVotes = Math.max(1, Math.ceil(options.enter * options.votes - 1e-9));
    this.#exitVotes = options.exit * options.votes;
  }

  /** Adds one window's prediction; returns true when the recognized gesture changed. */
  push(label: number, confidence: number): boolean {
    const vote = label >= 0 && label < this.#classes && confidence >= this.options.threshold ? label : this.#classes;
    this.#counts[this.#ring[this.#slot]]--;
    this.#ring[this.#slot] = vote;
    this.#counts[vote]++;
    this.#slot = (this.#slot + 1) % this.#ring.length;

    const previous = this.current;
    if (previous >= 0 && this.#counts[previous] >= this.#exitVotes && this.#counts[previous] > 0) {
      this.currentVotes = this.#counts[previous];
      return false;
    }
    let best = 0;
    for (let c = 1; c < this.#classes; c++) if (this.#counts[c] > this.#counts[best]) best = c;
    this.current = this.#counts[best] >= this.#enterVotes ? best : -1;
    this.currentVotes = this.current >= 0 ? this.#counts[this.current] : 0;
    return this.current !== previous;
  }

  /** Forgets the votes (after a gap): the state returns to none. */
  reset(): void {
    this.#ring.fill(this.#classes);
    this.#counts.fill(0);
    this.#counts[this.#classes] = this.#ring.length;
    this.current = -1;
    this.currentVotes = 0;
  }
}
