/**
 * The crash-safe journal of a calibration session (and of `headstart
 * record`, which records through it): a `.hsrec` recording
 * (src/core/recording_format.ts) that receives every sample as it arrives
 * and a marker at every step, appended, never rewritten. A process killed
 * mid-session loses only what was still buffered (at most FLUSH_MS of
 * samples); an unplugged machine loses at most what came after the last
 * fsync (SYNC_MS). `--resume` reads it back and records what is missing.
 *
 * Markers (kind: meaning):
 *   session     at 0: the protocol and options, as JSON in `text`
 *   trial       a trial (label = gesture, rep) starts its countdown
 *   label       the hold of (label, rep) starts; label null: it ended
 *   trial-done  the hold of (label, rep) was accepted
 *   trial-redo  the hold of (label, rep) was rejected (text: why)
 *   gap         samples were lost on the link (text: JSON of the gap)
 *   resume      the session was resumed after an interruption
 *   finished    every trial is done
 *
 * A plain recording (`headstart record`) adds:
 *   note        a line typed during the recording (text)
 *   board-<kind> an EVENT frame of the board (button, sync, label...; text: its value)
 *   stopped     where and why the recording ended (text)
 */
import { HeadstartError } from '../../core/errors.ts';
import type { RecordingHeader, RecordingMarker } from '../../core/recording_format.ts';
import { createRecordingFile, type RecordingAppender, resumeRecordingFile } from '../../io/datasets/hsrec.ts';
import type { Trial } from './plan.ts';
import { type CalibrationProtocol, parseProtocol } from './protocol.ts';
import type { BoardSamples } from './sample_feed.ts';

/** Samples are written at least this often. */
export const FLUSH_MS = 100;
/** And made durable at least this often. */
export const SYNC_MS = 1000;

export interface SessionInfo {
  protocol: CalibrationProtocol;
  timeScale: number;
  /** Gesture ids re-recorded by `--only`, when the session records only those. */
  only?: string[];
}

/** The session marker of a plain recording (`headstart record` without a protocol): what typed labels name. */
export interface PlainRecordingInfo {
  recorder: 'record';
  /** The class names typed lines may switch to. */
  labels?: string[];
}

export interface JournalState {
  info: SessionInfo;
  header: RecordingHeader;
  /** Trials accepted so far. */
  done: Trial[];
  finished: boolean;
  /** Samples (per channel) in the journal. */
  samples: number;
  tornBytes: number;
}

export class Journal {
  readonly #appender: RecordingAppender;
  readonly #channels: number;
  #pending: BoardSamples[] = [];
  #pendingValues = 0;
  #lastFlush = Date.now();
  #lastSync = Date.now();
  #flushTimer: NodeJS.Timeout;

  private constructor(appender: RecordingAppender) {
    this.#appender = appender;
    this.#channels = appender.header.channels;
    // Flushes even when no frame arrives (a stalled link must not hold samples back).
    this.#flushTimer = setInterval(() => this.flush(), FLUSH_MS);
    this.#flushTimer.unref();
  }

  /** A new journal; its first marker says what the session is (a calibration's protocol, or a plain recording). */
  static create(path: string, header: RecordingHeader, info: SessionInfo | PlainRecordingInfo): Journal {
    const journal = new Journal(createRecordingFile(path, header));
    journal.mark({ at: 0, kind: 'session', text: JSON.stringify(info) });
    journal.sync();
    return journal;
  }

  /** Reopens an interrupted journal (dropping a torn last chunk) and says where the session stood. */
  static resume(path: string): { journal: Journal; state: JournalState } {
    const { appender, existing } = resumeRecordingFile(path);
    const state = journalState(existing.header, existing.markers, existing.samples.length / existing.header.channels, existing.tornBytes, path);
    return { journal: new Journal(appender), state };
  }

  get path(): string {
    return this.#appender.path;
  }

  /** Samples (per channel) received so far, written or still buffered. */
  get sampleCount(): number {
    return this.#appender.sampleCount + this.#pendingValues / this.#channels;
  }

  /**
   * Queues samples; they reach the file within FLUSH_MS, as they are (a
   * float32 journal keeps a Cyton's microvolts exactly; int16 values fit
   * either format).
   */
  append(samples: BoardSamples): void {
    if (samples.length === 0) return;
    this.#pending.push(samples);
    this.#pendingValues += samples.length;
    if (Date.now() - this.#lastFlush >= FLUSH_MS) this.flush();
  }

  /** Writes a marker (after the samples before it). `at` defaults to the samples received so far. */
  mark(marker: Omit<RecordingMarker, 'at'> & { at?: number }): void {
    this.flush();
    this.#appender.mark({ ...marker, at: marker.at ?? this.sampleCount });
  }

  flush(): void {
    if (this.#pendingValues > 0) {
      const all = this.#appender.header.sampleFormat === 'int16' ? new Int16Array(this.#pendingValues) : new Float32Array(this.#pendingValues);
      let at = 0;
      for (const p of this.#pending) {
        all.set(p, at);
        at += p.length;
      }
      this.#pending = [];
      this.#pendingValues = 0;
      this.#appender.appendSamples(all);
    }
    this.#lastFlush = Date.now();
    if (this.#lastFlush - this.#lastSync >= SYNC_MS) this.sync();
  }

  sync(): void {
    this.#appender.sync();
    this.#lastSync = Date.now();
  }

  close(): void {
    clearInterval(this.#flushTimer);
    this.flush();
    this.#appender.close();
  }
}

function trialOf(m: RecordingMarker): Trial | undefined {
  return m.label === undefined || m.label === null || m.rep === undefined ? undefined : { gesture: m.label, rep: m.rep };
}

/** Where a journal's session stands, from its markers. */
export function journalState(header: RecordingHeader, markers: RecordingMarker[], samples: number, tornBytes: number, source: string): JournalState {
  const first = markers.find((m) => m.kind === 'session');
  let info: SessionInfo;
  try {
    info = JSON.parse(first?.text ?? '');
  } catch {
    throw new HeadstartError('BAD_JOURNAL', `${source}: not a calibration journal (no session marker); start a new calibration`, { file: source });
  }
  // The protocol inside a journal is checked as a protocol file is: it is shown on the terminal when resumed.
  info = { ...info, protocol: parseProtocol(info?.protocol, `${source} (protocol)`) };
  const done: Trial[] = [];
  for (const m of markers) {
    const t = trialOf(m);
    if (!t) continue;
    if (m.kind === 'trial-done' && !done.some((d) => d.gesture === t.gesture && d.rep === t.rep)) done.push(t);
  }
  return { info, header, done, finished: markers.some((m) => m.kind === 'finished'), samples, tornBytes };
}

export interface AcceptedHold extends Trial {
  /** First sample (per channel, in the journal) of the hold. */
  start: number;
  /** One past its last sample. */
  end: number;
}

/**
 * The holds a journal accepted: for each trial-done marker, the latest hold
 * of that gesture and repetition before it. Rejected holds (redone) and
 * holds cut short by a crash are left out. One per (gesture, rep): the last.
 */
export function acceptedHolds(markers: RecordingMarker[], sampleCount: number): AcceptedHold[] {
  const holds = new Map<string, AcceptedHold>();
  const ordered = markers.map((m, i) => ({ m, i }));
  for (const { m, i } of ordered) {
    if (m.kind !== 'trial-done') continue;
    const t = trialOf(m);
    if (!t) continue;
    let startIdx = -1;
    for (let j = i - 1; j >= 0; j--) {
      const c = markers[j]!;
      if (c.kind === 'label' && c.label === t.gesture && c.rep === t.rep) {
        startIdx = j;
        break;
      }
    }
    if (startIdx < 0) continue;
    const start = markers[startIdx]!.at;
    const endMarker = markers.slice(startIdx + 1).find((c) => c.kind === 'label');
    const end = Math.min(endMarker?.at ?? sampleCount, sampleCount);
    if (end > start) holds.set(`${t.gesture}:${t.rep}`, { ...t, start, end });
  }
  return [...holds.values()];
}
