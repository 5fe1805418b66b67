// Live = offline, window for window, with the EEG filters, through the
// software Cyton on one eegmat person: the recording as the board's ADC
// carries it (on a DC offset of tens of millivolts, as real Cyton data),
// decoded from the 33-byte packets, through the live pipeline, gives the
// same embeddings as the offline path (windowRecordings + the package's
// chain) on the same values.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import type { FilterSpec } from '../../src/core/dsp/filters.ts';
import { preprocessRecording } from '../../src/core/dsp/preprocess.ts';
import type { NcmHeadData } from '../../src/core/head/head.ts';
import { type ModelManifest, packagePreprocessing } from '../../src/core/model_package/manifest.ts';
import type { SamplesFrame } from '../../src/core/protocol/frames.ts';
import { windowRecordings } from '../../src/core/window_set.ts';
import { LivePipeline } from '../../src/device/pipeline/live_pipeline.ts';
import { BoardSession } from '../../src/device/transports/board_session.ts';
import { createLoopbackPair } from '../../src/device/transports/loopback.ts';
import { loadDataset } from '../../src/io/datasets/index.ts';
import { embedWithRuntime } from '../../src/io/extractor_embed.ts';
import { loadModelPackage } from '../../src/io/model_package.ts';
import { openTsRuntime } from '../../src/io/runtime/index.ts';
import { CytonBoard } from '../../src/sim/cyton_board.ts';
import { scriptFromRecordings } from '../../src/sim/replay_script.ts';
import { writeTestPackage } from '../helpers/device_package.ts';
import { throughAdc } from '../helpers/cyton.ts';
import { scratchDir } from '../helpers/scratch_dir.ts';

const EEGMAT = fileURLToPath(new URL('../../../shared/datasets/eegmat', import.meta.url));
const PERSON = 'Subject24';
const MONTAGE = ['Fp1', 'Fp2', 'F7', 'F8', 'T3', 'T4', 'Fz', 'Pz'];
const FILTERS: FilterSpec[] = [{ kind: 'bandpass', low: 1, high: 45, order: 4 }, { kind: 'notch', freq: 50, q: 30 }, { kind: 'car' }];
const SECONDS = 20;

test(`live = offline with filters through the software Cyton on ${PERSON} of eegmat: the same embeddings, window for window`, { skip: existsSync(`${EEGMAT}/${PERSON}_1.edf`) ? undefined : `the eegmat data set is not at ${EEGMAT}` }, async (t) => {
  const pkg = writeTestPackage(scratchDir(t), { rate: 250, length: 125, hop: 25, classes: ['rest', 'arithmetic'], normScale: 1 / 20 });
  const manifest: ModelManifest = { ...loadModelPackage(pkg.dir).manifest, modality: 'eeg', preprocessing: FILTERS };
  const dataset = loadDataset({ path: EEGMAT, people: [PERSON], channels: MONTAGE });
  const rest = dataset.recordings.find((r) => r.label === dataset.classes.indexOf('rest')) ?? dataset.recordings[0]!;
  const at250 = preprocessRecording(rest, { rate: 250, filters: [] });
  // The first SECONDS s on a Cyton's DC offsets (tens of millivolts, of either sign).
  const samples = Float32Array.from(at250.samples.subarray(0, SECONDS * 250 * 8), (v, i) => v + ((i % 8) % 2 ? -1 : 1) * (30000 + 7000 * (i % 8)));
  const script = scriptFromRecordings([{ ...at250, samples }]);

  const pair = createLoopbackPair();
  const board = new CytonBoard(script, pair.board, { speed: Number.POSITIVE_INFINITY });
  const ended = new Promise<void>((resolve) => board.once('end', () => resolve()));
  await board.powerOn();
  const session = new BoardSession({ transport: pair.host, format: 'cyton', helloTimeoutMs: 500 });
  const frames: SamplesFrame[] = [];
  session.on('frame', (f) => {
    if (f.type === 'samples') frames.push(f);
  });
  await session.start();
  await ended;
  while (frames.reduce((n, f) => n + f.samples.length, 0) < samples.length) await new Promise((r) => setTimeout(r, 10));
  await session.close();
  await board.powerOff();

  const head: NcmHeadData = { kind: 'ncm', classes: 2, dim: manifest.embeddingSize, centroids: Array.from({ length: 2 * manifest.embeddingSize }, (_, i) => Math.sin(i)) };
  const live: number[] = [];
  const pipeline = new LivePipeline({ manifest, runtime: openTsRuntime(pkg.tflite), head, gestures: ['rest', 'arithmetic'], boardRate: 250, maxQueue: 100000, onWindow: (r) => live.push(...r.embedding) });
  for (const f of frames) pipeline.push(f);
  await pipeline.idle();
  pipeline.close();

  // Offline: the values the board's ADC carried, through the package's chain from the first sample.
  const carried = Float32Array.from(samples, (v) => throughAdc(v));
  const set = windowRecordings([{ source: PERSON, channels: 8, rate: 250, samples: carried, label: 0 }], manifest.window, manifest.normalization, packagePreprocessing(manifest));
  const offline = embedWithRuntime(openTsRuntime(pkg.tflite), manifest, set);
  assert.equal(set.count, Math.floor((SECONDS * 250 - manifest.window.length) / manifest.window.hop) + 1);
  assert.equal(live.length, offline.data.length, 'as many windows live as offline');
  assert.deepEqual(Float32Array.from(live), offline.data);
  // The chain matters here: without it the offline embeddings differ.
  const unfiltered = windowRecordings([{ source: PERSON, channels: 8, rate: 250, samples: carried, label: 0 }], manifest.window, manifest.normalization);
  assert.notDeepEqual(embedWithRuntime(openTsRuntime(pkg.tflite), manifest, unfiltered).data, offline.data);
});
