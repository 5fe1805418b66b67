import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVirtualBoardOnPty } from '../../src/sim/run_on_pty.ts';
import { scriptFromRecordings } from '../../src/sim/replay_script.ts';
import { syntheticRecording } from '../../src/sim/synthetic.ts';
import { SerialTransport } from '../../src/device/transports/serial.ts';
import { BoardSession } from '../../src/device/transports/board_session.ts';
import { makePtyFixture, ptySkipReason } from '../helpers/pty.ts';

const skip = ptySkipReason();
const script = () => scriptFromRecordings([syntheticRecording({ channels: 2, rate: 500, seconds: 0.2, label: 1 })]);

async function readAll(path: string): Promise<number> {
  const session = new BoardSession({ transport: new SerialTransport({ path, baudRate: 2_000_000 }), helloTimeoutMs: 100 });
  await session.start();
  for (let i = 0; i < 200 && session.stats.samples < 100; i++) await new Promise((r) => setTimeout(r, 10));
  await session.close();
  return session.stats.samples;
}

test('on a new path it makes the pty pair itself, and removes it on stop', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'headstart-run-'));
  const running = await startVirtualBoardOnPty({ ptyPath: join(dir, 'port'), script: script(), speed: Number.POSITIVE_INFINITY });
  try {
    assert.equal(running.madePair, true);
    assert.equal(running.boardPath, join(dir, 'port.board'));
    assert.equal(await readAll(running.hostPath), 100);
  } finally {
    await running.stop();
  }
  assert.equal(existsSync(join(dir, 'port')), false, 'the pty links are gone after stop');
  rmSync(dir, { recursive: true, force: true });
});

test('on an existing pty end it opens it as it is', { skip }, async () => {
  const pty = await makePtyFixture();
  const running = await startVirtualBoardOnPty({ ptyPath: pty.boardPath, script: script(), speed: Number.POSITIVE_INFINITY });
  try {
    assert.equal(running.madePair, false);
    assert.equal(await readAll(pty.hostPath), 100);
  } finally {
    await running.stop();
    await pty.dispose();
  }
});
