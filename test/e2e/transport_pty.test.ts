/**
 * End to end over a real pseudo-terminal pair (socat) through serialport:
 * virtual board -> pty -> socat -> pty -> SerialTransport -> BoardSession.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { SerialTransport } from '../../src/device/transports/serial.ts';
import { BoardSession, type GapInfo } from '../../src/device/transports/board_session.ts';
import { VirtualBoard } from '../../src/sim/virtual_board.ts';
import { scriptFromRecordings } from '../../src/sim/replay_script.ts';
import { syntheticRecording, syntheticValue } from '../../src/sim/synthetic.ts';
import type { SamplesFrame } from '../../src/core/protocol/frames.ts';
import { makePtyFixture, ptySkipReason } from '../helpers/pty.ts';

const skip = ptySkipReason();
const BAUD = 2_000_000;

/** Counts samples that match the synthetic stream at the index their timestamp gives; fails on the first wrong value. */
function checkSamples(frames: SamplesFrame[], rate: number): number {
  let checked = 0;
  for (const f of frames) {
    const first = Math.round((f.timestampUs * rate) / 1e6);
    const n = f.samples.length / f.channels;
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < f.channels; c++) {
        if (f.samples[i * f.channels + c] !== syntheticValue(first + i, c)) assert.fail(`sample ${first + i} channel ${c} differs`);
      }
    }
    checked += n;
  }
  return checked;
}

test('60 s of 8 channels at 1 kHz cross a pty pair at 2 Mbaud with zero frames lost', { skip }, async () => {
  const pty = await makePtyFixture();
  // 10x real time: 8 ch x 1 kHz in frames of 10 is 17,200 wire bytes/s (PROTOCOL.md §4), so
  // 172,000 bytes/s here, under the 200,000 bytes/s a 2 Mbaud 8N1 line carries.
  const script = scriptFromRecordings([syntheticRecording({ channels: 8, rate: 1000, seconds: 60 })]);
  const board = new VirtualBoard(script, new SerialTransport({ path: pty.boardPath, baudRate: BAUD }), { speed: 10, samplesPerFrame: 10 });
  const session = new BoardSession({ transport: new SerialTransport({ path: pty.hostPath, baudRate: BAUD }), helloTimeoutMs: 200, replyTimeoutMs: 500 });
  const frames: SamplesFrame[] = [];
  const gaps: GapInfo[] = [];
  session.on('frame', (f) => f.type === 'samples' && frames.push(f));
  session.on('gap', (g) => gaps.push(g));
  try {
    await board.powerOn();
    const ended = once(board, 'end');
    await session.start();
    await ended;
    // The last frames may still be in the pty buffers.
    for (let i = 0; i < 100 && session.stats.samples < 60_000; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(checkSamples(frames, 1000), 60_000);
    assert.equal(frames.length, 6000);
    assert.deepEqual(gaps, []);
    const s = session.stats;
    assert.deepEqual([s.missingFrames, s.decoder.crcFailures, s.decoder.droppedBytes, s.decoder.malformed, s.decoder.sequenceGaps], [0, 0, 0, 0, 0]);
    assert.deepEqual([board.stats.framesSent, board.stats.framesLost], [6000, 0]);
  } finally {
    await session.close();
    await board.powerOff();
    await pty.dispose();
  }
});

test('killing socat mid-stream gives a reconnect and a counted gap, not a crash', { skip }, async () => {
  const pty = await makePtyFixture();
  const rate = 1000;
  const total = 8000;
  const script = scriptFromRecordings([syntheticRecording({ channels: 8, rate, seconds: total / rate })]);
  const reconnect = { initialDelayMs: 20, maxDelayMs: 100 };
  const board = new VirtualBoard(script, new SerialTransport({ path: pty.boardPath, baudRate: BAUD, reconnect }), { speed: 4, samplesPerFrame: 10 });
  const session = new BoardSession({ transport: new SerialTransport({ path: pty.hostPath, baudRate: BAUD, reconnect }), helloTimeoutMs: 200, replyTimeoutMs: 500 });
  const frames: SamplesFrame[] = [];
  const gaps: GapInfo[] = [];
  const errors: Error[] = [];
  session.on('frame', (f) => f.type === 'samples' && frames.push(f));
  session.on('gap', (g) => gaps.push(g));
  session.on('error', (e) => errors.push(e));
  try {
    await board.powerOn();
    const ended = once(board, 'end');
    await session.start();
    await new Promise((r) => setTimeout(r, 400));
    const disconnected = once(session, 'disconnect');
    await pty.pair.stop(); // the port vanishes under both ends
    await disconnected;
    await new Promise((r) => setTimeout(r, 300));
    const reconnected = once(session, 'reconnect');
    await pty.restart();
    await reconnected;
    await ended;
    for (let i = 0; i < 100 && session.stats.samples + session.stats.missingSamples < total; i++) await new Promise((r) => setTimeout(r, 20));

    assert.deepEqual(errors, []);
    assert.equal(session.stats.reconnects, 1);
    assert.equal(gaps.length, 1, JSON.stringify(gaps));
    assert.equal(gaps[0]!.cause, 'reconnect');
    assert.ok(gaps[0]!.missingSamples! > 0 && gaps[0]!.missingFrames > 0, JSON.stringify(gaps[0]));
    const received = checkSamples(frames, rate);
    assert.equal(received + session.stats.missingSamples, total, 'every sample is received or counted missing');
  } finally {
    await session.close();
    await board.powerOff();
    await pty.dispose();
  }
});
