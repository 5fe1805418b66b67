// `headstart export` through the built bin: help, errors a user meets, and
// one export of a small trained package with --json.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { selectBackend } from '../../src/tfjs/backend.ts';
import { sha256Hex } from '../../src/io/model_package.ts';
import type { QuantizationReport } from '../../src/host/export/report.ts';
import { runCli } from '../helpers/cli.ts';
import { FIXTURE_PRETRAINING, makeTestPackage } from '../helpers/export_fixture.ts';
import { scratchDir } from '../helpers/scratch_dir.ts';
import { EXIT_STATUS } from '../../src/cli/report_error.ts';

before(async () => {
  await selectBackend();
});

test('export --help explains every option and shows examples', () => {
  const r = runCli(['export', '--help']);
  assert.equal(r.status, 0, r.stderr);
  for (const flag of ['--package <dir>', '--data <path>', '--calibration-windows <n>', '--check-windows <n>', '--percentile <p>', '--input-scaling <how>', '--runtime <kind>', '--force', '--json', '--sessions']) {
    assert.ok(r.stdout.includes(flag), `help mentions ${flag}`);
  }
  assert.match(r.stdout, /Examples:\n\s+\$ headstart export --package models\/myo8-200hz/);
});

test('a missing package folder and a bad percentile are clear errors', (t) => {
  const missing = runCli(['export', '--package', join(scratchDir(t), 'nope')]);
  assert.equal(missing.status, EXIT_STATUS.input);
  assert.match(missing.stderr, /no such model package folder \[FILE_NOT_FOUND\]\nhint: --package <dir> names the model package to use/);
  const bad = runCli(['export', '--package', 'whatever', '--percentile', '120']);
  assert.equal(bad.status, EXIT_STATUS.usage);
  assert.match(bad.stderr, /percentile must be .* at most 100.*\[BAD_OPTION\]/);
});

test('a package that does not record its training data asks for --data; with --data it exports and prints the report as JSON', async (t) => {
  const dir = scratchDir(t, 'hs-export-cli-');
  await makeTestPackage(dir, { epochs: 2 });
  const noData = runCli(['export', '--package', dir]);
  assert.equal(noData.status, EXIT_STATUS.usage);
  assert.match(noData.stderr, /give representative data \(e\.g\. the pretraining data set\) \[MISSING_OPTION\]\nhint: --data <path> gives representative data/);

  // --force: this two-epoch model's head is all near-ties, so its agreement figure is noise around the 99 % line
  // (export_package.test.ts checks the thresholds and the refusal on a better trained one).
  const r = runCli(['export', '--package', dir, '--data', FIXTURE_PRETRAINING, '--calibration-windows', '300', '--check-windows', '600', '--force', '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /calibrating on 300 of \d+ windows/, 'progress on stderr');
  const report = JSON.parse(r.stdout) as QuantizationReport;
  assert.equal(report.data.calibrationWindows, 300);
  assert.equal(report.check.windows, 600);
  assert.ok(report.check.cosine.mean >= 0.99);
  assert.equal(report.check.passed, report.check.populationTop1Agreement >= 0.99, 'passed says whether the thresholds were met');
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  assert.equal(manifest.extractor.tflite.sha256, sha256Hex(new Uint8Array(readFileSync(join(dir, 'extractor.tflite')))));
  for (const f of ['extractor_model_data.h', 'extractor_model_data.cc', 'quantization_report.json']) assert.ok(existsSync(join(dir, f)), `${f} written`);

  assert.equal(report.input.channelScales?.length, 8, 'per-channel input scales by default');
  assert.match(runCli(['export', '--package', dir, '--data', FIXTURE_PRETRAINING, '--input-scaling', 'sideways']).stderr, /--input-scaling <how>' argument 'sideways' is invalid\. Allowed choices are per-channel, per-tensor\. \[BAD_OPTION\]/);

  const text = runCli(['export', '--package', dir, '--data', FIXTURE_PRETRAINING, '--calibration-windows', '100', '--check-windows', '200', '--percentile', '99.99', '--input-scaling', 'per-tensor', '--force']);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /calibration: percentile 99\.99 on 100 of \d+ windows/);
  assert.doesNotMatch(text.stdout, /per-channel scales/);
  assert.equal(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).extractor.tflite.input.channelScales, undefined, 'one input scale when asked for');
  assert.match(text.stdout, /population head top-1 agreement: [\d.]+ %/);
});
