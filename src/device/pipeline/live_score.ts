/**
 * Live per-window scoring against true labels carried by EVENT markers
 * (a replayed labelled recording): accuracy and a confusion matrix. Only
 * windows lying wholly under one label marker are scored; windows that
 * straddle a label change hold two gestures and have no single truth
 * (they are counted as `straddling`).
 */
import { HeadstartError } from '../../core/errors.ts';

export interface ScoreSummary {
  scored: number;
  correct: number;
  /** correct / scored (0 when nothing was scored). */
  accuracy: number;
  /** Windows under a label change, not scored. */
  straddling: number;
  /** Windows with no label in force (or a label outside the classes), not scored. */
  unlabelled: number;
  /** [true][predicted] window counts. */
  confusion: number[][];
}

export class LiveScore {
  readonly classes: number;
  readonly #confusion: Int32Array;
  #scored = 0;
  #correct = 0;
  #straddling = 0;
  #unlabelled = 0;

  constructor(classes: number) {
    if (!Number.isInteger(classes) || classes < 1) throw new HeadstartError('INTERNAL', `scoring needs the number of classes (got ${classes})`);
    this.classes = classes;
    this.#confusion = new Int32Array(classes * classes);
  }

  /** Scores one window; `truth` is the label marker in force (undefined or out of range: unlabelled). */
  add(truth: number | undefined, stable: boolean, predicted: number): void {
    if (truth === undefined || !Number.isInteger(truth) || truth < 0 || truth >= this.classes) {
      this.#unlabelled++;
      return;
    }
    if (!stable) {
      this.#straddling++;
      return;
    }
    this.#scored++;
    if (predicted === truth) this.#correct++;
    if (predicted >= 0 && predicted < this.classes) this.#confusion[truth * this.classes + predicted]++;
  }

  get accuracy(): number {
    return this.#scored === 0 ? 0 : this.#correct / this.#scored;
  }

  summary(): ScoreSummary {
    const confusion = Array.from({ length: this.classes }, (_, t) => Array.from(this.#confusion.subarray(t * this.classes, (t + 1) * this.classes)));
    return { scored: this.#scored, correct: this.#correct, accuracy: this.accuracy, straddling: this.#straddling, unlabelled: this.#unlabelled, confusion };
  }
}

/** A confusion matrix as aligned text rows, with class names. */
export function formatConfusion(confusion: number[][], names: string[]): string {
  const width = Math.max(6, ...confusion.flat().map((v) => String(v).length + 1));
  const nameWidth = Math.max(...names.map((n) => n.length), 'true \\ predicted'.length);
  const header = 'true \\ predicted'.padEnd(nameWidth) + confusion.map((_, i) => String(i).padStart(width)).join('');
  const rows = confusion.map((row, t) => (names[t] ?? String(t)).padEnd(nameWidth) + row.map((v) => String(v).padStart(width)).join(''));
  const key = names.map((n, i) => `${i} = ${n}`).join(', ');
  return [header, ...rows, `(${key})`].join('\n');
}
