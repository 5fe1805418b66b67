import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AsciiDecoder, AsciiParser, snapRate, splitFields, type AsciiOptions } from '../../../src/core/protocol/ascii.ts';
import { parseAll } from '../../../src/core/protocol/byte_parser.ts';
import type { Frame, HelloFrame, SamplesFrame } from '../../../src/core/protocol/frames.ts';

const decode = (text: string, options: AsciiOptions = {}) => parseAll(new AsciiParser(options), Buffer.from(text, 'latin1'));
const hello = (frames: Frame[]) => frames[0] as HelloFrame;
const rows = (frames: Frame[]) => frames.filter((f): f is SamplesFrame => f.type === 'samples').map((f) => Array.from(f.samples));

const lines = (n: number, make: (i: number) => string, eol = '\n') => Array.from({ length: n }, (_, i) => make(i) + eol).join('');

test('fields split on commas, tabs or spaces; serial-plotter labels are names', () => {
  assert.deepEqual(splitFields('1, 2,3').fields, ['1', '2', '3']);
  assert.deepEqual(splitFields('1\t-2.5\t3e2').fields, ['1', '-2.5', '3e2']);
  assert.deepEqual(splitFields('1   2 3').fields, ['1', '2', '3']);
  assert.deepEqual(splitFields('a0:12,a1:-3'), { fields: ['12', '-3'], names: ['a0', 'a1'] });
  assert.equal(snapRate(498.7), 500);
  assert.equal(snapRate(333.2), 333);
});

test('comma lines with a given rate: channels detected, CRLF tolerated, values kept', () => {
  const { frames, stats } = decode(lines(30, (i) => `${(i * 37) % 11},${-i},512.5`, '\r\n'), { rate: 200 });
  assert.deepEqual(hello(frames), { type: 'hello', seq: 0, protocolVersion: 1, channels: 3, rate: 200, sampleFormat: 'float32', boardId: 'ascii' });
  const r = rows(frames);
  assert.equal(r.length, 30);
  assert.deepEqual(r[3], [1, -3, 512.5]);
  assert.ok((frames[4] as SamplesFrame).samples instanceof Float32Array, 'as printed, not rounded to int16');
  assert.equal((frames[4] as SamplesFrame).timestampUs, 15000);
  assert.equal(stats.frames, 31);
  assert.equal(stats.droppedBytes, 0);
});

test('a header naming a millisecond column gives the rate; the column is not a channel', () => {
  const text = 'ms\ta0\ta1\n' + lines(25, (i) => `${1000 + 4 * i}\t${i}\t${2 * i}`);
  const { frames, stats } = decode(text);
  assert.equal(hello(frames).channels, 2);
  assert.equal(hello(frames).rate, 250);
  assert.equal((frames[2] as SamplesFrame).timestampUs, 1_004_000);
  assert.deepEqual(rows(frames)[1], [1, 2]);
  assert.equal(stats.sequenceGaps, 0);
});

test('an unnamed rising microsecond column is found, and a lost sample is a gap', () => {
  const times = Array.from({ length: 30 }, (_, i) => 5_000_000 + 2000 * i).filter((_, i) => i !== 22);
  const text = times.map((t, i) => `${t} ${i % 7} ${100 - i}`).join('\n') + '\n';
  const { frames, stats } = decode(text);
  assert.equal(hello(frames).channels, 2);
  assert.equal(hello(frames).rate, 500);
  assert.equal(stats.sequenceGaps, 1);
});

test('millisecond clocks that jitter by a tick are not read as losses', () => {
  const times = Array.from({ length: 40 }, (_, i) => Math.floor(i * 2 + (i % 3 === 0 ? 0.9 : 0)));
  const { frames, stats } = decode(times.map((t) => `${t},1,2`).join('\n') + '\n');
  assert.equal(hello(frames).rate, 500);
  assert.equal(stats.sequenceGaps, 0);
});

test('a counter column counts gaps; the rate stays unknown (0) without a clock', () => {
  const text = lines(30, (i) => (i === 12 || i === 13 ? '' : `${i},${i % 5},7`));
  const { frames, stats } = decode(text);
  assert.equal(hello(frames).channels, 2);
  assert.equal(hello(frames).rate, 0);
  assert.equal(stats.sequenceGaps, 2);
});

test('truncated and merged lines are skipped and counted; the rest decodes', () => {
  const good = lines(25, (i) => `${(i * 7) % 5},${i + 1},${i + 2},${i + 3}`);
  const lostNewline = good.indexOf('\n', 50);
  const text = '3,14\n' + good.slice(0, lostNewline) + good.slice(lostNewline + 1) + '1,2,'; // cut first line, one lost newline, cut last line
  const { frames, stats } = decode(text, { rate: 100 });
  assert.equal(hello(frames).channels, 4);
  assert.equal(rows(frames).length, 25 - 2);
  assert.equal(stats.malformed, 2);
  assert.ok(stats.droppedBytes > 0);
});

test('rate from arrival times on a live stream', () => {
  let clock = 0;
  const parser = new AsciiParser({ now: () => clock });
  const out: Frame[] = [];
  for (let i = 0; i < 20; i++) {
    clock = i * 20.1; // ~50 Hz with jitter-free arrival
    parser.push(Buffer.from(`${i % 3} ${i % 4}\n`), (f) => out.push(f));
  }
  assert.equal(hello(out).rate, 50);
});

test('any chunking gives the same frames', async () => {
  const text = 'a0:1,a1:2\n' + lines(30, (i) => `a0:${i},a1:${-i}`);
  const whole = decode(text, { rate: 100 });
  assert.equal(hello(whole.frames).channels, 2);
  const decoder = new AsciiDecoder({ rate: 100 });
  const out: Frame[] = [];
  decoder.on('data', (f: Frame) => out.push(f));
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += 3) decoder.write(bytes.subarray(i, i + 3));
  decoder.end();
  await new Promise((r) => decoder.on('end', r));
  assert.deepEqual(out, whole.frames);
});

test('binary noise never throws and yields no frames', () => {
  const noise = Uint8Array.from({ length: 20000 }, (_, i) => (i * 131) % 256);
  const { frames } = parseAll(new AsciiParser(), noise);
  assert.ok(frames.every((f) => f.type === 'hello' || f.type === 'samples'));
});
