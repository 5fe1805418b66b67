import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ErrorCode, HeadstartError, isHeadstartError } from '../../../src/core/errors.ts';
import { parseChannelList, selectChannelsByLabel } from '../../../src/io/datasets/channel_labels.ts';

function throwsCode(fn: () => unknown, code: ErrorCode, also?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isHeadstartError(e, code), `expected ${code}, got ${(e as HeadstartError).code}: ${(e as Error).message}`);
    if (also) assert.match(e.message, also);
    return true;
  });
}

test('labels match as written, then without their type prefix, then by their last word; case and spacing aside', () => {
  const labels = ['EEG Fp1', 'EEG  F3 ', 'EEG A2-A1', 'ECG ECG', 'Cz', 'EXG Channel 0', 'EXG Channel 1'];
  assert.deepEqual(selectChannelsByLabel(labels, ['cz', 'EEG F3', 'A2-A1', 'ECG'], 'f'), [4, 1, 2, 3]);
  assert.deepEqual(selectChannelsByLabel(labels, ['f3', 'FP1'], 'f'), [1, 0]);
  assert.deepEqual(selectChannelsByLabel(labels, ['1', 'exg channel 0'], 'f'), [6, 5]);
  // A full match wins over a shorter one: "ECG" is both ECG ECG's prefix-less form and its last word; "Cz" is exact.
  assert.deepEqual(selectChannelsByLabel(['EEG Cz', 'Cz'], ['Cz'], 'f'), [1]);
});

test('missing, ambiguous and repeated channels are errors that list what the file has', () => {
  const labels = ['EEG F3', 'EMG F3', 'EEG C3'];
  throwsCode(() => selectChannelsByLabel(labels, ['F3'], 'x.edf'), 'BAD_CHANNELS', /"F3" matches several channels \(EEG F3, EMG F3\); give the full label/);
  throwsCode(() => selectChannelsByLabel(labels, ['Pz'], 'x.edf'), 'BAD_CHANNELS', /x\.edf: no channel labelled "Pz"; the file has: EEG F3, EMG F3, EEG C3/);
  throwsCode(() => selectChannelsByLabel(labels, ['C3', 'eeg c3'], 'x.edf'), 'BAD_CHANNELS');
  throwsCode(() => selectChannelsByLabel(labels, [], 'x.edf'), 'BAD_OPTION');
});

test('--channels lists split on commas', () => {
  assert.deepEqual(parseChannelList('F3, F4 ,EEG C3,,'), ['F3', 'F4', 'EEG C3']);
  throwsCode(() => parseChannelList(' , '), 'BAD_OPTION', /e\.g\. F3,F4,C3,C4/);
});
