/**
 * Runs kernels of the wasm backend on TensorInfos from inside another kernel,
 * and releases the intermediates. Composite kernels are built from kernels the
 * wasm backend already has (XNNPACK convolutions, matrix products, slices), so
 * every inner loop runs in WebAssembly, not in JavaScript.
 */
import { getKernel } from '@tensorflow/tfjs';
import type { KernelBackend, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { HeadstartError } from '../../core/errors.ts';

export class WasmKernelRunner {
  private readonly made: TensorInfo[] = [];

  constructor(private readonly backend: KernelBackend) {}

  /** Runs the wasm kernel `name`; the result is released by `finish` unless it is the one kept. */
  run(name: string, inputs: Record<string, TensorInfo> | TensorInfo[], attrs: object = {}): TensorInfo {
    const kernel = getKernel(name, 'wasm');
    if (kernel === undefined) {
      throw new HeadstartError(
        'MISSING_DEPENDENCY',
        `the wasm backend has no '${name}' kernel, which headstart's training kernels are built from; ` +
          'use the version of @tensorflow/tfjs-backend-wasm in package.json, or HEADSTART_BACKEND=cpu',
      );
    }
    const out = kernel.kernelFunc({
      inputs: inputs as Record<string, TensorInfo>,
      backend: this.backend,
      attrs: attrs as NamedAttrMap,
    });
    const info = Array.isArray(out) ? out[0] : out;
    if (info === undefined) throw new HeadstartError('INTERNAL', `the wasm '${name}' kernel returned nothing`);
    this.made.push(info);
    return info;
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  /** Releases every intermediate except `kept` (which may share data with one of them). */
  finish(kept?: TensorInfo): void {
    for (const info of this.made) if (info !== kept) this.backend.disposeData(info.dataId);
    this.made.length = 0;
  }
}

/**
 * Runs `body` with a fresh runner and returns its result; intermediates are
 * released whether `body` returns or throws.
 */
export function withWasmKernels(backend: unknown, body: (k: WasmKernelRunner) => TensorInfo): TensorInfo {
  // KernelFunc types its backend as `{}`; it is the wasm backend that called us.
  const runner = new WasmKernelRunner(backend as KernelBackend);
  let result: TensorInfo | undefined;
  try {
    result = body(runner);
    return result;
  } finally {
    runner.finish(result);
  }
}
