/**
 * Deterministic synthetic recordings: every value is a known function of
 * (sample index, channel), so a receiver can check each sample it got, and
 * where it belongs, without holding the original. Used by the end-to-end
 * tests and the serial benchmark.
 */
import type { Recording } from '../core/signal.ts';

/** The value of sample `index` (counted from the start of the stream) on `channel`: an int16 that exercises every byte value. */
export function syntheticValue(index: number, channel: number): number {
  return (((index * 7919 + channel * 104729) % 65536) + 65536) % 65536 - 32768;
}

/** `seconds` of `channels` at `rate` Hz, starting at stream sample `firstIndex`, optionally labelled. */
export function syntheticRecording(options: { channels: number; rate: number; seconds: number; firstIndex?: number; label?: number }): Recording {
  const { channels, rate } = options;
  const count = Math.round(options.seconds * rate);
  const first = options.firstIndex ?? 0;
  const samples = new Float32Array(count * channels);
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < channels; c++) samples[i * channels + c] = syntheticValue(first + i, c);
  }
  return { source: `synthetic ${channels}ch ${rate}Hz`, channels, rate, samples, ...(options.label === undefined ? {} : { label: options.label }) };
}
