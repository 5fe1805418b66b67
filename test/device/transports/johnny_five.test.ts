import { test } from 'node:test';
import assert from 'node:assert/strict';
import mock from 'mock-firmata';
import type { IOPlugin } from 'johnny-five';
import { connectJohnnyFive } from '../../../src/device/transports/johnny_five_board.ts';
import { AnalogSource, analogChannel } from '../../../src/device/transports/analog_source.ts';
import { JohnnyFiveFeedback } from '../../../src/device/transports/feedback.ts';
import type { Frame, SamplesFrame } from '../../../src/core/protocol/frames.ts';
import { isHeadstartError } from '../../../src/core/errors.ts';

type Call = [string, ...number[]];

/** A mock-firmata board that records what johnny-five asks of it and lets the test play the analog pins. */
function mockBoard(options: { ready?: boolean } = {}) {
  const io = new mock.Firmata() as IOPlugin;
  const calls: Call[] = [];
  const analog = new Map<number, (v: number) => void>();
  for (const name of ['pinMode', 'digitalWrite', 'analogWrite', 'servoWrite', 'setSamplingInterval', 'reportAnalogPin'] as const) {
    (io as unknown as Record<string, unknown>)[name] = (...args: number[]) => calls.push([name, ...args]);
  }
  io.analogRead = (pin, callback) => {
    calls.push(['analogRead', pin]);
    analog.set(pin, callback);
  };
  if (options.ready ?? true) {
    io.emit('connect');
    io.emit('ready');
  }
  return { io, calls, analog, named: (name: string): number[][] => calls.filter((c) => c[0] === name).map((c) => c.slice(1) as number[]) };
}

test('johnny-five connects through a ready IO plugin', async () => {
  const m = mockBoard();
  const conn = await connectJohnnyFive({ io: m.io });
  assert.equal(conn.board.isReady, true);
  await conn.close();
});

test('a board that never gets ready fails with what to check', async () => {
  const m = mockBoard({ ready: false });
  await assert.rejects(connectJohnnyFive({ io: m.io, timeoutMs: 50 }), (err) => isHeadstartError(err, 'BOARD_SILENT') && /StandardFirmata/.test(err.message));
});

test('analog pins are named A0.. or by number, and checked against the board', async () => {
  assert.equal(analogChannel('A3'), 3);
  assert.equal(analogChannel(4), 4);
  assert.throws(() => analogChannel('B3'), (err) => isHeadstartError(err, 'BAD_OPTION'));
  const { board } = await connectJohnnyFive({ io: mockBoard().io });
  assert.throws(() => new AnalogSource({ board, pins: ['A9'], intervalMs: 10 }), (err) => isHeadstartError(err, 'BAD_OPTION') && /A0\.\.A5/.test(err.message));
  assert.throws(() => new AnalogSource({ board, pins: ['A0'], intervalMs: 2.5 }), (err) => isHeadstartError(err, 'BAD_OPTION'));
});

test('analog inputs become HELLO then SAMPLES frames at the sampling interval, holding the latest readings', async () => {
  const m = mockBoard();
  const { board } = await connectJohnnyFive({ io: m.io });
  const source = new AnalogSource({ board, pins: ['A0', 'A2'], intervalMs: 5, samplesPerFrame: 2 });
  assert.deepEqual(m.named('setSamplingInterval'), [[5]]);
  assert.deepEqual(m.named('analogRead'), [[0], [2]]);

  const frames: Frame[] = [];
  source.on('data', (f: Frame) => frames.push(f));
  m.analog.get(0)!(100);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(frames.filter((f) => f.type === 'samples').length, 0, 'no sample before every pin has reported');

  m.analog.get(2)!(900);
  await new Promise((r) => setTimeout(r, 40));
  m.analog.get(0)!(5);
  m.analog.get(2)!(6);
  await new Promise((r) => setTimeout(r, 40));
  source.stop();
  await new Promise((r) => source.once('end', r));

  const hello = frames[0]!;
  assert.equal(hello.type, 'hello');
  assert.deepEqual(hello.type === 'hello' && [hello.channels, hello.rate], [2, 200]);
  const samples = frames.filter((f): f is SamplesFrame => f.type === 'samples');
  assert.ok(samples.length >= 4, `${samples.length} frames`);
  const rows: number[][] = [];
  for (const f of samples) for (let i = 0; i < f.samples.length; i += 2) rows.push([f.samples[i]!, f.samples[i + 1]!]);
  assert.equal(rows.length, source.stats.samples);
  // The sample clock is continuous: frame k starts at k * 2 samples * 5 ms.
  let index = 0;
  for (const f of samples) {
    assert.equal(f.timestampUs, index * 5000);
    index += f.samples.length / 2;
  }
  // Readings in order: first the pair (100, 900), then (5, 6), nothing else.
  const firstChange = rows.findIndex((r) => r[0] === 5);
  assert.ok(firstChange > 0, 'the new readings appear');
  assert.ok(rows.slice(0, firstChange).every((r) => r[0] === 100 && r[1] === 900));
  assert.ok(rows.slice(firstChange).every((r) => r[0] === 5 && r[1] === 6));
  assert.deepEqual(m.named('reportAnalogPin'), [[0, 0], [2, 0]], 'stop() turns reporting off');
});

test('feedback drives the LED, the vibration motor and the servo through johnny-five', async () => {
  const m = mockBoard();
  const { board } = await connectJohnnyFive({ io: m.io });
  const feedback = new JohnnyFiveFeedback({ board, led: 13, vibration: 5, servo: 9, classes: 3, buzzMs: 20 });
  m.calls.length = 0;

  feedback.showGesture(2);
  assert.deepEqual(m.named('digitalWrite'), [[13, 1]]);
  assert.deepEqual(m.named('analogWrite'), [[5, 255]], 'a new gesture buzzes');
  const servoAt2 = m.named('servoWrite').at(-1)![1]!;
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(m.named('analogWrite').at(-1), [5, 0], 'the buzz ends');

  m.calls.length = 0;
  feedback.showGesture(2);
  assert.deepEqual(m.named('analogWrite'), [], 'the same gesture again does not buzz');

  feedback.showGesture(1);
  const servoAt1 = m.named('servoWrite').at(-1)![1]!;
  assert.equal(servoAt1, 1500, '1 of 3 classes is 90 degrees: a 1500 µs pulse');
  assert.ok(servoAt2 > servoAt1);

  m.calls.length = 0;
  feedback.showGesture(0);
  assert.deepEqual(m.named('digitalWrite'), [[13, 0]], 'rest turns the LED off');
  assert.deepEqual(m.named('analogWrite'), [], 'rest does not buzz');
  assert.throws(() => feedback.showGesture(3), (err) => isHeadstartError(err, 'INTERNAL'));
  feedback.off();
});
