/**
 * What a network output (OSC, MQTT) tells about its deliveries. Such an
 * output never stops recognition: a send that fails is counted, and the
 * first failure is said once (later ones would flood the terminal while a
 * broker is down); the counts go into the run's summary.
 */

export interface DeliveryStats {
  /** Gesture events handed to the network. */
  sent: number;
  /** Gesture events that could not be (the send failed, or the link was down). */
  failed: number;
  /** The first failure, in words, when there was one. */
  firstFailure?: string;
}

export class DeliveryCounter {
  readonly #name: string;
  readonly #warn: (message: string) => void;
  #sent = 0;
  #failed = 0;
  #firstFailure: string | undefined;

  /** `name` starts the warning ("OSC output to 127.0.0.1:9000"). */
  constructor(name: string, warn: (message: string) => void) {
    this.#name = name;
    this.#warn = warn;
  }

  sent(): void {
    this.#sent++;
  }

  /** Counts an undelivered event; says why the first time. */
  failed(reason: string): void {
    this.#failed++;
    this.problem(reason);
  }

  /** Says a problem once (the first one), without counting an event: a broker that went away before anything was sent. */
  problem(reason: string): void {
    if (this.#firstFailure !== undefined) return;
    this.#firstFailure = reason;
    this.#warn(`${this.#name}: ${reason}; recognition goes on, and events that cannot be delivered are counted in the summary (this is said once)`);
  }

  get stats(): DeliveryStats {
    return { sent: this.#sent, failed: this.#failed, ...(this.#firstFailure === undefined ? {} : { firstFailure: this.#firstFailure }) };
  }
}

/** Where warnings go by default: one line on stderr. */
export function warnOnStderr(message: string): void {
  process.stderr.write(`warning: ${message}\n`);
}
