import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { isHeadstartError } from '../../../src/core/errors.ts';
import { expandBraces, globFiles, hasGlobChars, matchGlob, naturalCompare, segmentRegExp } from '../../../src/io/datasets/glob.ts';

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

test('expandBraces: alternatives, nesting, several groups, literal braces', () => {
  assert.deepEqual(expandBraces('x.{csv,tsv}'), ['x.csv', 'x.tsv']);
  assert.deepEqual(expandBraces('{a,b{1,2}}/c'), ['a/c', 'b1/c', 'b2/c']);
  assert.deepEqual(expandBraces('{a,b}{1,2}'), ['a1', 'a2', 'b1', 'b2']);
  assert.deepEqual(expandBraces('{a}'), ['{a}']);
  assert.deepEqual(expandBraces('\\{a,b}'), ['\\{a,b}']);
  assert.deepEqual(expandBraces('{,x}y'), ['y', 'xy']);
  assert.deepEqual(expandBraces('plain'), ['plain']);
});

test('segment patterns: * ? [set] and escapes; wildcards skip dot names', () => {
  assert.ok(segmentRegExp('R_*_C_?.csv').test('R_12_C_3.csv'));
  assert.ok(!segmentRegExp('R_*_C_?.csv').test('R_12_C_34.csv'));
  assert.ok(segmentRegExp('[ab]x').test('bx'));
  assert.ok(!segmentRegExp('[!ab]x').test('ax'));
  assert.ok(segmentRegExp('[0-9]').test('7'));
  assert.ok(segmentRegExp('a\\*b').test('a*b'));
  assert.ok(!segmentRegExp('a\\*b').test('axb'));
  assert.ok(segmentRegExp('a.b(c)').test('a.b(c)'), 'regex metacharacters are literal');
  assert.ok(!segmentRegExp('*.csv').test('.hidden.csv'));
  assert.ok(segmentRegExp('.*.csv').test('.hidden.csv'));
  assert.ok(hasGlobChars('a/*.csv') && hasGlobChars('x{1,2}') && !hasGlobChars('a/b.csv') && !hasGlobChars('a\\*b'));
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
