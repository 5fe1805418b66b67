// The manifest is the host/device contract: a valid one loads as it is, and
// each kind of damage is BAD_PACKAGE naming the field at fault.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isHeadstartError } from '../../src/core/errors.ts';
import { validateManifest } from '../../src/core/model_package/manifest.ts';

const SHIPPED = JSON.parse(readFileSync('models/myo8-200hz/manifest.json', 'utf8')) as Record<string, unknown>;

/** A deep copy of the shipped manifest with `edit` applied. */
function edited(edit: (m: any) => void): unknown {
  const m = structuredClone(SHIPPED);
  edit(m);
  return m;
}

function assertBadField(value: unknown, field: string): void {
  assert.throws(
    () => validateManifest(value),
    (err) => isHeadstartError(err, 'BAD_PACKAGE') && (err.details as { field?: string } | undefined)?.field === field,
    `expected BAD_PACKAGE naming ${field}`,
  );
}

test('the shipped manifest validates, with its per-channel input scales', () => {
  const m = validateManifest(SHIPPED);
  assert.equal(m.channels, 8);
  const input = m.extractor.tflite!.input;
  assert.equal(input.channelScales?.length, 8);
  assert.ok(input.channelScales!.every((s) => s > 0 && s <= input.scale), 'the tensor scale is the coarsest channel scale');
});

test('an input without channel scales (per-tensor export) is valid too', () => {
  const m = validateManifest(edited((x) => delete x.extractor.tflite.input.channelScales));
  assert.equal(m.extractor.tflite!.input.channelScales, undefined);
});

test('bad channel scales are refused, naming the field: wrong count, zero, negative, not numbers', () => {
  const field = 'extractor.tflite.input.channelScales';
  assertBadField(edited((x) => x.extractor.tflite.input.channelScales.pop()), field);
  assertBadField(edited((x) => (x.extractor.tflite.input.channelScales[2] = 0)), field);
  assertBadField(edited((x) => (x.extractor.tflite.input.channelScales[0] = -0.05)), field);
  assertBadField(edited((x) => (x.extractor.tflite.input.channelScales = 'wide')), field);
});

test('other damage names its field: zero point not whole, normalization of the wrong length, unknown format', () => {
  assertBadField(edited((x) => (x.extractor.tflite.input.zeroPoint = 0.5)), 'extractor.tflite.input.zeroPoint');
  assertBadField(edited((x) => x.normalization.scale.pop()), 'normalization.scale');
  assertBadField(edited((x) => (x.format = 'something-else')), 'format');
});
