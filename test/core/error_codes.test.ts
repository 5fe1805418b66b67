import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CLASSES, ERROR_CODES, errorClassOf, isErrorCode } from '../../src/core/error_codes.ts';
import { HeadstartError } from '../../src/core/errors.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const REGISTRY = join('src', 'core', 'error_codes.ts');

function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return tsFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const source = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** Source without comments, so that a code or flag named in a comment counts for nothing. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/**
 * Where a code is used as one: thrown or tested (`HeadstartError('X'`, `isHeadstartError(e, 'X')`),
 * compared (`code === 'X'`, `code: 'X'`), passed to a helper taking an ErrorCode, or matched in
 * a CLI's output (`[X]`, `/X/`).
 */
const CODE_USES = [
  /HeadstartError\(\s*'([A-Z][A-Z0-9_]+)'/g,
  /isHeadstartError\([^,()]+,\s*'([A-Z][A-Z0-9_]+)'/g,
  /code\s*(?:===|!==|:)\s*'([A-Z][A-Z0-9_]+)'/g,
  /\\\[([A-Z][A-Z0-9_]+)\\\]/g,
  /\/([A-Z][A-Z0-9]*_[A-Z0-9_]+)\//g,
];

/** The system's errno names (ENOENT, EISDIR...) are compared to `code` too; they are not headstart's. */
const ERRNO = /^E[A-Z]+$/;

function codesUsedIn(text: string): string[] {
  return CODE_USES.flatMap((re) => [...text.matchAll(re)].map((m) => m[1]!)).filter((c) => !ERRNO.test(c));
}

test('the registry: every code has a known class and a one-line meaning', () => {
  const codes = Object.keys(ERROR_CODES);
  assert.ok(codes.length > 20);
  for (const code of codes) {
    assert.match(code, /^[A-Z][A-Z0-9_]*$/, code);
    const entry = ERROR_CODES[code as keyof typeof ERROR_CODES];
    assert.ok(entry.class in ERROR_CLASSES, `${code}: class ${entry.class}`);
    assert.ok(entry.meaning.length > 10 && !entry.meaning.includes('\n'), `${code}: one line of meaning`);
  }
  for (const c of Object.keys(ERROR_CLASSES)) assert.ok(codes.some((code) => errorClassOf(code as keyof typeof ERROR_CODES) === c), `class ${c} has a code`);
  assert.ok(isErrorCode('FILE_NOT_FOUND'));
  assert.ok(!isErrorCode('MISSING_FILE'));
  assert.ok(!isErrorCode('toString'), 'inherited properties are not codes');
  assert.equal(new HeadstartError('PORT_BUSY', 'x').errorClass, 'device');
});

test('every code in the registry is thrown somewhere in src, outside the registry', () => {
  const used = new Set(tsFiles('src').filter((f) => f !== REGISTRY).flatMap((f) => [...withoutComments(source(f)).matchAll(/'([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1]!)));
  const unused = Object.keys(ERROR_CODES).filter((c) => !used.has(c));
  assert.deepEqual(unused, [], `codes listed but never used: ${unused.join(', ')}`);
});

test('every code used in src and test is in the registry (the checker itself catches a stale one)', () => {
  const stale = (files: string[]) =>
    files.flatMap((f) => codesUsedIn(withoutComments(source(f))).filter((c) => !isErrorCode(c)).map((c) => `${relative(ROOT, join(ROOT, f))}: ${c}`));
  // The checker finds codes in each form it looks for, and would report an unlisted one.
  const sample = `throw new HeadstartError('MISSING_FILE', 'x'); isHeadstartError(e, 'NO_SUCH'); if (e.code === 'OLD_CODE') {} assert.match(r.stderr, /\\[GONE_CODE\\]/); /LOST_CODE/.test(s); e.code === 'ENOENT'`;
  assert.deepEqual(codesUsedIn(sample).filter((c) => !isErrorCode(c)), ['MISSING_FILE', 'NO_SUCH', 'OLD_CODE', 'GONE_CODE', 'LOST_CODE']);
  const found = stale([...tsFiles('src'), ...tsFiles('test').filter((f) => !f.endsWith('error_codes.test.ts'))]);
  // Environment variables (HEADSTART_*) and TensorFlow Lite operator names are matched in outputs too; they are not error codes.
  const codes = found.filter((s) => !/: (HEADSTART_[A-Z_]+|CONV_2D|DEPTHWISE_CONV_2D|FULLY_CONNECTED|MAX_POOL_2D|AVERAGE_POOL_2D|UNIDIRECTIONAL_SEQUENCE_LSTM)$/.test(s));
  assert.deepEqual(codes, [], `codes used but not in the registry:\n${codes.join('\n')}`);
});

test('messages from src/core and src/io do not name CLI flags (the CLI adds that advice)', () => {
  // A string literal holding --word: a flag named in a message, a hint or a description.
  const flagInString = /(['"`])(?:(?!\1)[^\n\\]|\\.)*?[\s(]--[a-z][a-z-]*(?:(?!\1)[^\n\\]|\\.)*\1/g;
  const offenders = [...tsFiles(join('src', 'core')), ...tsFiles(join('src', 'io'))].flatMap((f) =>
    [...withoutComments(source(f)).matchAll(flagInString)].map((m) => `${f}: ${m[0].slice(0, 80)}`),
  );
  assert.deepEqual(offenders, []);
  // The pattern is able to fail.
  assert.equal([..."throw new HeadstartError('BAD_OPTION', `give it with --rate`)".matchAll(flagInString)].length, 1);
  assert.equal([..."new HeadstartError('X', `choose them (--channels)`)".matchAll(flagInString)].length, 1);
});
