/**
 * `run`'s network outputs: OSC over UDP (`--osc host:port`) and MQTT
 * (`--mqtt <url> --topic <t>`), declared and checked here so that the verb
 * only adds them to its sinks and its summary.
 */
import type { Command } from 'commander';
import { HeadstartError } from '../core/errors.ts';
import type { LiveSink } from '../device/live_session.ts';
import type { DeliveryStats } from '../device/sinks/delivery.ts';
import { checkMqttTopic, type MqttQos, parseMqttUrl, shownUrl } from '../device/sinks/mqtt_settings.ts';
import type { MqttSink } from '../device/sinks/mqtt_sink.ts';
import { checkOscAddress, DEFAULT_OSC_ADDRESS, OscSink, type OscTarget, parseOscTarget } from '../device/sinks/osc_sink.ts';

export interface NetworkOutputOptions {
  osc?: string;
  oscAddress: string;
  mqtt?: string;
  topic?: string;
  qos: string;
  retain?: boolean;
}

export interface NetworkOutputSettings {
  osc?: OscTarget & { address: string };
  mqtt?: { url: string; topic: string; qos: MqttQos; retain: boolean };
}

export function addNetworkOutputOptions(command: Command): Command {
  return command
    .option('--osc <host:port>', 'also send each gesture change as an OSC message over UDP (e.g. 127.0.0.1:9000; see README: OSC output)')
    .option('--osc-address <address>', 'OSC address of those messages', DEFAULT_OSC_ADDRESS)
    .option('--mqtt <url>', 'also publish each gesture change to an MQTT broker (e.g. mqtt://127.0.0.1:1883; see README: MQTT output)')
    .option('--topic <topic>', 'MQTT topic to publish on (default headstart/<profile>/gesture)')
    .option('--qos <level>', 'MQTT quality of service: 0 at most once, 1 at least once, 2 exactly once', '0')
    .option('--retain', 'publish with the MQTT retain flag, so that a subscriber that comes later gets the current gesture at once');
}

/** Checks the options (before any port or socket is opened). */
export function networkOutputSettings(o: NetworkOutputOptions, profile: string): NetworkOutputSettings {
  const settings: NetworkOutputSettings = {};
  if (o.osc !== undefined) settings.osc = { ...parseOscTarget(o.osc, '--osc'), address: checkOscAddress(o.oscAddress, '--osc-address') };
  else if (o.oscAddress !== DEFAULT_OSC_ADDRESS) throw new HeadstartError('MISSING_OPTION', '--osc-address needs --osc <host:port> (where the messages go)');
  if (o.mqtt !== undefined) {
    const qos = Number(o.qos);
    if (!/^[012]$/.test(o.qos.trim())) throw new HeadstartError('BAD_OPTION', `--qos must be 0, 1 or 2, got ${JSON.stringify(o.qos)}`, { option: '--qos', got: o.qos });
    settings.mqtt = { url: parseMqttUrl(o.mqtt, '--mqtt').href, topic: checkMqttTopic(o.topic ?? `headstart/${profile}/gesture`, '--topic'), qos: qos as MqttQos, retain: o.retain === true };
  } else if (o.topic !== undefined || o.retain || o.qos !== '0') {
    throw new HeadstartError('MISSING_OPTION', '--topic, --qos and --retain need --mqtt <url> (the broker to publish to)');
  }
  return settings;
}

export interface NetworkOutputs {
  sinks: LiveSink[];
  /** What each delivered, for the summary. */
  stats(): { osc?: DeliveryStats & { target: string }; mqtt?: DeliveryStats & { broker: string; topic: string } };
}

/**
 * Opens the outputs asked for. An MQTT client starts connecting now and
 * keeps trying in the background; the mqtt package is loaded only then.
 */
export async function openNetworkOutputs(settings: NetworkOutputSettings): Promise<NetworkOutputs> {
  const osc = settings.osc ? new OscSink(settings.osc) : undefined;
  const mqtt = settings.mqtt ? new (await import('../device/sinks/mqtt_sink.ts')).MqttSink(settings.mqtt) : undefined;
  return {
    sinks: [osc, mqtt].filter((s): s is OscSink | MqttSink => s !== undefined),
    stats: () => ({
      ...(osc && settings.osc ? { osc: { target: `${settings.osc.host}:${settings.osc.port}`, ...osc.stats } } : {}),
      ...(mqtt && settings.mqtt ? { mqtt: { broker: shownUrl(new URL(settings.mqtt.url)), topic: settings.mqtt.topic, ...mqtt.stats } } : {}),
    }),
  };
}

/** One line per output for the text summary. */
export function describeNetworkOutputs(stats: ReturnType<NetworkOutputs['stats']>): string[] {
  const lines: string[] = [];
  const line = (what: string, s: DeliveryStats) => `${what}: ${s.sent} gesture events sent, ${s.failed} could not be${s.firstFailure ? ` (first problem: ${s.firstFailure})` : ''}`;
  if (stats.osc) lines.push(line(`OSC to ${stats.osc.target}`, stats.osc));
  if (stats.mqtt) lines.push(line(`MQTT to ${stats.mqtt.broker} on ${stats.mqtt.topic}`, stats.mqtt));
  return lines;
}
