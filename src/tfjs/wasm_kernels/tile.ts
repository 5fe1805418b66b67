/**
 * Tile for the wasm backend, replacing the one tfjs-backend-wasm 4.22 ships
 * (an index-by-index loop; batch-norm gradients tile per-channel vectors up
 * to the activation's size every step, which made Tile the costliest kernel
 * of a training step). Each repeated axis becomes one broadcast Multiply by
 * ones in XNNPACK:
 *   [pre, 1, d, post] * ones[1, r, 1, 1] -> [pre, r, d, post] = [pre, r*d, post].
 * x * 1 is exact in float32 and int32; other types go through int32.
 */
import { Tile, util } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo, TileAttrs } from '@tensorflow/tfjs';
import { HeadstartError } from '../../core/errors.ts';
import { withWasmKernels, type WasmKernelRunner } from './kernel_runner.ts';

function repeatAxis(k: WasmKernelRunner, x: TensorInfo, axis: number, reps: number): TensorInfo {
  const shape = x.shape;
  const pre = util.sizeFromShape(shape.slice(0, axis));
  const post = util.sizeFromShape(shape.slice(axis + 1));
  const ones = k.run('Fill', {}, { shape: [1, reps, 1, 1], value: 1, dtype: x.dtype });
  const repeated = k.run('Multiply', { a: k.reshape(x, [pre, 1, shape[axis]!, post]), b: ones });
  return k.reshape(repeated, shape.map((d, i) => (i === axis ? d * reps : d)));
}

const tile: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: TensorInfo };
  const { reps } = attrs as unknown as TileAttrs;
  if (x.dtype === 'string' || x.dtype === 'complex64') {
    throw new HeadstartError('INTERNAL', `Tile on the wasm backend supports numeric and bool tensors, not ${x.dtype}`);
  }
  return withWasmKernels(backend, (k) => {
    const numeric = x.dtype === 'float32' || x.dtype === 'int32';
    let out = numeric ? x : k.run('Cast', { x }, { dtype: 'int32' });
    // Smallest repeat first keeps the intermediates small.
    const order = reps.map((r, axis) => ({ r, axis })).filter(({ r }) => r !== 1).sort((a, b) => a.r - b.r);
    for (const { r, axis } of order) out = repeatAxis(k, out, axis, r);
    if (out === x) return k.run('Identity', { x }); // nothing repeated: the engine still wants a tensor of its own
    return numeric ? out : k.run('Cast', { x: out }, { dtype: x.dtype });
  });
};

export const tileConfig: KernelConfig = {
  kernelName: Tile,
  backendName: 'wasm',
  kernelFunc: tile,
};
