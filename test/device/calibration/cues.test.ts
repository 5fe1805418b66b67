import assert from 'node:assert/strict';
import { test } from 'node:test';
import mock from 'mock-firmata';
import type { IOPlugin } from 'johnny-five';
import { johnnyFiveCues } from '../../../src/device/calibration/johnny_five_cues.ts';
import { connectJohnnyFive } from '../../../src/device/transports/johnny_five_board.ts';

test('calibration cues on a johnny-five board: LED and buzz at the start of a hold, LED off and a short buzz at its end', async () => {
  const io = new mock.Firmata() as IOPlugin;
  const calls: number[][] = [];
  const writes: Record<string, number[][]> = { digitalWrite: [], analogWrite: [] };
  for (const name of ['pinMode', 'digitalWrite', 'analogWrite'] as const) {
    (io as unknown as Record<string, unknown>)[name] = (...args: number[]) => {
      calls.push(args);
      writes[name]?.push(args);
    };
  }
  io.emit('connect');
  io.emit('ready');
  const { board } = await connectJohnnyFive({ io });
  const cues = johnnyFiveCues({ board, led: 13, vibration: 5 });
  writes.digitalWrite!.length = 0;
  writes.analogWrite!.length = 0;
  cues.holdStart();
  assert.deepEqual(writes.digitalWrite, [[13, 1]]);
  assert.deepEqual(writes.analogWrite, [[5, 255]]);
  cues.holdEnd();
  assert.deepEqual(writes.digitalWrite!.at(-1), [13, 0]);
  assert.deepEqual(writes.analogWrite!.at(-1), [5, 153], 'a weaker buzz marks the end');
  await new Promise((r) => setTimeout(r, 120));
  assert.deepEqual(writes.analogWrite!.at(-1), [5, 0], 'the buzz stops by itself');
  cues.off();
  assert.ok(calls.length > 0);
});
