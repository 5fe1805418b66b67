/**
 * Training throughput of each TensorFlow.js backend available here, for the
 * same model and batch, in one run: windows per second of full training steps
 * (forward, backward, Adam), and as a ratio to the cpu backend. Then the
 * convolution kernels alone, per extractor layer shape: the filter gradient
 * headstart registers on wasm against wasm's own forward convolution and
 * against the cpu backend's filter gradient.
 *
 *   node --import tsx bench/training_throughput.ts [--batch 64] [--seconds 6] [--rounds 3]
 *
 * Rounds alternate between backends so that load from other jobs on a shared
 * machine hits each of them alike; each figure is the best round.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { selectBackend, type BackendName } from '../src/tfjs/backend.ts';
import { registerWasmTrainingKernels, WASM_REPLACED_KERNELS } from '../src/tfjs/wasm_kernels/index.ts';
import { DEFAULT_EXTRACTOR, extractorParams } from '../src/host/extractor/config.ts';
import { buildExtractor, buildPopulationClassifier } from '../src/host/extractor/model.ts';
import { printResultLine } from './lib/result_line.ts';

const WINDOW = DEFAULT_EXTRACTOR.windowLength;
const CHANNELS = DEFAULT_EXTRACTOR.channels;
const CLASSES = 7;

const { values: args } = parseArgs({
  options: {
    batch: { type: 'string', default: '64' },
    seconds: { type: 'string', default: '6' },
    rounds: { type: 'string', default: '3' },
  },
});
const BATCH = Number(args.batch);
const SECONDS = Number(args.seconds);
const ROUNDS = Number(args.rounds);

/** The real extractor (default configuration) under its population softmax head, as pretraining fits it. */
function buildModel(): tf.LayersModel {
  const extractor = buildExtractor(DEFAULT_EXTRACTOR, 1);
  return buildPopulationClassifier(extractor, CLASSES, 1);
}

function availableBackends(): BackendName[] {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return ['tensorflow', 'wasm', 'cpu'];
  } catch {
    return ['wasm', 'cpu'];
  }
}

/** Windows per second of trainOnBatch, after two warm-up steps, over at least `SECONDS` (and 2 steps). */
async function trainingThroughput(backend: BackendName): Promise<number> {
  await selectBackend(backend);
  return measureTraining();
}

/** Windows per second of trainOnBatch on the active backend. */
async function measureTraining(): Promise<number> {
  const model = buildModel();
  const optimizer = tf.train.adam(1e-3);
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  const x = tf.randomNormal([BATCH, WINDOW, CHANNELS], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: BATCH }, (_, i) => i % CLASSES), 'int32'), CLASSES);
  for (let i = 0; i < 2; i++) await model.trainOnBatch(x, y);
  let steps = 0;
  const start = performance.now();
  while (steps < 2 || performance.now() - start < SECONDS * 1000) {
    await model.trainOnBatch(x, y); // returns the loss, read back: the step has finished
    steps++;
  }
  const seconds = (performance.now() - start) / 1000;
  tf.dispose([x, y]);
  model.dispose();
  optimizer.dispose();
  return (steps * BATCH) / seconds;
}

interface ConvShape {
  layer: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
}

/** The extractor's convolutions as tfjs runs them: [batch, 1, time, channels] with [1, k, in, out] filters. */
function convShapes(): ConvShape[] {
  let length = WINDOW;
  let depth = CHANNELS;
  return DEFAULT_EXTRACTOR.blocks.map((b, i) => {
    const shape: ConvShape = {
      layer: `conv${i} ${depth}->${b.filters} k${b.kernel}, ${length} steps`,
      x: [BATCH, 1, length, depth],
      filter: [1, b.kernel, depth, b.filters],
    };
    depth = b.filters;
    length = Math.floor(length / b.pool);
    return shape;
  });
}

/** The wasm backend's own kernels as shipped, captured before headstart replaces any. */
const BUILT_IN = {
  Conv2DBackpropInput: tf.getKernel('Conv2DBackpropInput', 'wasm')!,
  Tile: tf.getKernel('Tile', 'wasm')!,
};

/**
 * Binds the built-in kernels to the wasm module: the backend does that at
 * start-up only for kernels registered then, and these were replaced before.
 */
async function bindBuiltIns(): Promise<void> {
  await selectBackend('wasm');
  for (const config of Object.values(BUILT_IN)) config.setupFunc?.(tf.backend());
}

type Inputs = Record<string, tf.Tensor>;

/**
 * Milliseconds per call of a kernel function on the active backend, called
 * directly (no engine bookkeeping), best of `rounds` timings of enough calls
 * to last ~0.3 s after one warm-up call.
 */
function msPerCall(config: tf.KernelConfig, inputs: Inputs, attrs: object, rounds: number, warmUp = true): number {
  const backend = tf.backend();
  const call = () => {
    const out = config.kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
    backend.disposeData(out.dataId);
  };
  if (warmUp) call();
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    let calls = 0;
    const start = performance.now();
    while (calls < 1 || performance.now() - start < 300) {
      call();
      calls++;
    }
    best = Math.min(best, (performance.now() - start) / calls);
  }
  return best;
}

interface KernelRow {
  label: string;
  figures: number[];
}

async function convKernelRow(shape: ConvShape): Promise<KernelRow> {
  const outShape = [shape.x[0], 1, shape.x[2], shape.filter[3]];
  const conv = { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1 };
  const make = () => ({
    x: tf.randomNormal(shape.x, 0, 1, 'float32', 2),
    filter: tf.randomNormal(shape.filter, 0, 1, 'float32', 3),
    dy: tf.randomNormal(outShape, 0, 1, 'float32', 4),
  });
  await selectBackend('wasm');
  const w = make();
  const figures = [
    msPerCall(tf.getKernel('Conv2D', 'wasm')!, { x: w.x, filter: w.filter }, conv, ROUNDS),
    msPerCall(tf.getKernel('Conv2DBackpropFilter', 'wasm')!, { x: w.x, dy: w.dy }, { ...conv, filterShape: shape.filter }, ROUNDS),
    msPerCall(tf.getKernel('Conv2DBackpropInput', 'wasm')!, { dy: w.dy, filter: w.filter }, { ...conv, inputShape: shape.x }, ROUNDS),
    msPerCall(BUILT_IN.Conv2DBackpropInput, { dy: w.dy, filter: w.filter }, { ...conv, inputShape: shape.x }, ROUNDS),
  ];
  tf.dispose(Object.values(w));
  // The cpu filter gradient is a scalar loop taking seconds here: one call.
  await selectBackend('cpu');
  const c = make();
  figures.push(msPerCall(tf.getKernel('Conv2DBackpropFilter', 'cpu')!, { x: c.x, dy: c.dy }, { ...conv, filterShape: shape.filter }, 1, false));
  tf.dispose(Object.values(c));
  return { label: shape.layer, figures };
}

/** What a batch-norm gradient tiles: a per-channel vector up to [batch, 1, time, channels]. */
async function tileRow(): Promise<number[]> {
  await selectBackend('wasm');
  const x = tf.randomNormal([1, 1, 1, 32]);
  const attrs = { reps: [BATCH, 1, WINDOW, 1] };
  const figures = [msPerCall(tf.getKernel('Tile', 'wasm')!, { x }, attrs, ROUNDS), msPerCall(BUILT_IN.Tile, { x }, attrs, ROUNDS)];
  x.dispose();
  return figures;
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);

/**
 * Runs `body` on wasm with the backend's own Tile and Conv2DBackpropInput in
 * place of headstart's (`body` must not select the backend again: that
 * registers headstart's kernels).
 */
async function withBuiltInKernels<T>(body: () => Promise<T>): Promise<T> {
  await bindBuiltIns();
  for (const config of WASM_REPLACED_KERNELS) {
    tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(BUILT_IN[config.kernelName as keyof typeof BUILT_IN]);
  }
  try {
    return await body();
  } finally {
    for (const config of WASM_REPLACED_KERNELS) tf.unregisterKernel(config.kernelName, 'wasm');
    registerWasmTrainingKernels();
  }
}

const BUILT_IN_LABEL = 'wasm, built-in Tile and Conv2DBackpropInput';

async function main(): Promise<void> {
  const backends = availableBackends();
  const variants: { label: string; run: () => Promise<number> }[] = backends.map((b) => ({ label: b, run: () => trainingThroughput(b) }));
  variants.splice(backends.indexOf('wasm') + 1, 0, { label: BUILT_IN_LABEL, run: () => withBuiltInKernels(measureTraining) });
  const best = new Map<string, number>();
  for (let round = 1; round <= ROUNDS; round++) {
    for (const variant of variants) {
      const wps = await variant.run();
      best.set(variant.label, Math.max(best.get(variant.label) ?? 0, wps));
      process.stderr.write(`round ${round}/${ROUNDS} ${variant.label}: ${fmt(wps)} windows/s\n`);
    }
  }
  const wasmChoice = await selectBackend('wasm');
  await bindBuiltIns();
  const cpu = best.get('cpu')!;
  const lines: string[] = [];
  lines.push(
    `Training step (forward + backward + Adam) of the extractor (DEFAULT_EXTRACTOR, ${extractorParams(DEFAULT_EXTRACTOR)} parameters) ` +
      `under a ${CLASSES}-class softmax head, batch ${BATCH} windows of ${WINDOW} x ${CHANNELS}, best of ${ROUNDS} rounds:`,
  );
  lines.push('');
  lines.push('| backend | windows/s | vs cpu |');
  lines.push('|---|---|---|');
  for (const { label } of variants) lines.push(`| ${label} | ${fmt(best.get(label)!)} | ${fmt(best.get(label)! / cpu, 2)} |`);
  lines.push('');
  lines.push(`wasm: ${wasmChoice.wasm?.simd ? 'SIMD' : 'no SIMD'}, ${wasmChoice.wasm?.threads} thread(s)`);
  lines.push('');
  lines.push(`Kernels alone, batch ${BATCH}, ms per call (wasm: best of ${ROUNDS}; cpu: one call):`);
  lines.push('');
  lines.push('| layer | wasm Conv2D (forward) | wasm filter gradient (headstart) | wasm input gradient (headstart) | wasm input gradient (tfjs 4.22 built-in) | cpu filter gradient |');
  lines.push('|---|---|---|---|---|---|');
  const kernels: Record<string, unknown>[] = [];
  for (const shape of convShapes()) {
    const row = await convKernelRow(shape);
    lines.push(`| ${row.label} | ${row.figures.map((f) => fmt(f, 2)).join(' | ')} |`);
    const [forward, filterGradient, inputGradient, inputGradientBuiltIn, cpuFilterGradient] = row.figures;
    kernels.push({ layer: row.label, msPerCall: { wasmConv2d: forward, wasmFilterGradient: filterGradient, wasmInputGradient: inputGradient, wasmInputGradientBuiltIn: inputGradientBuiltIn, cpuFilterGradient } });
  }
  const [tileOurs, tileBuiltIn] = await tileRow();
  lines.push('');
  lines.push(`Tile [1,1,1,32] -> [${BATCH},1,${WINDOW},32] on wasm: headstart ${fmt(tileOurs!, 3)} ms, tfjs 4.22 built-in ${fmt(tileBuiltIn!, 3)} ms`);
  process.stdout.write(lines.join('\n') + '\n');
  printResultLine('training_throughput', {
    batch: BATCH,
    rounds: ROUNDS,
    secondsPerRound: SECONDS,
    parameters: extractorParams(DEFAULT_EXTRACTOR),
    windowsPerSecond: Object.fromEntries(variants.map(({ label }) => [label, best.get(label)!])),
    wasm: { simd: wasmChoice.wasm?.simd ?? null, threads: wasmChoice.wasm?.threads ?? null },
    kernels,
    tileMs: { headstart: tileOurs, builtIn: tileBuiltIn },
  });
}

await main();
