// End to end: a briefly trained extractor in a model package, exported, then
// loaded in the official TensorFlow Lite runtime (tfjs-tflite-node) and
// compared with the float tfjs model on windows of people it never saw.
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { selectBackend } from '../../src/tfjs/backend.ts';
import { isHeadstartError } from '../../src/core/errors.ts';
import { decodeHeadstartMetadata, decodeMinRuntimeVersion, HEADSTART_METADATA_KEY, metadataBytes, MIN_RUNTIME_VERSION_KEY, SERVING_DEFAULT } from '../../src/core/tflite/metadata.ts';
import { readTflite } from '../../src/core/tflite/reader.ts';
import { tflmVerdict } from '../../src/core/tflite/tflm.ts';
import type { WindowSet } from '../../src/core/window_set.ts';
import { predictClasses } from '../../src/core/head/head.ts';
import { embedWithRuntime } from '../../src/io/extractor_embed.ts';
import { loadModelPackage, sha256Hex } from '../../src/io/model_package.ts';
import { openNativeRuntime } from '../../src/io/runtime/native_runtime.ts';
import { openTsRuntime } from '../../src/io/runtime/ts_runtime.ts';
import type { TfliteRuntime } from '../../src/io/runtime/types.ts';
import { embedWindows } from '../../src/host/evaluate/embed.ts';
import { EMBEDDING_LAYER } from '../../src/host/extractor/model.ts';
import { cosineSimilarity, top1Agreement } from '../../src/host/export/agreement.ts';
import { C_ARRAY_HEADER, C_ARRAY_SOURCE, C_ARRAY_SYMBOL, EXTRACTOR_FILE, exportPackage, QUANTIZATION_REPORT_FILE } from '../../src/host/export/export_package.ts';
import { floatModelSizes, type QuantizationReport } from '../../src/host/export/report.ts';
import { evaluationWindows, FIXTURE_PRETRAINING, heldOutPretrainingWindows, makeTestPackage, type TestPackage } from '../helpers/export_fixture.ts';
import { scratchDir } from '../helpers/scratch_dir.ts';

let dir = '';
let pkg: TestPackage;
let evalSet: WindowSet;
let report: QuantizationReport;
let bytes: Uint8Array;
let native: TfliteRuntime | undefined;
let nativeProblem = '';
const cleanup: (() => void)[] = [];

before(async () => {
  await selectBackend();
  dir = scratchDir({ after: (fn) => cleanup.push(fn) }, 'hs-export-');
  pkg = await makeTestPackage(dir);
  ({ report } = await exportPackage(dir, { data: { path: FIXTURE_PRETRAINING }, calibrationWindows: 500, checkWindows: 1000 }));
  bytes = new Uint8Array(readFileSync(join(dir, EXTRACTOR_FILE)));
  evalSet = evaluationWindows(pkg.normalization);
  try {
    native = openNativeRuntime(bytes);
  } catch (err) {
    nativeProblem = `the official runtime (tfjs-tflite-node) cannot load here: ${(err as Error).message}`;
  }
});

after(() => cleanup.forEach((fn) => fn()));

/** Whether the extractor ends in a dense layer (older packages) or its embedding is the global mean. */
function hasDense(): boolean {
  return pkg.extractor.getLayer(EMBEDDING_LAYER).getClassName() === 'Dense';
}

test('the official runtime loads the exported file: int8 [1, 52, 8] in, int8 [1, 64] out', (t) => {
  if (!native) return t.skip(nativeProblem);
  assert.equal(native.inputs.length, 1);
  assert.equal(native.inputs[0].type, 'int8');
  assert.deepEqual([...native.inputs[0].shape], [1, 52, 8]);
  assert.equal(native.outputs[0].type, 'int8');
  assert.deepEqual([...native.outputs[0].shape], [1, 64]);
  assert.equal(report.check.runtime, 'native', 'export itself checked on the official runtime');
});

test('mean cosine >= 0.99 on unseen people; population top-1 agreement >= 99 % where the head knows the people (official runtime vs float tfjs)', (t) => {
  if (!native) return t.skip(nativeProblem);
  const manifest = loadModelPackage(dir).manifest;
  const unseenFloat = embedWindows(pkg.extractor, evalSet);
  const unseenInt8 = embedWithRuntime(native, manifest, evalSet);
  const cosine = cosineSimilarity(unseenFloat, unseenInt8);
  t.diagnostic(`unseen people, ${evalSet.count} windows: cosine mean ${cosine.mean.toFixed(5)} min ${cosine.min.toFixed(5)}, top-1 agreement ${(top1Agreement(pkg.head, unseenFloat, unseenInt8) * 100).toFixed(2)} %`);
  assert.ok(evalSet.count > 5000, 'enough windows for a 1 % figure to mean something');
  assert.ok(cosine.mean >= 0.99, `mean cosine ${cosine.mean}`);
  // This briefly trained extractor is near chance on people it never saw, so its head's choices there are
  // near-ties that any perturbation flips (bench/quantization.ts measures the shipped model on unseen people).
  // On the pretraining people, windows the head was not fitted on, its choices mean something.
  const known = heldOutPretrainingWindows(pkg.normalization);
  const knownFloat = embedWindows(pkg.extractor, known);
  const knownInt8 = embedWithRuntime(native, manifest, known);
  const agreement = top1Agreement(pkg.head, knownFloat, knownInt8);
  const accuracy = predictClasses(pkg.head, knownFloat).filter((c, i) => c === known.y[i]).length / known.count;
  t.diagnostic(`pretraining people, ${known.count} held-out windows: float head accuracy ${(accuracy * 100).toFixed(1)} %, top-1 agreement ${(agreement * 100).toFixed(2)} %`);
  assert.ok(known.count > 1500);
  assert.ok(accuracy > 0.6, 'the head is far from chance on these people');
  assert.ok(agreement >= 0.99, `top-1 agreement ${agreement}`);
});

test('the TypeScript interpreter gives the same bytes as the official runtime on 1,000 real windows', (t) => {
  if (!native) return t.skip(nativeProblem);
  const ts = openTsRuntime(bytes);
  const { manifest } = loadModelPackage(dir);
  const input = new Int8Array(52 * 8);
  const size = 52 * 8;
  const q = manifest.extractor.tflite!.input;
  const distinct = new Set<string>();
  let differing = 0;
  for (let w = 0; w < 1000; w++) {
    const i = Math.floor((w * evalSet.count) / 1000);
    const x = evalSet.x.subarray(i * size, (i + 1) * size);
    for (let j = 0; j < size; j++) input[j] = Math.max(-128, Math.min(127, Math.round(x[j] / q.scale) + q.zeroPoint));
    const a = Array.from(native.run(input)[0].data as Int8Array);
    const b = Array.from(ts.run(input)[0].data as Int8Array);
    if (a.some((v, k) => v !== b[k])) differing++;
    distinct.add(a.join(','));
  }
  assert.ok(distinct.size > 900, `only ${distinct.size} distinct outputs`);
  assert.equal(differing, 0);
});

test('size: the .tflite is at most 30 % of the float weights', () => {
  const float = floatModelSizes(join(dir, pkg.manifest.extractor.floatModel));
  assert.equal(report.sizes.tfliteBytes, bytes.length);
  assert.equal(report.sizes.floatWeightBytes, float.weights);
  assert.equal(report.sizes.floatModelBytes, float.model);
  assert.ok(report.sizes.constantBytes <= 0.27 * float.weights, `constants are ${report.sizes.constantBytes} bytes of ${float.weights}`);
  // int8 data is a quarter of float32; the flatbuffer's structure (per-channel scales, shared zero-point
  // vectors, names, metadata) must fit in the rest.
  assert.ok(bytes.length <= 0.3 * float.weights, `${bytes.length} bytes is ${((bytes.length / float.weights) * 100).toFixed(1)} % of ${float.weights}`);
});

test('manifest: sha256 and size of the file, input/output quantization as in the file; the device loader accepts it', () => {
  const loaded = loadModelPackage(dir, { requireTflite: true });
  const t = loaded.manifest.extractor.tflite!;
  assert.equal(t.sha256, sha256Hex(bytes));
  assert.equal(t.bytes, bytes.length);
  assert.deepEqual(t.input.shape, [1, 52, 8]);
  assert.deepEqual(t.output.shape, [1, 64]);
  const sg = readTflite(bytes).subgraphs[0];
  const inQ = sg.tensors[sg.inputs[0]].quantization!;
  const outQ = sg.tensors[sg.outputs[0]].quantization!;
  assert.equal(t.input.scale, inQ.scale[0]);
  assert.equal(t.input.zeroPoint, inQ.zeroPoint[0]);
  assert.equal(t.output.scale, outQ.scale[0]);
  assert.equal(t.output.zeroPoint, outQ.zeroPoint[0]);
  // By default each input channel has its own scale; the model's metadata carries them too, for firmware.
  assert.equal(t.input.channelScales?.length, 8);
  assert.deepEqual(decodeHeadstartMetadata(metadataBytes(readTflite(bytes), HEADSTART_METADATA_KEY)!).inputChannelScales, t.input.channelScales);
  assert.deepEqual(report.input.channelScales, t.input.channelScales);
  assert.equal(loaded.manifest.quantizationReport, QUANTIZATION_REPORT_FILE);
  const stored = JSON.parse(readFileSync(join(dir, QUANTIZATION_REPORT_FILE), 'utf8')) as QuantizationReport;
  assert.equal(stored.check.passed, true);
  assert.equal(stored.layers.length, 1 + 4 + 1 + (hasDense() ? 1 : 0), 'input, four conv blocks, mean (and dense)');
  assert.ok('windows' in stored.interpreterCheck && stored.interpreterCheck.identical === stored.interpreterCheck.windows);
});

test('TensorFlow Lite Micro can run it: every operator has a kernel, int8 graph, static shapes', () => {
  const verdict = tflmVerdict(readTflite(bytes));
  assert.deepEqual(verdict.reasons, []);
  assert.equal(verdict.runnable, true);
  assert.equal(verdict.graph, 'int8');
  assert.equal(report.tflm.runnable, true);
});

test('file layout: one subgraph, batch 1, int8 per-channel conv weights, int32 biases at input x weight scale, metadata and serving_default', () => {
  const model = readTflite(bytes);
  assert.equal(model.subgraphs.length, 1);
  const sg = model.subgraphs[0];
  const ops = sg.operators.map((op) => model.operatorCodes[op.opcodeIndex].builtin);
  assert.deepEqual(ops, ['RESHAPE', 'CONV_2D', 'CONV_2D', 'MAX_POOL_2D', 'CONV_2D', 'CONV_2D', 'MEAN', hasDense() ? 'FULLY_CONNECTED' : 'RESHAPE']);
  for (const tensor of sg.tensors) {
    assert.ok(tensor.shape.every((d) => d > 0), `${tensor.name} has a static shape`);
    if (tensor.buffer === 0) assert.equal(tensor.shape[0], 1, `${tensor.name}: batch 1`);
  }
  for (const op of sg.operators) {
    const name = model.operatorCodes[op.opcodeIndex].builtin;
    if (name !== 'CONV_2D' && name !== 'FULLY_CONNECTED') continue;
    const [input, filter, bias] = op.inputs.map((i) => sg.tensors[i]);
    assert.equal(filter.type, 'int8');
    assert.equal(bias.type, 'int32');
    const channels = filter.shape[0];
    assert.equal(filter.quantization!.scale.length, name === 'CONV_2D' ? channels : 1, `${filter.name}: per-channel for CONV_2D, per-tensor for FULLY_CONNECTED`);
    assert.ok(filter.quantization!.zeroPoint.every((z) => z === 0), 'symmetric weights');
    const w = new Int8Array(model.buffers[filter.buffer].buffer, model.buffers[filter.buffer].byteOffset, model.buffers[filter.buffer].length);
    assert.ok(w.every((v) => v >= -127), 'weights in [-127, 127]');
    assert.ok(bias.quantization!.zeroPoint.every((z) => z === 0));
    bias.quantization!.scale.forEach((s, c) => {
      const expected = Math.fround(input.quantization!.scale[0] * filter.quantization!.scale[filter.quantization!.scale.length === 1 ? 0 : c]);
      assert.ok(Math.abs(s - expected) <= 1e-6 * expected, `${bias.name}[${c}] scale ${s} = input x weight scale ${expected}`);
    });
  }
  assert.equal(decodeMinRuntimeVersion(metadataBytes(model, MIN_RUNTIME_VERSION_KEY)!), '1.14.0');
  const meta = decodeHeadstartMetadata(metadataBytes(model, HEADSTART_METADATA_KEY)!);
  assert.deepEqual(meta.normalization, pkg.normalization);
  assert.equal(meta.channels, 8);
  assert.equal(meta.window, 52);
  assert.equal(meta.hop, 5);
  assert.equal(meta.rate, 200);
  assert.equal(meta.embeddingSize, 64);
  const signature = model.signatureDefs.find((s) => s.signatureKey === SERVING_DEFAULT);
  assert.ok(signature);
  assert.deepEqual(signature.inputs.map((x) => x.tensorIndex), sg.inputs);
  assert.deepEqual(signature.outputs.map((x) => x.tensorIndex), sg.outputs);
});

test('the C array files are in the package and hold the same bytes', () => {
  const header = readFileSync(join(dir, C_ARRAY_HEADER), 'utf8');
  const source = readFileSync(join(dir, C_ARRAY_SOURCE), 'utf8');
  assert.match(header, new RegExp(`extern const unsigned char ${C_ARRAY_SYMBOL}\\[\\];`));
  assert.match(source, new RegExp(`${C_ARRAY_SYMBOL}_len = ${bytes.length};`));
  const hex = [...source.matchAll(/0x([0-9a-f]{2})/g)].map((m) => parseInt(m[1], 16));
  assert.deepEqual(Uint8Array.from(hex), bytes);
  assert.deepEqual(loadModelPackage(dir).manifest.extractor.cArray, { header: C_ARRAY_HEADER, source: C_ARRAY_SOURCE, symbol: C_ARRAY_SYMBOL });
});

test('without --data the training data recorded in the package is used; with none recorded export says to give --data', async (t) => {
  const copy = scratchDir(t, 'hs-export-copy-');
  cpSync(dir, copy, { recursive: true });
  const again = await exportPackage(copy, { calibrationWindows: 100, checkWindows: 200 });
  assert.equal(resolve(again.report.data.path), FIXTURE_PRETRAINING);
  assert.ok(!isAbsolute(again.report.data.path), 'the report names the data relative to where export ran, not by one machine\'s folders');
  assert.equal(again.manifest.extractor.tflite!.sha256, sha256Hex(new Uint8Array(readFileSync(join(copy, EXTRACTOR_FILE)))));

  const bare = scratchDir(t, 'hs-export-bare-');
  cpSync(dir, bare, { recursive: true });
  writeFileSync(join(bare, pkg.manifest.trainingReport), '{"epochs": 1}\n');
  await assert.rejects(exportPackage(bare, {}), (err) => isHeadstartError(err, 'MISSING_OPTION') && err.details['setting'] === 'data');
});

test('a model that misses the thresholds is refused and nothing is written', async (t) => {
  const copy = scratchDir(t, 'hs-export-bad-');
  cpSync(dir, copy, { recursive: true });
  const before = statSync(join(copy, EXTRACTOR_FILE)).mtimeMs;
  const manifestBefore = readFileSync(join(copy, 'manifest.json'), 'utf8');
  // Clipping every range to its median value wrecks the model on purpose.
  await assert.rejects(
    exportPackage(copy, { data: { path: FIXTURE_PRETRAINING }, percentile: 50.5, calibrationWindows: 100, checkWindows: 300 }),
    (err) => isHeadstartError(err, 'QUANTIZATION_CHECK_FAILED') && /nothing was written/.test(err.message),
  );
  assert.equal(statSync(join(copy, EXTRACTOR_FILE)).mtimeMs, before);
  assert.equal(readFileSync(join(copy, 'manifest.json'), 'utf8'), manifestBefore);
  assert.ok(existsSync(join(copy, QUANTIZATION_REPORT_FILE)));
});

test('representative data with another channel count is refused with a message naming both', async (t) => {
  const copy = scratchDir(t, 'hs-export-ch-');
  cpSync(dir, copy, { recursive: true });
  const csvDir = scratchDir(t, 'hs-export-csv-');
  const rows = Array.from({ length: 300 }, (_, i) => `${i % 7},${(i * 3) % 11},${(i * 5) % 13}`).join('\n');
  writeFileSync(join(csvDir, 'R_1_C_0.csv'), rows + '\n');
  await assert.rejects(
    exportPackage(copy, { data: { path: csvDir, rate: 200, labelPattern: 'R_(?<rep>\\d+)_C_(?<label>\\d+)\\.csv' } }),
    (err) => isHeadstartError(err, 'DATA_PACKAGE_MISMATCH') && /3 channels/.test(err.message) && /8/.test(err.message),
  );
});
