// Pretraining with hybrid per-person heads (`pretrain --hybrid-heads`): each person's head reads the
// classical features of the window beside the embedding, EMG's rich time-domain set or EEG's band power
// and covariance (which read the windows' sample rate). On a small synthetic EEG set whose two states
// differ only in alpha power, both recipes train to finite losses and the population classifier learns
// the states.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classicalPart, EEG_TRANSFER_INPUT, TRANSFER_INPUT } from '../../src/core/head/head_input.ts';
import { createRng } from '../../src/core/rng.ts';
import type { Recording } from '../../src/core/signal.ts';
import { windowRecordings } from '../../src/core/window_set.ts';
import { DEFAULT_TRAIN } from '../../src/host/extractor/config.ts';
import { trainExtractor } from '../../src/host/extractor/train.ts';
import { selectBackend } from '../../src/tfjs/backend.ts';

const RATE = 125;
const CHANNELS = 4;
const WINDOW = 125;

/** 20 s of one person in one state: noise, plus a 10 Hz rhythm that is strong at rest (label 0) and weak in the task (1). */
function recording(subject: string, label: number, seed: number): Recording {
  const rng = createRng(seed);
  const n = 20 * RATE;
  const samples = new Float32Array(n * CHANNELS);
  const alpha = label === 0 ? 3 : 0.5;
  for (let i = 0; i < n; i++) {
    const wave = Math.sin((2 * Math.PI * 10 * i) / RATE);
    for (let c = 0; c < CHANNELS; c++) samples[i * CHANNELS + c] = alpha * (1 - c * 0.2) * wave + rng.normal();
  }
  return { source: `${subject}_${label}`, channels: CHANNELS, rate: RATE, samples, label, subject };
}

test('hybrid per-person heads train on the EMG and the EEG classical features alike', { timeout: 120_000 }, async () => {
  await selectBackend();
  const recordings = ['a', 'b', 'c'].flatMap((s, i) => [recording(s, 0, 10 * i + 1), recording(s, 1, 10 * i + 2)]);
  const train = windowRecordings(recordings, { length: WINDOW, hop: 25 });
  const cfg = { windowLength: WINDOW, channels: CHANNELS, blocks: [{ filters: 8, kernel: 7, pool: 4 }, { filters: 16, kernel: 5, pool: 1 }], embedding: 16 };
  for (const input of [TRANSFER_INPUT, EEG_TRANSFER_INPUT]) {
    const trained = await trainExtractor(cfg, 2, train, undefined, { ...DEFAULT_TRAIN, epochs: 3, batchSize: 32, augment: null, hybridHeads: classicalPart(input) });
    const last = trained.history[trained.history.length - 1]!;
    assert.ok(trained.history.every((h) => Number.isFinite(h.loss)), `${JSON.stringify(classicalPart(input))}: finite losses`);
    assert.ok(last.accuracy > 0.8, `${JSON.stringify(classicalPart(input))}: the states are learned (${last.accuracy})`);
    trained.classifier.dispose(); // the extractor's layers with it
  }
});
