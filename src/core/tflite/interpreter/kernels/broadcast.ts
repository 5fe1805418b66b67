/** Broadcasting of binary elementwise operators (NumPy rules, as TensorFlow Lite's BroadcastBinary). */

/**
 * For each output element (row-major), the flat index of the input element
 * it reads; null when the input already has the output's shape.
 */
export function broadcastIndex(inputShape: readonly number[], outputShape: readonly number[]): Int32Array | null {
  const rank = outputShape.length;
  const padded = [...new Array<number>(rank - inputShape.length).fill(1), ...inputShape];
  if (padded.every((d, i) => d === outputShape[i])) return null;
  const strides = new Array<number>(rank).fill(0);
  let stride = 1;
  for (let i = rank - 1; i >= 0; i--) {
    strides[i] = padded[i] === 1 ? 0 : stride;
    stride *= padded[i]!;
  }
  const total = outputShape.reduce((a, b) => a * b, 1);
  const map = new Int32Array(total);
  const index = new Array<number>(rank).fill(0);
  for (let flat = 0; flat < total; flat++) {
    let at = 0;
    for (let i = 0; i < rank; i++) at += index[i]! * strides[i]!;
    map[flat] = at;
    for (let i = rank - 1; i >= 0; i--) {
      if (++index[i]! < outputShape[i]!) break;
      index[i] = 0;
    }
  }
  return map;
}

/** The broadcast shape of two shapes, or undefined when they do not broadcast. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] | undefined {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return undefined;
    out.push(da === 1 ? db : da);
  }
  return out;
}
