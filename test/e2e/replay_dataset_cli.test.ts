/**
 * `headstart sim --replay <path>` and `headstart dataset <path>` read a path
 * through the same reader: what the board streams is what the data set
 * summary counts, recording for recording.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { EventFrame } from '../../src/core/protocol/frames.ts';
import { BoardSession } from '../../src/device/transports/board_session.ts';
import { SerialTransport } from '../../src/device/transports/serial.ts';
import { runCli } from '../helpers/cli.ts';
import { ptySkipReason } from '../helpers/pty.ts';
import { scratchDir } from '../helpers/scratch_dir.ts';
import { EXIT_STATUS } from '../../src/cli/report_error.ts';
import { stopChild } from '../helpers/stop_child.ts';

const BIN = fileURLToPath(new URL('../../bin/headstart.js', import.meta.url));
const PERSON = fileURLToPath(new URL('../../data/demo/EvaluationDataset/Male0', import.meta.url));
const SESSION = join(PERSON, 'Test0');
const skip = !existsSync(SESSION) ? `data/demo missing (${SESSION})` : !existsSync(BIN) ? 'bin not built: run `npm run build`' : undefined;

interface DatasetJson {
  recordings: number;
  samples: number;
  channels: number;
  rate: number;
  classes: string[];
  perClass: Record<string, number>;
}

test('`headstart sim --replay` of a session streams the very recordings `headstart dataset` reads there', { skip: skip ?? ptySkipReason() }, async (t) => {
  const summary = runCli(['dataset', SESSION, '--json']);
  assert.equal(summary.status, 0, summary.stderr);
  const ds = JSON.parse(summary.stdout) as DatasetJson;
  assert.equal(ds.recordings, 28);

  const port = join(scratchDir(t, 'hs-replay-'), 'board');
  const child = spawn(process.execPath, [BIN, 'sim', '--pty', port, '--replay', SESSION, '--speed', 'max', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => stopChild(child));
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const ready = JSON.parse(((await lines.next()).value as string | undefined) ?? 'null');
  assert.ok(ready, `no ready line; stderr: ${stderr}`);
  assert.deepEqual([ready.channels, ready.rate, Math.round(ready.seconds * ready.rate), ready.labelChanges], [ds.channels, ds.rate, ds.samples, ds.recordings]);

  const session = new BoardSession({ transport: new SerialTransport({ path: port, baudRate: 2_000_000 }), helloTimeoutMs: 100 });
  const labels: EventFrame[] = [];
  session.on('frame', (f) => f.type === 'event' && f.kind === 'label' && labels.push(f));
  await session.start();
  for (let i = 0; i < 1000 && session.stats.samples < ds.samples; i++) await new Promise((r) => setTimeout(r, 10));
  await session.close();
  assert.equal(session.stats.samples, ds.samples, 'every sample the data set holds, no more');
  const perClass = Object.fromEntries(ds.classes.map((c) => [c, 0]));
  for (const e of labels) perClass[ds.classes[e.value]!]!++;
  assert.deepEqual(perClass, ds.perClass, 'one label change per recording, of its class');

  // The person's folder with the session picked plays the same.
  const picked = spawn(process.execPath, [BIN, 'sim', '--pty', port + '-picked', '--replay', PERSON, '--sessions', 'Test0', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => stopChild(picked));
  const pickedReady = JSON.parse(((await createInterface({ input: picked.stdout })[Symbol.asyncIterator]().next()).value as string | undefined) ?? 'null');
  assert.deepEqual(
    pickedReady && [pickedReady.channels, pickedReady.rate, pickedReady.seconds, pickedReady.labelChanges],
    [ready.channels, ready.rate, ready.seconds, ready.labelChanges],
  );
});

test('a person folder: `dataset` reads both sessions, `sim` refuses with them listed, and `--sessions` picks one', { skip }, () => {
  const both = runCli(['dataset', PERSON, '--json']);
  assert.equal(both.status, 0, both.stderr);
  assert.equal((JSON.parse(both.stdout) as DatasetJson).recordings, 56);
  const refused = runCli(['sim', '--pty', join(PERSON, 'never-made'), '--replay', PERSON]);
  assert.equal(refused.status, EXIT_STATUS.input);
  assert.match(refused.stderr, /holds 2 recording sessions \(Male0\/Test0, Male0\/training0\).*--sessions Test0.*\[MIXED_RECORDINGS\]/);
  const picked = runCli(['dataset', PERSON, '--sessions', 'Test0', '--json']);
  assert.equal((JSON.parse(picked.stdout) as DatasetJson).recordings, 28);
});
