// Any number of gestures: a CSV set with ten classes, more than the package's seven, calibrates and is
// scored through the built bin; k = 0 (the population head, which knows the package's seven) is left
// out and says why.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createRng } from '../../src/core/rng.ts';
import { runCli } from '../helpers/cli.ts';
import { writeTestPackage } from '../helpers/device_package.ts';
import { scratchDir } from '../helpers/scratch_dir.ts';

const CLASSES = 10;

/** Two people, each class a different loudness pattern over the 8 channels; `reps` recordings of 4 s per class. */
function writeSet(dir: string, reps: number, rng: ReturnType<typeof createRng>, pattern: number[][]): void {
  mkdirSync(dir, { recursive: true });
  for (const person of [1, 2]) {
    for (let r = 0; r < reps; r++) {
      for (let c = 0; c < CLASSES; c++) {
        const rows: string[] = [];
        for (let i = 0; i < 800; i++) rows.push(pattern[c]!.map((a) => (a * person * rng.normal()).toFixed(2)).join(','));
        writeFileSync(join(dir, `S${person}_R${r}_C${c}.csv`), rows.join('\n') + '\n');
      }
    }
  }
}

test('evaluate on a data set of ten gestures: every k >= 1 calibrates on all ten, k = 0 is skipped with a note', (t) => {
  const work = scratchDir(t, 'hs-classes-');
  const pkg = writeTestPackage(join(work, 'pkg'));
  const rng = createRng(4);
  const pattern = Array.from({ length: CLASSES }, () => Array.from({ length: 8 }, () => 5 + 55 * rng.next()));
  writeSet(join(work, 'calib'), 2, rng, pattern);
  writeSet(join(work, 'test'), 1, rng, pattern);
  const run = runCli([
    'evaluate', '--package', pkg.dir, '--rate', '200', '--label-pattern', 'S(?<subject>\\d+)_R(?<rep>\\d+)_C(?<label>\\d+)\\.csv',
    '--calib', join(work, 'calib', '*.csv'), '--test', join(work, 'test', '*.csv'), '--cycles', '0,1,2', '--no-scratch', '--runtime', 'ts', '--json',
  ], { timeoutMs: 300_000 });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stderr, /k = 0 \(the population head\) is skipped: the data's classes \(0, 1, .*9\) are not the package's/);
  const report = JSON.parse(run.stdout) as { classes: string[]; people: string[]; summary: { k: number; mean: number }[]; results: { k: number; accuracy: number; calibrationWindows: number }[] };
  assert.equal(report.classes.length, CLASSES);
  assert.deepEqual(report.summary.map((s) => s.k), [1, 2]);
  assert.equal(report.results.length, 2 * report.people.length);
  // Ten loudness patterns are easy to tell apart: well above the 10 % of guessing.
  for (const r of report.results) assert.ok(r.accuracy > 0.5 && r.calibrationWindows > 0, `person, k = ${r.k}: ${r.accuracy}`);
});
