/**
 * IIR filter design from cut-off frequencies and the sample rate, as
 * second-order sections (see sos.ts), through the bilinear transform
 * s = 2 fs (z - 1) / (z + 1) with the analog frequencies pre-warped
 * (w = 2 fs tan(pi f / fs)), so that the digital filter meets its analog
 * prototype exactly at the design frequencies.
 *
 * - Butterworth band-pass of order N: the N-pole Butterworth low-pass
 *   prototype (poles on the unit circle's left half), moved to the band
 *   by s -> (s^2 + w0^2) / (s BW) with w0^2 = w1 w2 and BW = w2 - w1: 2N
 *   poles, N zeros at DC and N at Nyquist, N sections. -3.01 dB at both
 *   cut-offs, 0 dB at the centre, flat in between.
 * - Notch: H(s) = (s^2 + w0^2) / (s^2 + s w0 / Q + w0^2), zero gain at
 *   the notch frequency, -3 dB about f / Q wide, 0 dB at DC.
 *
 * Arguments are checked by the filter descriptions (filters.ts); these
 * functions assume 0 < f < rate / 2.
 */
import { COEFFICIENTS_PER_SECTION, type Sections, sectionsGain } from './sos.ts';

interface Complex {
  re: number;
  im: number;
}

const add = (a: Complex, b: Complex): Complex => ({ re: a.re + b.re, im: a.im + b.im });
const sub = (a: Complex, b: Complex): Complex => ({ re: a.re - b.re, im: a.im - b.im });
const mul = (a: Complex, b: Complex): Complex => ({ re: a.re * b.re - a.im * b.im, im: a.re * b.im + a.im * b.re });
const div = (a: Complex, b: Complex): Complex => {
  const d = b.re * b.re + b.im * b.im;
  return { re: (a.re * b.re + a.im * b.im) / d, im: (a.im * b.re - a.re * b.im) / d };
};
const scale = (a: Complex, k: number): Complex => ({ re: a.re * k, im: a.im * k });
const conj = (a: Complex): Complex => ({ re: a.re, im: -a.im });
function sqrt(a: Complex): Complex {
  const r = Math.hypot(a.re, a.im);
  const re = Math.sqrt((r + a.re) / 2);
  const im = Math.sqrt(Math.max(0, (r - a.re) / 2));
  return { re, im: a.im < 0 ? -im : im };
}

/** The pre-warped analog frequency (rad/s) that the bilinear transform maps onto `freq` Hz. */
function prewarp(freq: number, rate: number): number {
  return 2 * rate * Math.tan((Math.PI * freq) / rate);
}

/** The digital pole of an analog one: z = (2 fs + s) / (2 fs - s). */
function bilinear(s: Complex, rate: number): Complex {
  const k = { re: 2 * rate, im: 0 };
  return div(add(k, s), sub(k, s));
}

/** Writes a section with numerator b and the poles z1, z2 (a conjugate pair or two real poles) into `out` at section `index`. */
function putSection(out: Sections, index: number, b: [number, number, number], z1: Complex, z2: Complex): void {
  const at = index * COEFFICIENTS_PER_SECTION;
  out[at] = b[0];
  out[at + 1] = b[1];
  out[at + 2] = b[2];
  out[at + 3] = -(z1.re + z2.re);
  out[at + 4] = mul(z1, z2).re;
}

/** Butterworth band-pass of `order` (sections = order) between `low` and `high` Hz at `rate` samples/s. */
export function butterworthBandpass(low: number, high: number, order: number, rate: number): Sections {
  const w1 = prewarp(low, rate);
  const w2 = prewarp(high, rate);
  const bw = w2 - w1;
  const w0sq = w1 * w2;
  const out = new Float64Array(order * COEFFICIENTS_PER_SECTION);
  let index = 0;
  // Each prototype pole p maps to the two band poles p BW/2 +- sqrt((p BW/2)^2 - w0^2); a pole and its
  // conjugate give conjugate band poles, so the upper-half poles each make two sections, the real one (odd order) one.
  for (let k = 0; k < order; k++) {
    const angle = (Math.PI * (2 * k + order + 1)) / (2 * order);
    const p = { re: Math.cos(angle), im: Math.sin(angle) };
    if (p.im < -1e-12) continue;
    const half = scale(p, bw / 2);
    const root = sqrt(sub(mul(half, half), { re: w0sq, im: 0 }));
    const sA = bilinear(add(half, root), rate);
    const sB = bilinear(sub(half, root), rate);
    if (p.im > 1e-12) {
      putSection(out, index++, [1, 0, -1], sA, conj(sA));
      putSection(out, index++, [1, 0, -1], sB, conj(sB));
    } else {
      putSection(out, index++, [1, 0, -1], sA, sB);
    }
  }
  // Unit gain at the centre frequency, section by section (keeps the intermediate signals in range).
  const centre = (rate / Math.PI) * Math.atan(Math.sqrt(Math.tan((Math.PI * low) / rate) * Math.tan((Math.PI * high) / rate)));
  for (let s = 0; s < order; s++) {
    const section = out.subarray(s * COEFFICIENTS_PER_SECTION, (s + 1) * COEFFICIENTS_PER_SECTION);
    const g = sectionsGain(section, centre, rate);
    for (let j = 0; j < 3; j++) section[j] /= g;
  }
  return out;
}

/** A notch at `freq` Hz with quality factor `q` (bandwidth about freq / q) at `rate` samples/s: one section. */
export function notch(freq: number, q: number, rate: number): Sections {
  const w0 = (2 * Math.PI * freq) / rate;
  const alpha = Math.sin(w0) / (2 * q);
  const cos = Math.cos(w0);
  const a0 = 1 + alpha;
  return Float64Array.of(1 / a0, (-2 * cos) / a0, 1 / a0, (-2 * cos) / a0, (1 - alpha) / a0);
}
