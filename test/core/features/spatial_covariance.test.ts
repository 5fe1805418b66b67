import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COVARIANCE_BANDS, spatialCovarianceFeaturesInto, spatialCovarianceScratch, spatialCovarianceSize, symmetricEigen } from '../../../src/core/features/spatial_covariance.ts';
import { createRng } from '../../../src/core/rng.ts';

const rng = createRng(5);

/** Each band's covariance by definition: a direct DFT of the mean-removed, zero-padded channels, cross-spectra averaged over the band's bins, plus the ridge. */
function directCovariances(w: Float32Array, length: number, channels: number, rate: number): number[][][] {
  let n = 1;
  while (n < length) n *= 2;
  const spectra = Array.from({ length: channels }, (_, c) => {
    let mean = 0;
    for (let t = 0; t < length; t++) mean += w[t * channels + c]! / length;
    return Array.from({ length: n / 2 + 1 }, (_, k) => {
      let re = 0;
      let im = 0;
      for (let t = 0; t < length; t++) {
        re += (w[t * channels + c]! - mean) * Math.cos((2 * Math.PI * k * t) / n);
        im -= (w[t * channels + c]! - mean) * Math.sin((2 * Math.PI * k * t) / n);
      }
      return [re, im] as const;
    });
  });
  return COVARIANCE_BANDS.map(([low, high]) => {
    const bins = Array.from({ length: n / 2 + 1 }, (_, k) => k).filter((k) => (k * rate) / n >= low && (k * rate) / n < high);
    const m = Array.from({ length: channels }, (_, i) => Array.from({ length: channels }, (_, j) => bins.reduce((a, k) => a + spectra[i]![k]![0] * spectra[j]![k]![0] + spectra[i]![k]![1] * spectra[j]![k]![1], 0) / bins.length));
    const trace = m.reduce((a, row, i) => a + row[i]!, 0);
    for (let i = 0; i < channels; i++) m[i]![i]! += 1e-3 * (trace / channels) + 1e-12;
    return m;
  });
}

function matMul(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
}

/** Matrix exponential by scaling and squaring of a Taylor series: independent of the eigendecomposition the features use. */
function expm(a: number[][]): number[][] {
  const n = a.length;
  const norm = Math.max(...a.map((row) => row.reduce((s, v) => s + Math.abs(v), 0)));
  const squarings = Math.max(0, Math.ceil(Math.log2(norm)) + 4);
  const scaled = a.map((row) => row.map((v) => v / 2 ** squarings));
  let term: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  let sum = term.map((row) => [...row]);
  for (let k = 1; k < 30; k++) {
    term = matMul(term, scaled).map((row) => row.map((v) => v / k));
    sum = sum.map((row, i) => row.map((v, j) => v + term[i]![j]!));
  }
  for (let s = 0; s < squarings; s++) sum = matMul(sum, sum);
  return sum;
}

/** The symmetric matrix a band's features encode (off-diagonal entries were multiplied by sqrt(2)). */
function unpack(features: Float64Array, band: number, channels: number): number[][] {
  const per = (channels * (channels + 1)) / 2;
  const m = Array.from({ length: channels }, () => new Array<number>(channels).fill(0));
  let at = band * per;
  for (let i = 0; i < channels; i++) {
    for (let j = i; j < channels; j++) {
      const v = features[at++]!;
      m[i]![j] = i === j ? v : v / Math.SQRT2;
      m[j]![i] = m[i]![j]!;
    }
  }
  return m;
}

/** A window with coupled channels: a shared 6 Hz rhythm on the first two, a 20 Hz one on the third, noise everywhere. */
function window(length: number, channels: number, rate: number): Float32Array {
  const w = new Float32Array(length * channels);
  for (let t = 0; t < length; t++) {
    const theta = Math.sin((2 * Math.PI * 6 * t) / rate);
    const beta = Math.sin((2 * Math.PI * 20 * t) / rate + 0.3);
    for (let c = 0; c < channels; c++) w[t * channels + c] = (c < 2 ? 3 * theta : 0) + (c === 2 ? 2 * beta : 0) + 0.5 * rng.normal() + 4;
  }
  return w;
}

test('symmetricEigen: A v = lambda v, with orthonormal eigenvectors, on random symmetric matrices', () => {
  for (const n of [2, 5, 8, 16]) {
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = rng.normal();
    const original = Float64Array.from(a);
    const values = new Float64Array(n);
    const v = new Float64Array(n * n);
    symmetricEigen(a, n, values, v);
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let j = 0; j < n; j++) av += original[i * n + j]! * v[j * n + k]!;
        assert.ok(Math.abs(av - values[k]! * v[i * n + k]!) < 1e-9, `n=${n}, eigenpair ${k}, row ${i}`);
      }
      for (let l = 0; l < n; l++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += v[i * n + k]! * v[i * n + l]!;
        assert.ok(Math.abs(dot - (k === l ? 1 : 0)) < 1e-9);
      }
    }
  }
});

test('the features are the matrix logarithms of the band covariances: their exponentials give the covariances by definition', () => {
  const [length, channels, rate] = [500, 4, 250];
  const w = window(length, channels, rate);
  const out = new Float64Array(spatialCovarianceSize(channels));
  assert.equal(out.length, 10 * COVARIANCE_BANDS.length);
  spatialCovarianceFeaturesInto(w, out, spatialCovarianceScratch(length, rate, channels));
  const expected = directCovariances(w, length, channels, rate);
  COVARIANCE_BANDS.forEach((_, b) => {
    const back = expm(unpack(out, b, channels));
    for (let i = 0; i < channels; i++) {
      for (let j = 0; j < channels; j++) {
        const e = expected[b]![i]![j]!;
        assert.ok(Math.abs(back[i]![j]! - e) < 1e-6 * (1 + Math.abs(expected[b]![i]![i]!)), `band ${b}, entry (${i}, ${j}): ${back[i]![j]} vs ${e}`);
      }
    }
  });
  // What the window holds shows where it should: the shared 6 Hz rhythm couples the first two channels in theta
  // (4-8 Hz), not in beta (13-30 Hz).
  const theta = expected[1]!;
  const beta = expected[3]!;
  const corr = (m: number[][], i: number, j: number) => m[i]![j]! / Math.sqrt(m[i]![i]! * m[j]![j]!);
  assert.ok(corr(theta, 0, 1) > 0.9 && Math.abs(corr(beta, 0, 1)) < 0.5, `theta ${corr(theta, 0, 1)}, beta ${corr(beta, 0, 1)}`);
});

test('a gain on every channel moves only the diagonal entries, by the log of its square; the offset is ignored', () => {
  const [length, channels, rate] = [500, 3, 250];
  const w = window(length, channels, rate);
  const scratch = spatialCovarianceScratch(length, rate, channels);
  const a = new Float64Array(spatialCovarianceSize(channels));
  const b = new Float64Array(a.length);
  spatialCovarianceFeaturesInto(w, a, scratch);
  spatialCovarianceFeaturesInto(
    Float32Array.from(w, (v) => 2.5 * v - 7),
    b,
    scratch,
  );
  const per = (channels * (channels + 1)) / 2;
  let at = 0;
  for (let band = 0; band < COVARIANCE_BANDS.length; band++) {
    for (let i = 0; i < channels; i++) {
      for (let j = i; j < channels; j++) {
        const shift = i === j ? Math.log(2.5 * 2.5) : 0;
        assert.ok(Math.abs(b[at]! - a[at]! - shift) < 1e-4, `band ${band}, (${i}, ${j}): ${b[at]! - a[at]!} vs ${shift}`);
        at++;
      }
    }
  }
  assert.equal(at, per * COVARIANCE_BANDS.length);
  // A flat window still gives finite values (the ridge), and reuse of the scratch changes nothing.
  const flat = new Float64Array(a.length);
  spatialCovarianceFeaturesInto(new Float32Array(length * channels).fill(3), flat, scratch);
  assert.ok(flat.every(Number.isFinite));
  const again = new Float64Array(a.length);
  spatialCovarianceFeaturesInto(w, again, scratch);
  assert.deepEqual(again, a);
});

test('windows too short for a band, one channel, or a bad rate are refused with what to change', () => {
  assert.throws(() => spatialCovarianceScratch(500, 250, 1), /at least 2 channels/);
  assert.throws(() => spatialCovarianceScratch(4, 250, 8), /holds no frequency bin/);
  assert.throws(() => spatialCovarianceScratch(500, 0, 8), /positive sample rate/);
  assert.throws(() => spatialCovarianceScratch(500, 60, 8), /Nyquist/);
});
