/**
 * A classical per-person baseline on the Myo evaluation people: time-domain
 * features (log mean absolute value, log waveform length, log RMS per
 * channel) of 52-sample windows with a hop of 5, a shrinkage LDA trained on
 * that person's training0 (4 cycles), scored per window on Test0 + Test1.
 * No transfer learning: it shows how hard each person's data is, which is
 * how the demo person was chosen (a typical one, not the easiest), and gives
 * the CNN a floor to beat.
 *
 *   node --import tsx bench/myo_baseline.ts [path/to/EvaluationDataset]
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sliceWindows, windowCount } from '../src/core/windowing.ts';
import { listMyoPeople, MYO_GESTURES, readMyoPerson } from '../src/io/datasets/myo.ts';
import type { DatasetRecording } from '../src/io/datasets/types.ts';
import { cannotRun, printResultLine } from './lib/result_line.ts';

const SPEC = { length: 52, hop: 5 };
const CHANNELS = 8;
const FEATURES = 3 * CHANNELS;
const SHRINK = 0.05;

function features(recs: DatasetRecording[]): { x: Float64Array[]; y: number[] } {
  const x: Float64Array[] = [];
  const y: number[] = [];
  for (const r of recs) {
    const n = windowCount(r.samples.length / CHANNELS, SPEC);
    const w = sliceWindows(r.samples, CHANNELS, SPEC);
    for (let i = 0; i < n; i++) {
      const f = new Float64Array(FEATURES);
      for (let c = 0; c < CHANNELS; c++) {
        let mav = 0;
        let wl = 0;
        let sq = 0;
        for (let t = 0; t < SPEC.length; t++) {
          const v = w[(i * SPEC.length + t) * CHANNELS + c];
          mav += Math.abs(v);
          sq += v * v;
          if (t > 0) wl += Math.abs(v - w[(i * SPEC.length + t - 1) * CHANNELS + c]);
        }
        f[c] = Math.log1p(mav / SPEC.length);
        f[CHANNELS + c] = Math.log1p(wl / SPEC.length);
        f[2 * CHANNELS + c] = Math.log1p(Math.sqrt(sq / SPEC.length));
      }
      x.push(f);
      y.push(r.label!);
    }
  }
  return { x, y };
}

/** Solves A z = b for symmetric positive definite A (Cholesky). */
function solve(a: Float64Array[], b: Float64Array): Float64Array {
  const n = b.length;
  const l = a.map(() => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i][j];
      for (let k = 0; k < j; k++) s -= l[i][k] * l[j][k];
      l[i][j] = i === j ? Math.sqrt(s) : s / l[j][j];
    }
  }
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i][k] * z[k];
    z[i] = s / l[i][i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < n; k++) s -= l[k][i] * z[k];
    z[i] = s / l[i][i];
  }
  return z;
}

function trainLda(x: Float64Array[], y: number[], classes: number) {
  const means = Array.from({ length: classes }, () => new Float64Array(FEATURES));
  const counts = new Array(classes).fill(0);
  x.forEach((f, i) => {
    counts[y[i]]++;
    for (let d = 0; d < FEATURES; d++) means[y[i]][d] += f[d];
  });
  means.forEach((m, k) => m.forEach((_, d) => (m[d] /= counts[k])));
  const cov = Array.from({ length: FEATURES }, () => new Float64Array(FEATURES));
  x.forEach((f, i) => {
    const m = means[y[i]];
    for (let p = 0; p < FEATURES; p++) for (let q = 0; q <= p; q++) cov[p][q] += (f[p] - m[p]) * (f[q] - m[q]);
  });
  let trace = 0;
  for (let p = 0; p < FEATURES; p++) {
    for (let q = 0; q <= p; q++) cov[q][p] = cov[p][q] /= x.length;
    trace += cov[p][p];
  }
  for (let p = 0; p < FEATURES; p++) for (let q = 0; q < FEATURES; q++) cov[p][q] = (1 - SHRINK) * cov[p][q] + (p === q ? (SHRINK * trace) / FEATURES : 0);
  return means.map((m) => {
    const w = solve(cov, m);
    const bias = -0.5 * m.reduce((s, v, d) => s + v * w[d], 0);
    return { w, bias };
  });
}

function accuracy(model: ReturnType<typeof trainLda>, x: Float64Array[], y: number[]): number {
  let right = 0;
  x.forEach((f, i) => {
    let best = -1;
    let bestScore = -Infinity;
    model.forEach(({ w, bias }, k) => {
      const s = f.reduce((acc, v, d) => acc + v * w[d], bias);
      if (s > bestScore) [best, bestScore] = [k, s];
    });
    if (best === y[i]) right++;
  });
  return right / x.length;
}

const root = process.argv[2] ?? fileURLToPath(new URL('../../shared/datasets/myoarmband/EvaluationDataset', import.meta.url));
if (!existsSync(root)) cannotRun(`no Myo EvaluationDataset at ${root}; give its path as the first argument`);
const rows: { person: string; accuracy: number }[] = [];
for (const person of listMyoPeople(root)) {
  const train = features(readMyoPerson(person.dir, { sessions: ['training0'] }));
  // Test0 and Test1 in the full data set; what there is of them in a smaller copy (a fixture, data/demo).
  const test = features(readMyoPerson(person.dir, { sessions: person.sessions.filter((s) => s === 'Test0' || s === 'Test1') }));
  const acc = accuracy(trainLda(train.x, train.y, MYO_GESTURES.length), test.x, test.y);
  rows.push({ person: person.name, accuracy: acc });
  console.error(`${person.name}: ${(100 * acc).toFixed(2)} %`);
}
const sorted = [...rows].sort((a, b) => a.accuracy - b.accuracy);
const mean = rows.reduce((s, r) => s + r.accuracy, 0) / rows.length;
const median = sorted[Math.floor(sorted.length / 2)];
console.log(`| person | LDA accuracy (Test0+Test1) |\n|---|---|`);
for (const r of sorted) console.log(`| ${r.person} | ${(100 * r.accuracy).toFixed(2)} % |`);
console.log(`\nmean ${(100 * mean).toFixed(2)} % over ${rows.length} people; median person ${median.person} (${(100 * median.accuracy).toFixed(2)} %)`);
printResultLine('myo_baseline', { root, people: rows.length, meanAccuracy: mean, medianPerson: median, perPerson: Object.fromEntries(rows.map((r) => [r.person, r.accuracy])) });
