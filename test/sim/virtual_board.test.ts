import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createLoopbackPair } from '../../src/device/transports/loopback.ts';
import { BoardSession, type GapInfo } from '../../src/device/transports/board_session.ts';
import { VirtualBoard } from '../../src/sim/virtual_board.ts';
import { NO_LABEL, scriptFromMarkedRecording, scriptFromRecordings } from '../../src/sim/replay_script.ts';
import { syntheticRecording, syntheticValue } from '../../src/sim/synthetic.ts';
import { encodeFrame } from '../../src/core/protocol/encoder.ts';
import { decodeFrames } from '../../src/core/protocol/decoder.ts';
import type { EventFrame, Frame, SamplesFrame } from '../../src/core/protocol/frames.ts';
import { isHeadstartError } from '../../src/core/errors.ts';

const FAST = { helloTimeoutMs: 50, replyTimeoutMs: 200 };

/** Three labelled 8-channel recordings at 1 kHz: labels 2, 2, 5 (one change in the middle). */
function labelledScript() {
  return scriptFromRecordings([
    syntheticRecording({ channels: 8, rate: 1000, seconds: 0.25, firstIndex: 0, label: 2 }),
    syntheticRecording({ channels: 8, rate: 1000, seconds: 0.25, firstIndex: 250, label: 2 }),
    syntheticRecording({ channels: 8, rate: 1000, seconds: 0.5, firstIndex: 500, label: 5 }),
  ]);
}

/** Checks every received sample against the synthetic function at the index its timestamp gives. */
function checkSamples(frames: SamplesFrame[], rate: number): number {
  let checked = 0;
  for (const f of frames) {
    const first = Math.round((f.timestampUs * rate) / 1e6);
    for (let i = 0; i < f.samples.length / f.channels; i++) {
      for (let c = 0; c < f.channels; c++) {
        if (f.samples[i * f.channels + c] !== syntheticValue(first + i, c)) assert.fail(`sample ${first + i} channel ${c} differs`);
      }
      checked++;
    }
  }
  return checked;
}

test('replay scripts mark label changes only where the label changes', () => {
  const script = labelledScript();
  assert.deepEqual(script.labels, [
    { at: 0, label: 2 },
    { at: 500, label: 5 },
  ]);
  assert.equal(script.samples.length, 1000 * 8);
  const unlabelled = scriptFromRecordings([syntheticRecording({ channels: 2, rate: 100, seconds: 1 })]);
  assert.deepEqual(unlabelled.labels, []);
  const marked = scriptFromMarkedRecording(syntheticRecording({ channels: 1, rate: 100, seconds: 1 }), [
    { at: 10, kind: 'label', label: 1 },
    { at: 50, kind: 'label', label: null },
    { at: 20, kind: 'sync' },
  ]);
  assert.deepEqual(marked.labels, [
    { at: 10, label: 1 },
    { at: 50, label: NO_LABEL },
  ]);
});

test('recordings of different formats cannot be replayed together', () => {
  assert.throws(
    () => scriptFromRecordings([syntheticRecording({ channels: 8, rate: 1000, seconds: 0.1 }), syntheticRecording({ channels: 8, rate: 200, seconds: 0.1 })]),
    (err) => isHeadstartError(err, 'MIXED_RECORDINGS'),
  );
});

test('a session receives every sample of the replay, in order, with the true labels at their first samples', async () => {
  const pair = createLoopbackPair();
  const board = new VirtualBoard(labelledScript(), pair.board, { speed: Number.POSITIVE_INFINITY, samplesPerFrame: 10 });
  await board.powerOn();
  await new Promise((r) => setTimeout(r, 5)); // its power-up HELLO is lost (the host end is not open yet), so the session must ping
  const session = new BoardSession({ transport: pair.host, ...FAST });
  const samples: SamplesFrame[] = [];
  const events: EventFrame[] = [];
  const gaps: GapInfo[] = [];
  session.on('frame', (f) => (f.type === 'samples' ? samples.push(f) : f.type === 'event' ? events.push(f) : undefined));
  session.on('gap', (g) => gaps.push(g));
  const stream = session.frames();
  let streamed = 0;
  stream.on('data', () => streamed++);
  const streamEnded = once(stream, 'end');
  const ended = once(board, 'end');
  const hello = await session.start();
  assert.deepEqual({ channels: hello.channels, rate: hello.rate, boardId: hello.boardId, version: hello.protocolVersion }, { channels: 8, rate: 1000, boardId: 'sim', version: 1 });
  await ended;
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(checkSamples(samples, 1000), 1000);
  assert.deepEqual(samples.map((f) => f.timestampUs), Array.from({ length: 100 }, (_, i) => i * 10_000));
  assert.deepEqual(events.map((e) => [e.kind, e.value, e.timestampUs]), [
    ['label', 2, 0],
    ['label', 5, 500_000],
  ]);
  assert.deepEqual(gaps, []);
  assert.equal(session.stats.decoder.crcFailures, 0);
  await session.close();
  await streamEnded;
  assert.equal(streamed, samples.length + events.length + 1, 'frames() carried the HELLO answering START, every SAMPLES and EVENT, then ended');
  assert.equal(board.streaming, false, 'close() sent STOP and the board stopped');
  // A ping too when the power-up HELLO was lost, which depends on when the host end opened.
  assert.ok(board.stats.commands >= 2, 'start and stop reached the board');
  await board.powerOff();
});

test('pulling the cable mid-stream gives disconnect, reconnect and one counted gap that accounts for every sample lost', async () => {
  const pair = createLoopbackPair();
  const script = scriptFromRecordings([syntheticRecording({ channels: 4, rate: 1000, seconds: 2 })]);
  const board = new VirtualBoard(script, pair.board, { speed: 10, samplesPerFrame: 5 });
  await board.powerOn();
  const session = new BoardSession({ transport: pair.host, ...FAST });
  const samples: SamplesFrame[] = [];
  const gaps: GapInfo[] = [];
  let errors = 0;
  session.on('frame', (f) => f.type === 'samples' && samples.push(f));
  session.on('gap', (g) => gaps.push(g));
  session.on('error', () => errors++);
  const ended = once(board, 'end');
  await session.start();
  await new Promise((r) => setTimeout(r, 40));
  pair.unplug();
  await new Promise((r) => setTimeout(r, 30));
  pair.plug();
  await ended;
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(errors, 0);
  assert.equal(session.stats.disconnects, 1);
  assert.equal(session.stats.reconnects, 1);
  assert.equal(gaps.length, 1, JSON.stringify(gaps));
  assert.equal(gaps[0]!.cause, 'reconnect');
  assert.ok(board.stats.samplesLost > 0, 'the board lost samples while unplugged');
  // Frames already on the wire when it was pulled are lost too.
  assert.ok(gaps[0]!.missingSamples! >= board.stats.samplesLost, `${gaps[0]!.missingSamples} missing, ${board.stats.samplesLost} lost by the board`);
  assert.ok(gaps[0]!.missingFrames > 0);
  const received = checkSamples(samples, 1000);
  assert.equal(received + session.stats.missingSamples, 2000, 'every sample is either received or counted missing');
  await session.close();
  await board.powerOff();
});

/** A fake board end: answers nothing, or with given frames, and records what the host sent. */
function fakeBoard(reply: (sent: Frame, send: (f: Frame) => void) => void) {
  const pair = createLoopbackPair();
  const sent: Frame[] = [];
  void pair.board.open();
  pair.board.on('data', (chunk) => {
    for (const f of decodeFrames(chunk).frames) {
      sent.push(f);
      reply(f, (out) => void pair.board.write(encodeFrame(out)));
    }
  });
  return { host: pair.host, sent };
}

test('a board of another protocol version is refused with both versions named', async () => {
  const fake = fakeBoard((f, send) => {
    if (f.type === 'command' && f.command === 'ping') send({ type: 'hello', seq: 1, protocolVersion: 2, channels: 8, rate: 1000, sampleFormat: 'int16', boardId: 'future' });
  });
  const session = new BoardSession({ transport: fake.host, ...FAST });
  await assert.rejects(session.start(), (err) => isHeadstartError(err, 'PROTOCOL_VERSION_MISMATCH') && /version 2/.test(err.message) && /version 1/.test(err.message));
});

test('a silent port fails with BOARD_SILENT after pinging, saying what to check', async () => {
  const fake = fakeBoard(() => undefined);
  const session = new BoardSession({ transport: fake.host, helloTimeoutMs: 20, replyTimeoutMs: 20, attempts: 2 });
  await assert.rejects(session.start(), (err) => isHeadstartError(err, 'BOARD_SILENT') && /baud/.test(err.message));
  assert.deepEqual(fake.sent.map((f) => (f.type === 'command' ? f.command : f.type)), ['ping', 'ping']);
});

test('a board with the wrong channel count is refused before START', async () => {
  const pair = createLoopbackPair();
  const board = new VirtualBoard(labelledScript(), pair.board, { speed: Number.POSITIVE_INFINITY });
  await board.powerOn();
  const session = new BoardSession({ transport: pair.host, ...FAST, expectChannels: 16 });
  await assert.rejects(session.start(), (err) => isHeadstartError(err, 'BOARD_MISMATCH') && /8 channels/.test(err.message));
  assert.equal(board.streaming, false);
  await board.powerOff();
});

test('the virtual board answers commands as the protocol says', async () => {
  const pair = createLoopbackPair();
  const board = new VirtualBoard(labelledScript(), pair.board, { speed: 1 });
  await pair.host.open();
  const got: Frame[] = [];
  pair.host.on('data', (chunk) => got.push(...decodeFrames(chunk).frames));
  await board.powerOn();
  const send = (f: Frame) => pair.host.write(encodeFrame(f));
  await send({ type: 'command', seq: 0, command: 'ping', arg: 77 });
  await send({ type: 'command', seq: 1, command: 'set_rate', arg: 250 });
  await send({ type: 'command', seq: 2, command: 'start', arg: 0, protocolVersion: 9 });
  await new Promise((r) => setTimeout(r, 30));
  const summary = got.map((f) => (f.type === 'command' ? `${f.command}:${f.arg}` : f.type === 'hello' ? `hello:${f.seq}` : f.type));
  assert.deepEqual(summary, ['hello:0', 'ping:77', 'hello:2', 'set_rate:1000', 'hello:4', 'hello:5']);
  assert.equal(board.streaming, false, 'a command of another version is ignored');
  await board.powerOff();
});

test('a board that restarts mid-stream (HELLO with seq 0) is a restart gap, and the session sends START again', async () => {
  let seq = 0;
  let t = 0;
  const starts: number[] = [];
  const hello = (s: number): Frame => ({ type: 'hello', seq: s, protocolVersion: 1, channels: 1, rate: 100, sampleFormat: 'int16', boardId: 'fake' });
  const samplesFrame = (): Frame => {
    const f: Frame = { type: 'samples', seq: seq++, timestampUs: t, channels: 1, samples: Int16Array.of(1, 2) };
    t += 20_000;
    return f;
  };
  const fake = fakeBoard((f, send) => {
    if (f.type !== 'command') return;
    if (f.command === 'ping') send(hello(seq++));
    if (f.command === 'start') {
      starts.push(f.seq);
      send(hello(seq++));
      send({ type: 'command', seq: seq++, command: 'start', arg: 0 });
      if (starts.length === 1) {
        send(samplesFrame());
        send(samplesFrame());
        // Power cycle: the board starts counting from 0 again, and its clock too.
        seq = 0;
        t = 0;
        send(hello(seq++));
      } else {
        send(samplesFrame());
      }
    }
  });
  const session = new BoardSession({ transport: fake.host, ...FAST });
  const gaps: GapInfo[] = [];
  session.on('gap', (g) => gaps.push(g));
  await session.start();
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(starts.length, 2, 'START was sent again after the restart');
  assert.deepEqual(gaps, [{ cause: 'restart', missingFrames: 0, missingSamples: undefined, resumedAtUs: 0 }]);
  assert.equal(session.stats.restarts, 1);
  assert.equal(session.stats.samples, 6);
  await session.close();
});
