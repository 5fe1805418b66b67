import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FilterSpec } from '../../../src/core/dsp/filters.ts';
import type { NcmHeadData } from '../../../src/core/head/head.ts';
import { type ModelManifest, packagePreprocessing } from '../../../src/core/model_package/manifest.ts';
import type { Frame } from '../../../src/core/protocol/frames.ts';
import { createRng } from '../../../src/core/rng.ts';
import { windowRecordings } from '../../../src/core/window_set.ts';
import { embedWithRuntime } from '../../../src/io/extractor_embed.ts';
import { loadModelPackage } from '../../../src/io/model_package.ts';
import { openTsRuntime } from '../../../src/io/runtime/index.ts';
import { LivePipeline } from '../../../src/device/pipeline/live_pipeline.ts';
import { Windower } from '../../../src/device/pipeline/windower.ts';
import { writeTestPackage } from '../../helpers/device_package.ts';
import { scratchDir } from '../../helpers/scratch_dir.ts';

const FILTERS: FilterSpec[] = [{ kind: 'bandpass', low: 1, high: 45, order: 4 }, { kind: 'notch', freq: 50, q: 30 }, { kind: 'car' }];

/** A float32 board at `rate` (as a Cyton's microvolts): 10 Hz rhythm and mains hum on offsets of tens of millivolts, in frames of varying size. */
function board(total: number, channels: number, rate: number, seed = 5) {
  const rng = createRng(seed);
  const samples = new Float32Array(total * channels);
  for (let i = 0; i < total; i++) {
    for (let c = 0; c < channels; c++) {
      samples[i * channels + c] = -45000 + 17000 * c + 30 * Math.sin((2 * Math.PI * 10 * i) / rate + c) + 50 * Math.sin((2 * Math.PI * 50 * i) / rate) + 10 * rng.normal();
    }
  }
  const frames: Frame[] = [];
  for (let at = 0, seq = 0; at < total; seq++) {
    const n = Math.min(total - at, 1 + Math.floor(rng.next() * 9));
    frames.push({ type: 'samples', seq, timestampUs: Math.round((at * 1e6) / rate), channels, samples: samples.slice(at * channels, (at + n) * channels) });
    at += n;
  }
  return { samples, frames };
}

function eegManifest(t: Parameters<typeof scratchDir>[0]) {
  const pkg = writeTestPackage(scratchDir(t), { rate: 250 });
  const { manifest } = loadModelPackage(pkg.dir);
  return { pkg, manifest: { ...manifest, preprocessing: FILTERS } satisfies ModelManifest };
}

test('live = offline with filters: a 500 Hz recording through the windower and through windowRecordings gives the same windows, exactly', (t) => {
  const { manifest } = eegManifest(t);
  const channels = manifest.channels;
  const { samples, frames } = board(6000, channels, 500);
  const windower = new Windower({ channels, boardRate: 500, modelRate: 250, window: manifest.window, filters: manifest.preprocessing });
  const live: Float32Array[] = [];
  for (const f of frames) windower.push(f, (w) => live.push(Float32Array.from(w.data)));
  const offline = windowRecordings([{ source: 'board', channels, rate: 500, samples, label: 0 }], manifest.window, undefined, packagePreprocessing(manifest));
  assert.equal(live.length, offline.count);
  assert.ok(live.length > 100);
  const size = manifest.window.length * channels;
  for (let i = 0; i < live.length; i++) assert.deepEqual(live[i], offline.x.subarray(i * size, (i + 1) * size), `window ${i}`);
  // The windows are filtered: no offset left, and not the raw samples.
  const last = live.at(-1)!;
  assert.ok(Math.max(...last.map(Math.abs)) < 300, 'the tens-of-millivolt offsets are gone');
});

test('live = offline with filters through the whole live pipeline: the same embeddings as the offline path', async (t) => {
  const { pkg, manifest } = eegManifest(t);
  const channels = manifest.channels;
  const { samples, frames } = board(2400, channels, 250, 8);
  const head: NcmHeadData = { kind: 'ncm', classes: 2, dim: manifest.embeddingSize, centroids: Array.from({ length: 2 * manifest.embeddingSize }, (_, i) => Math.sin(i)) };
  const embeddings: number[] = [];
  const pipeline = new LivePipeline({ manifest, runtime: openTsRuntime(pkg.tflite), head, gestures: ['a', 'b'], boardRate: 250, maxQueue: 10000, onWindow: (r) => embeddings.push(...r.embedding) });
  for (const f of frames) pipeline.push(f);
  await pipeline.idle();
  pipeline.close();
  const set = windowRecordings([{ source: 'board', channels, rate: 250, samples, label: 0 }], manifest.window, manifest.normalization, packagePreprocessing(manifest));
  const offline = embedWithRuntime(openTsRuntime(pkg.tflite), manifest, set);
  assert.equal(embeddings.length, offline.data.length);
  assert.deepEqual(Float32Array.from(embeddings), offline.data);
  // Without the filters, the offline windows differ: the comparison above sees them.
  const unfiltered = windowRecordings([{ source: 'board', channels, rate: 250, samples, label: 0 }], manifest.window, manifest.normalization);
  assert.notDeepEqual(embedWithRuntime(openTsRuntime(pkg.tflite), manifest, unfiltered).data, offline.data);
});
