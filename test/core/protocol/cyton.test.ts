import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAll } from '../../../src/core/protocol/byte_parser.ts';
import { CYTON_ACCEL_G_PER_COUNT, CytonDecoder, CytonParser, cytonMicrovoltsPerCount, type CytonOptions } from '../../../src/core/protocol/cyton.ts';
import type { Frame, SamplesFrame } from '../../../src/core/protocol/frames.ts';

/** A Cyton packet as the board sends it. */
function packet(sampleNumber: number, counts: number[], accel: [number, number, number] = [0, 0, 0], footer = 0xc0): Uint8Array {
  const b = new Uint8Array(33);
  b[0] = 0xa0;
  b[1] = sampleNumber & 0xff;
  counts.forEach((c, i) => {
    const u = c & 0xffffff;
    b[2 + 3 * i] = u >> 16;
    b[3 + 3 * i] = (u >> 8) & 0xff;
    b[4 + 3 * i] = u & 0xff;
  });
  accel.forEach((a, i) => {
    b[26 + 2 * i] = (a >> 8) & 0xff;
    b[27 + 2 * i] = a & 0xff;
  });
  b[32] = footer;
  return b;
}

const counts = (base: number) => Array.from({ length: 8 }, (_, c) => base * (c + 1) * (c % 2 ? -1 : 1));
const decode = (bytes: Uint8Array, options: CytonOptions = {}) => parseAll(new CytonParser(options), bytes);
const samplesOf = (frames: Frame[]) => frames.filter((f): f is SamplesFrame => f.type === 'samples');

test('Cyton packets decode to a HELLO and microvolt samples with accelerometer in g', () => {
  const bytes = Buffer.concat([packet(0, counts(1000), [16, -32, 1000]), packet(1, [0x7fffff, -0x800000, 0, 1, -1, 44739, 0, 0]), packet(2, counts(3))]);
  const { frames, stats } = decode(bytes);
  assert.deepEqual(frames[0], { type: 'hello', seq: 0, protocolVersion: 1, channels: 8, rate: 250, sampleFormat: 'float32', boardId: 'cyton' });
  const s = samplesOf(frames);
  assert.equal(s.length, 3);
  const uv = cytonMicrovoltsPerCount(24);
  assert.ok(Math.abs(uv - 0.0223517) < 1e-6, `scale ${uv}`);
  assert.ok(Math.abs(s[0]!.samples[1]! - -2000 * uv) < 1e-3);
  assert.ok(Math.abs(s[1]!.samples[0]! - 187500) < 0.1, 'full scale is 187.5 mV at gain 24');
  assert.equal(s[1]!.samples[1]! < -187500, true);
  assert.ok(s[1]!.samples instanceof Float32Array, 'microvolts at full resolution, not int16');
  assert.deepEqual(Array.from(s[1]!.samples.subarray(0, 6)), [0x7fffff, -0x800000, 0, 1, -1, 44739].map((c) => Math.fround(c * uv)), 'never rounded or clamped');
  assert.deepEqual(Array.from(s[0]!.accelG!), [16 * CYTON_ACCEL_G_PER_COUNT, -32 * CYTON_ACCEL_G_PER_COUNT, 1000 * CYTON_ACCEL_G_PER_COUNT].map(Math.fround));
  assert.ok(s[1]!.accelG!.every(Number.isNaN), 'no fresh accelerometer reading in an all-zero aux field');
  assert.deepEqual(s.map((f) => f.timestampUs), [0, 4000, 8000]);
  assert.deepEqual(stats, { frames: 4, crcFailures: 0, sequenceGaps: 0, droppedBytes: 0, malformed: 0 });
});

test('Cyton: any chunking gives the same frames; noise is skipped and counted', () => {
  const noise = Uint8Array.from([0x01, 0xa0, 0x02, 0xc0, 0xff]);
  const bytes = Buffer.concat([noise, packet(10, counts(5)), noise, packet(11, counts(6)), packet(12, counts(7)), noise.subarray(0, 2)]);
  const whole = decode(bytes);
  assert.equal(samplesOf(whole.frames).length, 3);
  assert.equal(whole.stats.droppedBytes, 12);
  for (const size of [1, 2, 7, 32, 33, 34]) {
    const parser = new CytonParser();
    const out: Frame[] = [];
    for (let i = 0; i < bytes.length; i += size) parser.push(bytes.subarray(i, i + size), (f) => out.push(f));
    parser.end();
    assert.deepEqual(out, whole.frames, `chunks of ${size}`);
    assert.deepEqual(parser.stats, whole.stats);
  }
});

test('Cyton: missing packets are counted from the sample counter, which wraps at 256', () => {
  const { frames, stats } = decode(Buffer.concat([packet(254, counts(1)), packet(255, counts(1)), packet(0, counts(1)), packet(3, counts(1))]));
  assert.equal(stats.sequenceGaps, 2);
  assert.deepEqual(samplesOf(frames).map((f) => f.timestampUs), [0, 4000, 8000, 20000]);
});

test('Cyton + Daisy: odd packets are channels 1-8, the next even packet 9-16', () => {
  const bytes = Buffer.concat([
    packet(2, counts(9)), // a Daisy half without its board half: dropped
    packet(3, counts(1)),
    packet(4, counts(2)),
    packet(5, counts(3)),
    packet(6, counts(4)),
  ]);
  const { frames, stats } = decode(bytes, { daisy: true });
  assert.deepEqual(frames[0], { type: 'hello', seq: 0, protocolVersion: 1, channels: 16, rate: 125, sampleFormat: 'float32', boardId: 'cyton-daisy' });
  const s = samplesOf(frames);
  assert.equal(s.length, 2);
  const uv = cytonMicrovoltsPerCount(24);
  assert.deepEqual(Array.from(s[0]!.samples), [...counts(1), ...counts(2)].map((c) => Math.fround(c * uv)));
  assert.deepEqual(Array.from(s[1]!.samples), [...counts(3), ...counts(4)].map((c) => Math.fround(c * uv)));
  assert.deepEqual(s.map((f) => f.timestampUs), [0, 8000]);
  assert.equal(stats.droppedBytes, 33);
});

test('CytonDecoder is a stream of frames', async () => {
  const decoder = new CytonDecoder({ gain: 12 });
  const out: Frame[] = [];
  decoder.on('data', (f: Frame) => out.push(f));
  decoder.end(Buffer.concat([packet(0, counts(100)), packet(1, counts(100))]));
  await new Promise((r) => decoder.on('end', r));
  assert.equal(out.length, 3);
  assert.ok(Math.abs((out[1] as SamplesFrame).samples[0]! - 100 * cytonMicrovoltsPerCount(12)) < 1e-4);
  assert.equal(decoder.stats.frames, 3);
});
