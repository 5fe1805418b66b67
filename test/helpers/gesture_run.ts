/**
 * A short live run with clear gesture changes, for the output tests: a test
 * package, a profile calibrated on synthetic tones (one mix per gesture) and
 * a replay of those tones, gesture after gesture, that `headstart sim` plays
 * to `headstart run`.
 */
import { join } from 'node:path';
import type { Recording } from '../../src/core/signal.ts';
import { writeRecordingFile } from '../../src/io/datasets/hsrec.ts';
import { MYO_GESTURE_NAMES, writeTestPackage } from './device_package.ts';
import { calibrate } from './live_run.ts';

const RATE = 200;
const SEGMENT = 600;

function tones(label: number, rep: number): Recording {
  const samples = new Float32Array(SEGMENT * 8);
  for (let i = 0; i < SEGMENT; i++) for (let c = 0; c < 8; c++) samples[i * 8 + c] = Math.round((60 * Math.sin((i * (c + 1) * (label + 2)) / 23 + rep) * (((label + c) % 4) + 1)) / 4);
  return { source: `g${label}r${rep}`, channels: 8, rate: RATE, samples, label, rep };
}

export interface GestureRunFixture {
  dataDir: string;
  packageDir: string;
  user: string;
  /** The recording to replay. */
  replay: string;
  /** Seconds of signal in it. */
  seconds: number;
}

/** `cycles` passes over every gesture, 3 s each. */
export function gestureRunFixture(work: string, cycles = 1): GestureRunFixture {
  const pkg = writeTestPackage(join(work, 'pkg'));
  const dataDir = join(work, 'data');
  calibrate(dataDir, pkg.dir, 'outputs', [0, 1].flatMap((rep) => MYO_GESTURE_NAMES.map((_, g) => tones(g, rep))), ['lda', 'ncm']);
  const segments = Array.from({ length: cycles }, () => MYO_GESTURE_NAMES.map((_, g) => tones(g, 2))).flat();
  const all = new Float32Array(segments.length * SEGMENT * 8);
  segments.forEach((r, i) => all.set(r.samples, i * SEGMENT * 8));
  const replay = join(work, 'gestures.hsrec');
  writeRecordingFile(replay, { channels: 8, rate: RATE, sampleFormat: 'int16', classes: MYO_GESTURE_NAMES }, all, segments.map((r, i) => ({ at: i * SEGMENT, kind: 'label', label: r.label! })));
  return { dataDir, packageDir: pkg.dir, user: 'outputs', replay, seconds: (segments.length * SEGMENT) / RATE };
}

/** The run's gesture events (from --json stdout) and its summary. */
export function parseRunOutput(stdout: string) {
  const lines = stdout.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  const events = lines.filter((l) => l.event === 'gesture') as unknown as { gesture: string | null; class: number; confidence: number; t: number }[];
  const summary = lines.find((l) => l.event === 'summary') as undefined | { pipeline: { windows: number; dropped: number }; board: { samples: number }; outputs?: Record<string, { sent: number; failed: number; firstFailure?: string }> };
  return { events, summary };
}
