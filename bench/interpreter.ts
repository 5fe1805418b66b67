// Windows per second of the TypeScript interpreter and the native runtime on
// the same extractor, measured in one run (the machine may be shared, so the
// ratio is the figure to compare). Uses models/myo8-200hz/extractor.tflite
// when it exists, else the conv1d-like extractor built in code.
// Run: node --import tsx bench/interpreter.ts
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { seededUniform } from '../src/core/tflite/interpreter/graph_builder.ts';
import { conv1dExtractorModel } from '../src/core/tflite/interpreter/sample_models.ts';
import { writeTflite } from '../src/core/tflite/writer.ts';
import { openNativeRuntime } from '../src/device/runtime/native_runtime.ts';
import { openTsRuntime } from '../src/device/runtime/ts_runtime.ts';
import type { TfliteRuntime } from '../src/device/runtime/types.ts';

const EXTRACTOR = fileURLToPath(new URL('../models/myo8-200hz/extractor.tflite', import.meta.url));
const exported = existsSync(EXTRACTOR);
const bytes = exported ? new Uint8Array(readFileSync(EXTRACTOR)) : writeTflite(conv1dExtractorModel(7, { timeSteps: 52, channels: 8, floatInput: true }));
const which = exported ? 'models/myo8-200hz/extractor.tflite' : 'conv1d-like extractor built in code (float32 in: QUANTIZE, 3 CONV_2D 1xK, DEPTHWISE, ADD, MAX_POOL, MEAN, FC 64, DEQUANTIZE; 52x8 window)';

const runtimes: TfliteRuntime[] = [openTsRuntime(bytes), openNativeRuntime(bytes)];
const next = seededUniform(1);
const windows = Array.from({ length: 64 }, () => {
  const t = runtimes[0]!.inputs[0]!;
  return t.type === 'float32' ? Float32Array.from({ length: t.data.length }, () => next() * 2 - 1) : Int8Array.from({ length: t.data.length }, () => Math.floor(next() * 256) - 128);
});

function windowsPerSecond(rt: TfliteRuntime, seconds: number): number {
  let n = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() - start < budget) {
    for (let i = 0; i < 64; i++) rt.run(windows[i]!);
    n += 64;
  }
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

for (const rt of runtimes) windowsPerSecond(rt, 1); // warm-up (JIT, caches)
// Interleaved rounds so that load from other jobs hits both runtimes alike.
const rates: Record<string, number[]> = { ts: [], native: [] };
for (let round = 0; round < 5; round++) for (const rt of runtimes) rates[rt.kind]!.push(windowsPerSecond(rt, 1));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ts = median(rates.ts!);
const native = median(rates.native!);
console.log(`model: ${which}`);
console.log(`TS interpreter: ${ts.toFixed(0)} windows/s`);
console.log(`native runtime: ${native.toFixed(0)} windows/s (1 thread)`);
console.log(`native / TS: ${(native / ts).toFixed(2)}x (goal: within 4x)`);
