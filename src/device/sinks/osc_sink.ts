/**
 * Gesture events as Open Sound Control messages over UDP, for Max/MSP, Pure
 * Data, TouchDesigner, SuperCollider and the like. One message per change
 * of the recognized gesture, to `address` (default /headstart/gesture):
 *
 *   ,siff  gesture name ("" when none is recognized any more)
 *          class index in the profile's order (-1 for none)
 *          score: the confidence (0..1) of the window that caused the change
 *          time: board time in seconds of that window's last sample
 *
 * Messages are encoded by node-osc and sent from a UDP socket of our own
 * (IPv4 or IPv6 by the host given). UDP does not tell whether anyone
 * listens; a send that fails (an unknown host, no route) is counted and said
 * once, and recognition goes on.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { encode, Message } from 'node-osc';
import { HeadstartError } from '../../core/errors.ts';
import type { GestureEvent } from '../pipeline/live_pipeline.ts';
import type { LiveSession, LiveSink } from '../live_session.ts';
import { DeliveryCounter, type DeliveryStats, warnOnStderr } from './delivery.ts';

export const DEFAULT_OSC_ADDRESS = '/headstart/gesture';

export interface OscTarget {
  host: string;
  port: number;
}

export interface OscSinkOptions extends OscTarget {
  /** OSC address pattern of the messages (default /headstart/gesture). */
  address?: string;
  /** Where the one warning about failed sends goes (default stderr). */
  warn?: (message: string) => void;
}

/** `host:port`, `[v6-address]:port`: where OSC messages go. */
export function parseOscTarget(text: string, setting = 'OSC target'): OscTarget {
  const m = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port < 1 || port > 65535) {
    throw new HeadstartError('BAD_OPTION', `${setting} must be host:port (e.g. 127.0.0.1:9000, [::1]:9000, mixer.local:8000), got ${JSON.stringify(text)}`, { option: setting, got: text });
  }
  return { host: m[1] ?? m[2]!, port };
}

/** An OSC address: '/' then parts without spaces or the pattern characters # * , ? [ ] { }. */
export function checkOscAddress(address: string, setting = 'OSC address'): string {
  if (!/^(?:\/[^\s#*,?[\]{}/]+)+$/.test(address)) {
    throw new HeadstartError('BAD_OPTION', `${setting} must be an OSC address such as /headstart/gesture ('/'-separated parts without spaces or # * , ? [ ] { }), got ${JSON.stringify(address)}`, { option: setting, got: address });
  }
  return address;
}

/** The OSC message of a gesture event (exported for tests and for applications that send it their own way). */
export function gestureMessage(e: GestureEvent, address = DEFAULT_OSC_ADDRESS): Message {
  return new Message(address, { type: 's', value: e.gesture ?? '' }, { type: 'i', value: e.class }, { type: 'f', value: e.confidence }, { type: 'f', value: e.t });
}

export class OscSink implements LiveSink {
  readonly #target: OscTarget;
  readonly #address: string;
  readonly #socket: Socket;
  readonly #delivery: DeliveryCounter;
  #closed = false;
  /** Sends whose callback has not come yet (a host name being looked up). */
  #pending = 0;
  #drained: (() => void) | undefined;

  constructor(options: OscSinkOptions) {
    this.#target = { host: options.host, port: options.port };
    this.#address = checkOscAddress(options.address ?? DEFAULT_OSC_ADDRESS);
    const where = isIP(options.host) === 6 ? `[${options.host}]:${options.port}` : `${options.host}:${options.port}`;
    this.#delivery = new DeliveryCounter(`OSC output to ${where}`, options.warn ?? warnOnStderr);
    this.#socket = createSocket(isIP(options.host) === 6 ? 'udp6' : 'udp4');
    // A socket error (e.g. ICMP unreachable reported later) must not end the process.
    this.#socket.on('error', (err) => this.#delivery.problem(err.message));
  }

  attach(session: LiveSession): void {
    session.on('gesture', (e) => this.send(e));
  }

  /** Sends one event; never throws. */
  send(e: GestureEvent): void {
    if (this.#closed) return;
    let bytes: Buffer;
    try {
      bytes = encode(gestureMessage(e, this.#address));
    } catch (err) {
      this.#delivery.failed(`cannot encode the event (${(err as Error).message})`);
      return;
    }
    this.#pending++;
    this.#socket.send(bytes, this.#target.port, this.#target.host, (err) => {
      this.#pending--;
      if (this.#pending === 0) this.#drained?.();
      if (err) this.#delivery.failed(`cannot send (${(err as NodeJS.ErrnoException).code ?? err.message})`);
      else this.#delivery.sent();
    });
  }

  get stats(): DeliveryStats {
    return this.#delivery.stats;
  }

  /** Lets the sends under way finish (a second at most), then closes the socket. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#pending > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        this.#drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    await new Promise<void>((resolve) => this.#socket.close(() => resolve()));
  }
}
