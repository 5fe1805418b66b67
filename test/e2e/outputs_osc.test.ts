/**
 * `run --osc host:port`: every gesture change also leaves as an OSC message
 * over UDP. A real UDP socket of the test receives them; node-osc decodes
 * them; they must be the run's --json events, in order, with the types the
 * README documents (,siff).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { decode } from 'node-osc';
import { runCli } from '../helpers/cli.ts';
import { gestureRunFixture, parseRunOutput } from '../helpers/gesture_run.ts';
import { BIN, start, waitFor } from '../helpers/live_run.ts';
import { ptySkipReason } from '../helpers/pty.ts';
import { scratchDir } from '../helpers/scratch_dir.ts';
import { stopChild } from '../helpers/stop_child.ts';

/** The type tag string of an OSC message (after the padded address). */
function typeTags(packet: Buffer): string {
  const addressEnd = packet.indexOf(0);
  const tagsStart = (addressEnd + 4) & ~3;
  return packet.subarray(tagsStart, packet.indexOf(0, tagsStart)).toString('latin1');
}

const float32 = (x: number): number => Math.fround(x);

test('run --osc: each gesture change arrives at a UDP socket as /headstart/gesture ,siff (name, class, score, board time)', { timeout: 90_000 }, async (t) => {
  const skip = ptySkipReason() ?? (existsSync(BIN) ? undefined : 'bin not built: run `npm run build`');
  if (skip) return t.skip(skip);
  const work = scratchDir(t, 'hs-osc-');
  const fx = gestureRunFixture(work);

  const socket = createSocket('udp4');
  const packets: Buffer[] = [];
  socket.on('message', (msg) => packets.push(msg));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  t.after(() => socket.close());
  const port = socket.address().port;

  const board = join(work, 'board');
  const sim = start(['sim', '--pty', board, '--replay', fx.replay, '--speed', 'max', '--json']);
  t.after(() => stopChild(sim.proc));
  await waitFor(() => sim.stdout().includes('"ready"') || sim.proc.exitCode !== null, 'the virtual board');
  const run = start(['run', '--port', board, '--baud', '2000000', '--profile', fx.user, '--data-dir', fx.dataDir, '--package', fx.packageDir, '--runtime', 'ts', '--json', '--idle-stop', '1.5', '--max-queue', '100000', '--osc', `127.0.0.1:${port}`]);
  t.after(() => stopChild(run.proc));
  assert.equal(await run.exited, 0, run.stderr());

  const { events, summary } = parseRunOutput(run.stdout());
  assert.ok(events.length >= 4, `the replay of 7 gestures gives gesture changes: ${run.stdout()}`);
  await waitFor(() => packets.length >= events.length, `${events.length} OSC messages (got ${packets.length})`, 5000);
  assert.equal(packets.length, events.length);
  for (const [i, packet] of packets.entries()) {
    const message = decode(packet);
    const e = events[i]!;
    assert.equal(message.oscType, 'message');
    assert.equal(message.address, '/headstart/gesture');
    assert.equal(typeTags(packet), ',siff');
    assert.deepEqual(
      message.args.map((a: { value: unknown }) => a.value),
      [e.gesture ?? '', e.class, float32(e.confidence), float32(e.t)],
    );
  }
  assert.deepEqual(summary?.outputs?.osc && { sent: summary.outputs.osc.sent, failed: summary.outputs.osc.failed }, { sent: events.length, failed: 0 });
  assert.doesNotMatch(run.stderr(), /warning/);
});

test('run refuses a malformed --osc target or address before opening the port', () => {
  for (const [args, pattern] of [
    [['--osc', 'localhost'], /--osc must be host:port/],
    [['--osc', '127.0.0.1:70000'], /--osc must be host:port/],
    [['--osc', '127.0.0.1:9000', '--osc-address', 'gesture'], /--osc-address must be an OSC address/],
    [['--osc-address', '/x'], /--osc-address needs --osc/],
  ] as const) {
    const r = runCli(['run', '--port', '/nonexistent/port', '--profile', 'nobody', '--data-dir', '/nonexistent/data', ...args]);
    assert.equal(r.status, 2, `a usage error: ${r.stderr}`);
    assert.match(r.stderr, pattern);
  }
});
