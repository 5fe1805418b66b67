import type { DecoderStats } from './frames.ts';

export function newDecoderStats(): DecoderStats {
  return { frames: 0, crcFailures: 0, sequenceGaps: 0, droppedBytes: 0, malformed: 0 };
}

/**
 * Frames missing between the previous sequence number and this one, counting
 * modulo `modulus`. A step backwards (a duplicate or a board that restarted)
 * is not a gap: half the counter range or more is read as "behind".
 */
export function missingBetween(previous: number, current: number, modulus: number): number {
  const ahead = (current - previous - 1 + modulus) % modulus;
  return ahead < modulus / 2 ? ahead : 0;
}
