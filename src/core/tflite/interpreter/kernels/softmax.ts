/**
 * SOFTMAX int8 -> int8 as TensorFlow Lite's optimized kernel computes it on
 * x86 and 32-bit ARM (optimized_ops::Softmax with PopulateSoftmaxLookupTable):
 * a 256-entry float32 table of exp(-input_scale * beta * d) for each distance
 * d from the row maximum, a float32 sum, and float32 rescaling rounded half
 * away from zero. Every float step is rounded to float32 (Math.fround) so that
 * the result matches the native runtime bit for bit.
 */
import { expectType, type OpContext, type PreparedOp } from '../context.ts';
import { roundHalfAwayFromZero } from '../quant_math.ts';

/** table[255 - d] = expf(-scale * beta * d). */
export function softmaxTable(inputScale: number, beta: number): Float32Array {
  const f = Math.fround;
  const scale = f(-f(inputScale) * f(beta));
  const table = new Float32Array(256);
  for (let d = 0; d <= 255; d++) table[255 - d] = f(Math.exp(f(scale * d)));
  return table;
}

export interface SoftmaxInt8Args {
  rows: number;
  depth: number;
  table: Float32Array;
  outScale: number;
  outZeroPoint: number;
  input: Int8Array;
  output: Int8Array;
}

export function softmaxInt8(a: SoftmaxInt8Args): void {
  const { rows, depth, table, outScale, outZeroPoint, input, output } = a;
  const f = Math.fround;
  for (let r = 0; r < rows; r++) {
    const base = r * depth;
    let max = -128;
    for (let j = 0; j < depth; j++) if (input[base + j]! > max) max = input[base + j]!;
    const offset = 255 - max;
    let sum = 0;
    for (let j = 0; j < depth; j++) sum = f(sum + table[offset + input[base + j]!]!);
    const inv = f(1 / f(sum * outScale));
    for (let j = 0; j < depth; j++) {
      let v = roundHalfAwayFromZero(f(table[offset + input[base + j]!]! * inv)) + outZeroPoint;
      v = v < -128 ? -128 : v > 127 ? 127 : v;
      output[base + j] = v;
    }
  }
}

export function prepareSoftmax(ctx: OpContext): PreparedOp {
  const input = ctx.input(0);
  const output = ctx.output(0);
  if (input.type !== 'int8' || output.type !== 'int8') ctx.fail(`only int8 -> int8 SOFTMAX is supported (got ${input.type} -> ${output.type})`);
  const depth = input.shape[input.shape.length - 1] ?? 1;
  const args: SoftmaxInt8Args = {
    rows: input.data.length / depth,
    depth,
    table: softmaxTable(input.scale, ctx.option('beta', 1)),
    outScale: Math.fround(output.scale),
    outZeroPoint: output.zeroPoint,
    input: expectType(ctx, input, 'int8', 'input'),
    output: expectType(ctx, output, 'int8', 'output'),
  };
  return () => softmaxInt8(args);
}
