/**
 * `run --mqtt <url> --topic <t>` against a real broker (Debian's mosquitto,
 * started by the test on a free loopback port): every gesture change is
 * published as the README's JSON payload; the broker restarted mid-run,
 * the client reconnects by itself and the events after it arrive; a broker
 * that is not there never stops recognition, it is said once and counted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'mqtt';
import { runCli } from '../helpers/cli.ts';
import { gestureRunFixture, parseRunOutput } from '../helpers/gesture_run.ts';
import { BIN, type Child, start, waitFor } from '../helpers/live_run.ts';
import { freeLoopbackPort, mosquittoSkipReason, startBroker } from '../helpers/mosquitto.ts';
import { ptySkipReason } from '../helpers/pty.ts';
import { scratchDir } from '../helpers/scratch_dir.ts';
import { stopChild } from '../helpers/stop_child.ts';

interface Payload {
  gesture: string | null;
  class: number;
  score: number;
  t: number;
  time: string;
}

function skipReason(): string | undefined {
  return mosquittoSkipReason() ?? ptySkipReason() ?? (existsSync(BIN) ? undefined : 'bin not built: run `npm run build`');
}

async function startSim(t: { after(fn: () => void): void }, work: string, replay: string, speed: string): Promise<{ board: string; sim: Child }> {
  const board = join(work, 'board');
  const sim = start(['sim', '--pty', board, '--replay', replay, '--speed', speed, '--json']);
  t.after(() => stopChild(sim.proc));
  await waitFor(() => sim.stdout().includes('"ready"') || sim.proc.exitCode !== null, 'the virtual board');
  assert.match(sim.stdout(), /"ready"/, sim.stderr());
  return { board, sim };
}

const WARNING = /warning: MQTT output to mqtt:\/\/127\.0\.0\.1:\d+: .*recognition goes on/g;

test('run --mqtt: gesture changes published as JSON; the broker restarted mid-run, the client reconnects and later events arrive', { timeout: 120_000 }, async (t) => {
  const skip = skipReason();
  if (skip) return t.skip(skip);
  const work = scratchDir(t, 'hs-mqtt-');
  const broker = await startBroker(work);
  t.after(() => broker.stop());
  // Two passes over the seven gestures (42 s of signal), played at six times real time.
  const fx = gestureRunFixture(join(work, 'fx'), 2);

  // A subscriber with a persistent session: what the broker accepts while it is away reconnecting is kept for it.
  const received: Payload[] = [];
  const subscriber = connect(broker.url, { clientId: 'headstart-test-subscriber', clean: false, reconnectPeriod: 200 });
  t.after(() => void subscriber.end(true));
  subscriber.on('message', (_topic, payload) => received.push(JSON.parse(payload.toString()) as Payload));
  await new Promise<void>((resolve, reject) => {
    subscriber.once('connect', () => subscriber.subscribe('arm/gesture', { qos: 1 }, (err) => (err ? reject(err) : resolve())));
    subscriber.once('error', reject);
  });

  const { board } = await startSim(t, work, fx.replay, '6');
  const run = start(['run', '--port', board, '--baud', '2000000', '--profile', fx.user, '--data-dir', fx.dataDir, '--package', fx.packageDir, '--runtime', 'ts', '--json', '--idle-stop', '1.5', '--max-queue', '100000', '--mqtt', broker.url, '--topic', 'arm/gesture', '--qos', '1']);
  t.after(() => stopChild(run.proc));

  await waitFor(() => received.length >= 2, 'the first gesture events at the subscriber', 30_000);
  await broker.stop();
  await waitFor(() => (run.stderr().match(WARNING) ?? []).length > 0, 'the run to notice the broker went away');
  const beforeRestart = parseRunOutput(run.stdout()).events.length;
  await broker.start();
  await waitFor(() => received.length > 0 && parseRunOutput(run.stdout()).events.length > beforeRestart + 1, 'gesture events after the restart', 30_000);
  assert.equal(await run.exited, 0, run.stderr());

  const { events, summary } = parseRunOutput(run.stdout());
  const mqtt = summary?.outputs?.mqtt;
  assert.ok(mqtt, `the summary counts the MQTT output: ${run.stdout()}`);
  assert.equal(mqtt.sent + mqtt.failed, events.length, 'every event is either sent or counted as not');
  assert.equal((run.stderr().match(WARNING) ?? []).length, 1, `the broker's absence is said once: ${run.stderr()}`);
  await waitFor(() => new Set(received.map((p) => p.t)).size >= mqtt.sent, `the ${mqtt.sent} events the broker acknowledged at the subscriber (got ${received.length})`, 10_000);

  // What arrived is the run's events (QoS 1 may deliver one twice), with the payload's fields.
  const key = (e: { class: number; t: number }) => `${e.class}@${e.t}`;
  const byKey = new Map(events.map((e) => [key(e), e]));
  for (const p of received) {
    const e = byKey.get(key(p));
    assert.ok(e, `received ${JSON.stringify(p)}, which the run did not print`);
    assert.deepEqual([p.gesture, p.class, p.score, p.t], [e.gesture, e.class, e.confidence, e.t]);
    assert.ok(!Number.isNaN(Date.parse(p.time)), `time is an ISO date: ${p.time}`);
  }
  const distinct = new Set(received.map(key));
  t.diagnostic(`${events.length} events: ${mqtt.sent} sent, ${mqtt.failed} not (broker away), ${received.length} received, ${beforeRestart} printed before the restart`);
  assert.equal(distinct.size, mqtt.sent);
  // And the events printed after the restart (those published once the client was back) reached the subscriber.
  const after = events.slice(beforeRestart).filter((e) => distinct.has(key(e)));
  assert.ok(after.length >= 1, `events after the broker restart arrived: ${JSON.stringify({ beforeRestart, events: events.length, mqtt })}`);
});

test('run --mqtt with no broker listening: recognition runs to the end, the problem is said once, every event is counted', { timeout: 90_000 }, async (t) => {
  const skip = skipReason();
  if (skip) return t.skip(skip);
  const work = scratchDir(t, 'hs-mqtt-');
  const fx = gestureRunFixture(work);
  const closedPort = await freeLoopbackPort();
  const { board } = await startSim(t, work, fx.replay, 'max');
  const run = start(['run', '--port', board, '--baud', '2000000', '--profile', fx.user, '--data-dir', fx.dataDir, '--package', fx.packageDir, '--runtime', 'ts', '--json', '--idle-stop', '1.5', '--max-queue', '100000', '--mqtt', `mqtt://127.0.0.1:${closedPort}`]);
  t.after(() => stopChild(run.proc));
  assert.equal(await run.exited, 0, run.stderr());
  const { events, summary } = parseRunOutput(run.stdout());
  assert.ok(events.length >= 4, run.stdout());
  assert.equal(summary?.board.samples, fx.seconds * 200, 'every sample was read');
  assert.equal(summary?.pipeline.dropped, 0);
  assert.deepEqual(summary?.outputs?.mqtt && [summary.outputs.mqtt.sent, summary.outputs.mqtt.failed], [0, events.length]);
  assert.equal((run.stderr().match(WARNING) ?? []).length, 1, run.stderr());
});

test('run refuses malformed MQTT options before opening the port', () => {
  for (const [args, pattern] of [
    [['--mqtt', 'http://127.0.0.1:1883'], /--mqtt must be a URL such as mqtt:/],
    [['--mqtt', 'mqtt://127.0.0.1', '--topic', 'arm/#'], /--topic must be a topic to publish on/],
    [['--mqtt', 'mqtt://127.0.0.1', '--qos', '3'], /--qos must be a whole number from 0 to 2/],
    [['--topic', 'arm/gesture'], /need --mqtt/],
  ] as const) {
    const r = runCli(['run', '--port', '/nonexistent/port', '--profile', 'nobody', '--data-dir', '/nonexistent/data', ...args]);
    assert.equal(r.status, 2, `a usage error: ${r.stderr}`);
    assert.match(r.stderr, pattern);
  }
});
