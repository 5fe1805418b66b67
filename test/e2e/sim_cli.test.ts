import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SerialTransport } from '../../src/device/transports/serial.ts';
import { BoardSession } from '../../src/device/transports/board_session.ts';
import { loadReplayScript } from '../../src/sim/replay_source.ts';
import { NO_LABEL, scriptLength } from '../../src/sim/replay_script.ts';
import { writeRecordingFile } from '../../src/io/datasets/hsrec.ts';
import type { EventFrame, SamplesFrame } from '../../src/core/protocol/frames.ts';
import { isHeadstartError } from '../../src/core/errors.ts';
import { runCli } from '../helpers/cli.ts';
import { ptySkipReason } from '../helpers/pty.ts';
import { EXIT_STATUS } from '../../src/cli/report_error.ts';
import { stopChild } from '../helpers/stop_child.ts';

const BIN = fileURLToPath(new URL('../../bin/headstart.js', import.meta.url));
const MYO_SESSION = fileURLToPath(new URL('../../../shared/datasets/myoarmband/EvaluationDataset/Male0/Test0', import.meta.url));

/** Two labelled CSV files: 3 channels, 100 rows each, value = 1000 * file + row (channel c adds c). */
function writeCsvFixture(dir: string): string[] {
  return [
    ['rec_C_4.csv', 0],
    ['rec_C_1.csv', 1],
  ].map(([name, file]) => {
    const rows = Array.from({ length: 100 }, (_, i) => [0, 1, 2].map((c) => 1000 * Number(file) + i + c).join(','));
    const path = join(dir, String(name));
    writeFileSync(path, 'a,b,c\n' + rows.join('\n') + '\n');
    return path;
  });
}

test('ports lists serial ports (JSON is an array, text never a stack trace)', () => {
  const json = runCli(['ports', '--json']);
  assert.equal(json.status, 0, json.stderr);
  assert.ok(Array.isArray(JSON.parse(json.stdout)));
  const text = runCli(['ports']);
  assert.equal(text.status, 0, text.stderr);
  assert.doesNotMatch(text.stderr, /at .*\.js:\d+/);
});

test('sim refuses what it cannot play, saying what to give instead', () => {
  const dir = mkdtempSync(join(tmpdir(), 'headstart-sim-'));
  try {
    const [csv] = writeCsvFixture(dir);
    const noRate = runCli(['sim', '--pty', join(dir, 'p'), '--replay', csv!]);
    assert.equal(noRate.status, EXIT_STATUS.usage);
    assert.match(noRate.stderr, /do not record their sample rate; give it \[MISSING_OPTION\]\nhint: --rate <hz> gives the sample rate of CSV recordings\nsee headstart sim --help\n$/);
    const unknown = runCli(['sim', '--pty', join(dir, 'p'), '--replay', join(dir, 'nothing.bin')]);
    assert.match(unknown.stderr, /no such file/);
    const speed = runCli(['sim', '--pty', join(dir, 'p'), '--replay', csv!, '--rate', '100', '--speed', 'fast']);
    assert.equal(speed.status, EXIT_STATUS.usage);
    assert.match(speed.stderr, /--speed must be a number above 0 and at most 10000, got "fast" \[BAD_OPTION\]/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Myo sessions load as one labelled script, a label change at every file', { skip: existsSync(MYO_SESSION) ? undefined : `../shared Myo data missing (${MYO_SESSION})` }, () => {
  const script = loadReplayScript([MYO_SESSION]);
  assert.deepEqual([script.channels, script.rate], [8, 200]);
  assert.deepEqual(script.labels.map((l) => l.label), Array.from({ length: 28 }, (_, i) => i % 7));
  assert.throws(() => loadReplayScript([MYO_SESSION, join(MYO_SESSION, '..', 'experiment.csv')]), (err) => isHeadstartError(err, 'MIXED_RECORDINGS'));
});

test('`headstart sim` plays labelled CSV files into a pty that a BoardSession reads to the end', { skip: ptySkipReason() }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'headstart-sim-'));
  const port = join(dir, 'board');
  const csv = writeCsvFixture(dir);
  const child = spawn(process.execPath, [BIN, 'sim', '--pty', port, '--replay', ...csv, '--rate', '100', '--label-pattern', 'C_(?<label>\\d+)', '--speed', 'max', '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    const ready = JSON.parse(((await lines.next()).value as string | undefined) ?? 'null');
    assert.ok(ready, `no ready line; stderr: ${stderr}`);
    assert.deepEqual([ready.event, ready.port, ready.channels, ready.rate, ready.labelChanges], ['ready', port, 3, 100, 2]);

    const session = new BoardSession({ transport: new SerialTransport({ path: port, baudRate: 2_000_000 }), helloTimeoutMs: 100 });
    const samples: SamplesFrame[] = [];
    const events: EventFrame[] = [];
    session.on('frame', (f) => (f.type === 'samples' ? samples.push(f) : f.type === 'event' ? events.push(f) : undefined));
    await session.start();
    for (let i = 0; i < 200 && session.stats.samples < 200; i++) await new Promise((r) => setTimeout(r, 10));
    await session.close(); // its STOP lets the board exit without waiting out its linger
    const end = JSON.parse(((await lines.next()).value as string | undefined) ?? 'null');
    assert.equal(end?.event, 'end', stderr);
    assert.deepEqual([end.samplesSent, end.framesLost], [200, 0]);
    assert.equal(await exited, 0, stderr);

    const values = samples.flatMap((f) => Array.from(f.samples));
    assert.equal(values.length, 600);
    assert.deepEqual(values.slice(0, 3), [0, 1, 2]);
    assert.deepEqual(values.slice(300, 303), [1000, 1001, 1002]);
    // Class list from the names (1 and 4, by index): file C_4 is class 4, then C_1 is class 1.
    assert.deepEqual(events.map((e) => [e.kind, e.value, e.timestampUs]), [
      ['label', 4, 0],
      ['label', 1, 1_000_000],
    ]);
  } finally {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('.hsrec recordings replay whole, with their label markers, back to back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'headstart-sim-'));
  try {
    const a = join(dir, 'a.hsrec');
    const b = join(dir, 'b.hsrec');
    writeRecordingFile(a, { channels: 2, rate: 50, sampleFormat: 'int16' }, Array.from({ length: 20 }, (_, i) => i), [
      { at: 2, kind: 'label', label: 3 },
      { at: 6, kind: 'label', label: null },
    ]);
    writeRecordingFile(b, { channels: 2, rate: 50, sampleFormat: 'int16' }, Array.from({ length: 8 }, (_, i) => 100 + i));
    const script = loadReplayScript([a, b]);
    assert.equal(scriptLength(script), 14);
    assert.deepEqual(Array.from(script.samples.slice(18, 22)), [18, 19, 100, 101]);
    assert.deepEqual(script.labels, [
      { at: 2, label: 3 },
      { at: 6, label: NO_LABEL },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
