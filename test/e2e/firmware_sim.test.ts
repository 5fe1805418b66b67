import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeFrames } from '../../src/core/protocol/decoder.ts';
import { encodeFrame } from '../../src/core/protocol/encoder.ts';
import type { CommandFrame, Frame, HelloFrame, SamplesFrame } from '../../src/core/protocol/frames.ts';
import { FIRMWARE_DIR, hasTool } from '../helpers/firmware.ts';

function missingTool(): string | undefined {
  if (!hasTool('avr-gcc')) return 'avr-gcc not installed (apt-get install gcc-avr avr-libc)';
  if (!existsSync('/usr/share/arduino/hardware/arduino/avr/cores/arduino/Arduino.h')) return 'arduino-core-avr not installed';
  if (spawnSync('pkg-config', ['--exists', 'simavr']).status !== 0) return 'libsimavr-dev not installed (apt-get install libsimavr-dev libelf-dev pkg-config)';
  if (!hasTool('gcc')) return 'gcc not installed';
  return undefined;
}

const missing = missingTool();

/** Builds the firmware and the simavr UART bridge once for the tests below. */
function build(): { elf: string; sim: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hs-sim-'));
  // Built once for the whole file; removed when the test process ends.
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const fw = spawnSync(join(FIRMWARE_DIR, 'build_avr.sh'), [dir], { encoding: 'utf8' });
  assert.equal(fw.status, 0, fw.stderr);
  const flags = spawnSync('pkg-config', ['--cflags', '--libs', 'simavr'], { encoding: 'utf8' }).stdout.trim().split(/\s+/);
  const sim = join(dir, 'sim_uart');
  const cc = spawnSync('gcc', ['-std=gnu99', '-O2', '-Wall', '-Wextra', '-o', sim, join(FIRMWARE_DIR, 'test/sim_uart.c'), ...flags, '-lelf'], { encoding: 'utf8' });
  assert.equal(cc.status, 0, cc.stderr);
  return { elf: join(dir, 'headstart_sensor.elf'), sim };
}

const hex = (f: Frame) => Buffer.from(encodeFrame(f)).toString('hex');
const command = (seq: number, name: CommandFrame['command'], arg = 0, protocolVersion?: number): Frame =>
  protocolVersion === undefined ? { type: 'command', seq, command: name, arg } : { type: 'command', seq, command: name, arg, protocolVersion };

function runBoard(tools: { elf: string; sim: string }, ms: number, injections: [number, Frame][]): ReturnType<typeof decodeFrames> {
  const args = [tools.elf, String(ms), ...injections.map(([at, f]) => `${at}:${hex(f)}`)];
  const r = spawnSync(tools.sim, args, { maxBuffer: 16 * 1024 * 1024, timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr?.toString());
  return decodeFrames(r.stdout);
}

test('the firmware on a simulated ATmega328P: HELLO, commands answered, SAMPLES at the rate set', { skip: missing ?? false, timeout: 120_000 }, () => {
  const tools = build();
  const { frames, stats, error } = runBoard(tools, 300, [
    [10, command(0, 'set_rate', 1000)],
    [20, command(1, 'start')],
    [150, command(2, 'ping', 0xc0ffee)],
  ]);
  assert.equal(error, undefined);
  const hellos = frames.filter((f): f is HelloFrame => f.type === 'hello');
  const acks = frames.filter((f): f is CommandFrame => f.type === 'command');
  const samples = frames.filter((f): f is SamplesFrame => f.type === 'samples');
  assert.deepEqual(hellos[0], { type: 'hello', seq: 0, protocolVersion: 1, channels: 6, rate: 500, sampleFormat: 'int16', boardId: 'uno-r3' });
  assert.deepEqual(acks.map((a) => [a.command, a.arg]), [['set_rate', 1000], ['start', 0], ['ping', 0xc0ffee]]);
  assert.ok(hellos.length >= 4 && hellos.slice(1).every((h) => h.rate === 1000), 'HELLO after set_rate, start and ping carries the new rate');
  // ~280 ms at 1 kHz in frames of 10 samples
  assert.ok(samples.length >= 25 && samples.length <= 28, `${samples.length} SAMPLES frames`);
  for (let i = 1; i < samples.length; i++) assert.equal(samples[i]!.timestampUs - samples[i - 1]!.timestampUs, 10_000, 'one frame per 10 ms');
  // A0..A5 held at 0.5, 1.0, ... 3.0 V against 5 V: 10-bit readings in channel order
  const first = Array.from(samples[0]!.samples.subarray(0, 6));
  first.forEach((v, c) => assert.ok(Math.abs(v - (500 * (c + 1) * 1024) / 5000) <= 2, `channel ${c} reads ${v}`));
  assert.equal(stats.crcFailures, 0);
  assert.equal(stats.sequenceGaps, 0);
  assert.equal(stats.malformed, 0);
  // Only the frame cut off when the simulation stops may be incomplete.
  assert.ok(stats.droppedBytes < 200, `${stats.droppedBytes} bytes dropped`);
});

test('the firmware answers a command of another protocol version with its HELLO only', { skip: missing ?? false, timeout: 120_000 }, () => {
  const tools = build();
  const { frames } = runBoard(tools, 100, [[10, command(0, 'start', 0, 2)]]);
  assert.deepEqual(frames.map((f) => f.type), ['hello', 'hello']);
});
