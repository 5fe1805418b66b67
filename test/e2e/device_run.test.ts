/**
 * `headstart run` end to end without the data sets: the virtual board plays
 * synthetic recordings into a socat pty; live results are compared with the
 * same windows offline; refusals; a 250 Hz board resampled live. (The Myo
 * proof is test/device_run_myo.test.ts.) Profiles are calibrated with the
 * closed-form heads (lda, ncm) to keep these quick.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Recording } from '../../src/core/signal.ts';
import { writeRecordingFile } from '../../src/io/datasets/hsrec.ts';
import { loadReplayScript } from '../../src/sim/replay_source.ts';
import { runCli } from '../helpers/cli.ts';
import { MYO_GESTURE_NAMES, writeTestPackage } from '../helpers/device_package.ts';
import { BIN, calibrate, replicaScore, runLive, start, waitFor } from '../helpers/live_run.ts';
import { ptySkipReason } from '../helpers/pty.ts';
import { scratchDir } from '../helpers/scratch_dir.ts';
import { EXIT_STATUS } from '../../src/cli/report_error.ts';
import { stopChild } from '../helpers/stop_child.ts';

const FAST_HEADS = ['lda', 'ncm'] as const;

test('live replay of a synthetic labelled recording (no data set needed): every window inferred, live = offline', { timeout: 120_000 }, async (t) => {
  const skip = ptySkipReason() ?? (existsSync(BIN) ? undefined : 'bin not built: run `npm run build`');
  if (skip) return t.skip(skip);
  const work = scratchDir(t, 'hs-run-');
  const pkg = writeTestPackage(join(work, 'pkg'));
  // Seven "gestures", each a distinct mix of per-channel tones, 3 s each, twice over.
  const rate = 200;
  const segment = 600;
  const make = (label: number, rep: number): Recording => {
    const samples = new Float32Array(segment * 8);
    for (let i = 0; i < segment; i++) for (let c = 0; c < 8; c++) samples[i * 8 + c] = Math.round(60 * Math.sin((i * (c + 1) * (label + 2)) / 23 + rep) * (((label + c) % 4) + 1) / 4);
    return { source: `g${label}r${rep}`, channels: 8, rate, samples, label, rep };
  };
  const calibration = [0, 1].flatMap((rep) => MYO_GESTURE_NAMES.map((_, g) => make(g, rep)));
  const profile = calibrate(join(work, 'data'), pkg.dir, 'synth', calibration, [...FAST_HEADS]);
  assert.equal(profile.cv.method, 'repetitions');
  const test = MYO_GESTURE_NAMES.map((_, g) => make(g, 2));
  const all = new Float32Array(test.length * segment * 8);
  test.forEach((r, i) => all.set(r.samples, i * segment * 8));
  const replayFile = join(work, 'test.hsrec');
  writeRecordingFile(replayFile, { channels: 8, rate, sampleFormat: 'int16', classes: MYO_GESTURE_NAMES }, all, test.map((r, i) => ({ at: i * segment, kind: 'label', label: r.label! })));

  const { summary } = await runLive(t, work, join(work, 'data'), 'synth', pkg.dir, [replayFile], 'ts');
  assert.equal(summary.board.samples, test.length * segment);
  assert.equal(summary.pipeline.dropped, 0);
  const replica = replicaScore(loadReplayScript([replayFile]), pkg.dir, profile.head);
  assert.deepEqual([summary.pipeline.windows, summary.score.scored, summary.score.correct], [replica.windows, replica.scored, replica.correct]);
  assert.equal(summary.score.confusion.flat().reduce((a, b) => a + b, 0), summary.score.scored);
});

test('run refuses a board whose channel count is not the package\'s, and a profile made for another extractor', { timeout: 60_000 }, async (t) => {
  const skip = ptySkipReason() ?? (existsSync(BIN) ? undefined : 'bin not built: run `npm run build`');
  if (skip) return t.skip(skip);
  const work = scratchDir(t, 'hs-run-');
  const pkg = writeTestPackage(join(work, 'pkg'));
  const other = writeTestPackage(join(work, 'other'), { seed: 99 });
  const dataDir = join(work, 'data');
  const rec = (channels: number): Recording => ({ source: 'x', channels, rate: 200, samples: Float32Array.from({ length: 400 * channels }, (_, i) => (i * 7) % 50), label: 0, rep: 0 });
  calibrate(dataDir, pkg.dir, 'frank', [rec(8), { ...rec(8), label: 1 }], [...FAST_HEADS]);

  const wrongExtractor = runCli(['run', '--port', join(work, 'nowhere'), '--profile', 'frank', '--data-dir', dataDir, '--package', other.dir]);
  assert.equal(wrongExtractor.status, EXIT_STATUS.input);
  assert.match(wrongExtractor.stderr, /PROFILE_EXTRACTOR_MISMATCH/);
  assert.match(wrongExtractor.stderr, /hint: --package <dir> runs the profile with the package it was calibrated with/);
  assert.match(wrongExtractor.stderr, /calibrate 'frank' again/);

  const fourChannels = join(work, 'four.hsrec');
  writeRecordingFile(fourChannels, { channels: 4, rate: 200, sampleFormat: 'int16' }, rec(4).samples);
  const port = join(work, 'board');
  const sim = start(['sim', '--pty', port, '--replay', fourChannels, '--json']);
  t.after(() => stopChild(sim.proc));
  await waitFor(() => sim.stdout().includes('"ready"'), 'the virtual board');
  const run = start(['run', '--port', port, '--baud', '2000000', '--profile', 'frank', '--data-dir', dataDir]);
  assert.equal(await run.exited, EXIT_STATUS.device);
  assert.match(run.stderr(), /BOARD_MISMATCH/);
  assert.match(run.stderr(), /sends 4 channels but the model package .* was trained on 8/);

  // The package folder the profile names has moved: said so, with --package as the way on.
  renameSync(pkg.dir, join(work, 'moved'));
  const moved = runCli(['run', '--port', join(work, 'nowhere'), '--profile', 'frank', '--data-dir', dataDir]);
  assert.equal(moved.status, EXIT_STATUS.input);
  assert.match(moved.stderr, new RegExp(`^headstart: ${pkg.dir}: the model package folder that profile 'frank' v1 was calibrated with \\(package '[^']+'\\) is gone; give its new place with --package <dir> .*\\[FILE_NOT_FOUND\\]\n`));
  const found = runCli(['run', '--port', join(work, 'nowhere'), '--profile', 'frank', '--data-dir', dataDir, '--package', join(work, 'moved')]);
  assert.equal(found.status, EXIT_STATUS.device, 'with --package the run goes on to the port');
});

test('a 250 Hz board feeding a 200 Hz package is resampled live', { timeout: 60_000 }, async (t) => {
  const skip = ptySkipReason() ?? (existsSync(BIN) ? undefined : 'bin not built: run `npm run build`');
  if (skip) return t.skip(skip);
  const work = scratchDir(t, 'hs-run-');
  const pkg = writeTestPackage(join(work, 'pkg'));
  const tone = (rate: number, label: number, seconds: number): Recording => {
    const n = rate * seconds;
    const samples = new Float32Array(n * 8);
    for (let i = 0; i < n; i++) for (let c = 0; c < 8; c++) samples[i * 8 + c] = Math.round(50 * Math.sin((2 * Math.PI * (5 + 3 * label + c) * i) / rate));
    return { source: `tone${label}@${rate}`, channels: 8, rate, samples, label, rep: 0 };
  };
  calibrate(join(work, 'data'), pkg.dir, 'resampled', [tone(200, 0, 3), tone(200, 1, 3)], [...FAST_HEADS]);
  const board = join(work, 'board250.hsrec');
  writeRecordingFile(board, { channels: 8, rate: 250, sampleFormat: 'int16' }, tone(250, 1, 10).samples, [{ at: 0, kind: 'label', label: 1 }]);
  const { summary } = await runLive(t, work, join(work, 'data'), 'resampled', pkg.dir, [board], 'ts');
  const s = summary as unknown as { pipeline: { resampling: boolean; windows: number; dropped: number }; board: { samples: number } };
  assert.equal(s.board.samples, 2500);
  assert.equal((summary.board as { gaps: number }).gaps, 0, `the stream had a gap (the windower starts over after one): ${JSON.stringify(summary)}`);
  assert.equal(s.pipeline.resampling, true);
  // 2500 board samples at 250 Hz are 2000 model samples at 200 Hz: (2000 - 52) / 5 + 1 windows.
  assert.equal(s.pipeline.windows, 390, JSON.stringify(summary));
  assert.equal(s.pipeline.dropped, 0);
});
