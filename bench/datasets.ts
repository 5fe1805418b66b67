/**
 * Data loading and windowing throughput on the full Myo data set: the Myo
 * adapter, the same samples re-read as CSV and as .hsrec recordings, and
 * cutting/normalizing windows. Figures are samples (per channel) per second
 * of wall time; the machine is shared, so compare the ratios from one run.
 *
 *   node --import tsx bench/datasets.ts [path/to/myoarmband]
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { joinRecordings } from '../src/core/recording_format.ts';
import { fitNormalization, normalizeInPlace, sliceWindows } from '../src/core/windowing.ts';
import { writeRecordingFile } from '../src/io/datasets/hsrec.ts';
import { loadDataset } from '../src/io/datasets/index.ts';
import { cannotRun, printResultLine } from './lib/result_line.ts';

const root = process.argv[2] ?? fileURLToPath(new URL('../../shared/datasets/myoarmband', import.meta.url));
if (!existsSync(root)) cannotRun(`no Myo data set at ${root}; give its path as the first argument`);

function timed<T>(what: string, fn: () => T): { value: T; seconds: number } {
  const t0 = process.hrtime.bigint();
  const value = fn();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  console.error(`${what}: ${seconds.toFixed(3)} s`);
  return { value, seconds };
}

const best = <T>(what: string, fn: () => T, runs = 3) => {
  let out = timed(what, fn);
  for (let i = 1; i < runs; i++) {
    const next = timed(what, fn);
    if (next.seconds < out.seconds) out = next;
  }
  return out;
};

const myo = best('myo', () => [...loadDataset(join(root, 'PreTrainingDataset')).recordings, ...loadDataset(join(root, 'EvaluationDataset')).recordings]);
const recordings = myo.value;
const samples = recordings.reduce((n, r) => n + r.samples.length / r.channels, 0);

const dir = mkdtempSync(join(tmpdir(), 'hs-bench-data-'));
try {
  // The pre-training half as CSV (one file per repetition) and as one .hsrec per person.
  const pre = loadDataset(join(root, 'PreTrainingDataset')).recordings;
  const preSamples = pre.reduce((n, r) => n + r.samples.length / r.channels, 0);
  pre.forEach((r) => {
    const rows: string[] = ['ch0,ch1,ch2,ch3,ch4,ch5,ch6,ch7'];
    for (let s = 0; s < r.samples.length; s += 8) rows.push(Array.from(r.samples.subarray(s, s + 8)).join(','));
    writeFileSync(join(dir, `${r.subject}_R_${r.rep}_C_${r.label}.csv`), rows.join('\n') + '\n');
  });
  const bySubject = new Map<string, typeof pre>();
  for (const r of pre) bySubject.set(r.subject!, [...(bySubject.get(r.subject!) ?? []), r]);
  for (const [subject, recs] of bySubject) {
    const j = joinRecordings(recs);
    writeRecordingFile(join(dir, `${subject}.hsrec`), { channels: 8, rate: 200, sampleFormat: 'int16', subject }, j.samples, j.markers);
  }
  const csv = best('csv', () => loadDataset({ path: `${dir}/*.csv`, rate: 200, labelPattern: '(?<subject>[A-Za-z]+\\d+)_R_(?<rep>\\d+)_C_(?<label>\\d+)' }).recordings.length);
  const hsrec = best('hsrec', () => loadDataset(`${dir}/*.hsrec`).recordings.length);

  const spec = { length: 52, hop: 5 };
  const windows = best('windows', () => {
    let n = 0;
    for (const r of recordings) {
      const w = sliceWindows(r.samples, r.channels, spec);
      normalizeInPlace(w, r.channels, fitNormalization(r.samples, r.channels));
      n += w.length / (spec.length * r.channels);
    }
    return n;
  });

  const rate = (n: number, s: number) => `${(n / s / 1e6).toFixed(2)} M samples/s`;
  const myoRate = samples / myo.seconds;
  console.log(`Myo data set: ${recordings.length} files, ${samples} samples x 8 channels`);
  console.log(`| reader | throughput | vs Myo .dat |`);
  console.log(`|---|---|---|`);
  console.log(`| Myo .dat (whole set) | ${rate(samples, myo.seconds)} | 1.00 |`);
  console.log(`| .hsrec (pre-training half, one file per person) | ${rate(preSamples, hsrec.seconds)} | ${(preSamples / hsrec.seconds / myoRate).toFixed(2)} |`);
  console.log(`| CSV (pre-training half, one file per repetition) | ${rate(preSamples, csv.seconds)} | ${(preSamples / csv.seconds / myoRate).toFixed(2)} |`);
  console.log(`| windows 52/5 + per-recording normalization | ${(windows.value / windows.seconds / 1e6).toFixed(2)} M windows/s (${windows.value} windows) | — |`);
  printResultLine('datasets', {
    root,
    files: recordings.length,
    samples,
    samplesPerSecond: { myo: myoRate, hsrec: preSamples / hsrec.seconds, csv: preSamples / csv.seconds },
    vsMyo: { hsrec: preSamples / hsrec.seconds / myoRate, csv: preSamples / csv.seconds / myoRate },
    windows: windows.value,
    windowsPerSecond: windows.value / windows.seconds,
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
