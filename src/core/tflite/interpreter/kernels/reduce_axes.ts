/** Axis resolution of the reduction operators: which output element each input element folds into. */
import type { OpContext, TensorSlot } from '../context.ts';

export interface ReductionMap {
  /** For each input element (row-major), the index of its output element. */
  outputIndex: Int32Array;
  outputCount: number;
  /** Elements folded into each output element. */
  perOutput: number;
  /** Resolved axes, ascending, without duplicates. */
  axes: number[];
  /**
   * When the axes are consecutive, the input is [outer][reduced][inner] and
   * output element o * inner + i sums input[(o * reduced + r) * inner + i]
   * over r: a sequential loop instead of outputIndex.
   */
  runs: { outer: number; reduced: number; inner: number } | undefined;
}

export function resolveAxes(ctx: OpContext, input: TensorSlot, axisSlot: TensorSlot): number[] {
  if (!axisSlot.isConstant) ctx.fail('the reduction axes must be a constant tensor');
  const rank = input.shape.length;
  const axes = new Set<number>();
  for (const raw of axisSlot.data as Int32Array) {
    const axis = raw < 0 ? raw + rank : raw;
    if (axis < 0 || axis >= rank) ctx.fail(`reduction axis ${raw} is out of range for a ${rank}-D input`);
    axes.add(axis);
  }
  return [...axes].sort((a, b) => a - b);
}

export function reductionMap(shape: readonly number[], axes: readonly number[]): ReductionMap {
  const rank = shape.length;
  const kept = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const outStrides = new Array<number>(rank).fill(0);
  let stride = 1;
  for (let i = rank - 1; i >= 0; i--) {
    outStrides[i] = axes.includes(i) ? 0 : stride;
    stride *= kept[i]!;
  }
  const total = shape.reduce((a, b) => a * b, 1);
  const outputIndex = new Int32Array(total);
  const index = new Array<number>(rank).fill(0);
  for (let flat = 0; flat < total; flat++) {
    let o = 0;
    for (let i = 0; i < rank; i++) o += index[i]! * outStrides[i]!;
    outputIndex[flat] = o;
    for (let i = rank - 1; i >= 0; i--) {
      if (++index[i]! < shape[i]!) break;
      index[i] = 0;
    }
  }
  const perOutput = axes.reduce((n, a) => n * shape[a]!, 1);
  const consecutive = axes.length > 0 && axes.every((a, i) => a === axes[0]! + i);
  const product = (from: number, to: number): number => shape.slice(from, to).reduce((a, b) => a * b, 1);
  const runs = consecutive ? { outer: product(0, axes[0]!), reduced: perOutput, inner: product(axes[axes.length - 1]! + 1, rank) } : undefined;
  return { outputIndex, outputCount: stride, perOutput, axes: [...axes], runs };
}
