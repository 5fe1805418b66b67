import { createRequire } from 'node:module';

/** The official TensorFlow Lite C++ runtime (tfjs-tflite-node), driven through its raw tensor buffers. */
interface RuntimeTensor {
  dataType: string;
  name: string;
  shape: string;
  data(): Int8Array | Uint8Array | Int16Array | Int32Array | Uint32Array | Float32Array | Float64Array;
}
interface Runner {
  getInputs(): RuntimeTensor[];
  getOutputs(): RuntimeTensor[];
  infer(): boolean;
}

const require = createRequire(import.meta.url);

export type Typed = Int8Array | Uint8Array | Int16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

export interface OfficialRun {
  inputs: { name: string; dataType: string; shape: string }[];
  outputs: Typed[];
}

/** Loads `bytes` in the official runtime (one thread, so results are reproducible), fills the inputs, runs once. */
export function runOfficial(bytes: Uint8Array, fill: (index: number, data: Typed, dataType: string) => void): OfficialRun {
  const { TFLiteNodeModelRunner } = require('tfjs-tflite-node') as { TFLiteNodeModelRunner: new (m: ArrayBuffer, o: object) => Runner };
  // The runtime needs an ArrayBuffer that is exactly the file.
  const runner = new TFLiteNodeModelRunner(Uint8Array.from(bytes).buffer, { threads: 1 });
  const inputs = runner.getInputs();
  inputs.forEach((t, i) => fill(i, t.data(), t.dataType));
  if (!runner.infer()) throw new Error('the official runtime failed to run the model');
  return {
    inputs: inputs.map((t) => ({ name: t.name, dataType: t.dataType, shape: t.shape })),
    outputs: runner.getOutputs().map((t) => t.data().slice()),
  };
}

/** Deterministic pseudo-random values covering each type's range (floats in [-2, 2)). */
export function randomFill(seed: number): (index: number, data: Typed, dataType: string) => void {
  return (index, data, dataType) => {
    let s = (seed * 7919 + index * 104729 + 1) >>> 0;
    const next = (): number => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
    for (let i = 0; i < data.length; i++) {
      if (dataType.startsWith('float')) data[i] = next() * 4 - 2;
      else if (dataType === 'int8') data[i] = Math.floor(next() * 256) - 128;
      else if (dataType === 'uint8') data[i] = Math.floor(next() * 256);
      else if (dataType === 'int16') data[i] = Math.floor(next() * 65536) - 32768;
      else data[i] = Math.floor(next() * 2000) - 1000;
    }
  };
}
