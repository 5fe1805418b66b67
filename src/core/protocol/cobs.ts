/**
 * Consistent Overhead Byte Stuffing: removes every 0x00 from a frame so that
 * 0x00 can delimit frames on the wire. Overhead is one byte per started run
 * of 254 bytes, so a receiver always knows where the next frame begins.
 */

/** Largest encoded size of `n` bytes (without the delimiter). */
export function cobsMaxEncodedLength(n: number): number {
  return n + 1 + Math.floor(n / 254);
}

/** Encodes src[0..n) into dst at `offset`; returns the number of bytes written (no delimiter). */
export function cobsEncodeInto(src: Uint8Array, n: number, dst: Uint8Array, offset: number): number {
  let codeAt = offset;
  let out = offset + 1;
  let code = 1;
  for (let i = 0; i < n; i++) {
    const b = src[i]!;
    if (b === 0) {
      dst[codeAt] = code;
      codeAt = out++;
      code = 1;
      continue;
    }
    dst[out++] = b;
    code++;
    if (code === 0xff) {
      dst[codeAt] = code;
      // A full run that ends the input needs no further code byte.
      if (i + 1 === n) return out - offset;
      codeAt = out++;
      code = 1;
    }
  }
  dst[codeAt] = code;
  return out - offset;
}

/**
 * Decodes src[start..end) (one frame, delimiter excluded) into dst.
 * Returns the decoded length, or -1 when the bytes are not valid COBS
 * (a zero byte, a run pointing past the end) or do not fit in dst.
 */
export function cobsDecodeInto(src: Uint8Array, start: number, end: number, dst: Uint8Array): number {
  let out = 0;
  let i = start;
  while (i < end) {
    const code = src[i]!;
    if (code === 0) return -1;
    const runEnd = i + code;
    if (runEnd > end) return -1;
    if (out + code - 1 > dst.length) return -1;
    for (let j = i + 1; j < runEnd; j++) {
      const b = src[j]!;
      if (b === 0) return -1;
      dst[out++] = b;
    }
    i = runEnd;
    // A run shorter than 255 stands for a zero that was removed, except at the very end.
    if (code !== 0xff && i < end) {
      if (out >= dst.length) return -1;
      dst[out++] = 0;
    }
  }
  return out;
}
