/**
 * Live runs for tests: the virtual board (`headstart sim`) on a socat pty
 * feeding `headstart run --score --json`, a profile calibrated in-process as
 * the calibration session does, and the offline figures a live run is
 * compared with (see test/device_run_myo.test.ts).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { predictClasses } from '../../src/core/head/head.ts';
import type { HeadMethod } from '../../src/core/head/head.ts';
import type { Recording } from '../../src/core/signal.ts';
import { windowRecordings } from '../../src/core/window_set.ts';
import { normalizeInPlace, sliceWindows, windowCount } from '../../src/core/windowing.ts';
import { loadModelPackage } from '../../src/io/model_package.ts';
import { ExtractorStage } from '../../src/device/pipeline/extractor_stage.ts';
import { ProfileStore } from '../../src/device/profiles/store.ts';
import { trainProfileHead } from '../../src/device/profiles/train.ts';
import { openRuntime } from '../../src/io/runtime/index.ts';
import type { ReplayScript } from '../../src/sim/replay_script.ts';
import { stopChild } from './stop_child.ts';

export const BIN = fileURLToPath(new URL('../../bin/headstart.js', import.meta.url));

export interface RunSummary {
  event: 'summary';
  runtime: string;
  pipeline: { windows: number; inferred: number; dropped: number; samplesIn: number; latency: { count: number; p50Ms: number; p99Ms: number } };
  board: { samples: number; missingFrames: number; gaps: number; decoder: { crcFailures: number; droppedBytes: number } };
  score: { scored: number; correct: number; accuracy: number; straddling: number; unlabelled: number; confusion: number[][] };
}

export interface Child {
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

export function start(args: string[]): Child {
  const proc = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('close', (code) => resolve(code)));
  return { proc, stdout: () => out, stderr: () => err, exited };
}

export async function waitFor(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Calibrates a profile in-process (embed with the package's extractor, train, save), as the calibration session does. */
export function calibrate(dataDir: string, packageDir: string, user: string, recordings: Recording[], kinds?: HeadMethod[]) {
  const pkg = loadModelPackage(packageDir, { requireTflite: true });
  const stage = new ExtractorStage(openRuntime(pkg.tflite!).runtime, pkg.manifest);
  const set = windowRecordings(recordings, pkg.manifest.window);
  const embeddings = stage.embedWindows(set.x, set.count);
  const normalized = { ...set, x: normalizeInPlace(Float32Array.from(set.x), set.channels, pkg.manifest.normalization) };
  const trained = trainProfileHead({ embeddings, windows: normalized, labels: set.y, classes: pkg.manifest.classes.length }, set.rep, { ...(kinds ? { methods: kinds } : {}), ...(pkg.priors ? { prior: pkg.priors.transfer } : {}) });
  return new ProfileStore(dataDir).save({
    user,
    extractorSha256: pkg.manifest.extractor.tflite!.sha256,
    package: { name: pkg.manifest.name, dir: packageDir },
    gestures: pkg.manifest.classes,
    head: trained.head,
    cv: trained.cv,
    calibration: { windows: set.count, repetitions: new Set(set.rep).size },
  });
}

/** Live run of `replay` through sim + run (`extra`: more options of run); returns the summary, the events and every JSON line. */
export async function runLive(t: { after(fn: () => void | Promise<void>): void }, work: string, dataDir: string, user: string, packageDir: string, replay: string[], runtime: string, extra: string[] = [], simExtra: string[] = []) {
  const port = join(work, 'board');
  const sim = start(['sim', '--pty', port, '--replay', ...replay, '--speed', 'max', '--json', ...simExtra]);
  t.after(() => stopChild(sim.proc));
  await waitFor(() => sim.stdout().includes('"ready"') || sim.proc.exitCode !== null, 'the virtual board');
  assert.match(sim.stdout(), /"ready"/, `sim failed: ${sim.stderr()}`);
  const run = start(['run', '--port', port, '--baud', '2000000', '--profile', user, '--data-dir', dataDir, '--package', packageDir, '--score', '--json', '--idle-stop', '1.5', '--max-queue', '1000000', '--runtime', runtime, ...extra]);
  t.after(() => stopChild(run.proc));
  const code = await run.exited;
  assert.equal(code, 0, `run failed: ${run.stderr()}`);
  await Promise.race([sim.exited, new Promise((r) => setTimeout(r, 5000))]);
  const lines = run.stdout().trim().split('\n').map((l) => JSON.parse(l) as { event: string });
  const summary = lines.find((l) => l.event === 'summary') as unknown as RunSummary;
  assert.ok(summary, `no summary in ${run.stdout()}`);
  return { summary, lines, events: lines.filter((l) => l.event === 'gesture') as unknown as { marker: { kind: string; value: number } | null }[] };
}

/** The live windows, offline: the continuous stream cut at the same places, scored where one label covers the whole window. */
export function replicaScore(script: ReplayScript, packageDir: string, head: Parameters<typeof predictClasses>[0]) {
  const pkg = loadModelPackage(packageDir, { requireTflite: true });
  const { length, hop } = pkg.manifest.window;
  const windows = sliceWindows(script.samples, script.channels, pkg.manifest.window);
  const count = windowCount(script.samples.length / script.channels, pkg.manifest.window);
  const embeddings = new ExtractorStage(openRuntime(pkg.tflite!).runtime, pkg.manifest).embedWindows(windows, count);
  // Heads that read time-domain features see the window as the extractor did: normalized.
  const normalized = normalizeInPlace(Float32Array.from(windows.subarray(0, count * length * script.channels)), script.channels, pkg.manifest.normalization);
  const predicted = predictClasses(head, embeddings, { count, length, channels: script.channels, x: normalized });
  const labelAt = (i: number): number => {
    let label = -1;
    for (const c of script.labels) if (c.at <= i) label = c.label;
    return label;
  };
  let scored = 0;
  let correct = 0;
  for (let w = 0; w < count; w++) {
    const first = w * hop;
    const last = first + length - 1;
    const truth = labelAt(last);
    if (truth < 0 || script.labels.some((c) => c.at > first && c.at <= last)) continue;
    scored++;
    if (predicted[w] === truth) correct++;
  }
  return { windows: count, scored, correct, accuracy: correct / scored };
}

/** The offline evaluation's figure: windows cut per recording file, the same head. */
export function evaluationScore(recordings: Recording[], packageDir: string, head: Parameters<typeof predictClasses>[0]) {
  const pkg = loadModelPackage(packageDir, { requireTflite: true });
  const set = windowRecordings(recordings, pkg.manifest.window);
  const embeddings = new ExtractorStage(openRuntime(pkg.tflite!).runtime, pkg.manifest).embedWindows(set.x, set.count);
  const normalized = normalizeInPlace(Float32Array.from(set.x), set.channels, pkg.manifest.normalization);
  const predicted = predictClasses(head, embeddings, { count: set.count, length: set.length, channels: set.channels, x: normalized });
  let correct = 0;
  for (let i = 0; i < set.count; i++) if (predicted[i] === set.y[i]) correct++;
  return { windows: set.count, accuracy: correct / set.count };
}

