// `headstart infer` end to end through the built bin (npm test builds it first).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { conv1dExtractorModel } from '../../src/core/tflite/interpreter/sample_models.ts';
import { writeTflite } from '../../src/core/tflite/writer.ts';
import { runCli } from '../helpers/cli.ts';
import { EXIT_STATUS } from '../../src/cli/report_error.ts';

const dir = mkdtempSync(join(tmpdir(), 'headstart-infer-'));
// Built once for the whole file; removed when the test process ends.
process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
const model = join(dir, 'extractor.tflite');
writeFileSync(model, writeTflite(conv1dExtractorModel(5, { timeSteps: 52, channels: 8 })));

function outputsOf(args: string[]): unknown {
  const r = runCli(['infer', model, ...args, '--json']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout).outputs;
}

test('infer --random gives the same outputs on both runtimes', (t) => {
  const ts = runCli(['infer', model, '--runtime', 'ts', '--random', '--seed', '4', '--json']);
  assert.equal(ts.status, 0, ts.stderr);
  const native = runCli(['infer', model, '--runtime', 'native', '--random', '--seed', '4', '--json']);
  if (native.status !== 0 && /NATIVE_RUNTIME_UNAVAILABLE/.test(native.stderr)) return t.skip('the native runtime cannot load here');
  assert.equal(native.status, 0, native.stderr);
  const a = JSON.parse(ts.stdout);
  const b = JSON.parse(native.stdout);
  assert.equal(a.runtime, 'ts');
  assert.equal(b.runtime, 'native');
  assert.equal(a.outputs[0].values.length, 64);
  assert.deepEqual(a.outputs, b.outputs);
});

test('infer reads a JSON array and the same values as raw little-endian binary', () => {
  const values = Array.from({ length: 52 * 8 }, (_, i) => ((i * 37) % 256) - 128);
  writeFileSync(join(dir, 'window.json'), JSON.stringify(values));
  writeFileSync(join(dir, 'window.bin'), Int8Array.from(values));
  const fromJson = outputsOf(['--runtime', 'ts', '--input', join(dir, 'window.json')]);
  const fromBinary = outputsOf(['--runtime', 'ts', '--input', join(dir, 'window.bin')]);
  assert.deepEqual(fromJson, fromBinary);
});

test('infer explains a wrong number of input values and a missing input choice', () => {
  writeFileSync(join(dir, 'short.json'), '[1, 2, 3]');
  const r = runCli(['infer', model, '--runtime', 'ts', '--input', join(dir, 'short.json')]);
  assert.equal(r.status, EXIT_STATUS.input);
  assert.match(r.stderr, /takes 416 values, but 3 were given \[BAD_INPUT_VALUES\]/);
  const none = runCli(['infer', model]);
  assert.equal(none.status, EXIT_STATUS.usage);
  assert.match(none.stderr, /exactly one of --input <file> or --random \[MISSING_OPTION\]\nsee headstart infer --help\n$/);
  const both = runCli(['infer', model, '--random', '--input', join(dir, 'short.json')]);
  assert.equal(both.status, EXIT_STATUS.usage);
  assert.match(both.stderr, /one of --input <file> or --random, not both \[BAD_OPTION\]/);
});

test('infer --runtime ts names an operator it cannot run', (t) => {
  const lstm = new URL('../../../shared/fixtures/tflite/trained_lstm_int8.tflite', import.meta.url).pathname;
  if (!existsSync(lstm)) return t.skip(`${lstm} is missing (../shared is not checked out)`);
  const r = runCli(['infer', lstm, '--runtime', 'ts', '--random']);
  assert.equal(r.status, EXIT_STATUS.device);
  assert.match(r.stderr, /UNIDIRECTIONAL_SEQUENCE_LSTM.*\[UNSUPPORTED_OPERATOR\]\nhint: --runtime native runs the model on the official TensorFlow Lite runtime/);
});

test('a file that is not a model is refused by headstart with the file named, before the official runtime prints its own line', () => {
  const garbage = join(dir, 'garbage.tflite');
  writeFileSync(garbage, Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 131 + 7) % 256)));
  for (const runtime of ['auto', 'native', 'ts']) {
    const r = runCli(['infer', garbage, '--random', '--runtime', runtime]);
    assert.equal(r.status, EXIT_STATUS.input, runtime);
    assert.equal(r.stderr, `headstart: ${garbage}: this is not a TensorFlow Lite model: bytes 4..7 are 0x13 0x96 0x19 0x9c, a .tflite file has "TFL3" there. Check the file path. [NOT_TFLITE]\n`, runtime);
  }
  const inspect = runCli(['inspect', garbage]);
  assert.equal(inspect.status, EXIT_STATUS.input);
  assert.match(inspect.stderr, new RegExp(`^headstart: ${garbage.replace(/[.]/g, '\\.')}: this is not a TensorFlow Lite model`));
});
