// Windows per CPU second of the TypeScript interpreter (as shipped, and with
// WebAssembly SIMD off: JavaScript kernels only) and the native runtime on the
// same extractors, measured in one run with interleaved rounds (the machine
// may be shared, so the ratios are the figures to compare). Models:
// models/myo8-200hz/extractor.tflite when it exists; the graph the exporter
// writes for the default extractor config (random weights); the conv1d-like
// extractor of the interpreter tests (the model of the first recorded figures).
// Run: node --import tsx bench/interpreter.ts [seconds per round, default 1]
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { seededUniform } from '../src/core/tflite/interpreter/graph_builder.ts';
import { loadInterpreter } from '../src/core/tflite/interpreter/interpreter.ts';
import { conv1dExtractorModel, convStackExtractorModel } from '../src/core/tflite/interpreter/sample_models.ts';
import { writeTflite } from '../src/core/tflite/writer.ts';
import { openNativeRuntime } from '../src/io/runtime/native_runtime.ts';
import { openTsRuntime } from '../src/io/runtime/ts_runtime.ts';
import type { TfliteRuntime } from '../src/io/runtime/types.ts';
import { DEFAULT_EXTRACTOR } from '../src/host/extractor/config.ts';
import { printResultLine } from './lib/result_line.ts';

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

/** The TypeScript interpreter with WebAssembly SIMD off, behind the runtime interface. */
function openJsOnlyRuntime(bytes: Uint8Array): TfliteRuntime {
  const interpreter = loadInterpreter(bytes, { simd: false });
  return {
    kind: 'ts',
    inputs: interpreter.inputs,
    outputs: interpreter.outputs,
    run(...given: ArrayLike<number>[]) {
      (interpreter.inputs[0]!.data as Int8Array | Float32Array).set(given[0]!);
      interpreter.invoke();
      return interpreter.outputs;
    },
  };
}

const figures: Record<string, unknown>[] = [];
for (const { name, bytes } of models) {
  const runtimes = { ts: openTsRuntime(bytes), js: openJsOnlyRuntime(bytes), native: openNativeRuntime(bytes) };
  const windows = randomWindows(runtimes.ts);
  for (const rt of Object.values(runtimes)) windowsPerCpuSecond(rt, windows, seconds); // warm-up (JIT, caches)
  // Interleaved rounds so that load from other jobs hits all runtimes alike; the ratios are taken per round.
  const rates = { ts: [] as number[], js: [] as number[], native: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const key of ['ts', 'js', 'native'] as const) rates[key].push(windowsPerCpuSecond(runtimes[key], windows, seconds));
  }
  const ratios = (key: 'ts' | 'js'): number[] => rates.native.map((n, i) => n / rates[key][i]!);
  const show = (xs: number[]): string => xs.map((r) => r.toFixed(2)).join(', ');
  console.log(`model: ${name}`);
  console.log(`  TS interpreter: ${median(rates.ts).toFixed(0)} windows per CPU second (median of ${ROUNDS} rounds)`);
  console.log(`  TS interpreter, SIMD off: ${median(rates.js).toFixed(0)} windows per CPU second`);
  console.log(`  native runtime: ${median(rates.native).toFixed(0)} windows per CPU second (1 thread)`);
  console.log(`  native / TS: ${median(ratios('ts')).toFixed(2)}x median of per-round ratios (${show(ratios('ts'))}); goal: within 4x`);
  console.log(`  native / TS with SIMD off: ${median(ratios('js')).toFixed(2)}x (${show(ratios('js'))})`);
  figures.push({
    model: name,
    windowsPerCpuSecond: { ts: median(rates.ts), tsSimdOff: median(rates.js), native: median(rates.native) },
    nativeOverTs: median(ratios('ts')),
    nativeOverTsSimdOff: median(ratios('js')),
  });
}
printResultLine('interpreter', { secondsPerRound: seconds, rounds: ROUNDS, models: figures });
