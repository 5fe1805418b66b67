// Bit-exactness on real EMG windows (the Myo fixture excerpt, 52-sample
// windows with a hop of 5, as the device cuts them): on the exported default
// extractor when it exists, and always on a conv1d-like extractor built here
// with the writer (CONV_2D 1xK per-channel, DEPTHWISE, ADD, MAX_POOL, MEAN,
// FULLY_CONNECTED, QUANTIZE/DEQUANTIZE), and on the graph the exporter writes
// for the default extractor config, with random weights.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sliceWindows } from '../../../src/core/windowing.ts';
import { conv1dExtractorModel, convStackExtractorModel } from '../../../src/core/tflite/interpreter/sample_models.ts';
import { DEFAULT_EXTRACTOR } from '../../../src/host/extractor/config.ts';
import { loadInterpreter } from '../../../src/core/tflite/interpreter/interpreter.ts';
import { writeTflite } from '../../../src/core/tflite/writer.ts';
import { readMyoDataset } from '../../../src/io/datasets/myo.ts';
import { openNativeRuntime } from '../../../src/io/runtime/native_runtime.ts';
import { openTsRuntime } from '../../../src/io/runtime/ts_runtime.ts';
import type { RuntimeTensor, TfliteRuntime } from '../../../src/io/runtime/types.ts';

const WINDOWS = 1000;
const LENGTH = 52;
const CHANNELS = 8;
const MYO = fileURLToPath(new URL('../../fixtures/myo/EvaluationDataset', import.meta.url));
const EXTRACTOR = fileURLToPath(new URL('../../../models/myo8-200hz/extractor.tflite', import.meta.url));

/** The first `count` windows of the fixture recordings, [window][time][channel], raw Myo counts. */
function realWindows(count: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (const rec of readMyoDataset(MYO)) {
    const all = sliceWindows(rec.samples, CHANNELS, { length: LENGTH, hop: 5 });
    for (let w = 0; w * LENGTH * CHANNELS < all.length && out.length < count; w++) out.push(all.slice(w * LENGTH * CHANNELS, (w + 1) * LENGTH * CHANNELS));
    if (out.length >= count) break;
  }
  return out;
}

/** A window in the input tensor's own type: floats as they are (scaled), int8 quantized with the input's parameters. */
function toInput(window: Float32Array, input: RuntimeTensor, floatScale: number): Float32Array | Int8Array {
  if (input.type === 'float32') return window.map((v) => v * floatScale);
  const q = new Int8Array(window.length);
  for (let i = 0; i < window.length; i++) q[i] = Math.max(-128, Math.min(127, Math.round((window[i]! * floatScale) / input.scale) + input.zeroPoint));
  return q;
}

function compare(native: TfliteRuntime, ts: TfliteRuntime, windows: Float32Array[], floatScale: number): number {
  assert.equal(native.inputs[0]!.data.length, LENGTH * CHANNELS, 'the model takes one 52 x 8 window');
  let differing = 0;
  const distinct = new Set<string>();
  for (const w of windows) {
    const x = toInput(w, native.inputs[0]!, floatScale);
    const expected = Array.from(native.run(x)[0]!.data as Float32Array);
    const actual = Array.from(ts.run(x)[0]!.data as Float32Array);
    if (expected.some((v, i) => !Object.is(v, actual[i]))) differing++;
    distinct.add(expected.join(','));
  }
  // A model whose output never changes would make the comparison vacuous.
  assert.ok(distinct.size > windows.length / 10, `only ${distinct.size} distinct outputs over ${windows.length} windows`);
  return differing;
}

for (const floatInput of [true, false]) {
  test(`conv1d-like extractor (${floatInput ? 'float32' : 'int8'} input): bit-exact with the native runtime on ${WINDOWS} real Myo windows`, (t) => {
    const bytes = writeTflite(conv1dExtractorModel(7, { timeSteps: LENGTH, channels: CHANNELS, floatInput }));
    let native;
    try {
      native = openNativeRuntime(bytes);
    } catch (err) {
      return t.skip(`the native runtime cannot load here: ${(err as Error).message}`);
    }
    const windows = realWindows(WINDOWS);
    assert.equal(windows.length, WINDOWS, 'the Myo fixture holds enough windows');
    // Myo counts lie in about -128..127 but mostly within +-32; scaled so they span the model's int8 input (scale 1/128).
    assert.equal(compare(native, openTsRuntime(bytes), windows, 1 / 32), 0);
  });
}

test(`default extractor graph (int8 [1, 52, 8] in, 4 CONV_2D 1xK blocks), random weights: bit-exact with the native runtime on ${WINDOWS} real Myo windows`, (t) => {
  const bytes = writeTflite(convStackExtractorModel(3, DEFAULT_EXTRACTOR));
  let native;
  try {
    native = openNativeRuntime(bytes);
  } catch (err) {
    return t.skip(`the native runtime cannot load here: ${(err as Error).message}`);
  }
  assert.equal(compare(native, openTsRuntime(bytes), realWindows(WINDOWS), 1 / 32), 0);
});

test(`default extractor graph with WebAssembly SIMD off (JavaScript kernels only): bit-exact with the native runtime on ${WINDOWS} real Myo windows`, (t) => {
  const bytes = writeTflite(convStackExtractorModel(3, DEFAULT_EXTRACTOR));
  let native;
  try {
    native = openNativeRuntime(bytes);
  } catch (err) {
    return t.skip(`the native runtime cannot load here: ${(err as Error).message}`);
  }
  const interpreter = loadInterpreter(bytes, { simd: false });
  const jsOnly: TfliteRuntime = {
    kind: 'ts',
    inputs: interpreter.inputs,
    outputs: interpreter.outputs,
    run(...given) {
      (interpreter.inputs[0]!.data as Int8Array).set(given[0]!);
      interpreter.invoke();
      return interpreter.outputs;
    },
  };
  assert.equal(compare(native, jsOnly, realWindows(WINDOWS), 1 / 32), 0);
});

test(`exported default extractor: bit-exact with the native runtime on ${WINDOWS} real Myo windows`, (t) => {
  if (!existsSync(EXTRACTOR)) return t.skip(`${EXTRACTOR} does not exist yet (export the default model package to run this check)`);
  const bytes = new Uint8Array(readFileSync(EXTRACTOR));
  let native;
  try {
    native = openNativeRuntime(bytes);
  } catch (err) {
    return t.skip(`the native runtime cannot load here: ${(err as Error).message}`);
  }
  // Raw counts scaled as above; both runtimes see the same bytes, which is all bit-exactness needs.
  assert.equal(compare(native, openTsRuntime(bytes), realWindows(WINDOWS), 1 / 32), 0);
});
