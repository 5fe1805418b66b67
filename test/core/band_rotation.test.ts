import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rotateBand, rotateBandInto } from '../../src/core/band_rotation.ts';
import { createRng } from '../../src/core/rng.ts';

const C = 8;
const rng = createRng(4);
const samples = Float32Array.from({ length: 100 * C }, () => rng.normal());

test('whole-electrode shifts are exact circular permutations, either way', () => {
  for (const shift of [1, 2, 7, 8, -1, -3, 11]) {
    const out = rotateBand(samples, C, shift);
    for (let t = 0; t < 100; t++) {
      for (let c = 0; c < C; c++) assert.equal(out[t * C + c], samples[t * C + (((c + shift) % C) + C) % C], `shift ${shift} t ${t} c ${c}`);
    }
  }
  assert.deepEqual(rotateBand(samples, C, 0), samples);
});

test('a fractional shift interpolates each electrode towards its neighbour around the band', () => {
  const out = new Float64Array(samples.length);
  rotateBandInto(samples, out, 100, C, 0.25);
  for (let c = 0; c < C; c++) assert.ok(Math.abs(out[c] - (0.75 * samples[c] + 0.25 * samples[(c + 1) % C])) < 1e-12);
  rotateBandInto(samples, out, 100, C, -0.5);
  for (let c = 0; c < C; c++) assert.ok(Math.abs(out[c] - (0.5 * samples[(c + C - 1) % C] + 0.5 * samples[c])) < 1e-12);
});

test('rotating by a whole shift and back restores the signal', () => {
  const there = rotateBand(samples, C, 3);
  assert.deepEqual(rotateBand(there, C, -3), samples);
});
