import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ErrorCode, HeadstartError, isHeadstartError } from '../../../src/core/errors.ts';
import { detectDelimiter, parseColumnSpec, parseCsvText, readCsvRecording, readCsvRecordings, resolveClasses } from '../../../src/io/datasets/csv.ts';
import { scratchDir } from '../../helpers/scratch_dir.ts';

const scratch = (t: { after(fn: () => void): void }) => scratchDir(t, 'hs-csv-');

function write(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Asserts `fn` throws a HeadstartError with `code` whose message starts with `file:line:`. */
function throwsAt(fn: () => unknown, code: ErrorCode, file: string, line: number, also?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isHeadstartError(e, code), `expected ${code}, got ${(e as HeadstartError).code}: ${(e as Error).message}`);
    assert.ok(e.message.startsWith(`${file}:${line}: `), `message names file and line: ${e.message}`);
    assert.equal(e.details.file, file);
    assert.equal(e.details.line, line);
    if (also) assert.match(e.message, also);
    return true;
  });
}

test('delimiters are detected: comma, semicolon, tab, white space', () => {
  assert.equal(detectDelimiter('1,2,3'), ',');
  assert.equal(detectDelimiter('1;2;3'), ';');
  assert.equal(detectDelimiter('1\t2\t3'), '\t');
  assert.equal(detectDelimiter('1 2   3'), ' ');
  assert.equal(detectDelimiter('1,5;2,5;3,5'), ';', 'semicolons with decimal commas');
  const expected = [1, 2, 3, 4, -5, 6.5];
  for (const text of ['1,2,3\n4,-5,6.5\n', '1;2;3\n4;-5;6,5\n', '1\t2\t3\r\n4\t-5\t6.5\r\n', '  1  2 3\n4 -5\t 6.5']) {
    const table = parseCsvText(text, 'x.csv');
    assert.equal(table.channels, 3, JSON.stringify(text));
    assert.deepEqual(Array.from(table.samples), expected, JSON.stringify(text));
  }
});

test('a header row is detected and names the columns; numbers in row 1 mean no header', () => {
  const withHeader = parseCsvText('time,emg1,emg2\n0.000,1,2\n0.005,3,4\n', 'h.csv');
  assert.deepEqual(withHeader.header, ['time', 'emg1', 'emg2']);
  assert.deepEqual(Array.from(withHeader.samples), [0, 1, 2, Math.fround(0.005), 3, 4]);
  const without = parseCsvText('1,2\n3,4\n', 'n.csv');
  assert.equal(without.header, undefined);
  assert.deepEqual(without.channelNames, ['col0', 'col1']);
  const quoted = parseCsvText('"a";"b"\n"1,5";"2"\n', 'q.csv');
  assert.deepEqual(quoted.header, ['a', 'b']);
  assert.deepEqual(Array.from(quoted.samples), [1.5, 2]);
  // A text column present in every row (a clock) does not make row 1 a header.
  const clock = parseCsvText('10:00:00,1\n10:00:01,2\n', 'c.csv', { columns: [1] });
  assert.equal(clock.header, undefined);
  assert.deepEqual(Array.from(clock.samples), [1, 2]);
  // Forcing it either way.
  assert.deepEqual(Array.from(parseCsvText('1,2\n3,4\n', 'f.csv', { header: true }).samples), [3, 4]);
});

test('columns are selected by index or header name, in the order given', () => {
  const text = 'time,emg1,emg2,emg3,marker\n0,10,20,30,x\n1,11,21,31,y\n';
  assert.deepEqual(Array.from(parseCsvText(text, 'c.csv', { columns: [3, 1] }).samples), [30, 10, 31, 11]);
  const byName = parseCsvText(text, 'c.csv', { columns: ['emg2', 'emg3'] });
  assert.deepEqual(Array.from(byName.samples), [20, 30, 21, 31]);
  assert.deepEqual(byName.channelNames, ['emg2', 'emg3']);
  assert.deepEqual(parseColumnSpec('1-3'), [1, 2, 3]);
  assert.deepEqual(parseColumnSpec('0, 2-3,emg1'), [0, 2, 3, 'emg1']);
  assert.throws(() => parseColumnSpec('5-2'), (e) => isHeadstartError(e, 'BAD_OPTION'));
  assert.throws(() => parseColumnSpec(' , '), (e) => isHeadstartError(e, 'BAD_OPTION'));
});

test('blank lines, # comments, a BOM and a trailing delimiter are tolerated; line numbers stay true', () => {
  const text = '\uFEFF# exported by a logger\n\na,b,\n1,2,\n\n3,x,\n';
  const table = parseCsvText(text.replace('3,x,', '3,4,'), 't.csv');
  assert.deepEqual(table.header, ['a', 'b']);
  assert.deepEqual(Array.from(table.samples), [1, 2, 3, 4]);
  throwsAt(() => parseCsvText(text, 't.csv'), 'CSV_BAD_VALUE', 't.csv', 6, /column 1 \(b\) is "x"/);
});

test('every bad value names the file and the line', () => {
  throwsAt(() => parseCsvText('a,b\n1,2\n3\n', 'w.csv'), 'CSV_MALFORMED', 'w.csv', 3, /1 column, expected 2/);
  throwsAt(() => parseCsvText('1,2\n3,4,5\n', 'w.csv'), 'CSV_MALFORMED', 'w.csv', 2, /3 columns, expected 2/);
  throwsAt(() => parseCsvText('1,2\n3,abc\n', 'n.csv'), 'CSV_BAD_VALUE', 'n.csv', 2, /column 1 is "abc"/);
  throwsAt(() => parseCsvText('1,2\n3,\n4,5\n', 'e.csv'), 'CSV_BAD_VALUE', 'e.csv', 2, /empty/);
  throwsAt(() => parseCsvText('1,2\n0x1f,2\n', 'h.csv'), 'CSV_BAD_VALUE', 'h.csv', 2);
  throwsAt(() => parseCsvText('a,b\n1,2\n3,NaN\n', 'nan.csv'), 'CSV_BAD_VALUE', 'nan.csv', 3, /column 1 \(b\) is NaN/);
  throwsAt(() => parseCsvText('1,nan\n', 'nan.csv'), 'CSV_BAD_VALUE', 'nan.csv', 1);
  throwsAt(() => parseCsvText('1,2\n-inf,2\n', 'i.csv'), 'CSV_BAD_VALUE', 'i.csv', 2);
  // Written out in full but too large for a sample: Infinity once read, as -Infinity written out is refused.
  throwsAt(() => parseCsvText('1,2\n1e400,2\n', 'big.csv'), 'CSV_BAD_VALUE', 'big.csv', 2, /column 0 is 1e400, beyond the range of a sample/);
  throwsAt(() => parseCsvText('1,2\n3,-4e38\n', 'big.csv'), 'CSV_BAD_VALUE', 'big.csv', 2, /column 1 is -4e38/);
  throwsAt(() => parseCsvText('1;2\n3;1,5e39\n', 'big.csv'), 'CSV_BAD_VALUE', 'big.csv', 2, /column 1 is 1,5e39/);
  assert.deepEqual(Array.from(parseCsvText('1,3e38\n', 'ok.csv').samples), [1, Math.fround(3e38)], 'the largest samples still fit');
  throwsAt(() => parseCsvText('a,b\n1,2\n', 'u.csv', { columns: ['c'] }), 'BAD_CHANNELS', 'u.csv', 1, /header: a, b/);
  throwsAt(() => parseCsvText('1,2\n', 'u.csv', { columns: [2] }), 'BAD_CHANNELS', 'u.csv', 1, /0\.\.1/);
  throwsAt(() => parseCsvText('1,2\n', 'u.csv', { columns: ['a'] }), 'BAD_CHANNELS', 'u.csv', 1);
  throwsAt(() => parseCsvText('# nothing\na,b\n', 'h.csv'), 'CSV_MALFORMED', 'h.csv', 2);
  assert.throws(() => parseCsvText('\n\n', 'z.csv'), (e) => isHeadstartError(e, 'CSV_MALFORMED') && e.message.startsWith('z.csv: '));
  // Unselected columns may hold anything.
  assert.deepEqual(Array.from(parseCsvText('1,NaN\n2,oops\n', 'ok.csv', { columns: [0] }).samples), [1, 2]);
});

test('label, repetition and subject come from the file name', (t) => {
  const dir = scratch(t);
  const path = write(dir, 'R_3_C_5.csv', '1,2\n3,4\n');
  const rec = readCsvRecording(path, { rate: 1000, labelPattern: 'R_(?<rep>\\d+)_C_(?<label>\\d+)\\.csv' });
  assert.equal(rec.label, 5);
  assert.equal(rec.rep, 3);
  assert.equal(rec.rate, 1000);
  assert.equal(rec.channels, 2);
  assert.equal(rec.source, path);
  // Any named group may carry the subject.
  const subjectPath = join(dir, 's1-fist-2.csv');
  writeFileSync(subjectPath, '1\n2\n');
  const named = readCsvRecording(subjectPath, { rate: 200, labelPattern: /(?<subject>s\d+)-(?<label>[a-z]+)-(?<rep>\d+)/ });
  assert.equal(named.subject, 's1');
  assert.equal(named.rep, 2);
  // A global regex would resume from its last match; the adapter must not let that skip files.
  const twins = [write(dir, 'fist-1.csv', '1\n'), write(dir, 'fist-2.csv', '1\n')];
  const global = readCsvRecordings(twins, { rate: 200, labelPattern: /^(?<label>[a-z]+)-(?<rep>\d+)\.csv$/g });
  assert.deepEqual(global.recordings.map((r) => r.rep), [1, 2]);
});

test('label names map to a sorted class list, or to the one given', (t) => {
  const dir = scratch(t);
  const paths = ['fist_0.csv', 'open_0.csv', 'rest_0.csv', 'fist_1.csv'].map((n) => write(dir, n, '1;2\n3;4\n'));
  const pattern = '(?<label>[a-z]+)_(?<rep>\\d+)\\.csv';
  const sorted = readCsvRecordings(paths, { rate: 200, labelPattern: pattern });
  assert.deepEqual(sorted.classes, ['fist', 'open', 'rest']);
  assert.deepEqual(sorted.recordings.map((r) => r.label), [0, 1, 2, 0]);
  const given = readCsvRecordings(paths, { rate: 200, labelPattern: pattern, classes: ['rest', 'fist', 'open', 'point'] });
  assert.deepEqual(given.recordings.map((r) => r.label), [1, 2, 0, 1]);
  assert.throws(
    () => readCsvRecordings(paths, { rate: 200, labelPattern: pattern, classes: ['rest', 'fist'] }),
    (e) => isHeadstartError(e, 'BAD_LABEL') && e.message.startsWith(paths[1]) && /"open"/.test(e.message),
  );
  assert.deepEqual(resolveClasses(['2', '0']).classes, ['0', '1', '2']);
  assert.equal(resolveClasses(['1'], ['rest', 'fist', 'open']).indexOf('1'), 1, 'a whole-number label is an index when not a class name');
  assert.equal(resolveClasses(['1'], ['0', '1']).indexOf('1'), 1);
  assert.equal(resolveClasses(['1'], ['1', '2']).indexOf('1'), 0, 'a class name wins over an index');
});

test('file-level errors: pattern mismatch, bad pattern, channel mismatch, bad rate, missing file', (t) => {
  const dir = scratch(t);
  const a = write(dir, 'R_1_C_0.csv', '1,2\n');
  const b = write(dir, 'other.csv', '1,2\n');
  const c = write(dir, 'R_2_C_1.csv', '1,2,3\n');
  const pattern = 'R_(?<rep>\\d+)_C_(?<label>\\d+)\\.csv';
  assert.throws(() => readCsvRecordings([a, b], { rate: 200, labelPattern: pattern }), (e) => isHeadstartError(e, 'BAD_FILE_NAME') && e.message.startsWith(b));
  assert.throws(() => readCsvRecordings([a], { rate: 200, labelPattern: 'R_(\\d+)' }), (e) => isHeadstartError(e, 'BAD_OPTION'));
  assert.throws(() => readCsvRecordings([a], { rate: 200, labelPattern: '(?<label>[' }), (e) => isHeadstartError(e, 'BAD_OPTION'));
  assert.throws(() => readCsvRecordings([a, c], { rate: 200 }), (e) => isHeadstartError(e, 'MIXED_RECORDINGS') && e.message.startsWith(c));
  for (const rate of [0, -1, NaN, Infinity]) assert.throws(() => readCsvRecording(a, { rate }), (e) => isHeadstartError(e, 'BAD_OPTION'));
  assert.throws(() => readCsvRecording(join(dir, 'gone.csv'), { rate: 200 }), (e) => isHeadstartError(e, 'FILE_NOT_FOUND') && e.message.includes('gone.csv'));
  assert.throws(() => readCsvRecording(dir, { rate: 200 }), (e) => isHeadstartError(e, 'WRONG_PATH_TYPE'));
  assert.throws(() => readCsvRecordings([], { rate: 200 }), (e) => isHeadstartError(e, 'NO_RECORDINGS'));
  // A recording with no label pattern simply has no label.
  assert.equal(readCsvRecording(a, { rate: 200 }).label, undefined);
});

test('a file-level error from a read names the file and line', (t) => {
  const dir = scratch(t);
  const path = write(dir, 'R_1_C_2.csv', 'ch1,ch2\n1,2\n3,4\n5,NaN\n');
  throwsAt(() => readCsvRecording(path, { rate: 200 }), 'CSV_BAD_VALUE', path, 4);
});

test('any numeric table written with any delimiter, with or without header, reads back (property)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 20 }),
      fc.constantFrom(',', ';', '\t', ' '),
      fc.boolean(),
      fc.constantFrom('\n', '\r\n'),
      fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 120, maxLength: 120 }),
      (cols, rows, delimiter, header, eol, pool) => {
        const values = pool.slice(0, cols * rows);
        while (values.length < cols * rows) values.push(values.length);
        const lines: string[] = [];
        if (header) lines.push(Array.from({ length: cols }, (_, c) => `ch${c}`).join(delimiter));
        for (let r = 0; r < rows; r++) lines.push(values.slice(r * cols, (r + 1) * cols).map((v) => String(v)).join(delimiter));
        const table = parseCsvText(lines.join(eol) + eol, 'p.csv');
        assert.equal(table.channels, cols);
        assert.equal(table.header !== undefined, header);
        // +0 folds -0 into 0: String(-0) is "0", and tiny negatives round to -0 in float32.
        assert.deepEqual(Array.from(table.samples, (v) => v + 0), values.map((v) => Math.fround(v) + 0));
      },
    ),
  );
});
