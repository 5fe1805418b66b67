import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isHeadstartError } from '../../../src/core/errors.ts';
import { bandPowerFeaturesInto, bandPowerScratch, bandPowerSize } from '../../../src/core/features/band_power.ts';
import { spatialCovarianceFeaturesInto, spatialCovarianceScratch, spatialCovarianceSize } from '../../../src/core/features/spatial_covariance.ts';
import { timeDomainFeaturesInto, timeDomainScratch, timeDomainSize } from '../../../src/core/features/time_domain.ts';
import { buildHeadInputs, checkHeadInput, EEG_CLASSICAL_INPUT, EEG_TRANSFER_INPUT, HeadInputBuilder, headInputSize, modalityInputs, sameHeadInput, usesWindow } from '../../../src/core/head/head_input.ts';
import { createRng } from '../../../src/core/rng.ts';

const rng = createRng(3);

test('a recipe written before band power (timeDomain only) reads as it was, and means no band power', () => {
  const old = checkHeadInput(JSON.parse('{"embedding":"sqrt","timeDomain":"rich"}'), 'priors.json');
  assert.deepEqual(old, { embedding: 'sqrt', timeDomain: 'rich' });
  assert.equal(old.bandPower, undefined);
  assert.equal(headInputSize(old, 64, 8), 64 + 13 * 8);
  assert.equal(sameHeadInput(old, { embedding: 'sqrt', timeDomain: 'rich' }), true);
  assert.equal(sameHeadInput(old, { embedding: 'sqrt', timeDomain: 'rich', bandPower: 'bands7' }), false);
});

test('EEG recipes (band power, covariance) are checked, sized and read the window', () => {
  assert.deepEqual(checkHeadInput({ ...EEG_TRANSFER_INPUT }, 'p'), EEG_TRANSFER_INPUT);
  assert.deepEqual(checkHeadInput({ ...EEG_CLASSICAL_INPUT }, 'p'), EEG_CLASSICAL_INPUT);
  assert.throws(() => checkHeadInput({ embedding: 'sqrt', timeDomain: 'none', bandPower: 'bands5' }, 'p'), (err) => isHeadstartError(err, 'BAD_PROFILE'));
  assert.throws(() => checkHeadInput({ embedding: 'none', timeDomain: 'none' }, 'p'), (err) => isHeadstartError(err, 'BAD_PROFILE'));
  assert.throws(() => checkHeadInput({ embedding: 'sqrt', timeDomain: 'none', spatialCovariance: 'bands9' }, 'p'), (err) => isHeadstartError(err, 'BAD_PROFILE'));
  // A recipe of the covariance alone is a recipe; written before covariance was readable, it is absent and means none.
  assert.deepEqual(checkHeadInput({ embedding: 'none', timeDomain: 'none', spatialCovariance: 'bands4' }, 'p'), { embedding: 'none', timeDomain: 'none', spatialCovariance: 'bands4' });
  assert.equal(sameHeadInput(EEG_TRANSFER_INPUT, { embedding: 'sqrt', timeDomain: 'none', bandPower: 'bands7' }), false);
  // Embedding, seven bands' power per channel, then four bands of 8 x 8 covariance (36 values each).
  assert.equal(headInputSize(EEG_TRANSFER_INPUT, 32, 8), 32 + 56 + 4 * 36);
  assert.equal(headInputSize(EEG_CLASSICAL_INPUT, 32, 8), 56);
  assert.equal(usesWindow(EEG_CLASSICAL_INPUT), true);
  assert.deepEqual(modalityInputs('eeg'), { transfer: EEG_TRANSFER_INPUT, classical: EEG_CLASSICAL_INPUT });
  assert.equal(modalityInputs('emg').transfer.bandPower, undefined);
});

test('the builder joins embedding, time-domain features, band power and covariance in that order', () => {
  const length = 250;
  const channels = 3;
  const rate = 125;
  const emb = Float32Array.from({ length: 6 }, () => Math.abs(rng.normal()));
  const w = Float32Array.from({ length: length * channels }, (_, i) => Math.sin(i * 0.37) + 0.3 * rng.normal());
  const input = { embedding: 'sqrt', timeDomain: 'td4', bandPower: 'bands7', spatialCovariance: 'bands4' } as const;
  const builder = new HeadInputBuilder(input, emb.length, length, channels, rate);
  const out = new Float64Array(builder.size);
  builder.build(emb, w, out);
  const td = new Float64Array(timeDomainSize('td4', channels));
  timeDomainFeaturesInto(w, length, channels, 'td4', td, timeDomainScratch(length));
  const bp = new Float64Array(bandPowerSize(channels));
  bandPowerFeaturesInto(w, channels, bp, bandPowerScratch(length, rate));
  assert.deepEqual(Array.from(out.subarray(0, 6)), Array.from(emb, (v) => Math.sqrt(v)));
  assert.deepEqual(Array.from(out.subarray(6, 6 + td.length)), Array.from(td));
  assert.deepEqual(Array.from(out.subarray(6 + td.length, 6 + td.length + bp.length)), Array.from(bp));
  const cov = new Float64Array(spatialCovarianceSize(channels));
  spatialCovarianceFeaturesInto(w, cov, spatialCovarianceScratch(length, rate, channels));
  assert.deepEqual(Array.from(out.subarray(6 + td.length + bp.length)), Array.from(cov));
  assert.throws(() => new HeadInputBuilder(input, emb.length, length, channels), (err) => isHeadstartError(err, 'INTERNAL'));
  // The matrix form takes the rate from the windows.
  const m = buildHeadInputs(input, { count: 1, dim: emb.length, data: emb }, { count: 1, length, channels, x: w, rate });
  assert.deepEqual(Array.from(m.data), Array.from(out, (v) => Math.fround(v)));
});
