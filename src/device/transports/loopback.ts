/**
 * Two in-memory Transports wired to each other: what one writes, the other
 * receives (on a later tick, as from a real wire). For running the virtual
 * board in the same process as the host side (the demo) and for tests that
 * need a cable they can pull: unplug() drops the link on both ends, plug()
 * restores it, with the same 'disconnect' / 'reconnect' events a serial port gives.
 */
import { EventEmitter } from 'node:events';
import { HeadstartError } from '../../core/errors.ts';
import type { Transport, TransportEvents } from './transport.ts';

type State = 'idle' | 'linked' | 'unplugged' | 'closed';

export class LoopbackTransport extends EventEmitter<TransportEvents> implements Transport {
  #state: State = 'idle';
  #peer: LoopbackTransport | undefined;
  #unpluggedAt = 0;

  constructor(readonly description: string) {
    super();
  }

  get isLinked(): boolean {
    return this.#state === 'linked';
  }

  /** @internal wiring done by createLoopbackPair */
  connectTo(peer: LoopbackTransport): void {
    this.#peer = peer;
  }

  async open(): Promise<void> {
    if (this.#state !== 'idle') {
      throw new HeadstartError('INTERNAL', `${this.description}: open() was already called; create a new pair to open again`);
    }
    this.#state = 'linked';
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.#state !== 'linked') {
      throw new HeadstartError('LINK_CLOSED', `${this.description}: not connected (${this.#state}); bytes were not sent`);
    }
    const peer = this.#peer;
    // Copy: the caller may reuse its buffer once the write resolves.
    const copy = Uint8Array.from(bytes);
    // Deliver on a later tick, as a wire would; bytes sent to a peer that is
    // not open (or whose cable is pulled by then) are lost, as on a wire.
    setImmediate(() => peer?.deliver(copy));
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.emit('close');
  }

  /** @internal */
  deliver(bytes: Uint8Array): void {
    if (this.#state === 'linked') this.emit('data', bytes);
  }

  /** @internal */
  setPlugged(plugged: boolean): void {
    if (!plugged && this.#state === 'linked') {
      this.#state = 'unplugged';
      this.#unpluggedAt = Date.now();
      this.emit('disconnect', { reason: 'loopback unplugged' });
    } else if (plugged && this.#state === 'unplugged') {
      this.#state = 'linked';
      this.emit('reconnect', { attempts: 1, downtimeMs: Date.now() - this.#unpluggedAt });
    }
  }
}

export interface LoopbackPair {
  /** Conventionally the board's end. */
  board: LoopbackTransport;
  /** Conventionally the host's end. */
  host: LoopbackTransport;
  /** Pulls the cable: both ends see 'disconnect'; bytes in flight are lost. */
  unplug(): void;
  /** Puts it back: both ends see 'reconnect'. */
  plug(): void;
}

export function createLoopbackPair(): LoopbackPair {
  const board = new LoopbackTransport('loopback (board end)');
  const host = new LoopbackTransport('loopback (host end)');
  board.connectTo(host);
  host.connectTo(board);
  return {
    board,
    host,
    unplug: () => {
      board.setPlugged(false);
      host.setPlugged(false);
    },
    plug: () => {
      board.setPlugged(true);
      host.setPlugged(true);
    },
  };
}
