/**
 * ADD: int8 with the two-input rescaling of the reference kernel (both inputs
 * shifted left by 20 bits, scaled to twice the larger input scale, summed,
 * then scaled to the output), tabulated for all input pairs; and float32.
 */
import { floatActivationRange, quantizedActivationRange } from '../activation.ts';
import { expectType, type OpContext, type PreparedOp } from '../context.ts';
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../quant_math.ts';
import { broadcastIndex, broadcastShape } from './broadcast.ts';

const LEFT_SHIFT = 20;

export interface AddInt8Params {
  input1Offset: number;
  input2Offset: number;
  outputOffset: number;
  input1Multiplier: number;
  input1Shift: number;
  input2Multiplier: number;
  input2Shift: number;
  outputMultiplier: number;
  outputShift: number;
  actMin: number;
  actMax: number;
}

export function addInt8Params(s1: number, z1: number, s2: number, z2: number, so: number, zo: number, actMin: number, actMax: number): AddInt8Params {
  const twiceMax = 2 * Math.max(s1, s2);
  const m1 = quantizeMultiplier(s1 / twiceMax);
  const m2 = quantizeMultiplier(s2 / twiceMax);
  const mo = quantizeMultiplier(twiceMax / ((1 << LEFT_SHIFT) * so));
  return {
    input1Offset: -z1,
    input2Offset: -z2,
    outputOffset: zo,
    input1Multiplier: m1.multiplier,
    input1Shift: m1.shift,
    input2Multiplier: m2.multiplier,
    input2Shift: m2.shift,
    outputMultiplier: mo.multiplier,
    outputShift: mo.shift,
    actMin,
    actMax,
  };
}

/** One output of the reference arithmetic for inputs x1, x2. */
export function addInt8Element(p: AddInt8Params, x1: number, x2: number): number {
  const scale = 1 << LEFT_SHIFT;
  const s1 = multiplyByQuantizedMultiplier((x1 + p.input1Offset) * scale, p.input1Multiplier, p.input1Shift);
  const s2 = multiplyByQuantizedMultiplier((x2 + p.input2Offset) * scale, p.input2Multiplier, p.input2Shift);
  const v = multiplyByQuantizedMultiplier(s1 + s2, p.outputMultiplier, p.outputShift) + p.outputOffset;
  return v < p.actMin ? p.actMin : v > p.actMax ? p.actMax : v;
}

/**
 * Every output of an int8 ADD, at ((x1 + 128) << 8) | (x2 + 128): two int8
 * inputs have only 65,536 combinations, so 64 KB computed once with the
 * reference arithmetic replace three fixed-point multiplies per element.
 */
export function addInt8Table(p: AddInt8Params): Int8Array {
  const table = new Int8Array(65536);
  for (let x1 = -128; x1 < 128; x1++) {
    for (let x2 = -128; x2 < 128; x2++) table[((x1 + 128) << 8) | (x2 + 128)] = addInt8Element(p, x1, x2);
  }
  return table;
}

export interface AddInt8Args {
  /** addInt8Table of the operator's parameters. */
  table: Int8Array;
  input1: Int8Array;
  input2: Int8Array;
  /** Broadcast maps from output element to input element; null for same shape. */
  index1: Int32Array | null;
  index2: Int32Array | null;
  output: Int8Array;
}

export function addInt8(a: AddInt8Args): void {
  const { table, input1, input2, index1, index2, output } = a;
  if (!index1 && !index2) {
    for (let i = 0; i < output.length; i++) output[i] = table[((input1[i]! + 128) << 8) | (input2[i]! + 128)]!;
    return;
  }
  for (let i = 0; i < output.length; i++) {
    output[i] = table[((input1[index1 ? index1[i]! : i]! + 128) << 8) | (input2[index2 ? index2[i]! : i]! + 128)]!;
  }
}

export function prepareAdd(ctx: OpContext): PreparedOp {
  const in1 = ctx.input(0);
  const in2 = ctx.input(1);
  const output = ctx.output(0);
  const shape = broadcastShape(in1.shape, in2.shape);
  if (!shape || shape.reduce((a, b) => a * b, 1) !== output.data.length) {
    ctx.fail(`inputs [${in1.shape.join(', ')}] and [${in2.shape.join(', ')}] do not broadcast to output [${output.shape.join(', ')}]`);
  }
  const index1 = broadcastIndex(in1.shape, shape);
  const index2 = broadcastIndex(in2.shape, shape);
  const activation = ctx.option<string>('fusedActivationFunction', 'NONE');
  if (in1.type === 'float32') {
    const x1 = expectType(ctx, in1, 'float32', 'first input');
    const x2 = expectType(ctx, in2, 'float32', 'second input');
    const out = expectType(ctx, output, 'float32', 'output');
    const { min, max } = floatActivationRange(activation);
    return () => {
      for (let i = 0; i < out.length; i++) {
        const v = Math.fround(x1[index1 ? index1[i]! : i]! + x2[index2 ? index2[i]! : i]!);
        out[i] = v < min ? min : v > max ? max : v;
      }
    };
  }
  if (in1.type !== 'int8') ctx.fail(`only int8 and float32 ADD are supported (input is ${in1.type})`);
  const range = quantizedActivationRange(activation, 'int8', output.scale, output.zeroPoint);
  const args: AddInt8Args = {
    table: addInt8Table(addInt8Params(in1.scale, in1.zeroPoint, in2.scale, in2.zeroPoint, output.scale, output.zeroPoint, range.min, range.max)),
    input1: expectType(ctx, in1, 'int8', 'first input'),
    input2: expectType(ctx, in2, 'int8', 'second input'),
    index1,
    index2,
    output: expectType(ctx, output, 'int8', 'output'),
  };
  return () => addInt8(args);
}
