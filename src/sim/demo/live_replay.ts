/**
 * Live recognition of a labelled replay, scored as it runs: the board's
 * frames go through the live pipeline with a profile's head, and every
 * window lying under one label EVENT marker is scored against it. Made of
 * the same public pieces as the `run` verb (BoardSession, LivePipeline,
 * LiveScore); it ends once the host has received every sample the board was
 * to send, and every window cut from them has been inferred.
 */
import { HeadstartError } from '../../core/errors.ts';
import type { ModelManifest } from '../../core/model_package/manifest.ts';
import type { Frame } from '../../core/protocol/frames.ts';
import { checkBoardForPackage } from '../../device/pipeline/compatibility.ts';
import { LivePipeline, type LivePipelineStats } from '../../device/pipeline/live_pipeline.ts';
import { LiveScore, type ScoreSummary } from '../../device/pipeline/live_score.ts';
import type { SavedProfile } from '../../device/profiles/profile.ts';
import type { ExtractorRuntime } from '../../io/runtime/index.ts';
import { BoardSession, type BoardSessionStats } from '../../device/transports/board_session.ts';
import type { Transport } from '../../device/transports/transport.ts';

export interface LiveReplayOptions {
  /** The host's end of the link to a board that plays a labelled recording once. */
  transport: Transport;
  /** Samples per channel the board will send in all (the replay's length). */
  expectedSamples: number;
  manifest: ModelManifest;
  packageDir: string;
  runtime: ExtractorRuntime;
  profile: SavedProfile;
  maxQueue: number;
  /** Stop with an error when no sample has come for this long (default 10 s). */
  stallMs?: number;
  /** Called about every `progressMs` with the pipeline's figures so far. */
  onProgress?: (stats: LivePipelineStats, score: ScoreSummary) => void;
  progressMs?: number;
  /** Aborting ends the replay at once with INTERRUPTED. */
  signal?: AbortSignal;
}

export interface LiveReplayResult {
  pipeline: LivePipelineStats;
  board: BoardSessionStats;
  score: ScoreSummary;
  boardId: string;
  description: string;
  resampled: boolean;
}

export async function scoreLiveReplay(options: LiveReplayOptions): Promise<LiveReplayResult> {
  const { profile, manifest } = options;
  const stallMs = options.stallMs ?? 10_000;
  const score = new LiveScore(profile.gestures.length);
  const session = new BoardSession({ transport: options.transport });
  let pipeline: LivePipeline | undefined;
  // Frames that come with START's acknowledgement arrive before start() resolves: held until the pipeline exists.
  const early: [Frame, number][] = [];
  let lastSampleAt = performance.now();
  let finish: (outcome: HeadstartError | undefined) => void = () => undefined;
  const finished = new Promise<HeadstartError | undefined>((resolve) => (finish = resolve));
  const checkDone = (): void => {
    if (session.stats.samples >= options.expectedSamples) finish(undefined);
  };
  session.on('frame', (f) => {
    const now = performance.now();
    if (f.type === 'samples') lastSampleAt = now;
    if (pipeline) pipeline.push(f, now);
    else early.push([f, now]);
    if (f.type === 'samples') checkDone();
  });
  session.on('gap', () => pipeline?.gap());
  session.on('error', (err) => finish(err));
  session.on('close', () => finish(new HeadstartError('LINK_CLOSED', `${session.description}: the link closed before the replay ended (${session.stats.samples} of ${options.expectedSamples} samples received)`)));

  const onAbort = (): void => finish(new HeadstartError('INTERRUPTED', `the live replay was interrupted after ${session.stats.samples} of ${options.expectedSamples} samples`));
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const timers: NodeJS.Timeout[] = [];
  try {
    const hello = await session.start();
    const fit = checkBoardForPackage(hello, manifest, options.packageDir);
    const live = new LivePipeline({
      manifest,
      runtime: options.runtime,
      head: profile.head,
      gestures: profile.gestures,
      boardRate: hello.rate,
      maxQueue: options.maxQueue,
      onWindow: (r) => score.add(r.window.markerKind === 'label' ? r.window.markerValue : undefined, r.window.markerStable, r.label),
    });
    pipeline = live;
    for (const [f, at] of early.splice(0)) live.push(f, at);
    checkDone();
    if (options.onProgress) {
      const report = options.onProgress;
      timers.push(setInterval(() => report(live.stats(), score.summary()), options.progressMs ?? 5000));
    }
    timers.push(
      setInterval(() => {
        if (performance.now() - lastSampleAt > stallMs) {
          finish(new HeadstartError('BOARD_SILENT', `${session.description}: no samples for ${stallMs / 1000} s after ${session.stats.samples} of ${options.expectedSamples}; the virtual board stopped sending (run again; if it recurs, try the in-process loopback link)`));
        }
      }, 250),
    );
    const failure = await finished;
    for (const t of timers) clearInterval(t);
    if (failure) throw failure;
    await live.idle();
    return { pipeline: live.stats(), board: session.stats, score: score.summary(), boardId: hello.boardId, description: session.description, resampled: fit.resample };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    for (const t of timers) clearInterval(t);
    pipeline?.close();
    await session.close();
  }
}
