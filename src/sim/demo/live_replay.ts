/**
 * Live recognition of a labelled replay, scored as it runs: the board's
 * frames go through the live pipeline with a profile's head, and every
 * window lying under one label EVENT marker is scored against it. The
 * live session of the `run` verb does the wiring; it ends once the host has
 * received every sample the board was to send, and every window cut from
 * them has been inferred. What this adds is the replay's policy: a link
 * that closes early, or a board that stops sending, is an error.
 */
import { HeadstartError } from '../../core/errors.ts';
import type { HeadData } from '../../core/head/head.ts';
import { LiveSession, type LiveSink, type Recognizer, type WindowTruth } from '../../device/live_session.ts';
import { BoardSession, type BoardFormat, type BoardSessionStats } from '../../device/transports/board_session.ts';
import type { LivePipelineStats } from '../../device/pipeline/live_pipeline.ts';
import type { ScoreSummary } from '../../device/pipeline/live_score.ts';
import type { Transport } from '../../device/transports/transport.ts';

export interface LiveReplayOptions {
  /** The host's end of the link to a board that plays a labelled recording once. */
  transport: Transport;
  /** Samples per channel the board will send in all (the replay's length). */
  expectedSamples: number;
  /** The package's extractor and the profile just calibrated (see openRecognizer). */
  recognizer: Recognizer;
  maxQueue: number;
  /** Stop with an error when no sample has come for this long (default 10 s). */
  stallMs?: number;
  /** Called about every `progressMs` with the pipeline's figures so far. */
  onProgress?: (stats: LivePipelineStats, score: ScoreSummary) => void;
  progressMs?: number;
  /** Aborting ends the replay at once with INTERRUPTED. */
  signal?: AbortSignal;
  /** Outputs fed by the session (the web dashboard). */
  sinks?: LiveSink[];
  /** What the board speaks (default headstart frames, whose label EVENTs score the windows). */
  format?: BoardFormat;
  /** For a board whose wire carries no labels (a Cyton): the truth each window is scored against. */
  truth?: WindowTruth;
  /** The calibration's classical baseline, scored on the same windows beside the profile's head. */
  baseline?: HeadData;
}

export interface LiveReplayResult {
  pipeline: LivePipelineStats;
  board: BoardSessionStats;
  score: ScoreSummary;
  /** The baseline's score on the same windows, when one was given. */
  baselineScore?: ScoreSummary;
  boardId: string;
  description: string;
  resampled: boolean;
}

export async function scoreLiveReplay(options: LiveReplayOptions): Promise<LiveReplayResult> {
  const stallMs = options.stallMs ?? 10_000;
  const live = new LiveSession({
    ...(options.format && options.format !== 'headstart' ? { board: new BoardSession({ transport: options.transport, format: options.format }) } : { transport: options.transport }),
    recognizer: options.recognizer,
    pipeline: { maxQueue: options.maxQueue },
    score: options.truth ?? true,
    ...(options.baseline ? { baseline: options.baseline } : {}),
    endAfterSamples: options.expectedSamples,
    statsIntervalMs: options.onProgress ? (options.progressMs ?? 5000) : 0,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.sinks ? { sinks: options.sinks } : {}),
  });
  let samples = 0;
  if (options.onProgress) {
    const report = options.onProgress;
    live.on('stats', (s) => report(s.pipeline, s.score!));
  }
  // The stall clock starts now: a board that never sends is a stall too.
  let lastSampleAt = performance.now();
  live.on('samples', (frame, at) => {
    lastSampleAt = at;
    samples += frame.samples.length / frame.channels;
  });
  const stall = setInterval(() => {
    if (performance.now() - lastSampleAt > stallMs) {
      live.stop(new HeadstartError('BOARD_SILENT', `${live.description}: no samples for ${stallMs / 1000} s after ${samples} of ${options.expectedSamples}; the virtual board stopped sending (run again; if it recurs, try --link loopback)`));
    }
  }, 250);
  try {
    const { hello, resampled, description } = await live.start();
    const result = await live.done();
    if (result.end === 'interrupted') throw new HeadstartError('INTERRUPTED', `the live replay was interrupted after ${result.board.samples} of ${options.expectedSamples} samples`);
    if (result.end === 'closed') {
      throw new HeadstartError('LINK_CLOSED', `${description}: the link closed before the replay ended (${result.board.samples} of ${options.expectedSamples} samples received)`);
    }
    return { pipeline: result.pipeline, board: result.board, score: result.score!, ...(result.baselineScore ? { baselineScore: result.baselineScore } : {}), boardId: hello.boardId, description, resampled };
  } finally {
    clearInterval(stall);
  }
}
