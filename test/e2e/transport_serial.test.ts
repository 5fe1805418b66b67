import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialTransport } from '../../src/device/transports/serial.ts';
import { backoffDelayMs, DEFAULT_RECONNECT_POLICY } from '../../src/device/transports/backoff.ts';
import type { Transport } from '../../src/device/transports/transport.ts';
import { isHeadstartError } from '../../src/core/errors.ts';
import { makePtyFixture, ptySkipReason } from '../helpers/pty.ts';

const skip = ptySkipReason();

/** Collects bytes from a transport until `n` have arrived. */
function collect(t: Transport, n: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let have = 0;
  return new Promise((resolve) => {
    const onData = (chunk: Uint8Array): void => {
      parts.push(Buffer.from(chunk));
      have += chunk.length;
      if (have >= n) {
        t.off('data', onData);
        resolve(Buffer.concat(parts));
      }
    };
    t.on('data', onData);
  });
}

test('backoff grows by the factor and stops at the cap', () => {
  const p = { ...DEFAULT_RECONNECT_POLICY, initialDelayMs: 10, factor: 2, maxDelayMs: 70 };
  assert.deepEqual([1, 2, 3, 4, 5].map((n) => backoffDelayMs(n, p)), [10, 20, 40, 70, 70]);
});

test('opening a path that does not exist says so and points at `headstart ports`', async () => {
  const t = new SerialTransport({ path: '/dev/headstart-no-such-port', baudRate: 115200 });
  await assert.rejects(t.open(), (err) => isHeadstartError(err, 'PORT_NOT_FOUND') && /headstart ports/.test(err.message));
});

test('a regular file, a folder or a fifo as the port says it is not a serial port', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hs-port-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'capture.bin');
  writeFileSync(file, 'bytes');
  const fifo = join(dir, 'fifo');
  const made = spawnSync('mkfifo', [fifo]).status === 0;
  for (const [path, kind] of [[file, 'a regular file'], [dir, 'a folder'], ...(made ? [[fifo, 'a named pipe']] : [])] as const) {
    const port = new SerialTransport({ path, baudRate: 115200 });
    await assert.rejects(port.open(), (err) => isHeadstartError(err, 'PORT_NOT_FOUND') && err.message === `${path} is ${kind}, not a serial port; give the board's port (\`headstart ports\` lists them), or the path a \`headstart sim\` printed`);
  }
});

test('writing before open is refused, not lost silently', async () => {
  const t = new SerialTransport({ path: '/dev/null', baudRate: 115200 });
  await assert.rejects(t.write(Uint8Array.of(1)), (err) => isHeadstartError(err, 'LINK_CLOSED'));
});

test('bytes cross a pty pair intact in both directions at 2 Mbaud', { skip }, async () => {
  const pty = await makePtyFixture();
  const board = new SerialTransport({ path: pty.boardPath, baudRate: 2_000_000 });
  const host = new SerialTransport({ path: pty.hostPath, baudRate: 2_000_000 });
  try {
    await board.open();
    await host.open();
    const payload = randomBytes(300_000);
    const received = collect(host, payload.length);
    for (let off = 0; off < payload.length; off += 4096) await board.write(payload.subarray(off, off + 4096));
    assert.ok((await received).equals(payload), 'host received exactly what the board sent');
    const back = collect(board, 3);
    await host.write(Uint8Array.of(7, 8, 9));
    assert.deepEqual([...(await back)], [7, 8, 9]);
  } finally {
    await board.close();
    await host.close();
    await pty.dispose();
  }
});

test('a board streaming into a full buffer keeps going after the host talked back (reads and writes share one poll handle in the binding)', { skip, timeout: 120_000 }, async () => {
  // The bug this guards against: serialport's binding waits for room to write
  // with the poll handle its reads use, and re-arming the read replaces the
  // write's wait, so a board whose host sent a byte (START, a ping) and then
  // nothing stopped streaming for good. The host end here is a plain file
  // descriptor that drains as fast as it can and, in each round, sends a few
  // bytes and then falls silent; every round must deliver all its bytes.
  const pty = await makePtyFixture();
  const board = new SerialTransport({ path: pty.boardPath, baudRate: 2_000_000 });
  const host = openSync(pty.hostPath, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
  try {
    await board.open();
    let heard = 0;
    board.on('data', (c) => (heard += c.length));
    const rounds = 10;
    const perRound = 2_000_000;
    const chunk = randomBytes(16_384);
    let sent = 0;
    const streaming = (async () => {
      while (sent < rounds * perRound) {
        await board.write(chunk);
        sent += chunk.length;
      }
    })();
    streaming.catch(() => undefined); // a stalled write fails when the board closes below; the round's message says why
    const buf = Buffer.alloc(1 << 16);
    let drained = 0;
    for (let round = 1; round <= rounds; round++) {
      let talked = 0;
      let idleSince = Date.now();
      while (drained < Math.min(round * perRound, rounds * perRound)) {
        if (talked < 20) writeSync(host, Uint8Array.of(talked++));
        let n = 0;
        try {
          n = readSync(host, buf);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
        }
        if (n > 0) {
          drained += n;
          idleSince = Date.now();
        } else if (Date.now() - idleSince > 5_000) {
          assert.fail(`round ${round}: the board stopped after ${drained} of ${rounds * perRound} bytes (${sent} written) and did not go on`);
        }
        await new Promise((r) => setTimeout(r, 1));
      }
    }
    await streaming;
    for (;;) {
      // What is still in the pty after the last round.
      try {
        const n = readSync(host, buf);
        if (n <= 0) break;
        drained += n;
      } catch {
        break;
      }
    }
    assert.ok(drained >= rounds * perRound);
    for (let wait = 0; heard < rounds * 20 && wait < 200; wait++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(heard, rounds * 20, 'the board heard every byte the host sent');
  } finally {
    await board.close();
    closeSync(host);
    await pty.dispose();
  }
});

test('the port vanishing gives disconnect, then reconnect when the path is back, and data flows again', { skip }, async () => {
  const pty = await makePtyFixture();
  const host = new SerialTransport({ path: pty.hostPath, baudRate: 2_000_000, reconnect: { initialDelayMs: 20, maxDelayMs: 100 } });
  let errors = 0;
  host.on('error', () => errors++);
  try {
    await host.open();
    const disconnected = once(host, 'disconnect');
    await pty.pair.stop();
    const [info] = await disconnected;
    assert.equal(typeof info.reason, 'string');
    assert.equal(host.isLinked, false);
    await assert.rejects(host.write(Uint8Array.of(1)), (err) => isHeadstartError(err, 'LINK_CLOSED'));

    const reconnected = once(host, 'reconnect');
    await pty.restart();
    const [r] = await reconnected;
    assert.ok(r.attempts >= 1);
    assert.ok(host.isLinked);

    const board = new SerialTransport({ path: pty.boardPath, baudRate: 2_000_000 });
    await board.open();
    const got = collect(host, 4);
    await board.write(Uint8Array.of(1, 2, 3, 4));
    assert.deepEqual([...(await got)], [1, 2, 3, 4]);
    await board.close();
    assert.equal(errors, 0);
  } finally {
    await host.close();
    await pty.dispose();
  }
});

test('close() while reconnecting stops the retries and emits close', { skip }, async () => {
  const pty = await makePtyFixture();
  const host = new SerialTransport({ path: pty.hostPath, baudRate: 115200, reconnect: { initialDelayMs: 10, maxDelayMs: 20 } });
  await host.open();
  const disconnected = once(host, 'disconnect');
  await pty.pair.stop();
  await disconnected;
  const closed = once(host, 'close');
  await host.close();
  await closed;
  let reconnects = 0;
  host.on('reconnect', () => reconnects++);
  await pty.restart();
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(reconnects, 0, 'a closed transport must not reopen');
  await pty.dispose();
});

test('without reconnect, a vanished port is an error that says what happened, then close', { skip }, async () => {
  const pty = await makePtyFixture();
  const host = new SerialTransport({ path: pty.hostPath, baudRate: 115200, reconnect: false });
  await host.open();
  const error = once(host, 'error');
  // events.once rejects other waits on an 'error' event, so listen plainly.
  const closed = new Promise<void>((resolve) => host.once('close', resolve));
  await pty.pair.stop();
  const [err] = await error;
  assert.ok(isHeadstartError(err, 'PORT_LOST'));
  await closed;
  await pty.dispose();
});

test('reconnecting gives up after giveUpAfterMs with PORT_LOST', { skip }, async () => {
  const pty = await makePtyFixture();
  const host = new SerialTransport({ path: pty.hostPath, baudRate: 115200, reconnect: { initialDelayMs: 10, maxDelayMs: 20, giveUpAfterMs: 150 } });
  await host.open();
  const error = once(host, 'error');
  await pty.dispose();
  const [err] = await error;
  assert.ok(isHeadstartError(err, 'PORT_LOST'), String(err));
  assert.equal(host.isLinked, false);
});
