/**
 * Runtime selection in one place: `native` when the official runtime loads
 * (and accepts the model), else the TypeScript interpreter, reporting why.
 */
import { HeadstartError, isHeadstartError } from '../../core/errors.ts';
import { openNativeRuntime } from './native_runtime.ts';
import { openTsRuntime } from './ts_runtime.ts';
import type { RuntimeChoice, TfliteRuntime } from './types.ts';

export interface OpenedRuntime {
  runtime: TfliteRuntime;
  /** Set when `auto` passed over the native runtime: why it could not be used. */
  fallbackReason?: string;
}

export interface OpenRuntimeOptions {
  runtime?: RuntimeChoice;
  threads?: number;
}

export const RUNTIME_CHOICES: readonly RuntimeChoice[] = ['auto', 'native', 'ts'];

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

export function openRuntime(bytes: Uint8Array, options: OpenRuntimeOptions = {}): OpenedRuntime {
  const choice = options.runtime ?? 'auto';
  if (choice === 'ts') return { runtime: openTsRuntime(bytes) };
  if (choice === 'native') {
    try {
      return { runtime: openNativeRuntime(bytes, { threads: options.threads }) };
    } catch (err) {
      if (isHeadstartError(err)) throw err;
      throw new HeadstartError(
        'NATIVE_RUNTIME_UNAVAILABLE',
        `the native TensorFlow Lite runtime (tfjs-tflite-node) cannot load on ${process.platform}-${process.arch}: ${firstLine(err)}; the TypeScript interpreter does not need it`,
      );
    }
  }
  try {
    return { runtime: openNativeRuntime(bytes, { threads: options.threads }) };
  } catch (err) {
    // A file that is not a sound model is no reason to try another runtime.
    if (isHeadstartError(err) && (err.code === 'NOT_TFLITE' || err.code === 'TFLITE_CORRUPT')) throw err;
    const fallbackReason = isHeadstartError(err) ? err.message : `tfjs-tflite-node cannot load on ${process.platform}-${process.arch}: ${firstLine(err)}`;
    return { runtime: openTsRuntime(bytes), fallbackReason };
  }
}
