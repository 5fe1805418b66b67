import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ARENA_ALIGNMENT, planArena, type ArenaPlan } from '../../../src/core/tflite/arena.ts';
import { GraphBuilder, seededUniform } from '../../../src/core/tflite/interpreter/graph_builder.ts';
import { conv1dExtractorModel, singleOperatorModels } from '../../../src/core/tflite/interpreter/sample_models.ts';
import type { Model } from '../../../src/core/tflite/model.ts';
import { readTflite } from '../../../src/core/tflite/reader.ts';

/** No two tensors alive during the same operator may share a byte; every offset aligned. */
function assertSound(model: Model, plan: ArenaPlan): void {
  const sg = model.subgraphs[0]!;
  const planned = sg.tensors.map((_, i) => i).filter((i) => plan.offsets[i]! >= 0);
  for (const a of planned) {
    assert.equal(plan.offsets[a]! % ARENA_ALIGNMENT, 0);
    assert.ok(plan.offsets[a]! + plan.bytes[a]! <= plan.size);
    for (const b of planned) {
      if (a >= b) continue;
      const together = plan.firstUse[a]! <= plan.lastUse[b]! && plan.firstUse[b]! <= plan.lastUse[a]!;
      const overlap = plan.offsets[a]! < plan.offsets[b]! + plan.bytes[b]! && plan.offsets[b]! < plan.offsets[a]! + plan.bytes[a]!;
      assert.ok(!(together && overlap), `tensors ${a} and ${b} are alive together and overlap`);
    }
  }
}

function chain(sizes: number[]): Model {
  const g = new GraphBuilder(seededUniform(1));
  const ids = sizes.map((n, i) => g.activation(`t${i}`, 'int8', [1, n], 0.1, 0));
  for (let i = 0; i + 1 < ids.length; i++) g.op('RESHAPE', [ids[i]!], [ids[i + 1]!]);
  return g.build([ids[0]!], [ids[ids.length - 1]!]);
}

test('a chain reuses memory: peak is the largest pair of neighbours', () => {
  // t0 -> t1 -> t2 -> t3: only neighbours live together.
  const model = chain([100, 40, 200, 16]);
  const plan = planArena(model);
  assertSound(model, plan);
  // Aligned sizes 112, 48, 208, 16: the largest live pair is t1 + t2.
  assert.equal(plan.size, 48 + 208);
  assert.ok(plan.size < 112 + 48 + 208 + 16, 'smaller than giving every tensor its own place');
});

test('constants and unused tensors are not in the arena', () => {
  const model = conv1dExtractorModel(3);
  const plan = planArena(model);
  const sg = model.subgraphs[0]!;
  sg.tensors.forEach((t, i) => {
    const constant = t.buffer > 0 && model.buffers[t.buffer]!.length > 0;
    if (constant) assert.equal(plan.offsets[i], -1, `constant tensor ${t.name} is planned`);
    else assert.ok(plan.offsets[i]! >= 0, `activation ${t.name} is not planned`);
  });
  assertSound(model, plan);
});

test('every built model and every shared fixture plans soundly', (t) => {
  for (const { model } of singleOperatorModels(4)) assertSound(model, planArena(model));
  const dir = fileURLToPath(new URL('../../../../shared/fixtures/tflite/', import.meta.url));
  if (!existsSync(dir)) return t.skip(`${dir} is missing (../shared is not checked out)`);
  for (const name of ['hello_world_int8.tflite', 'micro_speech_quantized.tflite', 'audio_preprocessor_int8.tflite', 'trained_lstm_int8.tflite', 'conv0.tflite']) {
    const model = readTflite(new Uint8Array(readFileSync(dir + name)));
    assertSound(model, planArena(model));
  }
});

test('micro_speech needs less arena than the sum of its activations', (t) => {
  const path = fileURLToPath(new URL('../../../../shared/fixtures/tflite/micro_speech_quantized.tflite', import.meta.url));
  if (!existsSync(path)) return t.skip(`${path} is missing (../shared is not checked out)`);
  const model = readTflite(new Uint8Array(readFileSync(path)));
  const plan = planArena(model);
  const total = Array.from(plan.bytes).reduce((a, b) => a + b, 0);
  // Activations: 1960 (input) + 1960 (reshaped) + 4000 (conv) + 4 + 4; the input is dead once reshaped.
  assert.equal(total, 1968 + 1968 + 4000 + 16 + 16);
  assert.equal(plan.size, 1968 + 4000);
});
