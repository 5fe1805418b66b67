/**
 * Input values for a runtime from what a user has at hand: a JSON array
 * (nested or flat; one array per input when the model has several), a raw
 * little-endian binary of the input tensors' own types (inputs back to
 * back), or seeded random values over each type's range.
 */
import { HeadstartError } from '../../core/errors.ts';
import { seededUniform } from '../../core/tflite/interpreter/graph_builder.ts';
import type { RuntimeTensor } from './types.ts';

const INTEGER_RANGES: Record<string, [number, number]> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  bool: [0, 1],
};

function flatten(value: unknown, out: number[], path: string): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => flatten(v, out, `${path}[${i}]`));
    return;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new HeadstartError('BAD_INPUT_VALUES', `input value at ${path} is ${JSON.stringify(value)}, not a finite number`);
  }
  out.push(value);
}

function checkRange(values: number[], tensor: RuntimeTensor, which: number): void {
  const range = INTEGER_RANGES[tensor.type];
  if (!range) return;
  const bad = values.findIndex((v) => !Number.isInteger(v) || v < range[0] || v > range[1]);
  if (bad >= 0) {
    throw new HeadstartError(
      'BAD_INPUT_VALUES',
      `input ${which} ('${tensor.name}') is ${tensor.type}: value ${values[bad]} at position ${bad} is not a whole number in [${range[0]}, ${range[1]}]`,
    );
  }
}

function checkCount(values: ArrayLike<number>, tensor: RuntimeTensor, which: number): void {
  if (values.length !== tensor.data.length) {
    throw new HeadstartError(
      'BAD_INPUT_VALUES',
      `input ${which} ('${tensor.name}', shape [${tensor.shape.join(', ')}]) takes ${tensor.data.length} values, but ${values.length} were given`,
    );
  }
}

/** Values from JSON text: one array for a single input, or an array of arrays, one per input. */
export function inputsFromJson(text: string, inputs: readonly RuntimeTensor[]): number[][] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new HeadstartError('BAD_INPUT_VALUES', `the input file is not valid JSON (${(err as Error).message}); give a JSON array of numbers`);
  }
  if (!Array.isArray(parsed)) throw new HeadstartError('BAD_INPUT_VALUES', 'the input JSON must be an array of numbers (or one array per model input)');
  const perInput = inputs.length > 1 ? parsed : [parsed];
  if (perInput.length !== inputs.length) {
    throw new HeadstartError('BAD_INPUT_VALUES', `the model has ${inputs.length} inputs; give a JSON array of ${inputs.length} arrays, one per input`);
  }
  return inputs.map((tensor, i) => {
    const values: number[] = [];
    flatten(perInput[i], values, inputs.length > 1 ? `[${i}]` : '');
    checkCount(values, tensor, i);
    checkRange(values, tensor, i);
    return values;
  });
}

/** Values from a raw little-endian binary holding every input's bytes, in order. */
export function inputsFromBinary(bytes: Uint8Array, inputs: readonly RuntimeTensor[]): ArrayLike<number>[] {
  const expected = inputs.reduce((n, t) => n + t.data.byteLength, 0);
  if (bytes.length !== expected) {
    throw new HeadstartError(
      'BAD_INPUT_VALUES',
      `the binary input holds ${bytes.length} bytes, but the model's inputs take ${expected} (${inputs.map((t) => `${t.type}[${t.shape.join('x')}]`).join(' + ')})`,
    );
  }
  let offset = 0;
  return inputs.map((t) => {
    const copy = new Uint8Array(t.data.byteLength);
    copy.set(bytes.subarray(offset, offset + t.data.byteLength));
    offset += t.data.byteLength;
    const view = new DataView(copy.buffer);
    const n = t.data.length;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      switch (t.type) {
        case 'int8': out[i] = view.getInt8(i); break;
        case 'uint8': case 'bool': out[i] = view.getUint8(i); break;
        case 'int16': out[i] = view.getInt16(i * 2, true); break;
        case 'int32': out[i] = view.getInt32(i * 4, true); break;
        case 'float32': out[i] = view.getFloat32(i * 4, true); break;
        default: throw new HeadstartError('TFLITE_UNSUPPORTED', `input '${t.name}' is ${t.type}, which cannot be given as binary here`);
      }
    }
    return out;
  });
}

/** Seeded random values: uniform over the integer range, or uniform in [-1, 1) for floats. */
export function randomInputs(seed: number, inputs: readonly RuntimeTensor[]): number[][] {
  const next = seededUniform(seed);
  return inputs.map((t) => {
    const range = INTEGER_RANGES[t.type];
    return Array.from({ length: t.data.length }, () => (range ? range[0] + Math.floor(next() * (range[1] - range[0] + 1)) : next() * 2 - 1));
  });
}
