/**
 * Serial end to end: virtual board -> socat pty pair -> serialport ->
 * BoardSession, 8 channels at 1 kHz in frames of 10 samples.
 *   1. 60 s of data at 10x real time (172 kB/s, under the 200 kB/s of a
 *      2 Mbaud 8N1 line): frames lost.
 *   2. The same at --speed max: the pty path's ceiling, and the in-memory
 *      loopback's for comparison (same board and session code).
 *   3. Reconnect: socat killed and restarted 5 times mid-stream; time from
 *      the path reappearing to the session's 'reconnect', and the gap counted.
 * Run: node --import tsx bench/serial_e2e.ts
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialTransport } from '../src/device/transports/serial.ts';
import { createLoopbackPair } from '../src/device/transports/loopback.ts';
import { BoardSession, type GapInfo } from '../src/device/transports/board_session.ts';
import type { Transport } from '../src/device/transports/transport.ts';
import { VirtualBoard } from '../src/sim/virtual_board.ts';
import { scriptFromRecordings, type ReplayScript } from '../src/sim/replay_script.ts';
import { syntheticRecording } from '../src/sim/synthetic.ts';
import { socatAvailable, startPtyPair, type PtyPair } from '../src/sim/pty_pair.ts';
import { cannotRun, printResultLine } from './lib/result_line.ts';

const BAUD = 2_000_000;
const RATE = 1000;
const CHANNELS = 8;

interface RunResult {
  seconds: number;
  samples: number;
  framesLost: number;
  bytesPerSecond: number;
  realTimeFactor: number;
}

async function run(script: ReplayScript, boardEnd: Transport, hostEnd: Transport, speed: number): Promise<RunResult> {
  const board = new VirtualBoard(script, boardEnd, { speed, samplesPerFrame: 10 });
  const session = new BoardSession({ transport: hostEnd, helloTimeoutMs: 200 });
  const total = script.samples.length / CHANNELS;
  let bytes = 0;
  hostEnd.on('data', (c) => (bytes += c.length));
  await board.powerOn();
  await session.start();
  const t0 = performance.now();
  const done = new Promise<void>((resolve) => {
    const check = (): void => {
      if (session.stats.samples >= total) resolve();
    };
    session.on('frame', check);
  });
  await done;
  const seconds = (performance.now() - t0) / 1000;
  const s = session.stats;
  await session.close();
  await board.powerOff();
  return { seconds, samples: s.samples, framesLost: s.missingFrames + s.decoder.crcFailures, bytesPerSecond: bytes / seconds, realTimeFactor: total / RATE / seconds };
}

async function ptyEnds(dir: string, reconnect = {}): Promise<{ pair: PtyPair; board: SerialTransport; host: SerialTransport }> {
  const pair = await startPtyPair({ boardPath: join(dir, 'board'), hostPath: join(dir, 'host') });
  return {
    pair,
    board: new SerialTransport({ path: pair.boardPath, baudRate: BAUD, reconnect }),
    host: new SerialTransport({ path: pair.hostPath, baudRate: BAUD, reconnect }),
  };
}

async function reconnectTrials(dir: string, trials: number): Promise<{ reconnectMs: number[]; downtimeMs: number[]; gaps: GapInfo[] }> {
  const script = scriptFromRecordings([syntheticRecording({ channels: CHANNELS, rate: RATE, seconds: 120 })]);
  const policy = { initialDelayMs: 20, maxDelayMs: 200 };
  let { pair, board: boardEnd, host } = await ptyEnds(dir, policy);
  const board = new VirtualBoard(script, boardEnd, { speed: 1, samplesPerFrame: 10 });
  const session = new BoardSession({ transport: host, helloTimeoutMs: 200 });
  const gaps: GapInfo[] = [];
  session.on('gap', (g) => gaps.push(g));
  await board.powerOn();
  await session.start();
  const reconnectMs: number[] = [];
  const downtimeMs: number[] = [];
  for (let i = 0; i < trials; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const dropped = once(session, 'disconnect');
    await pair.stop();
    await dropped;
    await new Promise((r) => setTimeout(r, 100));
    const back = once(session, 'reconnect');
    const t0 = performance.now();
    pair = await startPtyPair({ boardPath: pair.boardPath, hostPath: pair.hostPath });
    const [info] = await back;
    reconnectMs.push(performance.now() - t0);
    downtimeMs.push(info.downtimeMs);
    const gapsBefore = gaps.length;
    while (gaps.length === gapsBefore) await new Promise((r) => setTimeout(r, 10));
  }
  await session.close();
  await board.powerOff();
  await pair.stop();
  return { reconnectMs, downtimeMs, gaps };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  if (!socatAvailable()) cannotRun('socat is not installed (apt-get install socat): nothing to measure');
  const dir = mkdtempSync(join(tmpdir(), 'headstart-bench-'));
  const script = scriptFromRecordings([syntheticRecording({ channels: CHANNELS, rate: RATE, seconds: 60 })]);
  try {
    process.stderr.write('1/4 pty, 60 s of data at 10x real time...\n');
    let ends = await ptyEnds(dir);
    const paced = await run(script, ends.board, ends.host, 10);
    await ends.pair.stop();

    process.stderr.write('2/4 pty, as fast as it goes...\n');
    ends = await ptyEnds(dir);
    const maxPty = await run(script, ends.board, ends.host, Number.POSITIVE_INFINITY);
    await ends.pair.stop();

    process.stderr.write('3/4 in-memory loopback, as fast as it goes...\n');
    const loop = createLoopbackPair();
    const maxLoop = await run(script, loop.board, loop.host, Number.POSITIVE_INFINITY);

    process.stderr.write('4/4 reconnects (socat killed and restarted 5 times)...\n');
    const rc = await reconnectTrials(dir, 5);

    const row = (name: string, r: RunResult): string =>
      `| ${name} | ${r.samples} | ${r.framesLost} | ${r.seconds.toFixed(2)} s | ${(r.bytesPerSecond / 1000).toFixed(0)} kB/s | ${r.realTimeFactor.toFixed(1)}x | ${(r.realTimeFactor / maxLoop.realTimeFactor).toFixed(2)} |`;
    const lines = [
      '| path | samples received (of 60,000) | frames lost | wall time | wire bytes/s | x real time | vs loopback |',
      '|---|---|---|---|---|---|---|',
      row('pty, speed 10', paced),
      row('pty, speed max', maxPty),
      row('loopback, speed max', maxLoop),
      '',
      `reconnect after socat restarted (5 trials, backoff 20..200 ms): median ${median(rc.reconnectMs).toFixed(0)} ms from the path reappearing to 'reconnect' (${rc.reconnectMs.map((x) => x.toFixed(0)).join(', ')}), link down ${median(rc.downtimeMs).toFixed(0)} ms median`,
      `gaps counted: ${rc.gaps.length} (causes ${[...new Set(rc.gaps.map((g) => g.cause))].join(', ')}), samples counted missing per gap: ${rc.gaps.map((g) => g.missingSamples).join(', ')}`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
    printResultLine('serial_e2e', {
      channels: CHANNELS,
      rate: RATE,
      paths: { ptySpeed10: paced, ptySpeedMax: maxPty, loopbackSpeedMax: maxLoop },
      reconnect: { trials: rc.reconnectMs.length, medianMs: median(rc.reconnectMs), downtimeMedianMs: median(rc.downtimeMs), gaps: rc.gaps.length, causes: [...new Set(rc.gaps.map((g) => g.cause))], missingSamples: rc.gaps.map((g) => g.missingSamples) },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
