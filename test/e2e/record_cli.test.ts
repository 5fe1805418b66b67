/**
 * `headstart record` end to end against the virtual board on a pty: lines
 * piped to stdin become labels and notes; Ctrl-C (SIGINT) stops the board
 * and leaves a valid file, saying what it kept; a killed recorder leaves a
 * file that convert reads, a torn tail included; a protocol's prompts are
 * shown and its labels recorded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { encodeSamplesChunk, labelledSegments } from '../../src/core/recording_format.ts';
import { readRecordingFile, writeRecordingFile } from '../../src/io/datasets/hsrec.ts';
import { runCli } from '../helpers/cli.ts';
import { BIN, start, waitFor } from '../helpers/live_run.ts';
import { ptySkipReason } from '../helpers/pty.ts';
import { scratchDir } from '../helpers/scratch_dir.ts';
import { stopChild } from '../helpers/stop_child.ts';

function skipReason(): string | undefined {
  return ptySkipReason() ?? (existsSync(BIN) ? undefined : 'bin not built: run `npm run build`');
}

/** A looping virtual board playing 2 s of 8-channel tones. */
async function loopingBoard(t: { after(fn: () => void | Promise<void>): void }, work: string, speed: string) {
  const replay = join(work, 'tones.hsrec');
  const samples = Float32Array.from({ length: 400 * 8 }, (_, i) => Math.round(300 * Math.sin(i / 13)));
  writeRecordingFile(replay, { channels: 8, rate: 200, sampleFormat: 'int16' }, samples);
  const port = join(work, 'board');
  const sim = start(['sim', '--pty', port, '--replay', replay, '--loop', '--speed', speed, '--json']);
  t.after(() => stopChild(sim.proc));
  await waitFor(() => sim.stdout().includes('"ready"') || sim.proc.exitCode !== null, 'the virtual board');
  assert.match(sim.stdout(), /"ready"/, sim.stderr());
  return port;
}

function spawnRecord(args: string[]) {
  const proc = spawn(process.execPath, [BIN, 'record', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('close', (code) => resolve(code)));
  return { proc, stdout: () => out, stderr: () => err, exited };
}

test('record: typed labels and notes, then Ctrl-C stops the board and leaves a valid file, saying what it kept', { timeout: 90_000 }, async (t) => {
  const skip = skipReason();
  if (skip) return t.skip(skip);
  const work = scratchDir(t, 'hs-record-');
  const port = await loopingBoard(t, work, '1');
  const out = join(work, 'alice.hsrec');
  const rec = spawnRecord(['--port', port, '--baud', '2000000', '--out', out, '--labels', 'rest,fist', '--subject', 'alice', '--json']);
  t.after(() => rec.proc.kill('SIGKILL'));
  await waitFor(() => rec.stderr().includes('recording board'), 'the recording to start', 30_000);
  const type = async (line: string, echo: RegExp) => {
    rec.proc.stdin.write(line + '\n');
    await waitFor(() => echo.test(rec.stderr()), `"${line}" to be taken`);
  };
  await type('fist', /s {2}fist\n/);
  await type('loose electrode, re-seated', /note kept: loose electrode, re-seated/);
  await type('', /fist ended/);
  await type('1', /s {2}rest\n/);
  // Let some samples of the last label reach the file before stopping (an empty stretch is no stretch).
  await waitFor(() => {
    const sofar = readRecordingFile(out);
    const rest = sofar.markers.find((m) => m.kind === 'label' && m.label === 0);
    return rest !== undefined && sofar.samples.length / 8 > rest.at;
  }, 'samples under the last label');
  rec.proc.kill('SIGINT');
  assert.equal(await rec.exited, 0, rec.stderr());

  const summary = JSON.parse(rec.stdout()) as { end: string; reason: string; samples: number; labelledStretches: number; notes: number };
  assert.deepEqual([summary.end, summary.reason, summary.labelledStretches, summary.notes], ['stopped', 'interrupted', 2, 1]);
  const file = readRecordingFile(out);
  assert.equal(file.tornBytes, 0, 'a clean end leaves no torn tail');
  assert.equal(file.samples.length / 8, summary.samples);
  assert.deepEqual([file.header.classes, file.header.subject, file.header.rate], [['rest', 'fist'], 'alice', 200]);
  const segments = labelledSegments(file.markers, summary.samples);
  assert.deepEqual(segments.map((s) => s.label), [1, 0]);
  assert.ok(segments[0]!.start < segments[0]!.end && segments[0]!.end <= segments[1]!.start, JSON.stringify(segments));
  assert.deepEqual(file.markers.at(-1), { kind: 'stopped', text: 'interrupted', at: summary.samples });

  // And the text summary says the same in words; SIGTERM and SIGHUP stop it as Ctrl-C does.
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    const again = spawnRecord(['--port', port, '--baud', '2000000', '--out', join(work, `bob-${signal}.hsrec`)]);
    t.after(() => again.proc.kill('SIGKILL'));
    await waitFor(() => again.stderr().includes('recording board'), 'the second recording to start', 30_000);
    again.proc.kill(signal);
    assert.equal(await again.exited, 0, again.stderr());
    assert.match(again.stdout(), new RegExp(`^interrupted: kept \\d+ samples per channel \\([\\d.]+ s\\) of 8 channels at 200 Hz in .*bob-${signal}\\.hsrec, 0 labelled stretches, 0 notes`));
    assert.equal(readRecordingFile(join(work, `bob-${signal}.hsrec`)).tornBytes, 0);
  }
});

test('record killed outright leaves a file that convert reads, and a torn last chunk is dropped with a warning', { timeout: 90_000 }, async (t) => {
  const skip = skipReason();
  if (skip) return t.skip(skip);
  const work = scratchDir(t, 'hs-record-');
  const port = await loopingBoard(t, work, '1');
  const out = join(work, 'crash.hsrec');
  const rec = spawnRecord(['--port', port, '--baud', '2000000', '--out', out]);
  t.after(() => rec.proc.kill('SIGKILL'));
  await waitFor(() => rec.stderr().includes('recording board'), 'the recording to start', 30_000);
  // Wait until samples have reached the file (it is flushed every 100 ms), then kill it without warning.
  await waitFor(() => readRecordingFile(out).samples.length >= 8 * 100, 'samples in the file');
  rec.proc.kill('SIGKILL');
  await rec.exited;
  const kept = readRecordingFile(out);
  assert.ok(kept.samples.length >= 800);
  assert.equal(kept.tornBytes, 0, 'each chunk is one write: a killed process leaves whole chunks');
  const whole = runCli(['convert', out, join(work, 'crash.edf')]);
  assert.equal(whole.status, 0, whole.stderr);

  // A write cut short by the crash: the next samples chunk only partly on disk.
  const next = encodeSamplesChunk(kept.header, new Int16Array(8 * 50).fill(7));
  appendFileSync(out, next.subarray(0, next.length - 40));
  const torn = runCli(['convert', out, join(work, 'torn.csv'), '--json']);
  assert.equal(torn.status, 0, torn.stderr);
  assert.match(torn.stderr, /warning: .*dropped a torn last chunk of \d+ bytes/);
  assert.equal((JSON.parse(torn.stdout) as { samples: number }).samples, kept.samples.length / 8, 'everything before the torn chunk is kept');
});

test('record --protocol: the prompts are shown, each hold recorded under its label, and the recording ends with the protocol', { timeout: 90_000 }, async (t) => {
  const skip = skipReason();
  if (skip) return t.skip(skip);
  const work = scratchDir(t, 'hs-record-');
  const port = await loopingBoard(t, work, '20');
  const out = join(work, 'quick5.hsrec');
  // quick5 at a tenth of its durations: 15 holds of 0.3 s.
  const r = runCli(['record', '--port', port, '--baud', '2000000', '--out', out, '--protocol', 'calibration/quick5.json', '--time-scale', '0.1', '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /trial 1\/15: Rest, repetition 1\/3: Let your hand and wrist relax completely\./);
  assert.match(r.stderr, /trial 15\/15: Hand open, repetition 3\/3: Spread your fingers wide and hold\./);
  const summary = JSON.parse(r.stdout) as { end: string; labelledStretches: number };
  assert.deepEqual([summary.end, summary.labelledStretches], ['protocol finished', 15]);
  const file = readRecordingFile(out);
  assert.deepEqual(file.header.classes, ['rest', 'wrist-flexion', 'wrist-extension', 'hand-close', 'hand-open']);
  const holds = labelledSegments(file.markers, file.samples.length / 8);
  assert.ok(holds.every((h) => h.end - h.start === 60), `every hold lasts 0.3 s at 200 Hz: ${JSON.stringify(holds)}`);
});

test('record refuses bad options before opening the port', (t) => {
  const work = scratchDir(t, 'hs-record-');
  const existing = join(work, 'exists.hsrec');
  writeRecordingFile(existing, { channels: 1, rate: 10, sampleFormat: 'int16' }, [1]);
  // Exit status 2: a usage error; 3: the input (a file that exists, a folder that does not).
  for (const [args, pattern, status] of [
    [['--out', existing], /already exists/, 3],
    [['--out', join(work, 'x.edf')], /--out must name a \.hsrec file/, 2],
    [['--out', join(work, 'no', 'such', 'x.hsrec')], /no such folder/, 3],
    [['--out', join(work, 'y.hsrec'), '--labels', 'a,,b'], /--labels must be a comma-separated list/, 2],
    [['--out', join(work, 'y.hsrec'), '--labels', 'a', '--protocol', 'calibration/quick5.json'], /--labels and --protocol/, 2],
    [['--out', join(work, 'y.hsrec'), '--seconds', '0'], /--seconds must be a number above 0/, 2],
  ] as const) {
    const r = runCli(['record', '--port', '/nonexistent/port', ...args]);
    assert.equal(r.status, status, r.stderr);
    assert.match(r.stderr, pattern);
  }
});
