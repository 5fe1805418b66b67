/**
 * What an MQTT output is told, checked before anything connects, and the
 * payload it publishes (see mqtt_sink.ts). Kept apart from the client: the
 * mqtt package takes a while to load, and `run` loads it only when asked to
 * publish.
 */
import { HeadstartError } from '../../core/errors.ts';
import type { GestureEvent } from '../pipeline/live_pipeline.ts';

export type MqttQos = 0 | 1 | 2;

export const MQTT_PROTOCOLS = ['mqtt:', 'mqtts:', 'ws:', 'wss:'] as const;

/** The JSON published for each gesture change (see mqtt_sink.ts and README: MQTT output). */
export interface MqttPayload {
  gesture: string | null;
  class: number;
  score: number;
  t: number;
  time: string;
}

/** Checks a broker URL; returns it parsed. */
export function parseMqttUrl(text: string, setting = 'MQTT broker URL'): URL {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || !(MQTT_PROTOCOLS as readonly string[]).includes(url.protocol) || url.hostname === '') {
    throw new HeadstartError('BAD_OPTION', `${setting} must be a URL such as mqtt://127.0.0.1:1883 (mqtt, mqtts, ws or wss), got ${JSON.stringify(text)}`, { option: setting, got: text });
  }
  return url;
}

/** A topic to publish on: not empty, no wildcards (+ #), no NUL, at most 65535 bytes. */
export function checkMqttTopic(topic: string, setting = 'MQTT topic'): string {
  if (topic === '' || /[+#\u0000]/.test(topic) || Buffer.byteLength(topic) > 65535) {
    throw new HeadstartError('BAD_OPTION', `${setting} must be a topic to publish on, such as headstart/alice/gesture (not empty, without the wildcards + and #), got ${JSON.stringify(topic)}`, { option: setting, got: topic });
  }
  return topic;
}

export function gesturePayload(e: GestureEvent, now: Date = new Date()): MqttPayload {
  return { gesture: e.gesture, class: e.class, score: e.confidence, t: e.t, time: now.toISOString() };
}

/** The URL with its password hidden, for messages. */
export function shownUrl(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password) copy.password = '***';
  return copy.href.replace(/\/$/, '');
}
