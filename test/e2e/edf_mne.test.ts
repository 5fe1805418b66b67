/**
 * The EDF/BDF reader against an independent one, MNE-Python's: on real
 * eegmat recordings and on BDF+/EDF+ fixtures, the same channel labels,
 * rate, sample count, values (within a small fraction of each signal's
 * digital step) and annotations.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readEdfFile } from '../../src/io/datasets/edf.ts';
import { tal, toDigital, writeEdf } from '../helpers/edf_writer.ts';
import { findMnePython, readWithMne } from '../helpers/mne.ts';
import { scratchDir } from '../helpers/scratch_dir.ts';

const EEGMAT = fileURLToPath(new URL('../../../shared/datasets/eegmat', import.meta.url));

const MNE = findMnePython();
if (!MNE.python) console.log(`# skipping the MNE comparison: ${MNE.why}`);

/** Compares our reading of a file with MNE's; returns the largest difference as a fraction of the signal's digital step. */
function compare(path: string, dir: string): number {
  const ours = readEdfFile(path);
  const mne = readWithMne(MNE.python!, path, dir);
  assert.equal(ours.recordings.length, 1);
  const rec = ours.recordings[0];
  const signals = ours.header.signals.filter((s) => !s.annotations);
  assert.deepEqual(rec.channelNames, mne.names, 'channel labels');
  assert.equal(rec.rate, mne.rate, 'sample rate');
  assert.equal(rec.samples.length / rec.channels, mne.times, 'samples per channel');
  let worst = 0;
  signals.forEach((s, c) => {
    const unit = s.unit.toLowerCase() === 'mv' ? 1000 : 1;
    const step = (unit * (s.physicalMax - s.physicalMin)) / (s.digitalMax - s.digitalMin);
    let bad = -1;
    for (let i = 0; i < mne.times; i++) {
      const theirs = mne.data[c * mne.times + i];
      const diff = Math.abs(rec.samples[i * rec.channels + c] - theirs);
      // Ours are float32: allow its rounding on top of a tiny fraction of a digital step.
      if (bad < 0 && diff > step * 1e-3 + Math.abs(theirs) * 2 ** -23) bad = i;
      worst = Math.max(worst, diff / step);
    }
    assert.equal(bad, -1, `${path} ${s.label} sample ${bad}: ${rec.samples[bad * rec.channels + c]} vs MNE ${mne.data[c * mne.times + bad]} (digital step ${step})`);
  });
  const markers = rec.markers ?? [];
  assert.equal(markers.length, mne.annotations.length, 'annotation count');
  markers.forEach((m, k) => {
    const a = mne.annotations[k];
    assert.equal(m.text, a.text);
    assert.ok(Math.abs(m.sample / rec.rate - a.onset) <= 0.5 / rec.rate, `${m.text}: sample ${m.sample} vs onset ${a.onset} s`);
    assert.equal(m.duration ?? 0, a.duration);
  });
  return worst;
}

test('eegmat EDF+C files read as MNE reads them', { skip: MNE.python ? (existsSync(EEGMAT) ? false : '../shared/datasets/eegmat not present') : MNE.why }, (t) => {
  const dir = scratchDir(t, 'hs-mne-');
  for (const name of ['Subject00_1.edf', 'Subject35_2.edf']) {
    const worst = compare(join(EEGMAT, name), dir);
    t.diagnostic(`${name}: largest difference from MNE ${worst.toExponential(2)} of a digital step`);
  }
});

test('BDF+ and EDF+ fixtures with annotations read as MNE reads them', { skip: MNE.python ? false : MNE.why }, (t) => {
  const dir = scratchDir(t, 'hs-mne-');
  const rate = 256;
  const records = 4;
  for (const bdf of [true, false]) {
    const ranges = bdf
      ? { physicalMin: -262144, physicalMax: 262144, digitalMin: -8388608, digitalMax: 8388607 }
      : { physicalMin: -3276.8, physicalMax: 3276.7, digitalMin: -32768, digitalMax: 32767 };
    const signals = ['Fp1', 'Fp2', 'Cz'].map((label, c) => ({
      label,
      ...ranges,
      samplesPerRecord: rate,
      digital: Array.from({ length: rate * records }, (_, i) => toDigital((bdf ? 70000 : 900) * Math.sin((2 * Math.PI * (c + 2) * i) / rate) + 40 * c, ranges)),
    }));
    const path = join(dir, bdf ? 'fixture.bdf' : 'fixture.edf');
    writeFileSync(path, writeEdf({ bdf, plus: 'C', recordSeconds: 1, records, signals, annotations: (r) => (r === 1 ? tal(1.25, ['open']) : r === 3 ? tal(3.5, ['close'], 0.5) : '') }));
    const worst = compare(path, dir);
    t.diagnostic(`${bdf ? 'BDF+' : 'EDF+'} fixture: largest difference from MNE ${worst.toExponential(2)} of a digital step`);
  }
});
