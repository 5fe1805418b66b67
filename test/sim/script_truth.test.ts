import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyWindowView } from '../../src/device/pipeline/windower.ts';
import { NO_LABEL } from '../../src/sim/replay_script.ts';
import { scriptTruth } from '../../src/sim/script_truth.ts';

const RATE = 250;

/** A window whose last sample is board sample `last` (the board's clock starts at its first sample). */
function windowEndingAt(last: number) {
  return { ...emptyWindowView(1), endTimestampUs: Math.round((last * 1e6) / RATE) };
}

test('a window is scored against the label in force at its last sample, and is stable only when no change falls inside it', () => {
  // Unlabelled for 100 samples, state 0 from 100, state 1 from 600.
  const truth = scriptTruth({ rate: RATE, labels: [{ at: 0, label: NO_LABEL }, { at: 100, label: 0 }, { at: 600, label: 1 }] }, 50);
  assert.deepEqual(truth(windowEndingAt(49)), { label: undefined, stable: true });
  assert.deepEqual(truth(windowEndingAt(120)), { label: 0, stable: false }, 'samples 71..120 straddle the change at 100');
  assert.deepEqual(truth(windowEndingAt(149)), { label: 0, stable: true }, 'samples 100..149 are all state 0');
  assert.deepEqual(truth(windowEndingAt(599)), { label: 0, stable: true });
  assert.deepEqual(truth(windowEndingAt(600)), { label: 1, stable: false });
  assert.deepEqual(truth(windowEndingAt(649)), { label: 1, stable: true });
  assert.deepEqual(truth(windowEndingAt(5000)), { label: 1, stable: true });
});
