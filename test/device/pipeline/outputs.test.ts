import { test } from 'node:test';
import assert from 'node:assert/strict';
import mock from 'mock-firmata';
import type { IOPlugin } from 'johnny-five';
import { isHeadstartError } from '../../../src/core/errors.ts';
import { connectJohnnyFive } from '../../../src/device/transports/johnny_five_board.ts';
import { GestureOutputs, parseOptionalList } from '../../../src/device/pipeline/gesture_outputs.ts';

/** A ready mock-firmata board recording digital and servo writes. */
function mockBoard() {
  const io = new mock.Firmata() as IOPlugin;
  const calls: [string, ...number[]][] = [];
  for (const name of ['pinMode', 'digitalWrite', 'analogWrite', 'servoWrite'] as const) {
    (io as unknown as Record<string, unknown>)[name] = (...args: number[]) => calls.push([name, ...args]);
  }
  io.emit('connect');
  io.emit('ready');
  return { io, calls };
}

test('one LED per gesture and a servo position per gesture follow the recognized gesture', async () => {
  const m = mockBoard();
  const { board } = await connectJohnnyFive({ io: m.io });
  const outputs = new GestureOutputs({ board, classes: 4, ledPins: [undefined, 2, 3, 4], servoPin: 9, servoAngles: [undefined, 30, undefined, 150] });
  const writes = () => m.calls.filter((c) => c[0] !== 'pinMode').map((c) => c.join(' '));
  m.calls.length = 0;
  outputs.show(1);
  // johnny-five sends servo positions as pulse widths: 600 µs + degrees x 10 µs (0..180 -> 600..2400).
  assert.deepEqual(writes(), ['digitalWrite 2 1', 'servoWrite 9 900']);
  m.calls.length = 0;
  outputs.show(3);
  assert.deepEqual(writes(), ['digitalWrite 2 0', 'digitalWrite 4 1', 'servoWrite 9 2100']);
  m.calls.length = 0;
  outputs.show(2); // no servo position for 2: the gripper stays where it is
  // Pin 3 is a PWM pin: johnny-five lights an LED there at full brightness.
  assert.deepEqual(writes(), ['digitalWrite 4 0', 'analogWrite 3 255']);
  m.calls.length = 0;
  outputs.show(-1);
  assert.deepEqual(writes(), ['analogWrite 3 0']);
  assert.throws(() => outputs.show(4), (err) => isHeadstartError(err, 'INTERNAL'));
});

test('output lists are checked and parsed with "-" for none', async () => {
  assert.deepEqual(parseOptionalList('-,2, 3,,x', (s) => s), [undefined, '2', '3', undefined, 'x']);
  const { board } = await connectJohnnyFive({ io: mockBoard().io });
  assert.throws(() => new GestureOutputs({ board, classes: 2, ledPins: [1, 2, 3] }), (err) => isHeadstartError(err, 'BAD_OPTION'));
  assert.throws(() => new GestureOutputs({ board, classes: 2, servoPin: 9, servoAngles: [0, 200] }), (err) => isHeadstartError(err, 'BAD_OPTION') && /0\.\.180/.test(err.message));
  assert.throws(() => new GestureOutputs({ board, classes: 2, servoAngles: [10] }), (err) => isHeadstartError(err, 'BAD_OPTION') && /without a servo pin/.test(err.message));
});
