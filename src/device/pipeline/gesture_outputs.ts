/**
 * Gesture events to hardware through johnny-five: one LED per gesture (lit
 * while that gesture is recognized, all off for none) and a servo moved to a
 * position per gesture (a gripper: open, closed, pinch...). Either may be
 * absent. A gesture without a servo position leaves the servo where it is.
 */
import five, { type Board, type Led, type Servo } from 'johnny-five';
import { HeadstartError } from '../../core/errors.ts';

export interface GestureOutputsOptions {
  board: Board;
  /** Number of gestures (classes of the head). */
  classes: number;
  /** LED pin per gesture, in class order; undefined for a gesture without an LED. */
  ledPins?: (number | string | undefined)[];
  servoPin?: number | string;
  /** Servo angle (0..180) per gesture, in class order; undefined leaves the servo where it is. */
  servoAngles?: (number | undefined)[];
}

export class GestureOutputs {
  readonly #leds: (Led | undefined)[];
  readonly #servo: Servo | undefined;
  readonly #angles: (number | undefined)[];
  readonly #classes: number;
  #lit = -1;

  constructor(options: GestureOutputsOptions) {
    const { board, classes } = options;
    const ledPins = options.ledPins ?? [];
    const angles = options.servoAngles ?? [];
    if (ledPins.length > classes) throw new HeadstartError('BAD_OPTION', `${ledPins.length} LED pins given for ${classes} gestures; give at most one per gesture, in class order`);
    if (angles.length > classes) throw new HeadstartError('BAD_OPTION', `${angles.length} servo angles given for ${classes} gestures; give at most one per gesture, in class order`);
    for (const a of angles) {
      if (a !== undefined && !(a >= 0 && a <= 180)) throw new HeadstartError('BAD_OPTION', `servo angle ${a} is outside 0..180 degrees`);
    }
    if (options.servoPin === undefined && angles.some((a) => a !== undefined)) throw new HeadstartError('BAD_OPTION', 'servo angles were given without a servo pin');
    this.#classes = classes;
    this.#leds = ledPins.map((pin) => (pin === undefined ? undefined : new five.Led({ pin, board })));
    this.#servo = options.servoPin === undefined ? undefined : new five.Servo({ pin: options.servoPin, board });
    this.#angles = angles;
  }

  /** Shows a gesture (class index), or none (-1). */
  show(gesture: number): void {
    if (!Number.isInteger(gesture) || gesture < -1 || gesture >= this.#classes) {
      throw new HeadstartError('INTERNAL', `gesture ${gesture} is outside -1..${this.#classes - 1}`);
    }
    if (this.#lit !== gesture) {
      if (this.#lit >= 0) this.#leds[this.#lit]?.off();
      if (gesture >= 0) this.#leds[gesture]?.on();
      this.#lit = gesture;
    }
    const angle = gesture >= 0 ? this.#angles[gesture] : undefined;
    if (angle !== undefined) this.#servo?.to(angle);
  }

  /** All LEDs off (the servo stays where it is: a gripper should not drop what it holds). */
  off(): void {
    for (const led of this.#leds) led?.off();
    this.#lit = -1;
  }
}

/** Parses a comma-separated list where '-' (or an empty item) means "none for this gesture". */
export function parseOptionalList<T>(text: string, parse: (item: string) => T): (T | undefined)[] {
  return text.split(',').map((s) => s.trim()).map((s) => (s === '' || s === '-' ? undefined : parse(s)));
}
