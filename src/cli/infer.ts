import type { Command } from 'commander';
import { HeadstartError } from '../core/errors.ts';
import { inputsFromBinary, inputsFromJson, randomInputs } from '../io/runtime/input_values.ts';
import { openRuntime } from '../io/runtime/open_runtime.ts';
import type { RuntimeChoice, RuntimeTensor } from '../io/runtime/types.ts';
import { addHelpNotes } from './help.ts';
import { namingFile, readGivenFile } from './read_file.ts';
import { runtimeOption, seedOption, textOption } from './options.ts';

interface InferOptions {
  runtime: RuntimeChoice;
  input?: string;
  random?: boolean;
  seed: number;
  json?: boolean;
}

/** A tensor with its values; inputs pass the values given, since the arena may reuse an input's bytes during the run. */
function describeTensor(t: RuntimeTensor, given?: ArrayLike<number>): Record<string, unknown> {
  const values = Array.from(given ?? (t.data as ArrayLike<number>));
  const quantized = t.scale !== 0 && t.type !== 'float32';
  return {
    name: t.name,
    type: t.type,
    shape: t.shape,
    ...(quantized ? { scale: t.scale, zeroPoint: t.zeroPoint } : {}),
    values,
    ...(quantized ? { dequantized: values.map((v) => t.scale * (v - t.zeroPoint)) } : {}),
  };
}

export function registerInfer(program: Command): void {
  const cmd = program
    .command('infer')
    .summary('run a TensorFlow Lite model on given or random inputs, with the official runtime or the TypeScript int8 interpreter')
    .description('run a TensorFlow Lite model on given or random inputs and print its output tensors')
    .argument('<model.tflite>', 'the model to run')
    .addOption(runtimeOption('which runtime: auto (the official TensorFlow Lite runtime when it loads, else the TypeScript interpreter), native or ts'))
    .addOption(textOption('--input <file>', 'input values: a JSON array (nested or flat; an array of arrays for several inputs), or a file ending in .bin holding the raw little-endian bytes of the input tensors, back to back'))
    .option('--random', 'use seeded random inputs instead of --input (uniform over each integer type, [-1, 1) for floats)')
    .addOption(seedOption('seed of --random', 1))
    .option('--json', 'print one JSON object: runtime used, inputs and outputs with values (and dequantized values for quantized tensors)');
  addHelpNotes(cmd, {
    notes: [
      'This is how to check a model from elsewhere before trusting it: run it on both runtimes and compare. The TypeScript interpreter is bit-exact with the official runtime on the operators it implements; a model with any other operator is refused with an error naming it.',
    ],
    examples: ['$ headstart infer model.tflite --random --seed 7', '$ headstart infer model.tflite --runtime ts --input window.json --json', '$ headstart infer model.tflite --runtime native --input window.bin'],
  });
  cmd
    .action((file: string, opts: InferOptions) => {
      if (opts.input !== undefined && opts.random) throw new HeadstartError('BAD_OPTION', 'give one of --input <file> or --random, not both');
      if (opts.input === undefined && !opts.random) throw new HeadstartError('MISSING_OPTION', 'give exactly one of --input <file> or --random');
      const { seed } = opts;
      const { runtime, fallbackReason } = namingFile(file, () => openRuntime(readGivenFile(file, 'a TensorFlow Lite model'), { runtime: opts.runtime }));
      if (fallbackReason) process.stderr.write(`headstart: using the TypeScript interpreter: ${fallbackReason}\n`);
      let inputs: ArrayLike<number>[];
      if (opts.random) inputs = randomInputs(seed, runtime.inputs);
      else if (opts.input!.endsWith('.bin')) inputs = inputsFromBinary(readGivenFile(opts.input!, 'input values'), runtime.inputs);
      else inputs = inputsFromJson(new TextDecoder().decode(readGivenFile(opts.input!, 'input values')), runtime.inputs);
      const outputs = runtime.run(...inputs);
      if (opts.json) {
        const report = { model: file, runtime: runtime.kind, ...(fallbackReason ? { fallbackReason } : {}), inputs: runtime.inputs.map((t, i) => describeTensor(t, inputs[i])), outputs: outputs.map((t) => describeTensor(t)) };
        process.stdout.write(JSON.stringify(report) + '\n');
        return;
      }
      process.stdout.write(`${file} on the ${runtime.kind === 'ts' ? 'TypeScript interpreter' : 'native runtime'}\n`);
      for (const t of outputs) {
        const d = describeTensor(t);
        const quant = 'scale' in d ? ` (scale ${t.scale}, zero point ${t.zeroPoint})` : '';
        process.stdout.write(`${t.name}: ${t.type} [${t.shape.join(', ')}]${quant}\n  ${(d.values as number[]).join(' ')}\n`);
      }
    });
}
