/**
 * Picks the TensorFlow.js backend, in one place: tfjs-node when it loads (a
 * workstation with the optional dependency), else WebAssembly (with the
 * training kernels it lacks registered by headstart), else the pure-JS cpu
 * backend. HEADSTART_BACKEND=tensorflow|wasm|cpu asks for one backend and
 * nothing else.
 *
 * Nothing is cached here: the active backend is TensorFlow.js's own global
 * state, and asking again re-checks the candidates (cheap) so that the report
 * always says why each earlier one was passed over.
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { HeadstartError } from '../core/errors.ts';

export const BACKEND_NAMES = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface WasmFeatures {
  /** Whether the SIMD build of the wasm backend is in use. */
  simd: boolean;
  /**
   * Threads the wasm backend computes with. tfjs-backend-wasm 4.22 turns its
   * multithreaded build off under Node (it starts workers from blob: URLs,
   * which Node refuses), so this is 1 in Node.
   */
  threads: number;
  /** Training kernels of headstart's the wasm backend runs (added where missing, or replacing slow ones). */
  trainingKernels: string[];
}

export interface BackendChoice {
  name: BackendName;
  /** Why the earlier candidates were passed over. */
  skipped: { name: BackendName; reason: string }[];
  /** Present when the wasm backend was chosen. */
  wasm?: WasmFeatures;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

/** Returns why the backend could not start, or undefined once it is active. */
async function startTfjsNode(): Promise<string | undefined> {
  try {
    // A CommonJS package with a native addon, and an optional dependency:
    // load it by name at run time so that its absence is an ordinary outcome.
    createRequire(import.meta.url)('@tensorflow/tfjs-node');
  } catch (err) {
    return `@tensorflow/tfjs-node is not installed or its native library did not load (${firstLine(err)})`;
  }
  return (await tf.setBackend('tensorflow')) ? undefined : '@tensorflow/tfjs-node loaded but its backend did not initialise';
}

async function startWasm(): Promise<string | undefined> {
  try {
    const { registerWasmTrainingKernels } = await import('./wasm_kernels/index.ts');
    registerWasmTrainingKernels();
  } catch (err) {
    return `@tensorflow/tfjs-backend-wasm failed to load (${firstLine(err)})`;
  }
  return (await tf.setBackend('wasm')) ? undefined : 'the wasm backend did not initialise (its .wasm files are missing or WebAssembly is unavailable)';
}

async function startCpu(): Promise<string | undefined> {
  return (await tf.setBackend('cpu')) ? undefined : 'the cpu backend did not initialise';
}

const START: Record<BackendName, () => Promise<string | undefined>> = {
  tensorflow: startTfjsNode,
  wasm: startWasm,
  cpu: startCpu,
};

async function describeWasm(): Promise<WasmFeatures> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const { WASM_TRAINING_KERNELS, isHeadstartKernel } = await import('./wasm_kernels/index.ts');
  return {
    simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
    threads: (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) ? wasm.getThreadsCount() : 1,
    trainingKernels: WASM_TRAINING_KERNELS.map((k) => k.kernelName).filter(isHeadstartKernel),
  };
}

/** The backend named by HEADSTART_BACKEND, if set; an unknown name is an error. */
export function requestedBackend(env: NodeJS.ProcessEnv = process.env): BackendName | undefined {
  const value = env.HEADSTART_BACKEND?.trim();
  if (value === undefined || value === '') return undefined;
  if ((BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendName;
  throw new HeadstartError(
    'BAD_OPTION',
    `HEADSTART_BACKEND is '${value}', which is not a backend; set it to one of ${BACKEND_NAMES.join(', ')}, or unset it to choose automatically`,
  );
}

/**
 * Makes the best available backend active (or only the one asked for, by
 * `prefer` or else HEADSTART_BACKEND) and reports which, and why the earlier
 * candidates were passed over. Throws BACKEND_UNAVAILABLE when none starts.
 */
export async function selectBackend(prefer?: BackendName): Promise<BackendChoice> {
  const wanted = prefer ?? requestedBackend();
  const order: readonly BackendName[] = wanted ? [wanted] : BACKEND_NAMES;
  const skipped: BackendChoice['skipped'] = [];
  for (const name of order) {
    const reason = await START[name]();
    if (reason !== undefined) {
      skipped.push({ name, reason });
      continue;
    }
    await tf.ready();
    return name === 'wasm' ? { name, skipped, wasm: await describeWasm() } : { name, skipped };
  }
  const reasons = skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  throw new HeadstartError(
    'BACKEND_UNAVAILABLE',
    wanted
      ? `the ${wanted} backend asked for (by HEADSTART_BACKEND or the caller) could not start: ${skipped[0]!.reason}. ` +
          'Unset HEADSTART_BACKEND to fall back automatically'
      : `no TensorFlow.js backend could start: ${reasons}. Reinstall the dependencies (npm install)`,
    { skipped },
  );
}
