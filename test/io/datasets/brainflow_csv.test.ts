import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ErrorCode, HeadstartError, isHeadstartError } from '../../../src/core/errors.ts';
import { BRAINFLOW_LAYOUTS, parseBrainflowCsv, readBrainflowCsvFile, type BrainflowBoard } from '../../../src/io/datasets/brainflow_csv.ts';
import { brainflowText, eegLike } from '../../helpers/openbci_writer.ts';
import { scratchDir } from '../../helpers/scratch_dir.ts';

function throwsCode(fn: () => unknown, code: ErrorCode, also?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isHeadstartError(e, code), `expected ${code}, got ${(e as HeadstartError).code}: ${(e as Error).message}`);
    if (also) assert.match(e.message, also);
    return true;
  });
}

test('each board layout: the board inferred from the field count and timestamps, its EXG columns read as µV, markers kept', () => {
  const cases: [BrainflowBoard, number, number][] = [
    ['cyton', 8, 250],
    ['cyton-wifi', 8, 1000],
    ['cyton-daisy', 16, 125],
    ['cyton-daisy-wifi', 16, 1000],
    ['synthetic', 16, 250],
    ['ganglion', 4, 200],
    ['ganglion-wifi', 4, 1600],
  ];
  for (const [board, channels, rate] of cases) {
    const samples = eegLike(2 * rate, channels, rate);
    const text = brainflowText(board, { rate, samples, markers: new Map([[7, 2]]) });
    assert.equal(text.split('\n')[0].split('\t').length, BRAINFLOW_LAYOUTS[board].fields);
    const reading = parseBrainflowCsv(text, `${board}.csv`);
    assert.equal(reading.board, board, `${board} inferred`);
    const { recording } = reading;
    assert.equal(recording.rate, rate);
    assert.equal(recording.channels, channels);
    assert.deepEqual(recording.channelNames, Array.from({ length: channels }, (_, i) => `EXG Channel ${i}`));
    for (let i = 0; i < samples.length; i += 37) for (let c = 0; c < channels; c++) assert.equal(recording.samples[i * channels + c], Math.fround(Number(samples[i][c].toFixed(6))));
    assert.deepEqual(recording.markers, [{ sample: 7, text: '2' }]);
    assert.ok(Math.abs(reading.timestampRate! / rate - 1) < 0.01);
    assert.deepEqual(reading.warnings, []);
  }
});

test('the board given: its layout and rate; channels by label or number; commas accepted', () => {
  const samples = eegLike(100, 8, 250);
  const text = brainflowText('cyton', { rate: 250, samples });
  const { recording } = parseBrainflowCsv(text.replace(/\t/g, ','), 'c.csv', { board: 'cyton', channels: ['7', 'EXG Channel 0'] });
  assert.deepEqual(recording.channelNames, ['EXG Channel 7', 'EXG Channel 0']);
  assert.equal(recording.samples[3 * 2], Math.fround(Number(samples[3][7].toFixed(6))));
  assert.equal(recording.samples[3 * 2 + 1], Math.fround(Number(samples[3][0].toFixed(6))));
  // A rate given wins over the board's default and picks among layouts of one width.
  const fast = brainflowText('cyton', { rate: 500, samples });
  const given = parseBrainflowCsv(fast, 'fast.csv', { rate: 500 });
  assert.equal(given.board, 'cyton');
  assert.equal(given.recording.rate, 500);
  // Told the board but not the rate it ran at: the board's default, and a warning that the timestamps disagree.
  const told = parseBrainflowCsv(fast, 'fast.csv', { board: 'cyton' });
  assert.equal(told.recording.rate, 250);
  assert.match(told.warnings.join('\n'), /timestamps show about 500\.0 samples\/s, but a Cyton streams at 250 by default.*give that rate/);
});

test('a layout two boards share, with timestamps that cannot tell them apart, asks for the board', () => {
  const samples = eegLike(40, 8, 250);
  const still = brainflowText('cyton', { rate: 250, samples })
    .split('\n')
    .map((l) => l.split('\t').map((f, k) => (k === 22 ? '1700000000.000000' : f)).join('\t'))
    .join('\n');
  throwsCode(() => parseBrainflowCsv(still, 'still.csv'), 'MISSING_OPTION', /24 fields per line fits cyton \(250 Hz\), cyton-wifi \(1000 Hz\).*give the board/);
  assert.equal(parseBrainflowCsv(still, 'still.csv', { board: 'cyton' }).recording.rate, 250);
  throwsCode(() => parseBrainflowCsv(brainflowText('cyton', { rate: 600, samples }), 'odd.csv'), 'MISSING_OPTION');
});

test('bad files give HeadstartErrors that say what is wrong and where', () => {
  const good = brainflowText('ganglion', { rate: 200, samples: eegLike(6, 4, 200) });
  const lines = good.split('\n');
  const withLine = (n: number, text: string) => lines.map((l, i) => (i === n - 1 ? text : l)).join('\n');
  const row = lines[2].split('\t');
  throwsCode(() => parseBrainflowCsv('', 'e.csv'), 'CSV_MALFORMED');
  throwsCode(() => parseBrainflowCsv(`time\temg\n${good}`, 'h.csv'), 'BAD_RECORDING', /h\.csv:1: .*no header row/);
  throwsCode(() => parseBrainflowCsv(withLine(3, row.slice(0, 9).join('\t')), 'g.csv'), 'CSV_MALFORMED', /g\.csv:3: 9 fields, expected 15/);
  throwsCode(() => parseBrainflowCsv(withLine(3, row.map((f, k) => (k === 2 ? 'x1' : f)).join('\t')), 'g.csv'), 'CSV_BAD_VALUE', /g\.csv:3: field 3 is "x1", not a number/);
  throwsCode(() => parseBrainflowCsv(withLine(3, row.map((f, k) => (k === 1 ? 'nan' : f)).join('\t')), 'g.csv'), 'CSV_BAD_VALUE', /field 2 is NaN/);
  throwsCode(() => parseBrainflowCsv(good, 'g.csv', { board: 'cyton' }), 'CSV_MALFORMED', /15 fields per line, but BrainFlow writes 24 for a Cyton/);
  throwsCode(() => parseBrainflowCsv('1\t2\t3\n4\t5\t6\n', 'three.csv'), 'UNKNOWN_FORMAT', /3 fields per line matches no board.*cyton \(24 fields\)/);
  throwsCode(() => parseBrainflowCsv(good, 'g.csv', { board: 'muse' as BrainflowBoard }), 'BAD_OPTION');
  throwsCode(() => parseBrainflowCsv(good, 'g.csv', { rate: -1 }), 'BAD_OPTION');
  // A partial last line (interrupted write) is dropped and reported.
  const cut = parseBrainflowCsv(good.slice(0, good.length - 40), 'cut.csv');
  assert.equal(cut.recording.samples.length, 5 * 4);
  assert.match(cut.warnings.join('\n'), /cut\.csv:6: dropped a partial last line/);
});

test('damaged files never throw anything but a HeadstartError', () => {
  const text = brainflowText('ganglion', { rate: 200, samples: eegLike(4, 4, 200), markers: new Map([[1, 5]]) });
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(text.length), fc.constantFrom('\t', '\n', ',', 'x', '-', '', '9', 'e', '.')), { maxLength: 6 }), (edits) => {
      let t = text;
      for (const [at, ch] of edits) t = t.slice(0, at % (t.length + 1)) + ch + t.slice((at % (t.length + 1)) + 1);
      try {
        parseBrainflowCsv(t, 'fuzz.csv');
      } catch (err) {
        if (!(err instanceof HeadstartError)) throw err;
      }
    }),
    { numRuns: 400 },
  );
});

test('readBrainflowCsvFile reads from disk', (t) => {
  const dir = scratchDir(t, 'hs-bf-');
  const path = join(dir, 'BrainFlow-RAW_2024-01-01_10-00-00_0.csv');
  writeFileSync(path, brainflowText('cyton-daisy', { rate: 125, samples: eegLike(250, 16, 125) }));
  const reading = readBrainflowCsvFile(path);
  assert.equal(reading.board, 'cyton-daisy');
  assert.equal(reading.recording.source, path);
  throwsCode(() => readBrainflowCsvFile(join(dir, 'none.csv')), 'FILE_NOT_FOUND');
});
