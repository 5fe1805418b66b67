/**
 * The official TensorFlow Lite C runtime through tfjs-tflite-node, driven at
 * the level of its interpreter object (TFLiteNodeModelRunner) so that int8
 * inputs and outputs stay typed arrays and no tfjs tensor is created per run.
 */
import { createRequire } from 'node:module';
import { HeadstartError } from '../../core/errors.ts';
import type { Model, TensorType } from '../../core/tflite/model.ts';
import { readTflite } from '../../core/tflite/reader.ts';
import type { TensorData } from '../../core/tflite/interpreter/context.ts';
import { copyInputs } from './copy_inputs.ts';
import type { RuntimeTensor, TfliteRuntime } from './types.ts';

interface NativeTensorInfo {
  name: string;
  dataType: string;
  shape: string;
  data(): TensorData;
}

interface NativeRunner {
  getInputs(): NativeTensorInfo[];
  getOutputs(): NativeTensorInfo[];
  infer(): boolean;
}

type NativeRunnerConstructor = new (model: ArrayBuffer, options: { threads: number }) => NativeRunner;

/**
 * The addon inside tfjs-tflite-node, loaded by its path: the package's own
 * entry point also pulls in @tensorflow/tfjs-core and @tensorflow/tfjs-tflite
 * (for its tfjs model wrapper, which headstart does not use), and a device
 * install ships only the addon and the TensorFlow Lite C library beside it.
 */
export const NATIVE_ADDON = 'tfjs-tflite-node/build/Release/node_tflite_binding.node';

/** Loads the native binding; throws (with the loader's reason) where it cannot load. */
export function loadNativeBinding(): NativeRunnerConstructor {
  const require = createRequire(import.meta.url);
  const addon = require(NATIVE_ADDON) as { Interpreter?: NativeRunnerConstructor };
  if (typeof addon.Interpreter !== 'function') throw new Error(`${NATIVE_ADDON} has no Interpreter export`);
  return addon.Interpreter;
}

function describe(info: NativeTensorInfo, index: number, model: Model | undefined, tensorIndex: number | undefined): RuntimeTensor {
  const tensor = model && tensorIndex !== undefined ? model.subgraphs[0]?.tensors[tensorIndex] : undefined;
  return {
    name: info.name,
    type: info.dataType as TensorType,
    shape: info.shape.split(',').map(Number),
    scale: tensor?.quantization?.scale[0] ?? 0,
    zeroPoint: tensor?.quantization?.zeroPoint[0] ?? 0,
    data: info.data(),
  };
}

export interface NativeOptions {
  /** Threads of the native interpreter (default 1: the device runs one window at a time). */
  threads?: number;
}

export function openNativeRuntime(bytes: Uint8Array, options: NativeOptions = {}): TfliteRuntime {
  // Bytes that are not a sound TFLite file are refused here, with the check that failed: the C runtime would print its own raw line first.
  try {
    readTflite(bytes);
  } catch (err) {
    if (err instanceof HeadstartError && (err.code === 'NOT_TFLITE' || err.code === 'TFLITE_CORRUPT')) throw err;
  }
  const Runner = loadNativeBinding();
  // The binding needs an ArrayBuffer that is exactly the file.
  const exact = Uint8Array.from(bytes).buffer;
  let runner: NativeRunner;
  try {
    runner = new Runner(exact, { threads: options.threads ?? 1 });
  } catch (err) {
    throw new HeadstartError('NATIVE_RUNTIME_FAILED', `the native TensorFlow Lite runtime rejected the model: ${(err as Error).message}`);
  }
  let model: Model | undefined;
  try {
    model = readTflite(bytes);
  } catch {
    model = undefined; // quantization parameters are then unknown (0); the native runtime still runs
  }
  const subgraph = model?.subgraphs[0];
  const inputs = runner.getInputs().map((info, i) => describe(info, i, model, subgraph?.inputs[i]));
  const outputs = runner.getOutputs().map((info, i) => describe(info, i, model, subgraph?.outputs[i]));
  return {
    kind: 'native',
    inputs,
    outputs,
    run(...given: ArrayLike<number>[]): readonly RuntimeTensor[] {
      copyInputs(inputs, given);
      if (!runner.infer()) throw new HeadstartError('NATIVE_RUNTIME_FAILED', 'the native TensorFlow Lite runtime failed to run the model; the TypeScript interpreter would name the operator at fault');
      return outputs;
    },
  };
}
