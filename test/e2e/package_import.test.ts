// `headstart package import`: a TensorFlow.js Layers model built and
// trained here with tfjs stands in for a Keras model converted by
// tensorflowjs_converter (the same model.json format, written in the
// converter's wrapped form), becomes a package, and that package goes
// through export, evaluate, calibrate and run like one from pretrain. A model
// with an LSTM is refused by name.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { calibrate, createRecognizer, loadModelPackage, openBoard } from '../../src/api/index.ts';
import { validateManifest } from '../../src/core/model_package/manifest.ts';
import { windowRecordings } from '../../src/core/window_set.ts';
import { fitNormalization } from '../../src/core/windowing.ts';
import { loadDataset } from '../../src/io/datasets/index.ts';
import { MYO_GESTURES } from '../../src/io/datasets/myo.ts';
import { selectBackend } from '../../src/tfjs/backend.ts';
import { loadLayersModel, saveLayersModel } from '../../src/tfjs/model_io.ts';
import { EXIT_STATUS } from '../../src/cli/report_error.ts';
import { runCli } from '../helpers/cli.ts';
import { scratchDir } from '../helpers/scratch_dir.ts';

const PRETRAINING = 'test/fixtures/myo/PreTrainingDataset';
const EVALUATION = 'test/fixtures/myo/EvaluationDataset';
const PERSON = join(EVALUATION, 'Male2');
const PROTOCOL = 'examples/fist-toggle/protocol.json';
const WINDOW = 52;

before(async () => {
  await selectBackend();
});

/** A Keras-style network: biased convolutions, batch norm, ReLU layers and activations, pooling, dropout, a dense embedding and a softmax classifier. */
function kerasStyleModel(classes: number): tf.Sequential {
  return tf.sequential({
    name: 'emg_net',
    layers: [
      tf.layers.conv1d({ inputShape: [WINDOW, 8], filters: 16, kernelSize: 5, padding: 'same', name: 'conv1d' }),
      tf.layers.batchNormalization({ name: 'batch_normalization', momentum: 0.5 }),
      tf.layers.reLU({ name: 're_lu' }),
      tf.layers.maxPooling1d({ poolSize: 2, name: 'max_pooling1d' }),
      tf.layers.dropout({ rate: 0.2, name: 'dropout' }),
      tf.layers.conv1d({ filters: 24, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv1d_1' }),
      tf.layers.globalAveragePooling1d({ name: 'global_average_pooling1d' }),
      tf.layers.dense({ units: 16, name: 'embedding' }),
      tf.layers.dense({ units: classes, activation: 'softmax', name: 'classifier' }),
    ],
  });
}

/** Rewrites a saved model.json in tensorflowjs_converter's form: the topology wrapped in model_config. */
function asConverterOutput(modelJson: string): void {
  const json = JSON.parse(readFileSync(modelJson, 'utf8')) as { modelTopology: unknown; format?: string };
  json.modelTopology = { keras_version: '2.15.0', backend: 'tensorflow', model_config: json.modelTopology, training_config: { loss: 'categorical_crossentropy' } };
  json.format = 'layers-model';
  writeFileSync(modelJson, JSON.stringify(json));
}

test('a Layers model trained elsewhere becomes a package that export, evaluate, calibrate and run take', async (t) => {
  const dir = scratchDir(t, 'hs-import-');
  const data = loadDataset(PRETRAINING);
  const all = Float32Array.from(data.recordings.flatMap((r) => Array.from(r.samples)));
  const set = windowRecordings(data.recordings, { length: WINDOW, hop: 10 }, fitNormalization(all, 8));
  const model = kerasStyleModel(data.classes.length);
  model.compile({ optimizer: tf.train.adam(3e-3), loss: 'sparseCategoricalCrossentropy' });
  const x = tf.tensor3d(set.x, [set.count, WINDOW, 8]);
  const y = tf.tensor1d(set.y, 'float32');
  await model.fit(x, y, { epochs: 3, batchSize: 64, shuffle: true, verbose: 0 });
  tf.dispose([x, y]);
  const bn = model.getLayer('batch_normalization').getWeights();
  assert.ok(Math.max(...Array.from(bn[2]!.abs().dataSync())) > 1e-3, 'training moved the batch norm statistics (so the fold has work to do)');
  await saveLayersModel(model, join(dir, 'converted'));
  asConverterOutput(join(dir, 'converted', 'model.json'));

  const pkg = join(dir, 'pkg');
  const imported = runCli(['package', 'import', '--tfjs', join(dir, 'converted', 'model.json'), '--window', String(WINDOW), '--channels', '8', '--rate', '200', '--data', PRETRAINING, '--embedding-layer', 'embedding', '--out', pkg, '--json']);
  assert.equal(imported.status, 0, imported.stderr);
  const result = JSON.parse(imported.stdout) as { maxRelativeDifference: number; populationHead: string; notes: string[] };
  assert.ok(result.maxRelativeDifference <= 1e-4);
  assert.match(result.populationHead, /^LDA on \d+ windows/);
  assert.ok(result.notes.some((n) => n.includes('classifier')), 'the classifier after the cut is reported as left out');
  const manifest = validateManifest(JSON.parse(readFileSync(join(pkg, 'manifest.json'), 'utf8')));
  assert.deepEqual(manifest.classes, MYO_GESTURES);
  assert.equal(manifest.embeddingSize, 16);
  assert.deepEqual(manifest.extractor.config.blocks, [{ filters: 16, kernel: 5, pool: 2 }, { filters: 24, kernel: 3, pool: 1 }]);

  await t.test("the package's float extractor computes the model's embedding", async () => {
    const cut = tf.model({ inputs: model.inputs, outputs: model.getLayer('embedding').output as tf.SymbolicTensor });
    const float = await loadLayersModel(join(pkg, manifest.extractor.floatModel));
    const sample = tf.tensor3d(set.x.subarray(0, 64 * WINDOW * 8), [64, WINDOW, 8]);
    const a = (cut.predict(sample) as tf.Tensor).dataSync();
    const b = (float.predict(sample) as tf.Tensor).dataSync();
    const largest = Math.max(...Array.from(a, Math.abs));
    const worst = Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));
    assert.ok(worst <= 1e-4 * largest, `largest difference ${worst} (values up to ${largest})`);
    float.dispose();
    sample.dispose();
  });

  await t.test('export quantizes it (representative windows from the --data it recorded)', () => {
    // --force: a three-epoch model's population head has near-ties, so its agreement figure is noise around the threshold.
    const r = runCli(['export', '--package', pkg, '--calibration-windows', '300', '--check-windows', '600', '--force', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { check: { cosine: { mean: number } }; tflm: { runnable: boolean } };
    assert.ok(report.check.cosine.mean > 0.95, `int8 follows float: mean cosine ${report.check.cosine.mean}`);
    assert.equal(report.tflm.runnable, true, 'TensorFlow Lite Micro can run it');
    assert.ok(existsSync(join(pkg, 'extractor.tflite')));
  });

  await t.test('evaluate scores it per person and k', () => {
    const r = runCli(['evaluate', '--package', pkg, '--data', EVALUATION, '--cycles', '0,1', '--no-scratch', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { summary: { k: number; mean: number }[] };
    const k1 = report.summary.find((s) => s.k === 1)!;
    assert.ok(k1.mean > 1 / 7, `k = 1 above chance: ${k1.mean}`);
  });

  await t.test('calibrate and run use it through the library API', async () => {
    const dataDir = join(dir, 'data');
    const model = loadModelPackage(pkg);
    const calibrated = await calibrate({
      model,
      board: openBoard({ sim: { replay: join(PERSON, 'training0'), follow: PROTOCOL, speed: Number.POSITIVE_INFINITY } }),
      protocol: PROTOCOL,
      user: 'male2',
      dataDir,
    });
    assert.equal(calibrated.profile.package.dir, model.dir, 'the profile names the imported package');
    assert.equal(calibrated.profile.extractorSha256, model.manifest.extractor.tflite!.sha256);
    const recognizer = createRecognizer({ profile: calibrated.profile });
    const board = openBoard({ sim: { replay: join(PERSON, 'Test0'), speed: Number.POSITIVE_INFINITY } });
    const live = recognizer.listen(board, { idleStopMs: 1000, pipeline: { maxQueue: 1_000_000 } });
    let gestures = 0;
    live.on('gesture', () => gestures++);
    await live.start();
    const result = await live.done();
    await board.close();
    assert.ok(result.pipeline.inferred > 0, 'windows were recognized');
    assert.equal(result.pipeline.dropped, 0);
    assert.ok(gestures > 0, 'gesture events came out');
  });
});

test('a model with a layer the exporter cannot write is refused by name, and nothing is written', async (t) => {
  const dir = scratchDir(t, 'hs-import-lstm-');
  const model = tf.sequential({ layers: [tf.layers.lstm({ inputShape: [WINDOW, 8], units: 8, returnSequences: true, name: 'lstm' }), tf.layers.globalAveragePooling1d({ name: 'gap' })] });
  await saveLayersModel(model, join(dir, 'lstm'));
  const r = runCli(['package', 'import', '--tfjs', join(dir, 'lstm', 'model.json'), '--window', String(WINDOW), '--channels', '8', '--rate', '200', '--classes', 'rest,fist', '--out', join(dir, 'pkg')]);
  assert.equal(r.status, EXIT_STATUS.input, 'exit status of an input error');
  assert.match(r.stderr, /layer 'lstm' \(LSTM\) has no counterpart.*\[UNSUPPORTED_LAYER\]/);
  assert.ok(!existsSync(join(dir, 'pkg')), 'no package folder');
});
