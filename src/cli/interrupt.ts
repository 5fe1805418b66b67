/**
 * How long-running verbs stop on a signal. SIGINT (Ctrl-C), SIGTERM (a
 * service manager, `kill`) and SIGHUP (the terminal went away) all ask the
 * verb to stop cleanly: `signal` aborts, and the verb stops its board (STOP
 * sent), its child processes and temporary files, says what it kept and how
 * to go on, and exits with its documented status (INTERRUPTED: 130; `run`
 * and `sim` end with their summary, 0).
 *
 * A stop never hangs: a second signal, or the verb still running
 * `graceMs` after the first, ends the process at once with status 130.
 * Whatever must not outlive the process even then (a socat child, a
 * temporary folder) registers a synchronous `process.on('exit')` cleanup
 * of its own, which process.exit still runs.
 */
import { HeadstartError } from '../core/errors.ts';
import { EXIT_STATUS } from './report_error.ts';

export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** How long a verb may take to stop cleanly after the first signal. */
export const DEFAULT_STOP_GRACE_MS = 10_000;

export interface StopSignals {
  /** Aborts on the first SIGINT, SIGTERM or SIGHUP. */
  readonly signal: AbortSignal;
  /** The signal received, once one was. */
  readonly received: NodeJS.Signals | undefined;
  /** Throws INTERRUPTED once a signal was received (for loops that look between steps). */
  check(): void;
  /** Removes the handlers (the verb is done). */
  dispose(): void;
}

/**
 * Runs a verb's work with the stop signals handled; when a signal stopped it,
 * the failure is INTERRUPTED with `interrupted()`'s words (what was kept, how
 * to go on), whatever error the abandoned work ended with.
 */
export async function stoppable<T>(work: (stop: StopSignals) => Promise<T>, interrupted: () => string, options: StopSignalOptions = {}): Promise<T> {
  const stop = handleStopSignals(options);
  try {
    return await work(stop);
  } catch (err) {
    if (stop.received === undefined) throw err;
    throw new HeadstartError('INTERRUPTED', `stopped by ${stop.received}: ${interrupted()}`, { signal: stop.received });
  } finally {
    stop.dispose();
  }
}

export interface StopSignalOptions {
  graceMs?: number;
  /** Where the "stopping at once" line goes (default stderr). */
  write?: (text: string) => void;
  /** Ends the process (default process.exit); replaced in tests. */
  exit?: (status: number) => void;
}

export function handleStopSignals(options: StopSignalOptions = {}): StopSignals {
  const controller = new AbortController();
  const write = options.write ?? ((text: string) => process.stderr.write(text));
  const exit = options.exit ?? ((status: number) => process.exit(status));
  let received: NodeJS.Signals | undefined;
  let grace: NodeJS.Timeout | undefined;
  const now = (why: string): void => {
    write(`headstart: ${why}; stopping at once [INTERRUPTED]\n`);
    exit(EXIT_STATUS.interrupted);
  };
  const onSignal = (name: NodeJS.Signals): void => {
    if (received !== undefined) {
      now(`${name} again`);
      return;
    }
    received = name;
    controller.abort();
    const graceMs = options.graceMs ?? DEFAULT_STOP_GRACE_MS;
    grace = setTimeout(() => now(`still stopping ${graceMs / 1000} s after ${name}`), graceMs);
    grace.unref();
  };
  for (const name of STOP_SIGNALS) process.on(name, onSignal);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    check: () => {
      if (received !== undefined) throw new HeadstartError('INTERRUPTED', `stopped by ${received}`, { signal: received });
    },
    dispose: () => {
      clearTimeout(grace);
      for (const name of STOP_SIGNALS) process.off(name, onSignal);
    },
  };
}
