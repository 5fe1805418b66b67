/** The TypeScript interpreter behind the runtime interface. */
import { loadInterpreter } from '../../core/tflite/interpreter/interpreter.ts';
import type { Model } from '../../core/tflite/model.ts';
import { copyInputs } from './copy_inputs.ts';
import type { RuntimeTensor, TfliteRuntime } from './types.ts';

export function openTsRuntime(model: Model | Uint8Array): TfliteRuntime {
  const interpreter = loadInterpreter(model);
  const inputs: RuntimeTensor[] = interpreter.inputs.map((t) => ({ ...t }));
  const outputs: RuntimeTensor[] = interpreter.outputs.map((t) => ({ ...t }));
  return {
    kind: 'ts',
    inputs,
    outputs,
    run(...given: ArrayLike<number>[]): readonly RuntimeTensor[] {
      copyInputs(inputs, given);
      interpreter.invoke();
      return outputs;
    },
  };
}
