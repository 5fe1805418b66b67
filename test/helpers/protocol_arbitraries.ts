import fc from 'fast-check';
import type { Frame } from '../../src/core/protocol/frames.ts';
import { PROTOCOL_VERSION } from '../../src/core/protocol/wire.ts';

const u32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });

/** One valid frame of any type, with seq 0 (callers number the sequence). */
export const frameArb: fc.Arbitrary<Frame> = fc.oneof(
  fc.record({
    type: fc.constant('hello' as const),
    seq: fc.constant(0),
    protocolVersion: fc.constant(PROTOCOL_VERSION),
    channels: fc.integer({ min: 1, max: 64 }),
    rate: u32,
    sampleFormat: fc.constant('int16' as const),
    boardId: fc.stringMatching(/^[ -~]{0,32}$/),
  }),
  fc
    .tuple(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 0, max: 24 }), u32)
    .chain(([channels, count, timestampUs]) =>
      fc.array(fc.integer({ min: -32768, max: 32767 }), { minLength: channels * count, maxLength: channels * count }).map(
        (values): Frame => ({ type: 'samples', seq: 0, timestampUs, channels, samples: Int16Array.from(values) }),
      ),
    ),
  fc.record({
    type: fc.constant('event' as const),
    seq: fc.constant(0),
    timestampUs: u32,
    kind: fc.constantFrom('button' as const, 'sync' as const, 'label' as const, 'other' as const),
    value: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  }),
  fc.record({
    type: fc.constant('command' as const),
    seq: fc.constant(0),
    command: fc.constantFrom('start' as const, 'stop' as const, 'set_rate' as const, 'ping' as const),
    arg: u32,
    protocolVersion: fc.constant(PROTOCOL_VERSION),
  }),
);

/** A run of frames with consecutive sequence numbers from a random start (wrapping at 2^16). */
export const frameSequenceArb = fc
  .tuple(fc.array(frameArb, { minLength: 1, maxLength: 30 }), fc.integer({ min: 1, max: 65535 }))
  .map(([frames, first]) => frames.map((f, i) => ({ ...f, seq: (first + i) % 65536 }) as Frame));

/** Splits bytes at random points into chunks (possibly one byte each). */
export function chunked(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    chunks.push(bytes.subarray(from, p));
    from = p;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

/** Comparable text form of a frame (typed arrays as plain arrays). */
export function frameKey(f: Frame): string {
  return JSON.stringify(f, (_k, v) => (v instanceof Int16Array || v instanceof Float32Array ? Array.from(v) : v));
}
