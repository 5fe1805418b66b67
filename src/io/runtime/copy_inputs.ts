import { HeadstartError } from '../../core/errors.ts';
import type { RuntimeTensor } from './types.ts';

/** Copies caller arrays into the runtime's input views, checking counts and lengths. */
export function copyInputs(inputs: readonly RuntimeTensor[], given: readonly ArrayLike<number>[]): void {
  if (given.length > inputs.length) {
    throw new HeadstartError('BAD_INPUT_VALUES', `the model takes ${inputs.length} input(s) but ${given.length} were given`);
  }
  for (let i = 0; i < given.length; i++) {
    const source = given[i]!;
    const target = inputs[i]!;
    if (source.length !== target.data.length) {
      throw new HeadstartError(
        'BAD_INPUT_VALUES',
        `input ${i} ('${target.name}') holds ${target.data.length} values of shape [${target.shape.join(', ')}], but ${source.length} were given`,
      );
    }
    if (target.data instanceof BigInt64Array) {
      throw new HeadstartError('TFLITE_UNSUPPORTED', `input ${i} ('${target.name}') is int64, which cannot be filled from numbers`);
    }
    if (source !== target.data) (target.data as Int8Array).set(source);
  }
}
