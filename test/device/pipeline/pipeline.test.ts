import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHeadstartError } from '../../../src/core/errors.ts';
import { predictClasses, type NcmHeadData } from '../../../src/core/head/head.ts';
import type { Frame } from '../../../src/core/protocol/frames.ts';
import { createRng } from '../../../src/core/rng.ts';
import { windowRecordings } from '../../../src/core/window_set.ts';
import { sliceWindows } from '../../../src/core/windowing.ts';
import { embedWithRuntime } from '../../../src/io/extractor_embed.ts';
import { loadModelPackage } from '../../../src/io/model_package.ts';
import { checkBoardForPackage, checkProfileForPackage } from '../../../src/device/pipeline/compatibility.ts';
import { ExtractorStage } from '../../../src/device/pipeline/extractor_stage.ts';
import { LivePipeline, type GestureEvent } from '../../../src/device/pipeline/live_pipeline.ts';
import { openNativeRuntime, openTsRuntime } from '../../../src/io/runtime/index.ts';
import type { SavedProfile } from '../../../src/device/profiles/profile.ts';
import { writeTestPackage } from '../../helpers/device_package.ts';
import { sampleProfile } from '../../helpers/profile_data.ts';
import { scratchDir } from '../../helpers/scratch_dir.ts';

/** Labelled 8-channel "EMG": each label has its own per-channel amplitude pattern, plus noise. */
function labelledStream(segments: { label: number; samples: number }[], seed = 3) {
  const rng = createRng(seed);
  const total = segments.reduce((n, s) => n + s.samples, 0);
  const values = new Float32Array(total * 8);
  const frames: Frame[] = [];
  let at = 0;
  let seq = 0;
  for (const seg of segments) {
    frames.push({ type: 'event', seq: seq++, timestampUs: at * 5000, kind: 'label', value: seg.label });
    for (let i = at; i < at + seg.samples; i++) {
      for (let c = 0; c < 8; c++) values[i * 8 + c] = Math.round(((seg.label + 1) * (c + 1) * 7) % 90 * Math.sin(i * (0.3 + c * 0.1)) + rng.normal() * 5) || 0;
    }
    for (let f = at; f < at + seg.samples; f += 10) {
      const n = Math.min(10, at + seg.samples - f);
      frames.push({ type: 'samples', seq: seq++, timestampUs: f * 5000, channels: 8, samples: Int16Array.from(values.subarray(f * 8, (f + n) * 8)) });
    }
    at += seg.samples;
  }
  return { values, frames, total };
}

test('the extractor stage embeds a raw window exactly as the calibration path embeds normalized window sets', (t) => {
  const pkg = writeTestPackage(scratchDir(t));
  const { manifest } = loadModelPackage(pkg.dir, { requireTflite: true });
  const { values } = labelledStream([{ label: 2, samples: 400 }]);
  const set = windowRecordings([{ source: 'test', channels: 8, rate: 200, samples: values, label: 2 }], manifest.window, manifest.normalization);
  const reference = embedWithRuntime(openTsRuntime(pkg.tflite), manifest, set);
  const stage = new ExtractorStage(openTsRuntime(pkg.tflite), manifest);
  const raw = sliceWindows(values, 8, manifest.window);
  const live = stage.embedWindows(raw, set.count);
  assert.deepEqual(live.data, reference.data);
  assert.ok(new Set(live.data).size > 10, 'the embeddings are not constant');
});

test('the native runtime and the TypeScript interpreter give the same embeddings through the stage', (t) => {
  const pkg = writeTestPackage(scratchDir(t));
  let native;
  try {
    native = openNativeRuntime(pkg.tflite);
  } catch (err) {
    t.skip(`native TensorFlow Lite runtime cannot load here: ${(err as Error).message.split('\n')[0]}`);
    return;
  }
  const { manifest } = loadModelPackage(pkg.dir);
  const { values } = labelledStream([{ label: 4, samples: 300 }]);
  const raw = sliceWindows(values, 8, manifest.window);
  const count = raw.length / (52 * 8);
  assert.deepEqual(new ExtractorStage(native, manifest).embedWindows(raw, count).data, new ExtractorStage(openTsRuntime(pkg.tflite), manifest).embedWindows(raw, count).data);
});

function testHead(dim: number, classes: number): NcmHeadData {
  const rng = createRng(11);
  return { kind: 'ncm', classes, dim, centroids: Array.from({ length: classes * dim }, () => rng.normal()) };
}

test('live: every window is inferred when the queue is large enough, with the results of the offline path, and events carry the marker', async (t) => {
  const pkg = writeTestPackage(scratchDir(t));
  const { manifest } = loadModelPackage(pkg.dir);
  const segments = [
    { label: 0, samples: 300 },
    { label: 3, samples: 250 },
    { label: 5, samples: 400 },
  ];
  const { values, frames, total } = labelledStream(segments);
  const head = testHead(manifest.embeddingSize, 7);
  const labels: number[] = [];
  const events: GestureEvent[] = [];
  const pipeline = new LivePipeline({
    manifest,
    runtime: openTsRuntime(pkg.tflite),
    head,
    gestures: manifest.classes,
    boardRate: 200,
    maxQueue: 1000,
    smoother: { votes: 3, threshold: 0, enter: 0.6, exit: 0.3 },
    onWindow: (r) => labels.push(r.label),
    onEvent: (e) => events.push(e),
  });
  for (const f of frames) pipeline.push(f);
  await pipeline.idle();
  const stats = pipeline.stats();
  const expectedWindows = Math.floor((total - 52) / 5) + 1;
  assert.equal(stats.windows, expectedWindows);
  assert.equal(stats.inferred, expectedWindows);
  assert.equal(stats.dropped, 0);
  assert.equal(stats.latency.count, expectedWindows);
  assert.ok(stats.latency.p50Ms >= 0 && stats.latency.p99Ms >= stats.latency.p50Ms);

  const offline = new ExtractorStage(openTsRuntime(pkg.tflite), manifest).embedWindows(sliceWindows(values, 8, manifest.window), expectedWindows);
  assert.deepEqual(labels, Array.from(predictClasses(head, offline)));

  assert.ok(events.length > 0);
  for (const e of events) {
    const lastSample = e.window * 5 + 51;
    const truth = lastSample < 300 ? 0 : lastSample < 550 ? 3 : 5;
    assert.deepEqual(e.marker && [e.marker.kind, e.marker.value], ['label', truth], `event at window ${e.window}`);
    assert.ok(Math.abs(e.t - lastSample / 200) < 1e-9);
    assert.equal(e.gesture, e.class >= 0 ? manifest.classes[e.class] : null);
  }
  pipeline.close();
});

test('live: when inference falls behind, the oldest windows are dropped and counted, and the reader never waits', async (t) => {
  const pkg = writeTestPackage(scratchDir(t));
  const { manifest } = loadModelPackage(pkg.dir);
  const { frames, total } = labelledStream([{ label: 1, samples: 1200 }]);
  const seen: number[] = [];
  const pipeline = new LivePipeline({ manifest, runtime: openTsRuntime(pkg.tflite), head: testHead(manifest.embeddingSize, 7), gestures: manifest.classes, boardRate: 200, maxQueue: 4, onWindow: (r) => seen.push(r.window.index) });
  // All frames arrive before inference gets a single turn.
  for (const f of frames) pipeline.push(f);
  assert.equal(pipeline.stats().inferred, 0, 'push only queues');
  await pipeline.idle();
  const s = pipeline.stats();
  const windows = Math.floor((total - 52) / 5) + 1;
  assert.equal(s.windows, windows);
  assert.equal(s.inferred, 4);
  assert.equal(s.dropped, windows - 4);
  assert.deepEqual(seen, [windows - 4, windows - 3, windows - 2, windows - 1], 'the newest windows are the ones kept');
});

test('a board that does not fit the package is refused with what to do', (t) => {
  const pkg = writeTestPackage(scratchDir(t));
  const { manifest } = loadModelPackage(pkg.dir);
  assert.deepEqual(checkBoardForPackage({ channels: 8, rate: 200, boardId: 'sim' }, manifest, pkg.dir), { resample: false });
  assert.deepEqual(checkBoardForPackage({ channels: 8, rate: 250, boardId: 'sim' }, manifest, pkg.dir), { resample: true });
  assert.throws(() => checkBoardForPackage({ channels: 4, rate: 200, boardId: 'uno' }, manifest, pkg.dir), (err) => isHeadstartError(err, 'BOARD_MISMATCH') && /sends 4 channels/.test(err.message) && /8/.test(err.message));
  assert.throws(() => checkBoardForPackage({ channels: 8, rate: 100, boardId: 'uno' }, manifest, pkg.dir), (err) => isHeadstartError(err, 'BOARD_MISMATCH') && /set the board to 200 Hz/.test(err.message));
  assert.throws(() => checkBoardForPackage({ channels: 8, rate: 1009, boardId: 'uno' }, manifest, pkg.dir), (err) => isHeadstartError(err, 'BOARD_MISMATCH'));
});

test('a profile trained for another extractor is refused', (t) => {
  const pkg = writeTestPackage(scratchDir(t));
  const { manifest } = loadModelPackage(pkg.dir);
  const profile = (sha: string, dim = manifest.embeddingSize): SavedProfile => ({ ...sampleProfile('erin', { sha, dim, classes: 7 }), format: 'headstart-profile', formatVersion: 1, version: 2, createdAt: new Date().toISOString() });
  checkProfileForPackage(profile(pkg.sha256), manifest, pkg.dir);
  assert.throws(() => checkProfileForPackage(profile('cd'.repeat(32)), manifest, pkg.dir), (err) => isHeadstartError(err, 'PROFILE_EXTRACTOR_MISMATCH') && /calibrate 'erin' again/.test(err.message));
  assert.throws(() => checkProfileForPackage(profile(pkg.sha256, 5), manifest, pkg.dir), (err) => isHeadstartError(err, 'PROFILE_EXTRACTOR_MISMATCH'));
});

test('live: after a gap no window joins samples from both sides of it', async (t) => {
  const pkg = writeTestPackage(scratchDir(t));
  const { manifest } = loadModelPackage(pkg.dir);
  const { frames } = labelledStream([{ label: 1, samples: 200 }]);
  const pipeline = new LivePipeline({ manifest, runtime: openTsRuntime(pkg.tflite), head: testHead(manifest.embeddingSize, 7), gestures: manifest.classes, boardRate: 200, maxQueue: 1000 });
  const samples = frames.filter((f) => f.type === 'samples');
  // 100 samples, a gap, 100 samples: each side gives (100 - 52) / 5 + 1 = 10 windows, and none spans the gap (without the reset: 30).
  for (const f of samples.slice(0, 10)) pipeline.push(f);
  pipeline.gap();
  for (const f of samples.slice(10, 20)) pipeline.push(f);
  await pipeline.idle();
  assert.equal(pipeline.stats().windows, 20);
  assert.equal(pipeline.stats().resets, 1);
  pipeline.close();
});
