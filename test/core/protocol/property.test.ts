import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FrameDecoder } from '../../../src/core/protocol/decoder.ts';
import { encodeFrame } from '../../../src/core/protocol/encoder.ts';
import type { Frame } from '../../../src/core/protocol/frames.ts';
import { FrameParser } from '../../../src/core/protocol/parser.ts';
import { chunked, frameKey, frameSequenceArb } from '../../helpers/protocol_arbitraries.ts';

interface Corruption {
  kind: 'flip' | 'insert' | 'delete';
  at: number;
  value: number;
}

const corruptionArb = fc.record({
  kind: fc.constantFrom('flip' as const, 'insert' as const, 'delete' as const),
  at: fc.nat(),
  value: fc.integer({ min: 0, max: 255 }),
});

function decodeChunks(chunks: Uint8Array[]): { out: Frame[]; parser: FrameParser } {
  const parser = new FrameParser();
  const out: Frame[] = [];
  for (const c of chunks) parser.push(c, (f) => out.push(f));
  parser.end();
  return { out, parser };
}

function isSubsequence(needles: string[], haystack: string[]): boolean {
  let j = 0;
  for (const h of haystack) if (j < needles.length && h === needles[j]) j++;
  return j === needles.length;
}

test('property: any valid frame sequence in any chunking decodes exactly, with nothing counted as lost', () => {
  fc.assert(
    fc.property(frameSequenceArb, fc.array(fc.nat(), { maxLength: 40 }), (frames, cuts) => {
      const bytes = Buffer.concat(frames.map((f) => encodeFrame(f)));
      const { out, parser } = decodeChunks(chunked(bytes, cuts));
      assert.deepEqual(out.map(frameKey), frames.map(frameKey));
      assert.deepEqual(parser.stats, { frames: frames.length, crcFailures: 0, sequenceGaps: 0, droppedBytes: 0, malformed: 0 });
    }),
    { numRuns: 300, seed: 20240501 },
  );
});

test('property: after random corruption every untouched frame comes out, in order, and nothing throws', () => {
  fc.assert(
    fc.property(
      frameSequenceArb,
      fc.array(corruptionArb, { minLength: 1, maxLength: 6 }),
      fc.array(fc.nat(), { maxLength: 20 }),
      (frames, corruptions, cuts) => {
        const encoded = frames.map((f) => encodeFrame(f));
        // owner[p] = index of the frame byte p belongs to (its delimiter included)
        const owner: number[] = encoded.flatMap((e, i) => Array<number>(e.length).fill(i));
        const bytes: number[] = encoded.flatMap((e) => Array.from(e));
        const touched = new Set<number>();
        // Apply from the highest position down so that earlier positions stay valid.
        const ops = corruptions.map((c) => ({ ...c, at: c.at % bytes.length })).sort((a, b) => b.at - a.at);
        for (const op of ops as Corruption[]) {
          const frame = owner[op.at]!;
          touched.add(frame);
          const isDelimiter = op.at === bytes.length - 1 || owner[op.at + 1] !== frame;
          // Damaging a delimiter merges this frame with the next one.
          if (isDelimiter && op.kind !== 'insert') touched.add(frame + 1);
          if (op.kind === 'flip') bytes[op.at] = bytes[op.at]! ^ (op.value || 1);
          else if (op.kind === 'insert') {
            bytes.splice(op.at, 0, op.value);
            owner.splice(op.at, 0, frame);
          } else {
            bytes.splice(op.at, 1);
            owner.splice(op.at, 1);
          }
        }
        const { out, parser } = decodeChunks(chunked(Uint8Array.from(bytes), cuts));
        const untouched = frames.filter((_, i) => !touched.has(i)).map(frameKey);
        assert.ok(isSubsequence(untouched, out.map(frameKey)), 'an untouched frame is missing or out of order');
        assert.equal(parser.stats.frames, out.length);
      },
    ),
    { numRuns: 400, seed: 7 },
  );
});

test('property: random bytes never make the stream decoder throw or error', async () => {
  const samples = fc.sample(fc.uint8Array({ minLength: 0, maxLength: 4000 }), { numRuns: 200, seed: 3 });
  for (const bytes of samples) {
    const decoder = new FrameDecoder();
    let failed: unknown;
    decoder.on('error', (e) => (failed = e));
    decoder.resume();
    decoder.end(Buffer.from(bytes));
    await new Promise((r) => setImmediate(r));
    // Random bytes may, with odds of 2^-16 per delimited run, forge a HELLO of another version: that is the only allowed error.
    if (failed !== undefined) assert.equal((failed as { code?: string }).code, 'PROTOCOL_VERSION_MISMATCH');
  }
});
