/**
 * Re-referencing. Common average reference: every channel minus the mean of
 * all channels at that sample, which removes what the reference electrode
 * adds to all of them alike. Per sample, so it has no state.
 */
import { HeadstartError } from '../errors.ts';

/** Writes `input` (interleaved, `channels` per sample) minus each sample's channel mean into `output` (may be the same array). */
export function commonAverageReference(input: Float32Array, channels: number, output: Float32Array = input): Float32Array {
  if (!Number.isInteger(channels) || channels < 1 || input.length % channels !== 0 || output.length < input.length) {
    throw new HeadstartError('INTERNAL', `common average reference: ${input.length} values is not a whole number of ${channels}-channel samples (or the output is shorter)`);
  }
  for (let i = 0; i < input.length; i += channels) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += input[i + c];
    const mean = sum / channels;
    for (let c = 0; c < channels; c++) output[i + c] = input[i + c] - mean;
  }
  return output;
}
