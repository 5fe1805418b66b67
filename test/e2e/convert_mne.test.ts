/**
 * `headstart convert` to EDF+ and BDF+, read back by an independent reader,
 * MNE-Python (Debian's python3-mne, installed by .ci/run): the same channel
 * names, rate and sample count (plus the marked padding of the last
 * record), every value within half of the format's digital step (16-bit
 * EDF, 24-bit BDF), and the labels and markers as annotations. Skips,
 * saying why, only when no Python with MNE is there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createRng } from '../../src/core/rng.ts';
import { writeRecordingFile } from '../../src/io/datasets/hsrec.ts';
import { runCli } from '../helpers/cli.ts';
import { BIN } from '../helpers/live_run.ts';
import { findMnePython, readWithMne } from '../helpers/mne.ts';
import { scratchDir } from '../helpers/scratch_dir.ts';

const MNE = findMnePython();
if (!MNE.python) console.log(`# skipping the MNE check of convert: ${MNE.why}`);

test('convert .hsrec to EDF+ and BDF+: MNE reads the same channels, rate, values within the resolution, and the annotations', { skip: MNE.python ? (existsSync(BIN) ? false : 'bin not built: run `npm run build`') : MNE.why }, (t) => {
  const dir = scratchDir(t, 'hs-convert-mne-');
  // Eight channels of EEG-sized float values in µV at 250 Hz, 4.5 s, with a slow drift and noise.
  const channels = 8;
  const rate = 250;
  const frames = 1125;
  const rng = createRng(17);
  const samples = new Float32Array(frames * channels);
  for (let i = 0; i < frames; i++) for (let c = 0; c < channels; c++) samples[i * channels + c] = 40 * Math.sin((2 * Math.PI * (8 + c) * i) / rate) + 0.02 * i * (c - 3) + 3 * rng.normal() + (c === 7 ? -35000 : 0);
  const names = ['Fp1', 'Fp2', 'C3', 'C4', 'P3', 'P4', 'O1', 'O2'];
  const recording = join(dir, 'session.hsrec');
  writeRecordingFile(recording, { channels, rate, sampleFormat: 'float32', channelNames: names, classes: ['rest', 'eyes-closed'], startedAt: '2026-12-01T10:00:00.000Z' }, samples, [
    { at: 250, kind: 'label', label: 1 },
    { at: 750, kind: 'label', label: 0 },
    { at: 1000, kind: 'label', label: null },
    { at: 600, kind: 'note', text: 'blink' },
  ]);

  for (const format of ['edf', 'bdf'] as const) {
    const out = join(dir, `session.${format}`);
    const r = runCli(['convert', recording, out, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const written = JSON.parse(r.stdout) as { paddedSamples: number; ranges: { resolution: number }[] };
    const mne = readWithMne(MNE.python!, out, dir);
    assert.deepEqual(mne.names, names);
    assert.equal(mne.rate, rate);
    assert.equal(mne.times, frames + written.paddedSamples);
    let worstSteps = 0;
    for (let c = 0; c < channels; c++) {
      const step = written.ranges[c]!.resolution;
      for (let i = 0; i < frames; i++) {
        const diff = Math.abs(mne.data[c * mne.times + i]! - samples[i * channels + c]!);
        assert.ok(diff <= step / 2 + 1e-9 * Math.abs(samples[i * channels + c]!), `${format} ${names[c]} sample ${i}: MNE reads ${mne.data[c * mne.times + i]}, written ${samples[i * channels + c]} (step ${step})`);
        worstSteps = Math.max(worstSteps, diff / step);
      }
    }
    assert.deepEqual(
      mne.annotations.map((a) => [a.onset, a.duration, a.text]),
      [
        [1, 2, 'eyes-closed'],
        [2.4, 0, 'note: blink'],
        [3, 1, 'rest'],
        [4.5, 0.5, 'headstart: padding, not recorded'],
      ],
    );
    t.diagnostic(`${format}: MNE reads every value within ${worstSteps.toFixed(3)} of a digital step (coarsest step ${Math.max(...written.ranges.map((x) => x.resolution)).toPrecision(3)} µV)`);
  }
});
