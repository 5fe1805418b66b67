import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHeadstartError } from '../../src/core/errors.ts';
import { calibrationCycles, checkCyclesAvailable, checkSecondsAvailable } from '../../src/host/evaluate/calibration_checks.ts';

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

test('a C that leaves a recording nothing to score, or holds no whole window, is refused before any work', () => {
  // Two people at 500 Hz, one channel: recordings of 180 s and 62 s; windows of 2 s, hop 0.5 s at 250 Hz.
  const rec = (seconds: number) => ({ rate: 500, channels: 1, samples: new Float32Array(seconds * 500) });
  const people = [
    { name: 'Subject24', recordings: [rec(180), rec(62)] },
    { name: 'Subject25', recordings: [rec(182), rec(60)] },
  ];
  const window = { length: 500, hop: 125, rate: 250 };
  assert.doesNotThrow(() => checkSecondsAvailable(people, [0, 10, 20, 30], window));
  assert.doesNotThrow(() => checkSecondsAvailable(people, [0], window), 'C = 0 needs no calibration');
  assert.doesNotThrow(() => checkSecondsAvailable(people, [57], window), '57 + 2 + 0.5 s fit in 60 s');
  assert.throws(
    () => checkSecondsAvailable(people, [10, 58], window),
    (e) => isHeadstartError(e, 'BAD_OPTION') && e.details['setting'] === 'calib-seconds' && e.details['available'] === 57 && /Subject25's recording of 60\.0 s/.test(e.message),
  );
  assert.throws(() => checkSecondsAvailable(people, [1, 10], window), (e) => isHeadstartError(e, 'BAD_OPTION') && /no whole window \(2 s\)/.test(e.message));
});
