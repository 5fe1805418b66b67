import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHeadstartError } from '../../src/core/errors.ts';
import { calibrationCycles, checkCyclesAvailable } from '../../src/host/evaluate/calibration_checks.ts';

const person = (name: string, reps: (number | undefined)[]) => ({ name, calibration: reps.map((rep) => (rep === undefined ? {} : { rep })) });

test('calibration cycles are the distinct repetitions; recordings without one are one cycle', () => {
  assert.equal(calibrationCycles(person('a', [0, 0, 1, 1, 2, 3]).calibration), 4);
  assert.equal(calibrationCycles(person('a', [undefined, undefined]).calibration), 1);
  assert.equal(calibrationCycles([]), 0);
});

test('a k above what some person holds is refused, naming them and the largest k that fits', () => {
  const people = [person('Male0', [0, 1, 2, 3]), person('Female1', [0, 1])];
  assert.doesNotThrow(() => checkCyclesAvailable(people, [0, 1, 2]));
  assert.doesNotThrow(() => checkCyclesAvailable(people, [0]), 'k = 0 needs no calibration');
  assert.throws(
    () => checkCyclesAvailable(people, [1, 3]),
    (e) => isHeadstartError(e, 'BAD_OPTION') && e.details['setting'] === 'cycles' && /k = 3 .*\(Female1 has 2\); ask for k from 0 to 2$/.test(e.message),
  );
});
