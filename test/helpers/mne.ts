/**
 * MNE-Python as the independent EDF/BDF reader of tests: found as
 * $HEADSTART_PYTHON, python3 on the PATH or Debian's /usr/bin/python3
 * (python3-mne, which .ci/run installs), and run on a file to give what it
 * reads there (channel names, rate, sample count, values in µV,
 * annotations).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A Python with MNE: $HEADSTART_PYTHON, else python3 on the PATH, else Debian's /usr/bin/python3 (python3-mne). */
export function findMnePython(): { python?: string; why: string } {
  const candidates = [process.env.HEADSTART_PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => !!c);
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', 'import mne'], { encoding: 'utf8' });
    if (r.status === 0) return { python, why: '' };
  }
  return { why: `no Python with MNE found (tried ${candidates.join(', ')}); install python3-mne (apt install python3-mne) or set HEADSTART_PYTHON` };
}

const SCRIPT = `
import json, sys
import numpy as np
import mne
path, out = sys.argv[1], sys.argv[2]
raw = (mne.io.read_raw_bdf if path.endswith('.bdf') else mne.io.read_raw_edf)(path, preload=True, verbose='error')
(raw.get_data() * 1e6).astype('<f8').tofile(out + '.bin')
ann = raw.annotations
json.dump({
  'names': raw.ch_names,
  'rate': float(raw.info['sfreq']),
  'times': int(raw.n_times),
  'annotations': [{'onset': float(o), 'duration': float(d), 'text': str(t)} for o, d, t in zip(ann.onset, ann.duration, ann.description)],
}, open(out + '.json', 'w'))
`;

export interface MneReading {
  names: string[];
  rate: number;
  times: number;
  annotations: { onset: number; duration: number; text: string }[];
  /** Channel-major, µV. */
  data: Float64Array;
}

/** What MNE reads in an EDF/BDF file (`dir`: where its output goes). */
export function readWithMne(python: string, path: string, dir: string): MneReading {
  const out = join(dir, 'mne');
  const r = spawnSync(python, ['-c', SCRIPT, path, out], { encoding: 'utf8' });
  assert.equal(r.status, 0, `MNE failed on ${path}: ${r.stderr}`);
  const meta = JSON.parse(readFileSync(`${out}.json`, 'utf8')) as Omit<MneReading, 'data'>;
  const bin = readFileSync(`${out}.bin`);
  return { ...meta, data: new Float64Array(bin.buffer, bin.byteOffset, bin.length / 8) };
}
