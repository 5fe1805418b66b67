/**
 * Gesture events published to an MQTT broker (mosquitto, EMQX, Home
 * Assistant's...). One message per change of the recognized gesture, on
 * `topic`, with a JSON payload:
 *
 *   {"gesture":"fist","class":3,"score":0.93,"t":12.35,"time":"2026-12-01T09:45:13.123Z"}
 *
 * gesture: the name (null when none is recognized any more); class: its
 * index in the profile's order (-1 for none); score: the confidence (0..1)
 * of the window that caused the change; t: board time in seconds of that
 * window's last sample; time: when the event was made, by this machine's
 * clock.
 *
 * The mqtt package keeps the connection: it reconnects every
 * `reconnectMs` after the broker goes away and re-sends QoS 1 and 2
 * messages the broker had not acknowledged. An event that comes while the
 * broker is unreachable is not kept for later (a gesture delivered late
 * would drive whatever listens at the wrong time): it is counted as not
 * delivered, and the first such problem is said once. Recognition never
 * waits for the broker.
 */
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { HeadstartError } from '../../core/errors.ts';
import type { GestureEvent } from '../pipeline/live_pipeline.ts';
import { checkMqttTopic, gesturePayload, type MqttQos, parseMqttUrl, shownUrl } from './mqtt_settings.ts';
import type { LiveSession, LiveSink } from '../live_session.ts';
import { DeliveryCounter, type DeliveryStats, warnOnStderr } from './delivery.ts';

/** How long close() waits for the broker to acknowledge what was sent, before giving up on it. */
const CLOSE_WAIT_MS = 2000;

export interface MqttSinkOptions {
  /** Broker URL: mqtt://host[:1883], mqtts://, ws://, wss://; user and password may be given in it. */
  url: string;
  topic: string;
  qos?: MqttQos;
  /** Set the retain flag, so that a subscriber that comes later gets the latest gesture at once. */
  retain?: boolean;
  /** Delay between reconnection attempts (default 1000 ms). */
  reconnectMs?: number;
  clientId?: string;
  /** Where the one warning goes (default stderr). */
  warn?: (message: string) => void;
}

export class MqttSink implements LiveSink {
  readonly #topic: string;
  readonly #qos: MqttQos;
  readonly #retain: boolean;
  readonly #client: MqttClient;
  readonly #delivery: DeliveryCounter;
  readonly #where: string;
  /** Until the first connection succeeds or fails, events are queued by the client rather than refused. */
  #firstAttempt = true;
  #pending = 0;
  #closing: Promise<void> | undefined;
  /** Set once close() has counted what was left unacknowledged: later callbacks count nothing. */
  #settled = false;

  constructor(options: MqttSinkOptions) {
    const url = parseMqttUrl(options.url);
    this.#topic = checkMqttTopic(options.topic);
    this.#qos = options.qos ?? 0;
    if (![0, 1, 2].includes(this.#qos)) throw new HeadstartError('BAD_OPTION', `MQTT QoS must be 0, 1 or 2, got ${JSON.stringify(options.qos)}`, { setting: 'MQTT QoS', got: options.qos });
    this.#retain = options.retain ?? false;
    this.#where = shownUrl(url);
    this.#delivery = new DeliveryCounter(`MQTT output to ${this.#where}`, options.warn ?? warnOnStderr);
    const clientOptions: IClientOptions = {
      reconnectPeriod: options.reconnectMs ?? 1000,
      connectTimeout: 5000,
      clientId: options.clientId ?? `headstart-${process.pid}-${Math.random().toString(16).slice(2, 10)}`,
    };
    this.#client = connect(url.href, clientOptions);
    this.#client.on('connect', () => {
      this.#firstAttempt = false;
    });
    this.#client.on('error', (err) => {
      this.#firstAttempt = false;
      this.#delivery.problem(`the broker cannot be reached or refused the connection (${err.message})`);
    });
    this.#client.on('offline', () => {
      this.#firstAttempt = false;
      this.#delivery.problem('the broker is unreachable');
    });
  }

  attach(session: LiveSession): void {
    session.on('gesture', (e) => this.send(e));
  }

  /** True while the client holds a connection to the broker. */
  get connected(): boolean {
    return this.#client.connected;
  }

  get stats(): DeliveryStats {
    return this.#delivery.stats;
  }

  /** Publishes one event; never throws and never waits. */
  send(e: GestureEvent): void {
    if (this.#closing) return;
    if (!this.#client.connected && !this.#firstAttempt) {
      this.#delivery.failed('the broker is unreachable');
      return;
    }
    this.#pending++;
    this.#client.publish(this.#topic, JSON.stringify(gesturePayload(e)), { qos: this.#qos, retain: this.#retain }, (err) => {
      if (this.#settled) return;
      this.#pending--;
      if (err) this.#delivery.failed(`a publish failed (${err.message})`);
      else this.#delivery.sent();
    });
  }

  /** Waits (a little) for what was sent to be acknowledged, then disconnects; what never was is counted as not delivered. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      const giveUp = setTimeout(() => this.#client.end(true, {}, () => done()), CLOSE_WAIT_MS);
      let finished = false;
      const done = (): void => {
        if (finished) return;
        finished = true;
        clearTimeout(giveUp);
        this.#settled = true;
        for (; this.#pending > 0; this.#pending--) this.#delivery.failed('the broker had not acknowledged it when the run ended');
        resolve();
      };
      this.#client.end(false, {}, () => done());
    });
    return this.#closing;
  }
}
