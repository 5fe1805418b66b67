// The interpreter against the official runtime on .tflite files made by the
// official converter (../shared/fixtures/tflite, from tflite-micro).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isHeadstartError } from '../../../src/core/errors.ts';
import { seededUniform } from '../../../src/core/tflite/interpreter/graph_builder.ts';
import { loadInterpreter } from '../../../src/core/tflite/interpreter/interpreter.ts';
import { openNativeRuntime } from '../../../src/io/runtime/native_runtime.ts';
import { openTsRuntime } from '../../../src/io/runtime/ts_runtime.ts';

const DIR = fileURLToPath(new URL('../../../../shared/fixtures/tflite/', import.meta.url));
const TRIALS = 1000;

function fixture(name: string): Uint8Array | undefined {
  const path = DIR + name;
  return existsSync(path) ? new Uint8Array(readFileSync(path)) : undefined;
}

for (const name of ['hello_world_int8.tflite', 'micro_speech_quantized.tflite']) {
  test(`${name}: bit-exact with the native runtime on ${TRIALS} random inputs`, (t) => {
    const bytes = fixture(name);
    if (!bytes) return t.skip(`${DIR}${name} is missing (../shared is not checked out)`);
    let native;
    try {
      native = openNativeRuntime(bytes);
    } catch (err) {
      return t.skip(`the native runtime cannot load here: ${(err as Error).message}`);
    }
    const ts = openTsRuntime(bytes);
    const next = seededUniform(2024);
    const n = native.inputs[0]!.data.length;
    const input = new Int8Array(n);
    let differing = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      for (let i = 0; i < n; i++) input[i] = Math.floor(next() * 256) - 128;
      const expected = Array.from(native.run(input)[0]!.data as Int8Array);
      const actual = Array.from(ts.run(input)[0]!.data as Int8Array);
      if (expected.some((v, i) => v !== actual[i])) differing++;
    }
    assert.equal(differing, 0, `${differing} of ${TRIALS} runs differ from the native runtime`);
  });
}

test('hello_world_int8.tflite: every one of the 256 possible inputs matches', (t) => {
  const bytes = fixture('hello_world_int8.tflite');
  if (!bytes) return t.skip(`${DIR}hello_world_int8.tflite is missing (../shared is not checked out)`);
  const native = openNativeRuntime(bytes);
  const ts = openTsRuntime(bytes);
  for (let v = -128; v <= 127; v++) {
    const x = Int8Array.of(v);
    assert.equal((ts.run(x)[0]!.data as Int8Array)[0], (native.run(x)[0]!.data as Int8Array)[0], `input ${v}`);
  }
});

test('models with operators the interpreter lacks are refused naming the operator', (t) => {
  const lstm = fixture('trained_lstm_int8.tflite');
  const conv0 = fixture('conv0.tflite');
  if (!lstm || !conv0) return t.skip(`${DIR} fixtures are missing (../shared is not checked out)`);
  assert.throws(() => loadInterpreter(lstm), (err) => isHeadstartError(err, 'UNSUPPORTED_OPERATOR') && /UNIDIRECTIONAL_SEQUENCE_LSTM/.test(err.message));
  // conv0 is an int16 CONV_2D: a supported operator in an unsupported type.
  assert.throws(() => loadInterpreter(conv0), (err) => isHeadstartError(err, 'UNSUPPORTED_OPERATOR') && /CONV_2D/.test(err.message));
});
