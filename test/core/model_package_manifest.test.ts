// The manifest is the host/device contract: a valid one loads as it is, and
// each kind of damage is BAD_PACKAGE naming the field at fault.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isHeadstartError } from '../../src/core/errors.ts';
import { packagePreprocessing, validateManifest } from '../../src/core/model_package/manifest.ts';

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

test('preprocessing: absent means none (the EMG package), a list of filters is kept, and a bad one is refused naming the field', () => {
  const shipped = validateManifest(SHIPPED);
  assert.equal(shipped.preprocessing, undefined);
  assert.deepEqual(packagePreprocessing(shipped), { rate: 200, filters: [] });
  const filters = [{ kind: 'bandpass', low: 1, high: 45, order: 4 }, { kind: 'notch', freq: 50, q: 30 }, { kind: 'car' }];
  const eeg = validateManifest(edited((x) => (x.preprocessing = filters)));
  assert.deepEqual(eeg.preprocessing, filters);
  assert.deepEqual(packagePreprocessing(eeg), { rate: 200, filters });
  assertBadField(edited((x) => (x.preprocessing = { kind: 'car' })), 'preprocessing');
  assertBadField(edited((x) => (x.preprocessing = [{ kind: 'lowpass', freq: 10 }])), 'preprocessing');
  // 120 Hz is above the Nyquist frequency of the package's 200 Hz.
  assert.throws(
    () => validateManifest(edited((x) => (x.preprocessing = [{ kind: 'bandpass', low: 1, high: 120, order: 4 }]))),
    (err) => isHeadstartError(err, 'BAD_PACKAGE') && /Nyquist/.test(err.message) && /preprocessing\[0\]/.test(err.message),
  );
});
