/**
 * A byte link to a board: a serial port, a pseudo-terminal, an in-memory pipe.
 * Everything above it (frame decoding, the board session, the virtual board)
 * sees only this interface, so the same code runs on a Raspberry Pi UART, a
 * USB CDC port, a socat pty pair in tests, or an in-process demo.
 *
 * Lifecycle: open() once; 'data' chunks arrive while linked; a link that drops
 * unexpectedly emits 'disconnect' and, when the transport can reconnect,
 * 'reconnect' once it is back (neither is an error: the caller counts a gap).
 * 'error' is only for giving up for good, and is followed by 'close'.
 * close() is idempotent and always ends with 'close'.
 */
import type { EventEmitter } from 'node:events';
import type { HeadstartError } from '../../core/errors.ts';

export interface DisconnectInfo {
  /** Why the link dropped, in words (the OS error, "peer closed"...). */
  reason: string;
}

export interface ReconnectInfo {
  /** Open attempts it took, counting the one that succeeded. */
  attempts: number;
  /** Milliseconds between the 'disconnect' and the link being back. */
  downtimeMs: number;
}

export interface TransportEvents {
  data: [chunk: Uint8Array];
  disconnect: [info: DisconnectInfo];
  reconnect: [info: ReconnectInfo];
  error: [err: HeadstartError];
  close: [];
}

export interface Transport extends EventEmitter<TransportEvents> {
  /** Human-readable name of the link (a port path, "loopback a"), for messages. */
  readonly description: string;
  /** True while bytes can be written (opened, not disconnected, not closed). */
  readonly isLinked: boolean;
  /** Opens the link; rejects with a HeadstartError saying what to check. */
  open(): Promise<void>;
  /**
   * Writes bytes; resolves once the OS (or the peer) accepted them, which is
   * the back-pressure point. Rejects with LINK_CLOSED while
   * disconnected or closed: the caller decides whether losing them matters.
   */
  write(bytes: Uint8Array): Promise<void>;
  /** Closes for good (stops any reconnecting). Idempotent. */
  close(): Promise<void>;
}
