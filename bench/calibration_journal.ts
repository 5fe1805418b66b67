/**
 * How much of a calibration a kill -9 loses: a child process journals 8
 * channels at 200 Hz as a board would deliver them (10 ms frames), telling
 * the parent after every frame how many samples it has handed to the
 * journal; the parent kills it at a random moment and reads the journal
 * back. Loss = samples handed over but not in the file (then as ms of
 * signal). Also: what journalling 100 ms of signal costs (one flush).
 *
 *   node --import tsx bench/calibration_journal.ts [kills]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Journal } from '../src/device/calibration/journal.ts';
import { loadProtocol } from '../src/device/calibration/protocol.ts';
import { readRecordingFile } from '../src/io/datasets/hsrec.ts';
import { printResultLine } from './lib/result_line.ts';

const CHANNELS = 8;
const RATE = 200;
const PER_FRAME = 2; // 10 ms at 200 Hz

async function child(path: string): Promise<void> {
  const journal = Journal.create(path, { channels: CHANNELS, rate: RATE, sampleFormat: 'int16' }, { protocol: loadProtocol('calibration/quick5.json'), timeScale: 1 });
  let handed = 0;
  for (;;) {
    const frame = new Int16Array(PER_FRAME * CHANNELS);
    for (let i = 0; i < frame.length; i++) frame[i] = (handed * CHANNELS + i) % 1000;
    journal.append(frame);
    handed += PER_FRAME;
    process.stdout.write(`${handed}\n`);
    await sleep(10);
  }
}

async function killOnce(dir: string, n: number): Promise<{ handed: number; kept: number }> {
  const path = join(dir, `j${n}.hsrec`);
  const proc = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'child', path], { stdio: ['ignore', 'pipe', 'inherit'] });
  let handed = 0;
  let buffer = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buffer += d.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    if (lines.length > 0) handed = Number(lines.at(-1));
  });
  while (handed === 0) await sleep(10);
  await sleep(500 + Math.random() * 1500);
  const reported = handed;
  proc.kill('SIGKILL');
  await new Promise((r) => proc.once('exit', r));
  const kept = readRecordingFile(path).samples.length / CHANNELS;
  return { handed: reported, kept };
}

function appendCost(dir: string): { us: number; syncMs: number } {
  const journal = Journal.create(join(dir, 'cost.hsrec'), { channels: CHANNELS, rate: RATE, sampleFormat: 'int16' }, { protocol: loadProtocol('calibration/quick5.json'), timeScale: 1 });
  const frame = new Int16Array(PER_FRAME * CHANNELS).fill(7);
  const flushes = 5000;
  const t0 = performance.now();
  for (let i = 0; i < flushes; i++) {
    for (let f = 0; f < 10; f++) journal.append(frame);
    journal.flush();
  }
  const us = ((performance.now() - t0) * 1000) / flushes;
  const syncs = 50;
  const t1 = performance.now();
  for (let i = 0; i < syncs; i++) {
    journal.append(frame);
    journal.mark({ kind: 'sync-bench' });
    journal.sync();
  }
  const syncMs = (performance.now() - t1) / syncs;
  journal.close();
  return { us, syncMs };
}

async function main(): Promise<void> {
  const kills = Number(process.argv[2] ?? 20);
  const dir = mkdtempSync(join(tmpdir(), 'hs-journal-bench-'));
  try {
    const losses: number[] = [];
    for (let n = 0; n < kills; n++) {
      const { handed, kept } = await killOnce(dir, n);
      // The child reports after appending, so a sample can be on disk before it is reported: kept may exceed handed.
      losses.push(Math.max(0, handed - kept));
    }
    losses.sort((a, b) => a - b);
    const ms = (s: number) => ((s * 1000) / RATE).toFixed(0);
    const medianLost = losses[Math.floor(kills / 2)]!;
    const maxLost = losses.at(-1)!;
    console.log(`kill -9 at a random moment, ${kills} times: samples lost per channel median ${medianLost} (${ms(medianLost)} ms), max ${maxLost} (${ms(maxLost)} ms)`);
    const cost = appendCost(dir);
    console.log(`journal cost: ${cost.us.toFixed(1)} µs per 100 ms of 8-channel signal (10 frames buffered, one write), plus ${cost.syncMs.toFixed(2)} ms for the fsync made once a second`);
    printResultLine('calibration_journal', {
      kills,
      lostSamplesMedian: medianLost,
      lostSamplesMax: maxLost,
      lostMsMedian: (medianLost * 1000) / RATE,
      lostMsMax: (maxLost * 1000) / RATE,
      appendUsPer100ms: cost.us,
      fsyncMs: cost.syncMs,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'child') await child(process.argv[3]!);
else await main();
