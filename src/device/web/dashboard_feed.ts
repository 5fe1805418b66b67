/**
 * What the dashboard shows, kept between two pushes: the state sections
 * (each with a version, so a client that missed an update is sent what it
 * lacks) and the traces as min/max envelope columns. Fed synchronously by
 * the live session's sink or the calibration's view: every call is cheap
 * (a few comparisons per sample), and nothing here waits on a client.
 * The server drains it at its own pace (see server.ts).
 */
import { EnvelopeDecimator, type EnvelopeColumns, samplesPerColumn } from '../../core/trace_envelope.ts';
import {
  type DashboardSections,
  type MetaSection,
  SECTION_NAMES,
  type SectionName,
  type TraceChunk,
} from '../../core/dashboard_messages.ts';

/** Seconds of signal each trace shows, and about how many columns it has. */
export const TRACE_SECONDS = 5;
export const TRACE_COLUMNS = 500;

export interface AskedQuestion {
  id: number;
  answered: Promise<boolean>;
  /** Closes the question without an answer from the page (answered elsewhere). */
  withdraw(): void;
}

const INITIAL: DashboardSections = {
  meta: { mode: 'waiting', title: 'headstart', channels: 0, rate: 0, perColumn: 1, columns: TRACE_COLUMNS, gestures: [] },
  link: { state: 'connecting', description: '', framesLost: 0, missingSamples: 0, crcFailures: 0, gaps: 0 },
  calibration: { stage: 'recording', remaining: 0, phaseSeconds: 0, progress: 0, issues: [], notes: [] },
  question: { open: null, last: null },
  result: null,
  live: { gesture: null, confidence: 0, scores: [], windowsPerSecond: 0, latencyP50Ms: 0, latencyP99Ms: 0, windows: 0, inferred: 0, droppedWindows: 0 },
};

/** Unix epoch milliseconds of a `performance.now()` reading (the session's arrival clock). */
export function epochMs(performanceMs: number): number {
  return performance.timeOrigin + performanceMs;
}

export class DashboardFeed {
  readonly #sections: DashboardSections = structuredClone(INITIAL);
  readonly #versions = Object.fromEntries(SECTION_NAMES.map((n) => [n, 1])) as Record<SectionName, number>;
  readonly #json = new Map<SectionName, { version: number; text: string }>();
  #decimator = new EnvelopeDecimator(0, 1, TRACE_COLUMNS);
  /** Bumped when the traces start over (a new mode or board): clients reset their charts. */
  #epoch = 0;
  #questionSeq = 0;
  #pending: { id: number; resolve: (redo: boolean) => void } | undefined;

  get sections(): Readonly<DashboardSections> {
    return this.#sections;
  }

  get traceEpoch(): number {
    return this.#epoch;
  }

  version(name: SectionName): number {
    return this.#versions[name];
  }

  /** A section as JSON, serialized once per version. */
  sectionJson(name: SectionName): string {
    const version = this.#versions[name];
    const cached = this.#json.get(name);
    if (cached?.version === version) return cached.text;
    const text = JSON.stringify(this.#sections[name]);
    this.#json.set(name, { version, text });
    return text;
  }

  /** Replaces a section (or merges into it) and marks it changed. */
  set<K extends SectionName>(name: K, value: DashboardSections[K]): void {
    this.#sections[name] = value;
    this.#versions[name]++;
  }

  patch<K extends Exclude<SectionName, 'result'>>(name: K, value: Partial<DashboardSections[K]>): void {
    Object.assign(this.#sections[name], value);
    this.#versions[name]++;
  }

  /** A new mode or board: the traces start over with its channels and rate. */
  begin(meta: Omit<MetaSection, 'perColumn' | 'columns'>): void {
    const perColumn = meta.rate > 0 ? samplesPerColumn(meta.rate, TRACE_SECONDS, TRACE_COLUMNS) : 1;
    const columns = meta.rate > 0 ? Math.ceil((meta.rate * TRACE_SECONDS) / perColumn) : TRACE_COLUMNS;
    this.#decimator = new EnvelopeDecimator(meta.channels, perColumn, columns);
    this.#epoch++;
    this.set('meta', { ...meta, perColumn, columns });
  }

  /** Raw interleaved samples as they arrived (`performance.now()` clock). */
  samples(samples: ArrayLike<number>, arrivedAtMs: number): void {
    if (this.#decimator.channels === 0) return;
    this.#decimator.push(samples, arrivedAtMs);
  }

  /** Trace columns completed since the previous call. */
  drainTraces(): TraceChunk {
    return toChunk(this.#decimator.drain());
  }

  /** The latest columns, for a client that just connected. */
  recentTraces(): TraceChunk {
    return toChunk(this.#decimator.recent());
  }

  /** Offers the redo question; resolves with the page's answer, unless withdrawn first. */
  ask(text: string, info: { gesture: string; rep: number; issues: DashboardSections['calibration']['issues'] }): AskedQuestion {
    this.#pending?.resolve(false);
    const id = ++this.#questionSeq;
    let resolve: (redo: boolean) => void = () => undefined;
    const answered = new Promise<boolean>((r) => (resolve = r));
    this.#pending = { id, resolve };
    this.patch('question', { open: { id, text, ...info } });
    return {
      id,
      answered,
      withdraw: () => {
        if (this.#pending?.id !== id) return;
        this.#pending = undefined;
        this.patch('question', { open: null });
      },
    };
  }

  /** An answer from a page: taken only for the open question; returns whether it was. */
  answerFromPage(question: number, redo: boolean): boolean {
    const pending = this.#pending;
    if (!pending || pending.id !== question) return false;
    this.#pending = undefined;
    this.patch('question', { open: null, last: { id: question, redo, from: 'page' } });
    pending.resolve(redo);
    return true;
  }

  /** Records an answer given elsewhere (the terminal), so pages show it. */
  answeredElsewhere(question: number, redo: boolean, from: string): void {
    this.patch('question', { open: null, last: { id: question, redo, from } });
  }
}

function toChunk(c: EnvelopeColumns): TraceChunk {
  return { first: c.first, min: c.min, max: c.max, arrivedAt: c.arrivedAt.map((ms) => Math.round(epochMs(ms) * 10) / 10) };
}
