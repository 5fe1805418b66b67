import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ErrorCode, HeadstartError, isHeadstartError } from '../../../src/core/errors.ts';
import { looksLikeOpenBciGui, parseOpenBciGuiText, readOpenBciGuiFile } from '../../../src/io/datasets/openbci_gui.ts';
import { eegLike, guiCurrentText, guiOlderText, javaDouble } from '../../helpers/openbci_writer.ts';
import { scratchDir } from '../../helpers/scratch_dir.ts';

function throwsCode(fn: () => unknown, code: ErrorCode, also?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isHeadstartError(e, code), `expected ${code}, got ${(e as HeadstartError).code}: ${(e as Error).message}`);
    if (also) assert.match(e.message, also);
    return true;
  });
}

test('current layout (GUI 5+): rate, channel count and board from the header, EXG columns as µV, markers from the marker column', () => {
  const samples = eegLike(500, 8, 250);
  samples[3][2] = 0.0001; // Java prints it 1.0E-4
  const text = guiCurrentText({ rate: 250, samples, markers: new Map([[100, 3], [250, 1]]) });
  assert.match(text, /1\.0E-4/);
  const { header, recording, warnings } = parseOpenBciGuiText(text, 'OpenBCI-RAW-2023.txt');
  assert.equal(header.layout, 'current');
  assert.equal(header.title, 'OpenBCI Raw EXG Data');
  assert.equal(header.board, 'OpenBCI_GUI$BoardCytonSerial');
  assert.equal(header.channels, 8);
  assert.equal(recording.rate, 250);
  assert.equal(recording.channels, 8);
  assert.deepEqual(recording.channelNames, Array.from({ length: 8 }, (_, i) => `EXG Channel ${i}`));
  for (let i = 0; i < 500; i++) for (let c = 0; c < 8; c++) assert.equal(recording.samples[i * 8 + c], Math.fround(Number(javaDouble(samples[i][c]))), `sample ${i} channel ${c}`);
  assert.ok(recording.samples[0] > 32767, 'DC offsets above ±32,767 µV are kept');
  assert.deepEqual(recording.markers, [
    { sample: 100, text: '3' },
    { sample: 250, text: '1' },
  ]);
  assert.deepEqual(warnings, []);
});

test('channels by label or number; a Cyton + Daisy file has 16', () => {
  const samples = eegLike(50, 16, 125);
  const text = guiCurrentText({ rate: 125, samples, board: 'OpenBCI_GUI$BoardCytonSerialDaisy' });
  const { recording } = parseOpenBciGuiText(text, 'daisy.txt', { channels: ['exg channel 12', '3'] });
  assert.equal(recording.rate, 125);
  assert.deepEqual(recording.channelNames, ['EXG Channel 12', 'EXG Channel 3']);
  assert.equal(recording.samples[2 * 2], Math.fround(Number(javaDouble(samples[2][12]))));
  assert.equal(recording.samples[2 * 2 + 1], Math.fround(Number(javaDouble(samples[2][3]))));
  throwsCode(() => parseOpenBciGuiText(text, 'daisy.txt', { channels: ['F3'] }), 'BAD_CHANNELS', /"F3".*EXG Channel 0, EXG Channel 1/);
});

test('older layout (GUI 1-4): channel count from the header, or from the columns when the oldest header lacks it', () => {
  const samples = eegLike(300, 8, 250);
  const expected = (i: number, c: number) => Math.fround(Number(samples[i][c].toFixed(2)));
  for (const countLine of [true, false]) {
    const { header, recording, warnings } = parseOpenBciGuiText(guiOlderText({ rate: 250, samples }, { countLine }), 'old.txt');
    assert.equal(header.layout, 'older');
    assert.equal(header.title, 'OpenBCI Raw EEG Data');
    assert.equal(header.channels, 8);
    assert.equal(recording.rate, 250);
    assert.equal(recording.samples.length, 300 * 8);
    for (let i = 0; i < 300; i++) for (let c = 0; c < 8; c++) assert.equal(recording.samples[i * 8 + c], expected(i, c));
    assert.equal(warnings.length, countLine ? 0 : 1);
    if (!countLine) assert.match(warnings[0], /took 8 from the columns/);
  }
  // The first GUI wrote only the channels after the sample index.
  const four = eegLike(20, 4, 200);
  const bare = parseOpenBciGuiText(guiOlderText({ rate: 200, samples: four }, { countLine: false, aux: false }), 'v1.txt');
  assert.equal(bare.header.channels, 4);
  assert.equal(bare.recording.samples[5 * 4 + 3], Math.fround(Number(four[5][3].toFixed(2))));
});

test('an interrupted recording: a partial last line is dropped and reported', () => {
  const text = guiCurrentText({ rate: 250, samples: eegLike(10, 8, 250) });
  const cut = text.slice(0, text.length - 60);
  const { recording, warnings } = parseOpenBciGuiText(cut, 'cut.txt');
  assert.equal(recording.samples.length, 9 * 8);
  assert.match(warnings[0], /cut\.txt:15: dropped a partial last line/);
});

test('bad files give HeadstartErrors that say what is wrong and where', () => {
  const good = guiCurrentText({ rate: 250, samples: eegLike(5, 8, 250) });
  const lines = good.split('\n');
  const withLine = (n: number, text: string) => lines.map((l, i) => (i === n - 1 ? text : l)).join('\n');
  throwsCode(() => parseOpenBciGuiText('1,2,3\n', 'plain.csv'), 'BAD_RECORDING', /plain\.csv:1: does not start with an "%OpenBCI Raw/);
  throwsCode(() => parseOpenBciGuiText(withLine(3, '%Sample Rate = fast'), 'x.txt'), 'CSV_MALFORMED', /x\.txt:3: sample rate "fast"/);
  throwsCode(() => parseOpenBciGuiText(withLine(3, '%Comment = none'), 'x.txt'), 'CSV_MALFORMED', /no "%Sample Rate = \.\.\. Hz" line/);
  throwsCode(() => parseOpenBciGuiText(withLine(2, '%Number of channels = 4'), 'x.txt'), 'CSV_MALFORMED', /x\.txt:5: the header says 4 channels but 8 columns/);
  throwsCode(() => parseOpenBciGuiText(lines.slice(0, 5).join('\n'), 'x.txt'), 'CSV_MALFORMED');
  const row = lines[6].split(', ');
  throwsCode(() => parseOpenBciGuiText(withLine(7, row.slice(0, 10).join(', ')), 'x.txt'), 'CSV_MALFORMED', /x\.txt:7: 10 fields, expected 25/);
  throwsCode(() => parseOpenBciGuiText(withLine(7, row.map((f, k) => (k === 3 ? 'abc' : f)).join(', ')), 'x.txt'), 'CSV_BAD_VALUE', /x\.txt:7: column 4 \(EXG Channel 2\) is "abc", not a number/);
  throwsCode(() => parseOpenBciGuiText(withLine(7, row.map((f, k) => (k === 1 ? 'NaN' : f)).join(', ')), 'x.txt'), 'CSV_BAD_VALUE', /column 2 \(EXG Channel 0\) is NaN/);
  throwsCode(() => parseOpenBciGuiText(withLine(7, row.map((f, k) => (k === 23 ? '?' : f)).join(', ')), 'x.txt'), 'CSV_BAD_VALUE', /Marker Channel/);
  throwsCode(() => parseOpenBciGuiText(withLine(7, row.map((f, k) => (k === 2 ? '1e400' : f)).join(', ')), 'x.txt'), 'CSV_BAD_VALUE', /x\.txt:7: column 3 \(EXG Channel 1\) is 1e400, beyond the range of a sample/);
  throwsCode(() => parseOpenBciGuiText(withLine(5, 'Sample Index, Accel Channel 0'), 'x.txt'), 'CSV_MALFORMED', /no "EXG Channel <n>" columns/);
});

test('damaged files never throw anything but a HeadstartError', () => {
  const texts = [guiCurrentText({ rate: 250, samples: eegLike(4, 4, 250), markers: new Map([[1, 2]]) }), guiOlderText({ rate: 250, samples: eegLike(4, 4, 250) }, { countLine: false })];
  fc.assert(
    fc.property(fc.nat(1), fc.array(fc.tuple(fc.nat(2000), fc.constantFrom(',', '\n', '%', 'x', '-', '', '9', 'E', ' ')), { maxLength: 6 }), (which, edits) => {
      let text = texts[which];
      for (const [at, ch] of edits) {
        const i = at % (text.length + 1);
        text = text.slice(0, i) + ch + text.slice(i + 1);
      }
      try {
        parseOpenBciGuiText(text, 'fuzz.txt');
      } catch (err) {
        if (!(err instanceof HeadstartError)) throw err;
      }
    }),
    { numRuns: 400 },
  );
});

test('files are recognized by their first line and read from disk', (t) => {
  const text = guiCurrentText({ rate: 200, samples: eegLike(3, 4, 200), board: 'OpenBCI_GUI$BoardGanglionBLE' });
  assert.ok(looksLikeOpenBciGui(text));
  assert.ok(looksLikeOpenBciGui('\uFEFF%OpenBCI Raw EEG Data\n'));
  assert.ok(!looksLikeOpenBciGui('Sample Index, EXG Channel 0\n'));
  const dir = scratchDir(t, 'hs-obci-');
  const path = join(dir, 'OpenBCI-RAW-2024-01-01_10-00-00.txt');
  writeFileSync(path, text.replace(/\n/g, '\r\n'));
  const { recording, header } = readOpenBciGuiFile(path);
  assert.equal(header.board, 'OpenBCI_GUI$BoardGanglionBLE');
  assert.equal(recording.source, path);
  assert.equal(recording.channels, 4);
  assert.equal(recording.samples.length, 12);
  throwsCode(() => readOpenBciGuiFile(join(dir, 'none.txt')), 'FILE_NOT_FOUND');
});
