import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHeadstartError } from '../../src/core/errors.ts';
import type { Recording } from '../../src/core/signal.ts';
import { concatWindowSets, windowRecordings } from '../../src/core/window_set.ts';

const spec = { length: 4, hop: 2 };
function recording(label: number, rep: number, subject: string, frames: number, base: number): Recording {
  return { channels: 2, rate: 100, samples: Float32Array.from({ length: frames * 2 }, (_, i) => base + i), label, rep, subject, source: `${subject}-${label}-${rep}` };
}

test('joined window sets keep every window with its label, repetition, start and subject', () => {
  const a = windowRecordings([recording(0, 0, 'ann', 8, 0), recording(1, 0, 'ann', 6, 100)], spec);
  const b = windowRecordings([recording(1, 1, 'bob', 6, 200), recording(0, 1, 'ann', 6, 300)], spec);
  const joined = concatWindowSets([a, b]);
  assert.equal(joined.count, a.count + b.count);
  assert.deepEqual(Array.from(joined.x), [...a.x, ...b.x]);
  assert.deepEqual(Array.from(joined.y), [...a.y, ...b.y]);
  assert.deepEqual(Array.from(joined.rep), [...a.rep, ...b.rep]);
  assert.deepEqual(Array.from(joined.start), [...a.start, ...b.start]);
  // Subjects are matched by name, not by each set's own index.
  assert.deepEqual(Array.from(joined.subject, (s) => joined.subjects[s]), [...Array.from(a.subject, (s) => a.subjects[s]), ...Array.from(b.subject, (s) => b.subjects[s])]);
  assert.deepEqual(joined.subjects, ['ann', 'bob']);
});

test('window sets of different shapes are refused', () => {
  const a = windowRecordings([recording(0, 0, 'ann', 8, 0)], spec);
  const b = windowRecordings([recording(0, 0, 'ann', 8, 0)], { length: 3, hop: 2 });
  assert.throws(() => concatWindowSets([a, b]), (err) => isHeadstartError(err, 'MIXED_RECORDINGS'));
  assert.throws(() => concatWindowSets([]), (err) => isHeadstartError(err, 'NO_RECORDINGS'));
});
