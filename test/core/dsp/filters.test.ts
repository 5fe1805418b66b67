import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type ErrorCode, HeadstartError, isHeadstartError } from '../../../src/core/errors.ts';
import { butterworthBandpass, notch } from '../../../src/core/dsp/design.ts';
import { buildFilterChain, checkFilterSpecs, describeFilters, type FilterSpec, parseFilterList } from '../../../src/core/dsp/filters.ts';
import { commonAverageReference } from '../../../src/core/dsp/reference.ts';
import { type Sections, sectionsDcGain, sectionsGain, SosFilter } from '../../../src/core/dsp/sos.ts';

const dB = (gain: number) => 20 * Math.log10(gain);

function throwsCode(fn: () => unknown, code: ErrorCode, also?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isHeadstartError(e, code), `expected ${code}, got ${(e as HeadstartError).code}: ${(e as Error).message}`);
    if (also) assert.match(e.message, also);
    return true;
  });
}

/** The analog Butterworth band-pass magnitude the design must meet, at the pre-warped frequency. */
function butterworthTheory(f: number, low: number, high: number, order: number, rate: number): number {
  const warp = (x: number) => 2 * rate * Math.tan((Math.PI * x) / rate);
  const [w, w1, w2] = [warp(f), warp(low), warp(high)];
  const omega = (w * w - w1 * w2) / (w * (w2 - w1));
  return 1 / Math.sqrt(1 + omega ** (2 * order));
}

/** The notch magnitude of H(s) = (s^2 + w0^2) / (s^2 + s w0/Q + w0^2) after the bilinear transform pre-warped at w0. */
function notchTheory(f: number, f0: number, q: number, rate: number): number {
  const [w, w0] = [(2 * Math.PI * f) / rate, (2 * Math.PI * f0) / rate];
  const alpha = Math.sin(w0) / (2 * q);
  const d = Math.cos(w) - Math.cos(w0);
  return Math.abs(d) / Math.sqrt(d * d + (alpha * Math.sin(w)) ** 2);
}

/** Measured gain: a sine of `f` Hz through the filter for `seconds`, RMS out / RMS in over the last `window` seconds (whole cycles). */
function measuredGain(sections: Sections, f: number, rate: number, seconds = 40, window = 10): number {
  const n = seconds * rate;
  const x = Float32Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * f * i) / rate));
  const y = new SosFilter(sections, 1).process(x, new Float32Array(n));
  let [inPower, outPower] = [0, 0];
  for (let i = n - window * rate; i < n; i++) {
    inPower += x[i] * x[i];
    outPower += y[i] * y[i];
  }
  return Math.sqrt(outPower / inPower);
}

test('Butterworth band-pass: the designed response is the analog Butterworth one at every frequency; -3 dB at the cut-offs', () => {
  for (const [low, high, order, rate] of [
    [1, 45, 4, 250],
    [0.5, 40, 3, 500],
    [8, 13, 2, 250],
    [1, 30, 1, 200],
  ] as const) {
    const sections = butterworthBandpass(low, high, order, rate);
    assert.equal(sections.length, 5 * order, 'one section per order');
    for (let f = 0.05; f < rate / 2; f *= 1.07) {
      const designed = sectionsGain(sections, f, rate);
      const theory = butterworthTheory(f, low, high, order, rate);
      assert.ok(Math.abs(dB(designed) - dB(theory)) < 1e-6 || (theory < 1e-9 && designed < 1e-8), `${low}-${high} Hz order ${order} at ${rate} Hz, f = ${f}: ${dB(designed)} dB vs ${dB(theory)} dB`);
    }
    assert.ok(Math.abs(dB(sectionsGain(sections, low, rate)) + 3.0103) < 1e-6, 'low cut-off at -3.01 dB');
    assert.ok(Math.abs(dB(sectionsGain(sections, high, rate)) + 3.0103) < 1e-6, 'high cut-off at -3.01 dB');
    assert.ok(Math.abs(sectionsDcGain(sections)) < 1e-12, 'no DC');
  }
});

test('band-pass 1-45 Hz (order 4) at 250 Hz, measured on sines: > -0.5 dB in band, < -30 dB out of it, as designed', () => {
  const rate = 250;
  const sections = butterworthBandpass(1, 45, 4, rate);
  for (const f of [3, 5, 10, 20, 30, 35]) {
    const g = measuredGain(sections, f, rate);
    assert.ok(dB(g) > -0.5, `${f} Hz: ${dB(g).toFixed(3)} dB`);
    assert.ok(Math.abs(dB(g) - dB(sectionsGain(sections, f, rate))) < 0.02, `${f} Hz measured ${dB(g)} dB vs designed ${dB(sectionsGain(sections, f, rate))} dB`);
  }
  for (const f of [0.1, 0.2, 100, 120]) {
    const g = measuredGain(sections, f, rate);
    assert.ok(dB(g) < -30, `${f} Hz: ${dB(g).toFixed(1)} dB`);
  }
});

test('notch: the designed response is the pre-warped analog notch; measured < -30 dB at 50/60 Hz, > -0.5 dB a few Hz away', () => {
  for (const [f0, q, rate] of [
    [50, 30, 250],
    [60, 30, 250],
    [50, 20, 500],
    [60, 35, 500],
  ] as const) {
    const sections = notch(f0, q, rate);
    for (let f = 0.5; f < rate / 2; f += 0.37) {
      const designed = sectionsGain(sections, f, rate);
      assert.ok(Math.abs(designed - notchTheory(f, f0, q, rate)) < 1e-9, `${f0} Hz Q ${q} at ${rate} Hz, f = ${f}: ${designed} vs ${notchTheory(f, f0, q, rate)}`);
    }
    assert.ok(Math.abs(sectionsDcGain(sections) - 1) < 1e-12, 'DC passes');
    assert.ok(dB(measuredGain(sections, f0, rate, 20, 5)) < -30, `${f0} Hz notched: ${dB(measuredGain(sections, f0, rate, 20, 5))} dB`);
    for (const f of [f0 - 5, f0 + 5, 10]) assert.ok(dB(measuredGain(sections, f, rate, 20, 5)) > -0.5, `${f} Hz passes: ${dB(measuredGain(sections, f, rate, 20, 5))} dB`);
  }
});

test('common average reference subtracts each sample\'s channel mean', () => {
  const input = Float32Array.of(1, 2, 3, 10, 10, 40, -3, 0, 3);
  assert.deepEqual(Array.from(commonAverageReference(input, 3, new Float32Array(9))), [-1, 0, 1, -10, -10, 20, -3, 0, 3]);
  throwsCode(() => commonAverageReference(input, 2), 'INTERNAL');
});

const EEG_CHAIN: FilterSpec[] = [
  { kind: 'bandpass', low: 1, high: 45, order: 4 },
  { kind: 'notch', freq: 50, q: 30 },
  { kind: 'car' },
  { kind: 'notch', freq: 60, q: 30 },
];

/** Three channels of EEG-like signal: offsets of tens of mV, alpha, mains. */
function signal(samples: number, channels: number, rate: number): Float32Array {
  return Float32Array.from({ length: samples * channels }, (_, k) => {
    const [i, c] = [Math.floor(k / channels), k % channels];
    const t = i / rate;
    return 60000 - 20000 * c + 30 * Math.sin(2 * Math.PI * 10 * t + c) + 15 * Math.sin(2 * Math.PI * 50 * t) + 5 * Math.sin(2 * Math.PI * (3 + c) * t);
  });
}

test('chunked = whole: any split of the stream gives exactly the whole-signal output, sample by sample included', () => {
  const channels = 3;
  const rate = 250;
  const x = signal(2000, channels, rate);
  const whole = buildFilterChain(EEG_CHAIN, channels, rate).process(x, new Float32Array(x.length));
  const oneByOne = buildFilterChain(EEG_CHAIN, channels, rate);
  const single = new Float32Array(x.length);
  for (let i = 0; i < x.length; i += channels) oneByOne.process(x.subarray(i, i + channels), single.subarray(i, i + channels));
  assert.deepEqual(single, whole);
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 20 }), (cuts) => {
      const chain = buildFilterChain(EEG_CHAIN, channels, rate);
      const copy = Float32Array.from(x);
      const bounds = [...new Set([0, ...cuts.map((c) => c * 6 * channels).filter((c) => c < x.length), x.length])].sort((a, b) => a - b);
      for (let k = 1; k < bounds.length; k++) chain.process(copy.subarray(bounds[k - 1], bounds[k]));
      assert.deepEqual(copy, whole);
    }),
    { numRuns: 50 },
  );
  // reset() starts over as a new chain would.
  const again = buildFilterChain(EEG_CHAIN, channels, rate);
  again.process(signal(100, channels, rate));
  again.reset();
  assert.deepEqual(again.process(Float32Array.from(x)), whole);
});

test('a DC offset of 60 mV starts settled: no step rings through the band-pass', () => {
  const rate = 250;
  const x = signal(rate, 1, rate);
  const y = buildFilterChain([{ kind: 'bandpass', low: 1, high: 45, order: 4 }], 1, rate).process(Float32Array.from(x));
  const peak = Math.max(...Array.from(y, Math.abs));
  assert.ok(peak < 60, `first second peaks at ${peak} µV for a signal of 50 µV peak on 60,000 µV`);
  // A notch alone passes DC unchanged from the first sample.
  const dc = buildFilterChain([{ kind: 'notch', freq: 50, q: 30 }], 2, rate).process(Float32Array.from({ length: 20 }, (_, k) => (k % 2 === 0 ? 60000 : -1234.5)));
  for (let k = 0; k < 20; k++) assert.ok(Math.abs(dc[k] - (k % 2 === 0 ? 60000 : -1234.5)) < 1e-2, `sample ${k}: ${dc[k]}`);
});

test('the chain runs in list order and an empty list passes samples through', () => {
  const channels = 2;
  const x = signal(500, channels, 250);
  assert.deepEqual(buildFilterChain([], channels, 250).process(x, new Float32Array(x.length)), x);
  // CAR then notch differs from notch then CAR only by rounding (both linear), but CAR first on two channels leaves antisymmetric pairs.
  const carFirst = buildFilterChain([{ kind: 'car' }, { kind: 'notch', freq: 50, q: 30 }], channels, 250).process(x, new Float32Array(x.length));
  for (let i = 0; i < x.length; i += 2) assert.ok(Math.abs(carFirst[i] + carFirst[i + 1]) < 1e-2);
  assert.equal(buildFilterChain(EEG_CHAIN, 16, 250).sectionCount, 6);
});

test('descriptions are checked: shape, fields, cut-offs below Nyquist, orders and Q', () => {
  assert.deepEqual(checkFilterSpecs(JSON.parse(JSON.stringify(EEG_CHAIN)), 250), EEG_CHAIN);
  throwsCode(() => checkFilterSpecs({ kind: 'car' }), 'BAD_OPTION', /must be a list/);
  throwsCode(() => checkFilterSpecs([{ kind: 'lowpass', freq: 3 }]), 'BAD_OPTION', /filters\[0\]: kind "lowpass" is not one of bandpass, notch, car/);
  throwsCode(() => checkFilterSpecs([{ kind: 'notch', freq: 50, q: 30, width: 2 }]), 'BAD_OPTION', /unknown field width/);
  throwsCode(() => checkFilterSpecs([{ kind: 'car' }, { kind: 'bandpass', low: 40, high: 8, order: 4 }]), 'BAD_OPTION', /filters\[1\] \(bandpass\): high 8 Hz must be above low 40 Hz/);
  throwsCode(() => checkFilterSpecs([{ kind: 'bandpass', low: 0, high: 8, order: 4 }]), 'BAD_OPTION', /low must be a positive number/);
  for (const order of [0, 9, 2.5, '4']) throwsCode(() => checkFilterSpecs([{ kind: 'bandpass', low: 1, high: 8, order }]), 'BAD_OPTION', /order must be a whole number from 1 to 8/);
  throwsCode(() => checkFilterSpecs([{ kind: 'notch', freq: 50, q: 0 }]), 'BAD_OPTION', /q must be a positive number/);
  throwsCode(() => checkFilterSpecs([{ kind: 'bandpass', low: 1, high: 125, order: 4 }], 250), 'BAD_OPTION', /high 125 Hz is not below 125 Hz, the Nyquist frequency of a 250 Hz signal/);
  throwsCode(() => buildFilterChain([{ kind: 'notch', freq: 60, q: 30 }], 8, 100), 'BAD_OPTION', /freq 60 Hz is not below 50 Hz/);
  throwsCode(() => buildFilterChain(EEG_CHAIN, 0, 250), 'INTERNAL');
  throwsCode(() => buildFilterChain(EEG_CHAIN, 3, 250).process(new Float32Array(4)), 'INTERNAL');
  assert.equal(describeFilters(EEG_CHAIN), 'band-pass 1-45 Hz (order 4), notch 50 Hz (Q 30), common average reference, notch 60 Hz (Q 30)');
  assert.equal(describeFilters([]), 'no filters');
});

test('the short text form of a filter list reads as the manifest form, with default order and Q', () => {
  assert.deepEqual(parseFilterList('bandpass:1-45:4,notch:50:30,car'), [{ kind: 'bandpass', low: 1, high: 45, order: 4 }, { kind: 'notch', freq: 50, q: 30 }, { kind: 'car' }]);
  assert.deepEqual(parseFilterList('bandpass:0.5-40, notch:60'), [{ kind: 'bandpass', low: 0.5, high: 40, order: 4 }, { kind: 'notch', freq: 60, q: 30 }]);
  assert.deepEqual(parseFilterList('none'), []);
  for (const bad of ['bandpass:1:45', 'notch', 'car:1', 'lowpass:40', 'bandpass:1-45:4:2', 'notch:x']) {
    assert.throws(() => parseFilterList(bad), (err) => isHeadstartError(err, 'BAD_OPTION'), bad);
  }
  // Checked against the rate's Nyquist frequency when given.
  assert.throws(() => parseFilterList('bandpass:1-45', 80), (err) => isHeadstartError(err, 'BAD_OPTION'));
});
