/**
 * The live session on the web dashboard: every raw sample block to the
 * traces, the link's state and losses, the current gesture, each class's
 * latest score, latency p50/p99 over the recent windows, windows per
 * second and dropped windows. Everything is copied into the dashboard's
 * feed as it happens (the session reuses its window objects); the server
 * pushes it to the pages at its own pace. Closing the sink leaves the
 * server to its owner (the demo shows its calibration and its live part on
 * one page).
 */
import type { DashboardFeed } from '../web/dashboard_feed.ts';
import type { LiveSession, LiveSink } from '../live_session.ts';

/** Latency percentiles on the page cover this many of the latest windows. */
const RECENT_WINDOWS = 1000;
/** How often the page's rates and percentiles are recomputed (the session's own stats, which sort every latency, come less often). */
const FIGURES_MS = 500;

export class WebDashboardSink implements LiveSink {
  readonly #feed: DashboardFeed;
  readonly #title: string;
  readonly #latencies = new Float64Array(RECENT_WINDOWS);
  #windows = 0;
  #windowsAtFigures = 0;
  #figuresAt = 0;
  #scores: number[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(options: { feed: DashboardFeed; title: string }) {
    this.#feed = options.feed;
    this.#title = options.title;
  }

  attach(session: LiveSession): void {
    const feed = this.#feed;
    session.on('link', (e) => {
      const meta = feed.sections.meta;
      if (e.state === 'connected' && e.hello && (meta.mode !== 'live' || meta.channels !== e.hello.channels || meta.rate !== e.hello.rate)) {
        feed.begin({ mode: 'live', title: this.#title, channels: e.hello.channels, rate: e.hello.rate, gestures: session.gestures });
        this.#scores = session.gestures.map(() => 0);
        feed.set('live', { gesture: null, confidence: 0, scores: this.#scores, windowsPerSecond: 0, latencyP50Ms: 0, latencyP99Ms: 0, windows: 0, inferred: 0, droppedWindows: 0 });
        this.#startFigures();
      }
      feed.patch('link', { state: e.state, description: e.description, ...(e.reason ? { reason: e.reason } : { reason: undefined }) });
    });
    session.on('samples', (frame, at) => feed.samples(frame.samples, at));
    session.on('loss', (e) => feed.patch('link', { framesLost: e.missingFrames, missingSamples: e.missingSamples, crcFailures: e.crcFailures, gaps: feed.sections.link.gaps + (e.gap ? 1 : 0) }));
    session.on('window', (r) => {
      this.#latencies[this.#windows % RECENT_WINDOWS] = r.latencyMs;
      this.#windows++;
      // The session reuses r.scores: copied into the section's own array, serialized at the next push.
      for (let i = 0; i < this.#scores.length; i++) this.#scores[i] = r.scores[i] ?? 0;
      feed.patch('live', {});
    });
    session.on('gesture', (e) => feed.patch('live', { gesture: e.gesture, confidence: e.confidence }));
    session.on('stats', (s) => feed.patch('live', { droppedWindows: s.pipeline.dropped, windows: s.pipeline.windows, ...(s.score ? { accuracy: s.score.accuracy, scored: s.score.scored } : {}) }));
    session.on('end', (r) => {
      this.#stopFigures();
      this.#figures();
      feed.patch('live', { ended: r.reason, droppedWindows: r.pipeline.dropped, windows: r.pipeline.windows, inferred: r.pipeline.inferred, latencyP50Ms: r.pipeline.latency.p50Ms, latencyP99Ms: r.pipeline.latency.p99Ms, ...(r.score ? { accuracy: r.score.accuracy, scored: r.score.scored } : {}) });
    });
  }

  close(): void {
    this.#stopFigures();
  }

  #startFigures(): void {
    if (this.#timer) return;
    this.#figuresAt = performance.now();
    this.#timer = setInterval(() => this.#figures(), FIGURES_MS);
    this.#timer.unref();
  }

  #stopFigures(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #figures(): void {
    const now = performance.now();
    const n = Math.min(this.#windows, RECENT_WINDOWS);
    const sorted = this.#latencies.slice(0, n).sort();
    const pick = (q: number): number => (n === 0 ? 0 : sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!);
    const elapsed = (now - this.#figuresAt) / 1000;
    const windowsPerSecond = elapsed > 0 ? (this.#windows - this.#windowsAtFigures) / elapsed : 0;
    this.#figuresAt = now;
    this.#windowsAtFigures = this.#windows;
    this.#feed.patch('live', { latencyP50Ms: pick(0.5), latencyP99Ms: pick(0.99), windowsPerSecond, inferred: this.#windows });
  }
}
