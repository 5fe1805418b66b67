import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readTflite } from '../../../src/core/tflite/reader.ts';
import { writeTflite } from '../../../src/core/tflite/writer.ts';
import { conv1dExtractorModel } from '../../../src/core/tflite/interpreter/sample_models.ts';
import { isHeadstartError } from '../../../src/core/errors.ts';
import { loadTfliteFixtures, MISSING_FIXTURES } from '../../helpers/tflite_fixtures.ts';

const fixtures = loadTfliteFixtures();

function fixture(name: string): Uint8Array {
  const f = fixtures?.find((x) => x.name === name);
  assert.ok(f, `fixture ${name} missing`);
  return f.bytes;
}

test('reads every fixture made by the official converter', (t) => {
  if (!fixtures) return t.skip(MISSING_FIXTURES);
  assert.ok(fixtures.length >= 7, `expected the 7 documented fixtures, found ${fixtures.length}`);
  for (const f of fixtures) {
    const m = readTflite(f.bytes);
    assert.equal(m.version, 3, f.name);
    assert.ok(m.subgraphs[0]!.operators.length > 0, f.name);
    for (const sg of m.subgraphs) {
      for (const op of sg.operators) {
        assert.ok(op.opcodeIndex < m.operatorCodes.length);
        for (const i of [...op.inputs, ...op.outputs]) assert.ok(i >= -1 && i < sg.tensors.length);
      }
    }
  }
});

test('micro_speech: operators, options, per-channel quantization as the converter wrote them', (t) => {
  if (!fixtures) return t.skip(MISSING_FIXTURES);
  const m = readTflite(fixture('micro_speech_quantized.tflite'));
  assert.deepEqual(
    m.operatorCodes.map((c) => c.builtin),
    ['DEPTHWISE_CONV_2D', 'FULLY_CONNECTED', 'RESHAPE', 'SOFTMAX'],
  );
  const sg = m.subgraphs[0]!;
  const ops = sg.operators.map((op) => m.operatorCodes[op.opcodeIndex]!.builtin);
  assert.deepEqual(ops, ['RESHAPE', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED', 'SOFTMAX']);
  const dw = sg.operators[1]!;
  assert.deepEqual(dw.options, {
    type: 'DepthwiseConv2DOptions',
    padding: 'SAME',
    strideW: 2,
    strideH: 2,
    depthMultiplier: 8,
    fusedActivationFunction: 'RELU',
    dilationWFactor: 1,
    dilationHFactor: 1,
  });
  assert.deepEqual(sg.operators[0]!.options, { type: 'ReshapeOptions', newShape: [-1, 49, 40, 1] });
  const input = sg.tensors[sg.inputs[0]!]!;
  assert.equal(input.type, 'int8');
  assert.deepEqual(input.shape, [1, 1960]);
  assert.equal(input.quantization?.scale.length, 1);
  const weights = sg.tensors[dw.inputs[1]!]!;
  assert.equal(weights.type, 'int8');
  assert.equal(m.buffers[weights.buffer]!.length, weights.shape.reduce((a, b) => a * b, 1));
  assert.deepEqual(weights.shape, [1, 10, 8, 8]);
  assert.equal(weights.quantization?.quantizedDimension, 3, 'depthwise weights are per-channel along the last axis');
  assert.equal(weights.quantization?.scale.length, 8);
  assert.deepEqual(weights.quantization?.zeroPoint, [0, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(sg.operators[3]!.options, { type: 'SoftmaxOptions', beta: 1 });
});

test('custom ops keep their name; LSTM options, omitted inputs and intermediates are read', (t) => {
  if (!fixtures) return t.skip(MISSING_FIXTURES);
  const m = readTflite(fixture('audio_preprocessor_int8.tflite'));
  const custom = m.operatorCodes.filter((c) => c.builtin === 'CUSTOM').map((c) => c.customCode);
  assert.ok(custom.includes('SignalWindow'));
  const lstm = readTflite(fixture('trained_lstm_int8.tflite'));
  const op = lstm.subgraphs[0]!.operators[0]!;
  assert.equal(lstm.operatorCodes[op.opcodeIndex]!.builtin, 'UNIDIRECTIONAL_SEQUENCE_LSTM');
  assert.equal(op.options?.type, 'UnidirectionalSequenceLSTMOptions');
  assert.ok(op.inputs.includes(-1), 'LSTM has omitted optional inputs marked -1');
  assert.equal(op.intermediates?.length, 5);
  assert.equal(lstm.signatureDefs[0]?.signatureKey, 'serving_default');
});

/** The code, with the check a damaged file failed after a slash (TFLITE_CORRUPT/truncated). */
function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(isHeadstartError(err), `expected a HeadstartError, got ${String(err)}`);
    return err.code === 'TFLITE_CORRUPT' ? `${err.code}/${String(err.details['check'])}` : err.code;
  }
  return 'OK';
}

test('garbage, empty and truncated files get stable codes', (t) => {
  assert.equal(codeOf(() => readTflite(new Uint8Array(0))), 'TFLITE_CORRUPT/truncated');
  assert.equal(codeOf(() => readTflite(new TextEncoder().encode('not a model at all'))), 'NOT_TFLITE');
  // Bytes that are not printable text are named in hex, not written to the terminal as they are.
  const png = Uint8Array.from([0x00, 0x00, 0x00, 0x00, 0x89, 0x1b, 0x4e, 0x47, ...new Array(40).fill(0)]);
  assert.throws(() => readTflite(png), (e) => isHeadstartError(e, 'NOT_TFLITE') && e.message.includes('bytes 4..7 are 0x89 0x1b 0x4e 0x47,') && !/[\x00-\x1f\x7f-\xff]/.test(e.message));
  assert.throws(() => readTflite(new TextEncoder().encode('not a model at all')), (e) => isHeadstartError(e, 'NOT_TFLITE') && e.message.includes('bytes 4..7 are "a mo"'));
  if (!fixtures) return t.skip(MISSING_FIXTURES);
  const bytes = fixture('hello_world_int8.tflite');
  assert.equal(codeOf(() => readTflite(bytes.subarray(0, bytes.length - 100))), 'TFLITE_CORRUPT/truncated');
  assert.equal(codeOf(() => readTflite(bytes.subarray(0, 40))), 'TFLITE_CORRUPT/truncated');
  const badRoot = bytes.slice();
  new DataView(badRoot.buffer).setUint32(0, 0xfffffff0, true);
  assert.equal(codeOf(() => readTflite(badRoot)), 'TFLITE_CORRUPT/truncated');
});

test('indices that point nowhere are rejected, not followed', (t) => {
  if (!fixtures) return t.skip(MISSING_FIXTURES);
  const bytes = fixture('simple_add_model.tflite');
  const m = readTflite(bytes);
  // Find the operator's inputs vector [0, 1] in the file and point the first input past the tensor list.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let hit = -1;
  for (let p = 0; p + 12 <= bytes.length; p += 4) {
    if (view.getUint32(p, true) === 2 && view.getInt32(p + 4, true) === 0 && view.getInt32(p + 8, true) === 1) hit = p;
  }
  assert.ok(hit > 0, 'inputs vector found');
  const bad = bytes.slice();
  new DataView(bad.buffer).setInt32(hit + 4, m.subgraphs[0]!.tensors.length + 5, true);
  assert.equal(codeOf(() => readTflite(bad)), 'TFLITE_CORRUPT/index');
});

test('a 1-D per-channel tensor is read along its one axis whatever quantized_dimension says (the converter writes 3 on depthwise biases)', () => {
  const model = conv1dExtractorModel(3);
  const tensors = model.subgraphs[0]!.tensors;
  const bias = tensors.findIndex((x) => x.shape.length === 1 && (x.quantization?.scale.length ?? 0) > 1);
  assert.ok(bias >= 0, 'the sample model has a per-channel 1-D tensor');
  tensors[bias]!.quantization!.quantizedDimension = 3;
  const read = readTflite(writeTflite(model)).subgraphs[0]!.tensors[bias]!;
  assert.equal(read.quantization?.quantizedDimension, 0);
  assert.deepEqual(read.quantization?.scale, tensors[bias]!.quantization!.scale.map((x) => Math.fround(x)));
});
