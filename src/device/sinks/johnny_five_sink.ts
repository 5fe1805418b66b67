/**
 * Gesture events to LEDs and a servo on a Firmata board (johnny-five): the
 * recognized gesture's LED lit, the servo moved to its angle. The sink owns
 * the connection: closing it turns the LEDs off and closes the board's port.
 */
import { GestureOutputs, type GestureOutputsOptions } from '../pipeline/gesture_outputs.ts';
import type { JohnnyFiveConnection } from '../transports/johnny_five_board.ts';
import type { LiveSession, LiveSink } from '../live_session.ts';

export interface JohnnyFiveSinkOptions extends Omit<GestureOutputsOptions, 'board'> {
  connection: JohnnyFiveConnection;
}

export class JohnnyFiveSink implements LiveSink {
  readonly #connection: JohnnyFiveConnection;
  readonly #outputs: GestureOutputs;

  /** Checks the pins and angles against the gestures (BAD_OPTION) before anything is driven. */
  constructor(options: JohnnyFiveSinkOptions) {
    const { connection, ...outputs } = options;
    this.#connection = connection;
    this.#outputs = new GestureOutputs({ ...outputs, board: connection.board });
  }

  attach(session: LiveSession): void {
    session.on('gesture', (e) => this.#outputs.show(e.class));
  }

  async close(): Promise<void> {
    this.#outputs.off();
    await this.#connection.close();
  }
}
