import fc from 'fast-check';
import { isHeadstartError } from '../../src/core/errors.ts';
import { readTflite } from '../../src/core/tflite/reader.ts';

/**
 * Damage done to a model file: what a bad copy, a flipped bit or a crafted
 * file does. Positions are fractions of the file length so one mutation
 * applies to any file.
 */
export type Mutation =
  | { kind: 'flip'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'splice'; at: number; from: number; length: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'u32'; at: number; value: number }
  | { kind: 'u16'; at: number; value: number };

// Uniform over the file: fast-check's default bias toward small values would keep hitting the header.
const position = fc.noBias(fc.integer({ min: 0, max: 2 ** 30 - 1 })).map((x) => x / 2 ** 30);

/** Values that break length and offset fields in interesting ways, plus any value at all. */
const u32Value = fc.oneof(
  fc.constantFrom(0, 1, 2, 3, 4, 8, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0xffff_fffc, 0x0001_0000),
  fc.integer({ min: 0, max: 0xffff_ffff }),
  fc.integer({ min: 0, max: 64 }),
);
const u16Value = fc.oneof(fc.constantFrom(0, 1, 2, 3, 4, 0xffff, 0x8000), fc.integer({ min: 0, max: 0xffff }));

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('flip' as const), at: position, value: fc.integer({ min: 0, max: 255 }) }), weight: 3 },
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({ kind: fc.constant('splice' as const), at: position, from: position, length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 }) }),
  { arbitrary: fc.record({ kind: fc.constant('u32' as const), at: position, value: u32Value }), weight: 3 },
  fc.record({ kind: fc.constant('u16' as const), at: position, value: u16Value }),
);

export function applyMutation(input: Uint8Array, m: Mutation): Uint8Array {
  const n = input.length;
  if (n === 0) return input;
  const at = Math.floor(m.at * n);
  switch (m.kind) {
    case 'flip': {
      const out = input.slice();
      out[at] = m.value;
      return out;
    }
    case 'truncate':
      return input.slice(0, at);
    case 'splice': {
      const out = input.slice();
      const from = Math.floor(m.from * n);
      out.set(input.subarray(from, Math.min(n, from + m.length)).subarray(0, n - at), at);
      return out;
    }
    case 'insert': {
      const out = new Uint8Array(n + m.bytes.length);
      out.set(input.subarray(0, at));
      out.set(m.bytes, at);
      out.set(input.subarray(at), at + m.bytes.length);
      return out;
    }
    case 'u32': {
      // Lengths, offsets and indices are 4-byte aligned in a flatbuffer.
      const p = at & ~3;
      if (p + 4 > n) return input;
      const out = input.slice();
      new DataView(out.buffer).setUint32(p, m.value >>> 0, true);
      return out;
    }
    case 'u16': {
      const p = at & ~1;
      if (p + 2 > n) return input;
      const out = input.slice();
      new DataView(out.buffer).setUint16(p, m.value, true);
      return out;
    }
  }
}

/** A file and one to three mutations applied to it, in order. */
export function mutatedFileArb(files: Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(fc.integer({ min: 0, max: files.length - 1 }), fc.array(mutationArb, { minLength: 1, maxLength: 3 }))
    .map(([i, ms]) => ms.reduce(applyMutation, files[i]!));
}

/** `reason` is the code, with the failed check of a damaged file (details.check) after a slash: TFLITE_CORRUPT/truncated. */
export type ReadOutcome = { ok: true } | { ok: false; reason: string };

/** The reader's contract: a Model or a HeadstartError; anything else (TypeError, RangeError, ...) is rethrown. */
export function readOutcome(bytes: Uint8Array): ReadOutcome {
  try {
    readTflite(bytes);
    return { ok: true };
  } catch (err) {
    if (isHeadstartError(err)) {
      const check = err.details['check'];
      return { ok: false, reason: typeof check === 'string' ? `${err.code}/${check}` : err.code };
    }
    throw err;
  }
}
