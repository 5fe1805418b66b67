import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isHeadstartError } from '../../../src/core/errors.ts';
import type { Frame, SamplesFrame } from '../../../src/core/protocol/frames.ts';
import { BoardSession } from '../../../src/device/transports/board_session.ts';
import { createLoopbackPair } from '../../../src/device/transports/loopback.ts';
import { CytonBoard } from '../../../src/sim/cyton_board.ts';
import { cytonScript, throughAdc } from '../../helpers/cyton.ts';

async function collect(session: BoardSession, samples: number): Promise<{ hello: Frame; frames: SamplesFrame[] }> {
  const frames: SamplesFrame[] = [];
  let got = 0;
  let hello: Frame | undefined;
  const enough = new Promise<void>((resolve) =>
    session.on('frame', (f) => {
      if (f.type === 'hello') hello = f;
      if (f.type !== 'samples' || got >= samples) return;
      frames.push(f);
      got += f.samples.length / f.channels;
      if (got >= samples) resolve();
    }),
  );
  await session.start();
  await enough;
  return { hello: hello!, frames };
}

test('a Cyton over a link: stop, reset and banner, start; float microvolts beyond ±32,767 exactly as the ADC gave them; stop at close', async () => {
  const script = cytonScript(300);
  const pair = createLoopbackPair();
  const board = new CytonBoard(script, pair.board, { speed: Number.POSITIVE_INFINITY });
  const commands: string[] = [];
  board.on('command', (c) => commands.push(c));
  await board.powerOn();
  const session = new BoardSession({ transport: pair.host, format: 'cyton', helloTimeoutMs: 500, replyTimeoutMs: 500 });
  const { hello, frames } = await collect(session, 300);
  assert.deepEqual(hello, { type: 'hello', seq: 0, protocolVersion: 1, channels: 8, rate: 250, sampleFormat: 'float32', boardId: 'cyton' });
  const got = frames.flatMap((f) => Array.from(f.samples)).slice(0, 300 * 8);
  assert.ok(frames.every((f) => f.samples instanceof Float32Array));
  assert.deepEqual(got, Array.from(script.samples, (v) => throughAdc(v)));
  assert.ok(Math.max(...got.map(Math.abs)) > 100000, 'values far beyond the int16 range');
  assert.deepEqual(session.stats.decoder.droppedBytes, 0, 'the banner is read as text, not taken for packets');
  await session.close();
  await board.powerOff();
  assert.deepEqual(commands, ['s', 'v', 'b', 's']);
  assert.equal(board.stats.clipped, 0);
});

test('a Cyton with a Daisy: 16 channels at 125 Hz, found from the banner; asking for a Daisy the board lacks is refused', async () => {
  const script = cytonScript(100, 16);
  const pair = createLoopbackPair();
  const board = new CytonBoard(script, pair.board, { speed: Number.POSITIVE_INFINITY });
  await board.powerOn();
  const session = new BoardSession({ transport: pair.host, format: 'cyton', helloTimeoutMs: 500, replyTimeoutMs: 500 });
  const { hello, frames } = await collect(session, 100);
  assert.deepEqual([hello.type === 'hello' && hello.channels, hello.type === 'hello' && hello.rate, hello.type === 'hello' && hello.boardId], [16, 125, 'cyton-daisy']);
  assert.deepEqual(frames.flatMap((f) => Array.from(f.samples)).slice(0, 1600), Array.from(script.samples, (v) => throughAdc(v)));
  await session.close();
  await board.powerOff();

  const plain = createLoopbackPair();
  const eight = new CytonBoard(cytonScript(50), plain.board, { speed: Number.POSITIVE_INFINITY });
  await eight.powerOn();
  await assert.rejects(new BoardSession({ transport: plain.host, format: 'cyton', cyton: { daisy: true }, helloTimeoutMs: 500 }).start(), (err) => isHeadstartError(err, 'BOARD_MISMATCH') && /Daisy/.test(err.message));
  await eight.powerOff();
});

test('no Cyton answering the reset: NO_HELLO saying what to check', async () => {
  const pair = createLoopbackPair();
  await pair.board.open();
  await assert.rejects(new BoardSession({ transport: pair.host, format: 'cyton', helloTimeoutMs: 100 }).start(), (err) => isHeadstartError(err, 'BOARD_SILENT') && /dongle/.test(err.message) && /115200/.test(err.message));
  await pair.board.close();
});

test('the Cyton sim refuses recordings it cannot send: other channel counts, other rates', () => {
  const pair = createLoopbackPair();
  assert.throws(() => new CytonBoard({ ...cytonScript(10), channels: 4 }, pair.board), (err) => isHeadstartError(err, 'BAD_OPTION'));
  assert.throws(() => new CytonBoard({ ...cytonScript(10), rate: 500 }, pair.board), (err) => isHeadstartError(err, 'INTERNAL') && /resample/.test(err.message));
});
