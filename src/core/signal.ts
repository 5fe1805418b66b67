/**
 * Signal types shared by host and device. Samples are interleaved
 * (sample 0 ch0..chN-1, sample 1 ch0..chN-1, ...) in a Float32Array, in the
 * units of the source (Myo: raw int8-range counts; Cyton: microvolts).
 */
export interface Recording {
  /** Where it came from (a file path, a port), for error messages and reports. */
  source: string;
  channels: number;
  /** Samples per second per channel. */
  rate: number;
  samples: Float32Array;
  /** Gesture label when known (index into the class list of the data set). */
  label?: number;
  /** Repetition (cycle) index when known. */
  rep?: number;
  /** The person, when the data set knows it. */
  subject?: string;
}

export function sampleCount(rec: Pick<Recording, 'channels' | 'samples'>): number {
  return rec.samples.length / rec.channels;
}

/** Stretches of interleaved samples (of one channel count) end to end, as one. */
export function concatSamples(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
