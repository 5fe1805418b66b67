import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readTflite, readBufferLayout } from '../../../src/core/tflite/reader.ts';
import { writeTflite, BUFFER_ALIGNMENT } from '../../../src/core/tflite/writer.ts';
import type { Model } from '../../../src/core/tflite/model.ts';
import { isHeadstartError } from '../../../src/core/errors.ts';
import { FlatReader } from '../../../src/core/tflite/flat_reader.ts';
import { FIELD } from '../../../src/core/tflite/schema_fields.ts';
import {
  decodeHeadstartMetadata,
  decodeMinRuntimeVersion,
  encodeHeadstartMetadata,
  encodeMinRuntimeVersion,
  HEADSTART_METADATA_KEY,
  metadataBytes,
  MIN_RUNTIME_VERSION_KEY,
  withMetadata,
  withServingDefault,
} from '../../../src/core/tflite/metadata.ts';
import { loadTfliteFixtures, MISSING_FIXTURES } from '../../helpers/tflite_fixtures.ts';
import { randomFill, runOfficial } from '../../helpers/tflite_runtime.ts';
import { fullyConnectedModel } from '../../helpers/tflite_models.ts';

const fixtures = loadTfliteFixtures();

/** Ops the official runtime in tfjs-tflite-node has no kernel for (audio_preprocessor uses TFLM signal custom ops). */
function usesCustomOps(m: Model): boolean {
  return m.operatorCodes.some((c) => c.builtin === 'CUSTOM');
}

test('every fixture round-trips: read → write → read gives the same Model, and writing again gives the same bytes', (t) => {
  if (!fixtures) return t.skip(MISSING_FIXTURES);
  for (const f of fixtures) {
    const model = readTflite(f.bytes);
    const written = writeTflite(model);
    const again = readTflite(written);
    assert.deepEqual(again, model, f.name);
    assert.deepEqual(writeTflite(again), written, `${f.name}: writing is deterministic`);
  }
});

test('rewritten fixtures compute exactly what the originals compute in the official TFLite runtime', (t) => {
  if (!fixtures) return t.skip(MISSING_FIXTURES);
  let compared = 0;
  for (const f of fixtures) {
    const model = readTflite(f.bytes);
    if (usesCustomOps(model)) {
      t.diagnostic(`${f.name}: not run, the official runtime has no kernels for its custom ops (checked by the Model round trip only)`);
      continue;
    }
    const written = writeTflite(model);
    for (const seed of [1, 2, 3]) {
      const original = runOfficial(f.bytes, randomFill(seed));
      const rewritten = runOfficial(written, randomFill(seed));
      assert.deepEqual(rewritten.inputs, original.inputs, f.name);
      assert.equal(rewritten.outputs.length, original.outputs.length);
      rewritten.outputs.forEach((out, i) => assert.deepEqual(out, original.outputs[i], `${f.name} output ${i} seed ${seed}`));
      // A failed fill would compare two identical all-zero runs; insist the outputs depend on the input.
      if (seed === 3) {
        const other = runOfficial(f.bytes, randomFill(99));
        assert.notDeepEqual(other.outputs, original.outputs, `${f.name}: outputs depend on inputs`);
      }
    }
    compared++;
  }
  assert.ok(compared >= 6, `compared ${compared} fixtures in the runtime`);
});

test('the runtime comparison has teeth: changed weights in a rewritten model change its output', (t) => {
  const f = fixtures?.find((x) => x.name === 'hello_world_float.tflite');
  if (!f) return t.skip(MISSING_FIXTURES);
  const model = readTflite(f.bytes);
  const sg = model.subgraphs[0]!;
  const weights = sg.tensors[sg.operators[2]!.inputs[1]!]!;
  const data = model.buffers[weights.buffer]!;
  // Scale every weight of the last layer (one weight alone may meet a ReLU that is zero for this input).
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let i = 0; i < data.length; i += 4) view.setFloat32(i, view.getFloat32(i, true) * 2 + 0.25, true);
  const original = runOfficial(f.bytes, randomFill(1)).outputs[0];
  const changed = runOfficial(writeTflite(model), randomFill(1)).outputs[0];
  assert.notDeepEqual(changed, original);
});

test('constant buffers are 16-byte aligned in the file written', (t) => {
  if (!fixtures) return t.skip(MISSING_FIXTURES);
  for (const f of fixtures) {
    const layout = readBufferLayout(writeTflite(readTflite(f.bytes)));
    const placed = layout.filter((b) => b.length > 0);
    assert.ok(placed.length > 0, f.name);
    for (const b of placed) assert.equal(b.offset % BUFFER_ALIGNMENT, 0, `${f.name}: buffer at ${b.offset}`);
  }
});

test('a FULLY_CONNECTED int8 model built from scratch runs in the official runtime with the hand-computed answer', () => {
  const model = withServingDefault(withMetadata(fullyConnectedModel(), MIN_RUNTIME_VERSION_KEY, encodeMinRuntimeVersion('1.14.0')));
  const bytes = writeTflite(model);
  const run = runOfficial(bytes, (_, data) => (data as Int8Array).set([5, -1, 10, 3]));
  // x - 3 = [2, -4, 7, 0]
  // row 0: 2·1 − 4·2 + 7·3 + 0·4 = 15, + bias 9 = 24; × 0.125 = 3.0;   − 5 → −2
  // row 1: 2·(−3) + 0 + 7·5 + 0 = 29,  + bias 2 = 31; × 0.125 = 3.875 → 4; − 5 → −1
  assert.deepEqual(Array.from(run.outputs[0]!), [-2, -1]);
  assert.deepEqual(run.inputs, [{ name: 'x', dataType: 'int8', shape: '1,4' }]);
  assert.equal(readTflite(bytes).signatureDefs[0]!.signatureKey, 'serving_default');
});

test('operator codes above 127 go in builtin_code with 127 in the deprecated byte', () => {
  const model = fullyConnectedModel();
  model.operatorCodes.push({ builtin: 'GELU', builtinCode: 150, version: 1 });
  const bytes = writeTflite(model);
  const r = new FlatReader(bytes, 1e6);
  const root = r.table(r.deref(0, 'root'), 'Model');
  const codes = root.tables(FIELD.Model.operatorCodes, 'operator_codes');
  assert.equal(codes[0]!.int8(FIELD.OperatorCode.deprecatedBuiltinCode, -99), 9);
  assert.equal(codes[0]!.int32(FIELD.OperatorCode.builtinCode, -99), 9);
  assert.equal(codes[1]!.int8(FIELD.OperatorCode.deprecatedBuiltinCode, -99), 127);
  assert.equal(codes[1]!.int32(FIELD.OperatorCode.builtinCode, -99), 150);
  assert.deepEqual(readTflite(bytes).operatorCodes[1], { builtin: 'GELU', builtinCode: 150, version: 1 });
});

test('headstart and min_runtime_version metadata survive the file and decode', () => {
  const meta = {
    channels: 2,
    rate: 200,
    window: 52,
    hop: 5,
    normalization: { offset: [0.5, -1], scale: [0.1, 0.2] },
    embeddingSize: 16,
    producerVersion: '0.1.0',
  };
  let model = withMetadata(fullyConnectedModel(), MIN_RUNTIME_VERSION_KEY, encodeMinRuntimeVersion('1.14.0'));
  model = withMetadata(model, HEADSTART_METADATA_KEY, encodeHeadstartMetadata(meta));
  const read = readTflite(writeTflite(model));
  assert.equal(decodeMinRuntimeVersion(metadataBytes(read, MIN_RUNTIME_VERSION_KEY)!), '1.14.0');
  assert.equal(metadataBytes(read, MIN_RUNTIME_VERSION_KEY)!.length, 16);
  assert.deepEqual(decodeHeadstartMetadata(metadataBytes(read, HEADSTART_METADATA_KEY)!), meta);
  // Setting an entry again replaces it rather than adding a second one.
  const replaced = withMetadata(read, HEADSTART_METADATA_KEY, encodeHeadstartMetadata({ ...meta, hop: 10 }));
  assert.equal(replaced.metadata.filter((m) => m.name === HEADSTART_METADATA_KEY).length, 1);
  assert.equal(decodeHeadstartMetadata(metadataBytes(replaced, HEADSTART_METADATA_KEY)!).hop, 10);
  assert.throws(() => encodeHeadstartMetadata({ ...meta, normalization: { offset: [0], scale: [1] } }), (e) => isHeadstartError(e, 'TFLITE_CORRUPT'));
  assert.throws(() => decodeHeadstartMetadata(new TextEncoder().encode('{"channels":')), (e) => isHeadstartError(e, 'TFLITE_CORRUPT'));
});

test('an inconsistent Model is refused with a clear code instead of written', () => {
  const dangling = fullyConnectedModel();
  dangling.subgraphs[0]!.operators[0]!.inputs = [0, 1, 7];
  assert.throws(() => writeTflite(dangling), (e) => isHeadstartError(e, 'INTERNAL') && e.details['readAs'] === 'TFLITE_CORRUPT' && e.details['check'] === 'index');
  const badEnum = fullyConnectedModel();
  badEnum.subgraphs[0]!.operators[0]!.options!['fusedActivationFunction'] = 'SWISH';
  assert.throws(() => writeTflite(badEnum), (e) => isHeadstartError(e, 'INTERNAL') && /SWISH/.test(e.message));
  const unknown = fullyConnectedModel();
  unknown.subgraphs[0]!.operators[0]!.options = { type: 'Unknown<200>' };
  assert.throws(() => writeTflite(unknown), (e) => isHeadstartError(e, 'INTERNAL'));
  const wrongCode = fullyConnectedModel();
  wrongCode.operatorCodes[0]!.builtinCode = 3;
  assert.throws(() => writeTflite(wrongCode), (e) => isHeadstartError(e, 'INTERNAL'));
});
