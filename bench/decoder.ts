/**
 * Decoder throughput: how much of a core decoding costs at 16 channels x
 * 2 kHz (the largest stream in PROTOCOL.md's byte budget), for the headstart
 * frame parser alone, for it behind the Transform stream, and for the Cyton
 * and ASCII decoders on streams of their own formats.
 *
 *   node --import tsx bench/decoder.ts [seconds of signal, default 60]
 *
 * CPU share = CPU seconds spent decoding / seconds of signal decoded.
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AsciiParser } from '../src/core/protocol/ascii.ts';
import type { ByteParser } from '../src/core/protocol/byte_parser.ts';
import { CytonParser } from '../src/core/protocol/cyton.ts';
import { FrameDecoder } from '../src/core/protocol/decoder.ts';
import { encodeFrame } from '../src/core/protocol/encoder.ts';
import type { Frame } from '../src/core/protocol/frames.ts';
import { FrameParser } from '../src/core/protocol/parser.ts';
import { printResultLine } from './lib/result_line.ts';

const seconds = Number(process.argv[2] ?? 60);
const CHANNELS = 16;
const RATE = 2000;
const PER_FRAME = 16;
const CHUNK = 4096; // a typical serial read

function headstartCapture(): Buffer {
  const parts: Uint8Array[] = [];
  const frames = (seconds * RATE) / PER_FRAME;
  for (let i = 0; i < frames; i++) {
    const samples = Int16Array.from({ length: PER_FRAME * CHANNELS }, (_, j) => Math.round(3000 * Math.sin((i * PER_FRAME * CHANNELS + j) / 37)));
    parts.push(encodeFrame({ type: 'samples', seq: i % 65536, timestampUs: (i * PER_FRAME * 500) % 2 ** 32, channels: CHANNELS, samples }));
  }
  return Buffer.concat(parts);
}

function cytonCapture(signalSeconds: number): Buffer {
  const packets = signalSeconds * 250;
  const out = Buffer.alloc(packets * 33);
  for (let i = 0; i < packets; i++) {
    const p = out.subarray(i * 33, i * 33 + 33);
    p[0] = 0xa0;
    p[1] = i & 0xff;
    for (let c = 0; c < 8; c++) p.writeIntBE(Math.round(40000 * Math.sin(i / 9 + c)), 2 + 3 * c, 3);
    p[32] = 0xc0;
  }
  return out;
}

function asciiCapture(signalSeconds: number): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < signalSeconds * 500; i++) lines.push(Array.from({ length: 8 }, (_, c) => Math.round(512 + 300 * Math.sin(i / 7 + c))).join(','));
  return Buffer.from(lines.join('\n') + '\n');
}

function chunks(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += CHUNK) out.push(bytes.subarray(i, i + CHUNK));
  return out;
}

function cpuSeconds(run: () => void): number {
  const start = process.cpuUsage();
  run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

function measureParser(name: string, make: () => ByteParser, bytes: Buffer, signalSeconds: number, repeats = 5): void {
  const parts = chunks(bytes);
  let frames = 0;
  const emit = (_f: Frame) => void frames++;
  const runs: number[] = [];
  for (let r = 0; r < repeats; r++) {
    frames = 0;
    runs.push(
      cpuSeconds(() => {
        const p = make();
        for (const c of parts) p.push(c, emit);
        p.end(emit);
      }),
    );
  }
  report(name, bytes.length, signalSeconds, Math.min(...runs), frames);
}

const measured: { name: string; bytes: number; frames: number; mbPerSecond: number; cpuSharePercent: number }[] = [];

function report(name: string, bytes: number, signalSeconds: number, cpu: number, frames: number): void {
  const mbs = bytes / 1e6 / cpu;
  measured.push({ name, bytes, frames, mbPerSecond: mbs, cpuSharePercent: (100 * cpu) / signalSeconds });
  console.log(
    `${name.padEnd(44)} ${(bytes / 1e6).toFixed(2).padStart(6)} MB  ${frames.toString().padStart(7)} frames  ${mbs.toFixed(1).padStart(7)} MB/s  CPU share ${((100 * cpu) / signalSeconds).toFixed(3)} %`,
  );
}

async function measureStream(bytes: Buffer, repeats = 3): Promise<void> {
  const runs: number[] = [];
  let frames = 0;
  for (let r = 0; r < repeats; r++) {
    frames = 0;
    const start = process.cpuUsage();
    await pipeline(
      Readable.from(chunks(bytes)),
      new FrameDecoder(),
      new Writable({ objectMode: true, write: (_f, _e, cb) => (frames++, cb()) }),
    );
    const used = process.cpuUsage(start);
    runs.push((used.user + used.system) / 1e6);
  }
  report('headstart FrameDecoder stream (16ch x 2 kHz)', bytes.length, seconds, Math.min(...runs), frames);
}

const hs = headstartCapture();
console.log(`${seconds} s of 16 channels x 2 kHz in frames of ${PER_FRAME} samples: ${hs.length} bytes (${(hs.length / seconds).toFixed(0)} bytes/s), read in ${CHUNK}-byte chunks; best of 5 (parsers) or 3 (stream) runs, CPU time`);
measureParser('headstart FrameParser (16ch x 2 kHz)', () => new FrameParser(), hs, seconds);
await measureStream(hs);
measureParser('Cyton CytonParser (8ch x 250 Hz)', () => new CytonParser(), cytonCapture(seconds), seconds);
measureParser('ASCII AsciiParser (8ch x 500 Hz, rate given)', () => new AsciiParser({ rate: 500 }), asciiCapture(seconds), seconds);
printResultLine('decoder', { signalSeconds: seconds, chunkBytes: CHUNK, decoders: measured });
