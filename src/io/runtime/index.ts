export type { ExtractorRuntime, RuntimeChoice, RuntimeKind, RuntimeTensor, TfliteRuntime } from './types.ts';
export { openRuntime, RUNTIME_CHOICES, type OpenedRuntime, type OpenRuntimeOptions } from './open_runtime.ts';
export { openNativeRuntime } from './native_runtime.ts';
export { openTsRuntime } from './ts_runtime.ts';
