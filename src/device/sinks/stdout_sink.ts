/**
 * Gesture events as lines on stdout: one JSON object per change (`--json`,
 * for a program reading the pipe), or an aligned text line for a person.
 */
import type { GestureEvent } from '../pipeline/live_pipeline.ts';
import type { LiveSession, LiveSink } from '../live_session.ts';

export interface StdoutSinkOptions {
  json: boolean;
  /** Where the lines go (default process.stdout). */
  write?: (text: string) => void;
}

/** A gesture event as one text line: board time, gesture, confidence, latency and the marker in force. */
export function describeGestureEvent(e: GestureEvent): string {
  const marker = e.marker ? `  [${e.marker.kind} ${e.marker.value}]` : '';
  return `${e.t.toFixed(2).padStart(9)} s  ${(e.gesture ?? '(none)').padEnd(20)} ${e.confidence.toFixed(2)}  ${e.latencyMs.toFixed(1)} ms${marker}\n`;
}

export class StdoutSink implements LiveSink {
  readonly #json: boolean;
  readonly #write: (text: string) => void;

  constructor(options: StdoutSinkOptions) {
    this.#json = options.json;
    this.#write = options.write ?? ((text) => void process.stdout.write(text));
  }

  attach(session: LiveSession): void {
    session.on('gesture', (e) => this.#write(this.#json ? JSON.stringify(e) + '\n' : describeGestureEvent(e)));
  }

  close(): void {}
}
