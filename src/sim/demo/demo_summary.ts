/**
 * The summary both demos return (EMG and EEG): what was calibrated, how,
 * and how the live replay went, built the same way for both.
 */
import { headInputOf } from '../../core/head/head.ts';
import type { HeadInput } from '../../core/head/head_input.ts';
import type { CalibrationResult } from '../../device/calibration/session.ts';
import type { CalibrationVerdict } from '../../device/calibration/verdict.ts';
import type { LivePipelineStats } from '../../device/pipeline/live_pipeline.ts';
import type { ScoreSummary } from '../../device/pipeline/live_score.ts';
import type { DemoLink } from './demo_link.ts';
import type { LiveReplayResult } from './live_replay.ts';

export interface DemoSummary {
  link: DemoLink;
  package: { dir: string; name: string };
  runtime: { kind: string; fallbackReason?: string };
  recording: { person: string; calibration: string; live: string; licence: string };
  speed: number;
  calibration: {
    protocol: string;
    description: string;
    trials: number;
    windows: number;
    head: string;
    cv: { method: string; accuracy: number | null };
    verdict: CalibrationVerdict;
    profilePath: string;
    reportPath: string;
    wallSeconds: number;
  };
  live: {
    gestures: string[];
    windows: number;
    inferred: number;
    droppedWindows: number;
    maxQueue: number;
    /** Frames the board could not send plus frames the host saw missing (sequence gaps). */
    framesLost: number;
    crcFailures: number;
    latency: { p50Ms: number; p99Ms: number; maxMs: number; meanMs: number };
    signalSeconds: number;
    wallSeconds: number;
    realTimeMultiple: number;
    windowsPerSecond: number;
    score: ScoreSummary;
    /** The mean of the per-class shares right (EEG: the states' stretches differ in length). */
    balancedAccuracy?: number;
    /**
     * The classical baseline on the same windows: LDA on the classical
     * features the wearer's head reads beside the embedding, with the
     * package's prior, fitted on the same calibration windows (absent for a
     * package without priors).
     */
    baseline?: { features: string; score: ScoreSummary; balancedAccuracy?: number };
  };
  /** Where the profile was saved; null when it was in a temporary folder that is now removed. */
  dataDir: string | null;
  totalSeconds: number;
}

export interface DemoRun {
  link: DemoLink;
  packageDir: string;
  modelName: string;
  recognizer: { runtime: { kind: string }; fallbackReason?: string };
  recording: DemoSummary['recording'];
  speed: number;
  protocol: { name: string; description?: string; gestures: { label: string }[] };
  trials: number;
  calibrated: CalibrationResult;
  calibrationSeconds: number;
  live: LiveReplayResult;
  maxQueue: number;
  /** What the board itself could not send (frames or samples, as the board counts them). */
  boardLost: number;
  /** Also report balanced accuracy (EEG: the states' stretches differ in length). */
  balanced: boolean;
  dataDir: string | null;
  startedAt: number;
}

export function summarizeDemo(run: DemoRun): DemoSummary {
  const { calibrated, live } = run;
  const p = live.pipeline;
  return {
    link: run.link,
    package: { dir: run.packageDir, name: run.modelName },
    runtime: { kind: run.recognizer.runtime.kind, ...(run.recognizer.fallbackReason ? { fallbackReason: run.recognizer.fallbackReason } : {}) },
    recording: run.recording,
    speed: run.speed,
    calibration: {
      protocol: run.protocol.name,
      description: run.protocol.description ?? run.protocol.name,
      trials: run.trials,
      windows: calibrated.windows,
      head: calibrated.trained.cv.chosen,
      cv: { method: calibrated.trained.cv.method, accuracy: heldOutAccuracy(calibrated) },
      verdict: calibrated.verdict,
      profilePath: calibrated.profilePath,
      reportPath: calibrated.reportPath,
      wallSeconds: run.calibrationSeconds,
    },
    live: {
      gestures: run.protocol.gestures.map((g) => g.label),
      windows: p.windows,
      inferred: p.inferred,
      droppedWindows: p.dropped,
      maxQueue: run.maxQueue,
      framesLost: run.boardLost + live.board.missingFrames,
      crcFailures: live.board.decoder.crcFailures,
      latency: { p50Ms: p.latency.p50Ms, p99Ms: p.latency.p99Ms, maxMs: p.latency.maxMs, meanMs: p.latency.meanMs },
      signalSeconds: p.boardSeconds,
      wallSeconds: p.wallSeconds,
      realTimeMultiple: p.boardSeconds / Math.max(p.wallSeconds, 1e-9),
      windowsPerSecond: p.inferred / Math.max(p.wallSeconds, 1e-9),
      score: live.score,
      ...(run.balanced ? { balancedAccuracy: balancedAccuracy(live.score.confusion) } : {}),
      ...(live.baselineScore && calibrated.trained.baseline
        ? { baseline: { features: describeInput(headInputOf(calibrated.trained.baseline)), score: live.baselineScore, ...(run.balanced ? { balancedAccuracy: balancedAccuracy(live.baselineScore.confusion) } : {}) } }
        : {}),
    },
    dataDir: run.dataDir,
    totalSeconds: secondsSince(run.startedAt),
  };
}

/** What a classical baseline reads, in words. */
function describeInput(input: HeadInput): string {
  const parts: string[] = [];
  if (input.timeDomain !== 'none') parts.push(input.timeDomain === 'rich' ? 'the rich time-domain set' : `time-domain ${input.timeDomain}`);
  if (input.bandPower) parts.push('band power');
  if (input.spatialCovariance) parts.push('covariance');
  return parts.join(' + ');
}

/** The live replay's progress line, as both demos print it. */
export function liveProgress(log: (line: string) => void, expectedSamples: number, rate: number): (stats: LivePipelineStats, score: ScoreSummary) => void {
  return (s, score) => log(`  ${s.boardSeconds.toFixed(0)} of ${(expectedSamples / rate).toFixed(0)} s, ${s.inferred} windows, accuracy so far ${pct(score.accuracy)}`);
}

/** The calibration's held-out accuracy of the head it chose, or null when it could hold nothing out. */
export function heldOutAccuracy(calibrated: CalibrationResult): number | null {
  return calibrated.trained.cv.accuracy[calibrated.trained.cv.chosen] ?? null;
}

/** The mean of the per-class shares right. */
export function balancedAccuracy(confusion: number[][]): number {
  const recalls = confusion.map((row, c) => [row[c]!, row.reduce((s, v) => s + v, 0)] as const).filter(([, n]) => n > 0);
  return recalls.length === 0 ? 0 : recalls.reduce((s, [right, n]) => s + right / n, 0) / recalls.length;
}

export function secondsSince(sinceMs: number): number {
  return (performance.now() - sinceMs) / 1000;
}

export function pct(x: number): string {
  return `${(100 * x).toFixed(1)} %`;
}
