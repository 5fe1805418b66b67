/**
 * Recordings between .hsrec, EDF+/BDF+ and CSV: labelled stretches and
 * markers carried across, values within each format's resolution, the
 * padding of EDF's last record cut off on the way back, a torn .hsrec
 * converted with a warning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { labelledSegments, type RecordingHeader, type RecordingMarker } from '../../src/core/recording_format.ts';
import { readEdfFile } from '../../src/io/datasets/edf.ts';
import { readRecordingFile, writeRecordingFile } from '../../src/io/datasets/hsrec.ts';
import { markerText, readForConvert, writeConverted } from '../../src/io/recording_convert.ts';
import { scratchDir } from '../helpers/scratch_dir.ts';

const RATE = 200;
const CHANNELS = 3;
const FRAMES = 1030; // not whole seconds: EDF pads the last record

function source(dir: string, float: boolean): { path: string; header: RecordingHeader; samples: Float32Array; markers: RecordingMarker[] } {
  const samples = new Float32Array(FRAMES * CHANNELS);
  for (let i = 0; i < FRAMES; i++) for (let c = 0; c < CHANNELS; c++) samples[i * CHANNELS + c] = float ? Math.fround(37.25 * Math.sin(i / (4 + c)) + c * 0.001) : Math.round(900 * Math.sin(i / (4 + c))) - c * 100;
  const header: RecordingHeader = { channels: CHANNELS, rate: RATE, sampleFormat: float ? 'float32' : 'int16', classes: ['rest', 'fist', 'hand-open'], channelNames: ['emg1', 'emg2', 'emg3'], subject: 'alice', startedAt: '2026-12-01T09:45:13.000Z', source: 'uno-r3 on /dev/ttyACM0' };
  const markers: RecordingMarker[] = [
    { at: 0, kind: 'session', text: '{"recorder":"record"}' },
    { at: 100, kind: 'label', label: 2 },
    { at: 300, kind: 'label', label: null },
    { at: 321, kind: 'note', text: 'electrode loose, re-seated' },
    { at: 500, kind: 'label', label: 1 },
    { at: 700, kind: 'label', label: 0 },
    { at: 800, kind: 'label', label: null },
  ];
  const path = join(dir, float ? 'float.hsrec' : 'int.hsrec');
  writeRecordingFile(path, header, samples, markers);
  return { path, header, samples, markers };
}

const named = (header: RecordingHeader, markers: RecordingMarker[], frames: number) => labelledSegments(markers, frames).map((s) => ({ start: s.start, end: s.end, name: header.classes![s.label] }));

for (const format of ['edf', 'bdf'] as const) {
  test(`.hsrec -> .${format} -> .hsrec: values within the resolution, labelled stretches and markers carried, the padding cut off`, (t) => {
    const dir = scratchDir(t, 'hs-convert-');
    const src = source(dir, true);
    const edf = join(dir, `x.${format}`);
    const written = writeConverted(edf, readForConvert(src.path).document);
    assert.equal(written.paddedSamples, 6 * RATE - FRAMES, 'six one-second records hold the 1030 samples');
    // Headstart's own EDF reader sees the annotations, named by class, lasting as long as each stretch.
    const rec = readEdfFile(edf).recordings[0]!;
    assert.deepEqual(rec.channelNames, ['emg1', 'emg2', 'emg3']);
    assert.deepEqual(
      (rec.markers ?? []).map((m) => [m.sample, m.text, m.duration]),
      [
        [0, 'session: {"recorder":"record"}', undefined],
        [100, 'hand-open', 1],
        [321, 'note: electrode loose, re-seated', undefined],
        [500, 'fist', 1],
        [700, 'rest', 0.5],
        [FRAMES, 'headstart: padding, not recorded', written.paddedSamples! / RATE],
      ],
    );
    const back = join(dir, `back-${format}.hsrec`);
    const again = writeConverted(back, readForConvert(edf).document);
    assert.equal(again.sampleFormat, 'float32');
    const decoded = readRecordingFile(back);
    assert.equal(decoded.samples.length, src.samples.length, 'the padding is cut off again');
    for (let c = 0; c < CHANNELS; c++) {
      const step = written.ranges![c]!.resolution;
      for (let i = 0; i < FRAMES; i++) {
        const k = i * CHANNELS + c;
        assert.ok(Math.abs(decoded.samples[k]! - src.samples[k]!) <= step / 2 + Math.abs(src.samples[k]!) * 2 ** -22, `channel ${c} sample ${i}: ${decoded.samples[k]} vs ${src.samples[k]} (step ${step})`);
      }
    }
    assert.deepEqual(named(decoded.header, decoded.markers, FRAMES), named(src.header, src.markers, FRAMES));
    assert.deepEqual(
      decoded.markers.filter((m) => m.kind !== 'label').map((m) => [m.at, m.kind, m.text]),
      [
        [0, 'annotation', 'session: {"recorder":"record"}'],
        [321, 'annotation', 'note: electrode loose, re-seated'],
      ],
    );
    assert.deepEqual([decoded.header.subject, decoded.header.startedAt, decoded.header.channelNames], ['alice', '2026-12-01T09:45:13.000Z', ['emg1', 'emg2', 'emg3']]);
  });
}

/** The cells of one CSV line, quoted ones unquoted (RFC 4180). */
function csvRow(line: string): string[] {
  const cells: string[] = [];
  for (let i = 0; i <= line.length; ) {
    if (line[i] === '"') {
      let cell = '';
      for (i++; i < line.length; i++) {
        if (line[i] === '"' && line[i + 1] === '"') (cell += '"'), i++;
        else if (line[i] === '"') break;
        else cell += line[i];
      }
      cells.push(cell);
      i += 2;
    } else {
      const end = line.indexOf(',', i) < 0 ? line.length : line.indexOf(',', i);
      cells.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return cells;
}

test('.hsrec -> .csv: a header row, a time column, the values exactly, the label and the markers', (t) => {
  const dir = scratchDir(t, 'hs-convert-');
  const src = source(dir, true);
  const csv = join(dir, 'x.csv');
  writeConverted(csv, readForConvert(src.path).document);
  const lines = readFileSync(csv, 'utf8').trimEnd().split('\n');
  assert.equal(lines[0], 'time,emg1,emg2,emg3,label,marker');
  assert.equal(lines.length, FRAMES + 1);
  const segments = named(src.header, src.markers, FRAMES);
  for (let i = 0; i < FRAMES; i++) {
    const cells = csvRow(lines[i + 1]!);
    assert.equal(Number(cells[0]), i / RATE);
    for (let c = 0; c < CHANNELS; c++) assert.equal(Math.fround(Number(cells[c + 1])), src.samples[i * CHANNELS + c], `row ${i} channel ${c}`);
    assert.equal(cells[CHANNELS + 1], segments.find((s) => s.start <= i && i < s.end)?.name ?? '');
    const marker = src.markers.find((m) => m.kind !== 'label' && m.at === i);
    assert.equal(cells[CHANNELS + 2], marker ? markerText(src.header, marker) : '');
  }
});

test('.hsrec -> .hsrec keeps int16 when every value fits, and a torn tail is dropped with a warning', (t) => {
  const dir = scratchDir(t, 'hs-convert-');
  const src = source(dir, false);
  appendFileSync(src.path, Buffer.from([0x53, 0xff, 0, 0, 0, 1, 2, 3]));
  const read = readForConvert(src.path);
  assert.match(read.warnings.join('\n'), /dropped a torn last chunk of 8 bytes/);
  const out = join(dir, 'copy.hsrec');
  assert.equal(writeConverted(out, read.document).sampleFormat, 'int16');
  const copy = readRecordingFile(out);
  assert.deepEqual([...copy.samples], [...src.samples]);
  assert.deepEqual(copy.markers, src.markers);
});

test('convert refuses what it cannot read or write, naming the formats', (t) => {
  const dir = scratchDir(t, 'hs-convert-');
  const src = source(dir, false);
  assert.throws(() => readForConvert(join(dir, 'table.csv')), /convert reads \.hsrec, \.edf and \.bdf files; CSV tables are read by `headstart dataset`/);
  assert.throws(() => writeConverted(join(dir, 'x.mat'), readForConvert(src.path).document), /convert writes \.hsrec, \.edf \(EDF\+\), \.bdf \(BDF\+\) and \.csv/);
});
