import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { isHeadstartError } from '../../../src/core/errors.ts';
import { globFiles, hasGlobChars, matchGlob, naturalCompare } from '../../../src/io/datasets/glob.ts';

const FILES = [
  'a/R_1_C_0.csv',
  'a/R_1_C_1.csv',
  'a/R_2_C_0.csv',
  'a/R_10_C_0.csv',
  'a/notes.txt',
  'a/.hidden.csv',
  'b/sub/R_3_C_2.csv',
  'b/sub/deeper/R_4_C_3.csv',
  'b/R_5_C_4.tsv',
  '.git/x.csv',
  'top.csv',
];

function tree(t: { after(fn: () => void): void }): string {
  const root = mkdtempSync(join(tmpdir(), 'hs-glob-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  for (const f of FILES) {
    mkdirSync(join(root, f, '..'), { recursive: true });
    writeFileSync(join(root, f), '1\n');
  }
  return root;
}

const rel = (root: string, paths: string[]) => paths.map((p) => relative(root, p));

test('brace alternatives, nesting, several groups and literal braces', () => {
  assert.ok(matchGlob('x.{csv,tsv}', 'x.tsv') && !matchGlob('x.{csv,tsv}', 'x.txt'));
  assert.ok(matchGlob('{a,b{1,2}}/c', 'b2/c') && !matchGlob('{a,b{1,2}}/c', 'b3/c'));
  assert.ok(matchGlob('{a,b}{1,2}', 'b1'));
  assert.ok(matchGlob('\\{a,b}', '{a,b}') && !matchGlob('\\{a,b}', 'a'));
  assert.ok(matchGlob('{,x}y', 'y') && matchGlob('{,x}y', 'xy'));
});

test('segment patterns: * ? [set] and escapes; wildcards skip dot names', () => {
  assert.ok(matchGlob('R_*_C_?.csv', 'R_12_C_3.csv'));
  assert.ok(!matchGlob('R_*_C_?.csv', 'R_12_C_34.csv'));
  assert.ok(matchGlob('[ab]x', 'bx'));
  assert.ok(!matchGlob('[!ab]x', 'ax'));
  assert.ok(matchGlob('[0-9]', '7'));
  assert.ok(matchGlob('a\\*b', 'a*b'));
  assert.ok(!matchGlob('a\\*b', 'axb'));
  assert.ok(matchGlob('a.b\\(c\\)', 'a.b(c)'), 'escaped metacharacters are literal');
  assert.ok(!matchGlob('*.csv', '.hidden.csv'));
  assert.ok(matchGlob('.*.csv', '.hidden.csv'));
  assert.ok(hasGlobChars('a/*.csv') && hasGlobChars('x{1,2}') && !hasGlobChars('a/b.csv') && !hasGlobChars('a\\*b'));
});

test('character classes as a shell reads them: ranges, POSIX classes, brace ranges, extglobs', () => {
  // R_[0-4]_C_[0-6] once picked a single file and a calibration went on with one class.
  const names = ['R_0_C_0_EMG.csv', 'R_0_C_6_EMG.csv', 'R_3_C_2_EMG.csv', 'R_4_C_6_EMG.csv', 'R_5_C_0_EMG.csv', 'R_1_C_7_EMG.csv', 'R_12_C_1_EMG.csv'];
  const pick = (p: string) => names.filter((n) => matchGlob(p, n));
  assert.deepEqual(pick('R_[0-4]_C_[0-6]_EMG.csv'), ['R_0_C_0_EMG.csv', 'R_0_C_6_EMG.csv', 'R_3_C_2_EMG.csv', 'R_4_C_6_EMG.csv']);
  assert.deepEqual(pick('R_[[:digit:]]_C_0_EMG.csv'), ['R_0_C_0_EMG.csv', 'R_5_C_0_EMG.csv']);
  assert.deepEqual(pick('R_{3..5}_C_*_EMG.csv'), ['R_3_C_2_EMG.csv', 'R_4_C_6_EMG.csv', 'R_5_C_0_EMG.csv']);
  assert.deepEqual(pick('R_+([0-9])_C_1_EMG.csv'), ['R_12_C_1_EMG.csv']);
  assert.deepEqual(pick('R_[!0-4]_C_*_EMG.csv'), ['R_5_C_0_EMG.csv']);
});

test('globFiles: a character-class pattern finds every file it names', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'hs-glob-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const expected: string[] = [];
  for (let r = 0; r < 5; r++) {
    for (let c = 0; c < 7; c++) {
      writeFileSync(join(root, `R_${r}_C_${c}_EMG.csv`), '1\n');
      expected.push(`R_${r}_C_${c}_EMG.csv`);
    }
  }
  writeFileSync(join(root, 'R_5_C_0_EMG.csv'), '1\n');
  assert.deepEqual(rel(root, globFiles(`${root}/R_[0-4]_C_[0-6]_EMG.csv`)), expected.sort(naturalCompare));
  assert.equal(globFiles(`${root}/R_[[:digit:]]_C_[[:digit:]]_EMG.csv`).length, 36);
});

test('matchGlob: ** spans zero or more folders, never dot folders', () => {
  assert.ok(matchGlob('b/**/R_*.csv', 'b/sub/R_3_C_2.csv'));
  assert.ok(matchGlob('b/**/R_*.csv', 'b/sub/deeper/R_4_C_3.csv'));
  assert.ok(matchGlob('**/R_*.csv', 'a/R_1_C_0.csv'));
  assert.ok(matchGlob('**/top.csv', 'top.csv'));
  assert.ok(!matchGlob('**/x.csv', '.git/x.csv'));
  assert.ok(matchGlob('a/**', 'a/notes.txt'));
  assert.ok(!matchGlob('a/*', 'a/b/c'));
});

test('globFiles finds files in natural order', (t) => {
  const root = tree(t);
  assert.deepEqual(rel(root, globFiles(`${root}/a/R_*_C_0.csv`)), ['a/R_1_C_0.csv', 'a/R_2_C_0.csv', 'a/R_10_C_0.csv']);
  assert.deepEqual(rel(root, globFiles(`${root}/a/*.csv`)), ['a/R_1_C_0.csv', 'a/R_1_C_1.csv', 'a/R_2_C_0.csv', 'a/R_10_C_0.csv']);
  assert.deepEqual(rel(root, globFiles(`${root}/**/*.{csv,tsv}`)), [
    'a/R_1_C_0.csv',
    'a/R_1_C_1.csv',
    'a/R_2_C_0.csv',
    'a/R_10_C_0.csv',
    'b/R_5_C_4.tsv',
    'b/sub/deeper/R_4_C_3.csv',
    'b/sub/R_3_C_2.csv',
    'top.csv',
  ]);
  assert.deepEqual(rel(root, globFiles(`${root}/?/sub/*`)), ['b/sub/R_3_C_2.csv']);
  assert.deepEqual(rel(root, globFiles(`${root}/a/.*`)), ['a/.hidden.csv']);
  assert.deepEqual(rel(root, globFiles(`${root}/top.csv`)), ['top.csv'], 'a plain path names itself');
  assert.deepEqual(globFiles(`${root}/a/*.json`), []);
  assert.deepEqual(globFiles(`${root}/nothing.csv`), []);
});

test('globFiles agrees with matchGlob over a whole tree', (t) => {
  const root = tree(t);
  const patterns = ['**/*.csv', 'a/R_?_C_*.csv', '{a,b}/**/R_[0-4]*', 'b/**', '*/*', '**/deeper/*', 'a/R_1{0,}_C_0.csv'];
  const all = FILES;
  for (const p of patterns) {
    const expected = all.filter((f) => matchGlob(p, f)).sort(naturalCompare);
    assert.deepEqual(rel(root, globFiles(`${root}/${p}`)), expected, p);
  }
});

test('globFiles: a missing leading folder is FILE_NOT_FOUND naming it', (t) => {
  const root = tree(t);
  assert.throws(
    () => globFiles(`${root}/nope/*.csv`),
    (e) => isHeadstartError(e, 'FILE_NOT_FOUND') && e.message.includes(`${root}/nope`),
  );
});

test('globFiles keeps relative patterns relative and survives a symlink loop', (t) => {
  const root = tree(t);
  symlinkSync(root, join(root, 'b', 'loop'));
  const cwd = process.cwd();
  process.chdir(root);
  t.after(() => process.chdir(cwd));
  assert.deepEqual(globFiles('a/R_1_*.csv'), ['a/R_1_C_0.csv', 'a/R_1_C_1.csv']);
  assert.deepEqual(globFiles('*.csv'), ['top.csv']);
  assert.deepEqual(globFiles('./a/R_2*'), ['./a/R_2_C_0.csv']);
  assert.deepEqual(globFiles('b/**/R_4*'), ['b/sub/deeper/R_4_C_3.csv']);
});
