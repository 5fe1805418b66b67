// How pretraining scores its held-out people: by repetition (EMG) when every held-out person has two or more,
// else on the first seconds of each recording (EEG). The held-out set is selected from all the people's
// windows and keeps their list of names; people without windows in it must not decide the choice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Recording } from '../../src/core/signal.ts';
import { selectWindows, windowRecordings } from '../../src/core/window_set.ts';
import { isHeadstartError } from '../../src/core/errors.ts';
import { buildExtractor } from '../../src/host/extractor/model.ts';
import { hasRepetitions, secondsCalibratedAccuracy } from '../../src/host/seconds_validation.ts';
import { selectBackend } from '../../src/tfjs/backend.ts';

const rec = (subject: string, label: number, rep?: number): Recording => ({
  source: `${subject}/${label}/${rep}`,
  channels: 1,
  rate: 100,
  samples: new Float32Array(300),
  label,
  subject,
  ...(rep === undefined ? {} : { rep }),
});

test('repetitions are judged on the people a held-out selection holds, not on every name it keeps', () => {
  const all = windowRecordings(
    [rec('a', 0, 0), rec('a', 1, 0), rec('a', 0, 1), rec('a', 1, 1), rec('b', 0, 0), rec('b', 1, 0), rec('b', 0, 1), rec('b', 1, 1), rec('c', 0, 0), rec('c', 1, 0)],
    { length: 50, hop: 25 },
  );
  assert.deepEqual(all.subjects, ['a', 'b', 'c']);
  assert.equal(hasRepetitions(all), false, 'c has one repetition');
  const heldOut = selectWindows(all, (i) => all.subject[i] !== 2);
  assert.deepEqual(heldOut.subjects, ['a', 'b', 'c'], 'the selection keeps every name');
  assert.equal(hasRepetitions(heldOut), true, 'a and b have two repetitions each');
  const once = windowRecordings([rec('x', 0), rec('x', 1)], { length: 50, hop: 25 });
  assert.equal(hasRepetitions(once), false, 'one recording per state (EEG): no repetitions');
  assert.equal(hasRepetitions(selectWindows(all, () => false)), false, 'no windows, nothing to calibrate on');
});

test('held-out people with neither repetitions nor recordings long enough to split are refused, not scored as zero', async () => {
  await selectBackend();
  const rate = 100;
  const short = (label: number): Recording => ({ source: `x/${label}`, channels: 1, rate, samples: new Float32Array(5 * rate), label, subject: 'x' });
  const val = windowRecordings([short(0), short(1)], { length: 50, hop: 25 });
  const extractor = buildExtractor({ windowLength: 50, channels: 1, blocks: [{ filters: 4, kernel: 3, pool: 1 }], embedding: 4 }, 1);
  assert.throws(
    () => secondsCalibratedAccuracy(extractor, val, 2, { embedding: 'sqrt', timeDomain: 'none' }),
    (e) => isHeadstartError(e, 'NOT_ENOUGH_DATA') && /held-out people cannot be scored/.test(e.message),
  );
  extractor.dispose();
});
