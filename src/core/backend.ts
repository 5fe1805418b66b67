/**
 * Picks the TensorFlow.js backend, in one place: tfjs-node when it loads (a
 * workstation), else WebAssembly (with the training kernels it lacks
 * registered by headstart), else the pure-JS cpu backend.
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendChoice {
  name: BackendName;
  /** Why the earlier candidates were passed over. */
  skipped: { name: BackendName; reason: string }[];
}

let chosen: BackendChoice | undefined;

async function tryTfjsNode(): Promise<string | undefined> {
  try {
    const require = createRequire(import.meta.url);
    require('@tensorflow/tfjs-node');
    return (await tf.setBackend('tensorflow')) ? undefined : 'tfjs-node loaded but did not initialise';
  } catch (err) {
    return `@tensorflow/tfjs-node is not installed (${(err as Error).message.split('\n')[0]})`;
  }
}

async function tryWasm(): Promise<string | undefined> {
  try {
    const { registerWasmTrainingKernels } = await import('./wasm_kernels/index.ts');
    await import('@tensorflow/tfjs-backend-wasm');
    registerWasmTrainingKernels();
    return (await tf.setBackend('wasm')) ? undefined : 'the wasm backend did not initialise';
  } catch (err) {
    return `the wasm backend failed to load (${(err as Error).message.split('\n')[0]})`;
  }
}

/**
 * Initialise the best available backend, or the one asked for (the
 * HEADSTART_BACKEND environment variable or the `prefer` argument).
 */
export async function selectBackend(prefer?: BackendName): Promise<BackendChoice> {
  const wanted = prefer ?? (process.env.HEADSTART_BACKEND as BackendName | undefined);
  if (chosen && (wanted === undefined || wanted === chosen.name)) return chosen;
  const skipped: BackendChoice['skipped'] = [];
  const order: BackendName[] = wanted ? [wanted] : ['tensorflow', 'wasm', 'cpu'];
  for (const name of order) {
    const reason =
      name === 'tensorflow' ? await tryTfjsNode() : name === 'wasm' ? await tryWasm() : (await tf.setBackend('cpu')) ? undefined : 'cpu backend failed';
    if (reason === undefined) {
      await tf.ready();
      chosen = { name, skipped };
      return chosen;
    }
    skipped.push({ name, reason });
  }
  throw new Error(`no TensorFlow.js backend could start: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}
