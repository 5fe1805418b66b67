import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isHeadstartError } from '../../src/core/errors.ts';
import { loadModelPackage, sha256Hex } from '../../src/io/model_package.ts';
import { writeTestPackage } from '../helpers/device_package.ts';
import { scratchDir } from '../helpers/scratch_dir.ts';

test('a damaged extractor whose hash matches the manifest is named with its file and the fix, before any runtime sees it', (t) => {
  const pkg = writeTestPackage(join(scratchDir(t), 'pkg'));
  const file = join(pkg.dir, 'extractor.tflite');
  // Damaged as a bad export would leave it (the tail cut off), and the manifest's hash made to match.
  const damaged = pkg.tflite.subarray(0, Math.floor(pkg.tflite.length / 2));
  writeFileSync(file, damaged);
  const manifestPath = join(pkg.dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  manifest.extractor.tflite.sha256 = sha256Hex(damaged);
  writeFileSync(manifestPath, JSON.stringify(manifest));
  assert.throws(
    () => loadModelPackage(pkg.dir, { requireTflite: true }),
    (e) =>
      isHeadstartError(e, 'BAD_PACKAGE') &&
      e.message.startsWith(`${file}: matches the manifest's sha256 but is not a sound TensorFlow Lite model (`) &&
      e.message.endsWith('export the package again') &&
      e.details['package'] === pkg.dir,
  );
});
