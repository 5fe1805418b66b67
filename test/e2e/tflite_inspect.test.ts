import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { inspectTflite } from '../../src/core/tflite/inspect_report.ts';
import { tflmVerdict } from '../../src/core/tflite/tflm.ts';
import { readTflite } from '../../src/core/tflite/reader.ts';
import { writeTflite } from '../../src/core/tflite/writer.ts';
import { encodeHeadstartMetadata, encodeMinRuntimeVersion, HEADSTART_METADATA_KEY, MIN_RUNTIME_VERSION_KEY, withMetadata } from '../../src/core/tflite/metadata.ts';
import { loadTfliteFixtures, MISSING_FIXTURES, TFLITE_FIXTURE_DIR } from '../helpers/tflite_fixtures.ts';
import { fullyConnectedModel } from '../helpers/tflite_models.ts';
import { EXIT_STATUS } from '../../src/cli/report_error.ts';

const fixtures = loadTfliteFixtures();

test('inspect reads every fixture: operators, tensors, buffers, verdict and arena; --json prints that report', (t) => {
  if (!fixtures) return t.skip(MISSING_FIXTURES);
  for (const f of fixtures) {
    const report = inspectTflite(f.bytes);
    assert.equal(report.fileBytes, f.bytes.length);
    assert.ok(report.subgraphs[0]!.operators.length > 0);
    assert.equal(report.subgraphs[0]!.tensors.length, readTflite(f.bytes).subgraphs[0]!.tensors.length);
    assert.ok('bytes' in report.arena, `${f.name}: arena ${JSON.stringify(report.arena)}`);
    // These files come from tflite-micro's own examples and tests, so TFLM runs every one.
    assert.equal(report.tflm.runnable, true, `${f.name}: ${report.tflm.reasons.join('; ')}`);
  }
  // One spawn of the built CLI (each costs a Node start-up) proves the verb prints the same report.
  const conv0 = fixtures.find((f) => f.name === 'conv0.tflite')!;
  const r = runCli(['inspect', join(TFLITE_FIXTURE_DIR, conv0.name), '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), JSON.parse(JSON.stringify(inspectTflite(conv0.bytes))));
});

test('inspect prints micro_speech the way its converter wrote it', (t) => {
  if (!fixtures) return t.skip(MISSING_FIXTURES);
  const r = runCli(['inspect', join(TFLITE_FIXTURE_DIR, 'micro_speech_quantized.tflite')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /TensorFlow Lite Micro: can run it \(int8 graph\)/);
  assert.match(r.stdout, /1 DEPTHWISE_CONV_2D v3 .* padding=SAME strideW=2 strideH=2 depthMultiplier=8 fusedActivationFunction=RELU/);
  assert.match(r.stdout, /min_runtime_version \(buffer \d+, 5 bytes\) = 1\.5\.0/);
  assert.match(r.stdout, /8 int8 \[1,10,8,8\] "first_weights\/read" q\(per-channel ×8 on dim 3/);
  assert.match(r.stdout, /arena: \d+ bytes peak/);
  // Its FULLY_CONNECTED leaves quantized_bias_type unset (int32 biases): not "float32".
  assert.match(r.stdout, /FULLY_CONNECTED .*fusedActivationFunction=NONE/);
  assert.doesNotMatch(r.stdout, /quantizedBiasType=float32/);
});

test('the arena estimate matches the hand-computed peak of live activations for micro_speech', (t) => {
  if (!fixtures) return t.skip(MISSING_FIXTURES);
  // Activations, in operator order: input [1,1960] (op 0), reshape out [1,49,40,1] (ops 0-1),
  // depthwise out [1,25,20,8] = 4000 B (ops 1-2), FC out 4 B (ops 2-3), softmax out 4 B (op 3).
  // The peak is during op 1: reshape out (1960 rounded up to 16 = 1968) + depthwise out 4000 = 5968 bytes.
  const report = inspectTflite(fixtures.find((f) => f.name === 'micro_speech_quantized.tflite')!.bytes);
  assert.deepEqual(report.arena, { bytes: 5968, tensors: 5 });
});

test('headstart metadata is decoded and shown; TFLM verdict flags float ops in an int8 graph and unknown ops', () => {
  const meta = { channels: 8, rate: 200, window: 52, hop: 5, normalization: { offset: Array(8).fill(0), scale: Array(8).fill(1) }, embeddingSize: 2, producerVersion: '0.1.0' };
  let model = withMetadata(fullyConnectedModel(), MIN_RUNTIME_VERSION_KEY, encodeMinRuntimeVersion('1.14.0'));
  model = withMetadata(model, HEADSTART_METADATA_KEY, encodeHeadstartMetadata(meta));
  const report = inspectTflite(writeTflite(model));
  assert.deepEqual(
    report.metadata.map((m) => m.value),
    ['1.14.0', meta],
  );
  assert.equal(report.tflm.runnable, true);
  assert.equal(report.tflm.graph, 'int8');

  const mixed = fullyConnectedModel();
  const sg = mixed.subgraphs[0]!;
  sg.tensors.push({ name: 'f', shape: [1, 2], type: 'float32', buffer: 0, isVariable: false });
  mixed.operatorCodes.push({ builtin: 'LOGISTIC', builtinCode: 14, version: 1 }, { builtin: 'NON_MAX_SUPPRESSION_V4', builtinCode: 120, version: 1 });
  sg.operators.push({ opcodeIndex: 1, inputs: [4], outputs: [4] }, { opcodeIndex: 2, inputs: [3], outputs: [3] });
  const verdict = tflmVerdict(readTflite(writeTflite(mixed)));
  assert.equal(verdict.runnable, false);
  assert.equal(verdict.graph, 'mixed');
  assert.ok(verdict.reasons.some((r) => /float operators in an integer graph: subgraph 0 operator 1 \(LOGISTIC\)/.test(r)), verdict.reasons.join('\n'));
  assert.ok(verdict.reasons.some((r) => /no kernel for NON_MAX_SUPPRESSION_V4/.test(r)));

  const dynamic = fullyConnectedModel();
  dynamic.subgraphs[0]!.tensors[0]!.shapeSignature = [1, -1];
  assert.ok(tflmVerdict(dynamic).reasons.some((r) => /dynamic non-batch dimensions/.test(r)));
});

test('inspect on a damaged or missing file fails with a code, never a stack trace', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'headstart-inspect-'));
  try {
    const missing = runCli(['inspect', join(dir, 'nope.tflite')]);
    assert.equal(missing.status, EXIT_STATUS.input);
    assert.match(missing.stderr, /\[FILE_NOT_FOUND\]/);
    const bytes = writeTflite(fullyConnectedModel());
    writeFileSync(join(dir, 'cut.tflite'), bytes.subarray(0, bytes.length - 50));
    const cut = runCli(['inspect', join(dir, 'cut.tflite')]);
    assert.equal(cut.status, EXIT_STATUS.input);
    assert.match(cut.stderr, /truncated or corrupt.*\[TFLITE_CORRUPT\]/);
    assert.doesNotMatch(cut.stderr, /at .*\.js:\d+/);
    writeFileSync(join(dir, 'text.tflite'), 'hello, this is a text file');
    assert.match(runCli(['inspect', join(dir, 'text.tflite')]).stderr, /\[NOT_TFLITE\]/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const help = runCli(['inspect', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--json/);
  assert.match(help.stdout, /Examples:/);
  if (!fixtures) t.diagnostic(MISSING_FIXTURES);
});
