/**
 * Feedback to the wearer through a johnny-five board: an LED lit while a
 * gesture (not rest) is recognized, a short buzz of a vibration motor when
 * the recognized gesture changes, and a servo pointing at the gesture's
 * class (class 0 at 0°, the last class at 180°). Any of the three may be
 * absent.
 */
import five, { type Board, type Led, type Motor, type Servo } from 'johnny-five';
import { HeadstartError } from '../../core/errors.ts';

export interface FeedbackOptions {
  board: Board;
  /** Pin of the LED (digital). */
  led?: number | string;
  /** PWM pin driving the vibration motor (through a transistor: a pin cannot power a motor). */
  vibration?: number | string;
  /** Pin of the hobby servo. */
  servo?: number | string;
  /** Number of classes, to spread them over the servo's 0..180°. */
  classes: number;
  /** The class that means "no gesture" (LED off, no buzz); default 0. */
  restClass?: number;
  /** Length of the buzz on a change of gesture (default 150 ms). */
  buzzMs?: number;
}

export class JohnnyFiveFeedback {
  readonly #led: Led | undefined;
  readonly #motor: Motor | undefined;
  readonly #servo: Servo | undefined;
  readonly #classes: number;
  readonly #restClass: number;
  readonly #buzzMs: number;
  #current: number | undefined;
  #buzzTimer: NodeJS.Timeout | undefined;

  constructor(options: FeedbackOptions) {
    if (!Number.isInteger(options.classes) || options.classes < 1) {
      throw new HeadstartError('INTERNAL', `feedback needs the number of classes (got ${options.classes})`);
    }
    const { board } = options;
    this.#led = options.led === undefined ? undefined : new five.Led({ pin: options.led, board });
    this.#motor = options.vibration === undefined ? undefined : new five.Motor({ pin: options.vibration, board });
    this.#servo = options.servo === undefined ? undefined : new five.Servo({ pin: options.servo, board });
    this.#classes = options.classes;
    this.#restClass = options.restClass ?? 0;
    this.#buzzMs = options.buzzMs ?? 150;
  }

  /** Shows the recognized class (or undefined for "nothing recognized"). */
  showGesture(label: number | undefined): void {
    if (label !== undefined && (!Number.isInteger(label) || label < 0 || label >= this.#classes)) {
      throw new HeadstartError('INTERNAL', `class ${label} is outside 0..${this.#classes - 1}`);
    }
    const active = label !== undefined && label !== this.#restClass;
    if (active) this.#led?.on();
    else this.#led?.off();
    if (label !== undefined && this.#servo) this.#servo.to(this.#classes === 1 ? 0 : Math.round((label * 180) / (this.#classes - 1)));
    if (active && label !== this.#current) this.buzz();
    this.#current = label;
  }

  /** Runs the vibration motor for `ms` (default the configured buzz) at `strength` 0..1. */
  buzz(ms = this.#buzzMs, strength = 1): void {
    if (!this.#motor) return;
    const motor = this.#motor;
    clearTimeout(this.#buzzTimer);
    motor.start(Math.round(255 * Math.min(1, Math.max(0, strength))));
    this.#buzzTimer = setTimeout(() => motor.stop(), ms);
  }

  /** Everything off. */
  off(): void {
    clearTimeout(this.#buzzTimer);
    this.#motor?.stop();
    this.#led?.off();
    this.#current = undefined;
  }
}
