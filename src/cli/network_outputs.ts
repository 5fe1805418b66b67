/**
 * `run`'s network outputs: OSC over UDP (`--osc host:port`) and MQTT
 * (`--mqtt <url> --topic <t>`), declared and checked here so that the verb
 * only adds them to its sinks and its summary.
 */
import { type Command, Option } from 'commander';
import { HeadstartError } from '../core/errors.ts';
import type { LiveSink } from '../device/live_session.ts';
import type { DeliveryStats } from '../device/sinks/delivery.ts';
import { checkMqttTopic, type MqttQos, parseMqttUrl, shownUrl } from '../device/sinks/mqtt_settings.ts';
import type { MqttSink } from '../device/sinks/mqtt_sink.ts';
import { checkOscAddress, DEFAULT_OSC_ADDRESS, OscSink, type OscTarget, parseOscTarget } from '../device/sinks/osc_sink.ts';
import { numberOption } from './options.ts';

/** The options as commander leaves them: each value checked while the command line is read. */
export interface NetworkOutputOptions {
  osc?: OscTarget;
  oscAddress: string;
  mqtt?: string;
  topic?: string;
  qos: number;
  retain?: boolean;
}

export interface NetworkOutputSettings {
  osc?: OscTarget & { address: string };
  mqtt?: { url: string; topic: string; qos: MqttQos; retain: boolean };
}

export function addNetworkOutputOptions(command: Command): Command {
  return command
    .addOption(new Option('--osc <host:port>', 'also send each gesture change as an OSC message over UDP (e.g. 127.0.0.1:9000; see README: OSC output)').argParser((text: string) => parseOscTarget(text, '--osc')))
    .addOption(new Option('--osc-address <address>', 'OSC address of those messages').default(DEFAULT_OSC_ADDRESS).argParser((text: string) => checkOscAddress(text, '--osc-address')))
    .addOption(new Option('--mqtt <url>', 'also publish each gesture change to an MQTT broker (e.g. mqtt://127.0.0.1:1883; see README: MQTT output)').argParser((text: string) => parseMqttUrl(text, '--mqtt').href))
    .addOption(new Option('--topic <topic>', 'MQTT topic to publish on (default headstart/<profile>/gesture)').argParser((text: string) => checkMqttTopic(text, '--topic')))
    .addOption(numberOption('--qos <level>', 'MQTT quality of service: 0 at most once, 1 at least once, 2 exactly once', { integer: true, min: 0, max: 2 }, 0))
    .option('--retain', 'publish with the MQTT retain flag, so that a subscriber that comes later gets the current gesture at once');
}

/** The outputs asked for; options that only make sense together are checked here, before any port or socket is opened. */
export function networkOutputSettings(o: NetworkOutputOptions, profile: string): NetworkOutputSettings {
  const settings: NetworkOutputSettings = {};
  if (o.osc !== undefined) settings.osc = { ...o.osc, address: o.oscAddress };
  else if (o.oscAddress !== DEFAULT_OSC_ADDRESS) throw new HeadstartError('MISSING_OPTION', '--osc-address needs --osc <host:port> (where the messages go)');
  if (o.mqtt !== undefined) settings.mqtt = { url: o.mqtt, topic: o.topic ?? checkMqttTopic(`headstart/${profile}/gesture`, '--topic'), qos: o.qos as MqttQos, retain: o.retain === true };
  else if (o.topic !== undefined || o.retain || o.qos !== 0) throw new HeadstartError('MISSING_OPTION', '--topic, --qos and --retain need --mqtt <url> (the broker to publish to)');
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
