// Windows per CPU second of the TypeScript interpreter and the native runtime
// on the same extractors, measured in one run with interleaved rounds (the
// machine may be shared, so the ratio is the figure to compare). Models:
// models/myo8-200hz/extractor.tflite when it exists; the graph the exporter
// writes for the default extractor config (random weights); the conv1d-like
// extractor of the interpreter tests (the model of the first recorded figures).
// Run: node --import tsx bench/interpreter.ts [seconds per round, default 1]
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { seededUniform } from '../src/core/tflite/interpreter/graph_builder.ts';
import { conv1dExtractorModel, convStackExtractorModel } from '../src/core/tflite/interpreter/sample_models.ts';
import { writeTflite } from '../src/core/tflite/writer.ts';
import { openNativeRuntime } from '../src/device/runtime/native_runtime.ts';
import { openTsRuntime } from '../src/device/runtime/ts_runtime.ts';
import type { TfliteRuntime } from '../src/device/runtime/types.ts';
import { DEFAULT_EXTRACTOR } from '../src/host/extractor/config.ts';

const EXTRACTOR = fileURLToPath(new URL('../models/myo8-200hz/extractor.tflite', import.meta.url));
const ROUNDS = 5;
const seconds = Number(process.argv[2] ?? 1);

const models: { name: string; bytes: Uint8Array }[] = [];
if (existsSync(EXTRACTOR)) models.push({ name: 'models/myo8-200hz/extractor.tflite', bytes: new Uint8Array(readFileSync(EXTRACTOR)) });
models.push({ name: 'default extractor graph, random weights (int8 52x8 in, RESHAPE, 4 CONV_2D 1xK, MAX_POOL, MEAN, FC 64)', bytes: writeTflite(convStackExtractorModel(3, DEFAULT_EXTRACTOR)) });
models.push({
  name: 'conv1d-like test extractor (float32 52x8 in: QUANTIZE, 3 CONV_2D 1xK, DEPTHWISE, ADD, MAX_POOL, MEAN, FC 64, DEQUANTIZE)',
  bytes: writeTflite(conv1dExtractorModel(7, { timeSteps: 52, channels: 8, floatInput: true })),
});

function randomWindows(rt: TfliteRuntime): (Float32Array | Int8Array)[] {
  const next = seededUniform(1);
  const t = rt.inputs[0]!;
  return Array.from({ length: 64 }, () =>
    t.type === 'float32' ? Float32Array.from({ length: t.data.length }, () => next() * 2 - 1) : Int8Array.from({ length: t.data.length }, () => Math.floor(next() * 256) - 128),
  );
}

/**
 * Windows per second of CPU time (user + system of this process; both
 * runtimes run on this thread): time the scheduler gives to other jobs on the
 * shared cores is not counted, which steadies the ratio.
 */
function windowsPerCpuSecond(rt: TfliteRuntime, windows: (Float32Array | Int8Array)[], budgetSeconds: number): number {
  let n = 0;
  const start = process.cpuUsage();
  const budget = budgetSeconds * 1e6;
  let used = 0;
  while (used < budget) {
    for (let i = 0; i < windows.length; i++) rt.run(windows[i]!);
    n += windows.length;
    const d = process.cpuUsage(start);
    used = d.user + d.system;
  }
  return n / (used / 1e6);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

for (const { name, bytes } of models) {
  const runtimes = [openTsRuntime(bytes), openNativeRuntime(bytes)];
  const windows = randomWindows(runtimes[0]!);
  for (const rt of runtimes) windowsPerCpuSecond(rt, windows, seconds); // warm-up (JIT, caches)
  // Interleaved rounds so that load from other jobs hits both runtimes alike; the ratio is taken per round.
  const rates: Record<string, number[]> = { ts: [], native: [] };
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const rt of runtimes) rates[rt.kind]!.push(windowsPerCpuSecond(rt, windows, seconds));
    ratios.push(rates.native![round]! / rates.ts![round]!);
  }
  console.log(`model: ${name}`);
  console.log(`  TS interpreter: ${median(rates.ts!).toFixed(0)} windows per CPU second (median of ${ROUNDS} rounds)`);
  console.log(`  native runtime: ${median(rates.native!).toFixed(0)} windows per CPU second (1 thread)`);
  console.log(`  native / TS: ${median(ratios).toFixed(2)}x median of per-round ratios (${ratios.map((r) => r.toFixed(2)).join(', ')}); goal: within 4x`);
}
