/**
 * The recording half of a calibration: walks the trials of a plan on the
 * board's sample clock (countdown, hold, rest), journals every sample and
 * step, checks each hold and, when a view offers it, lets the wearer redo
 * a repetition. Knows nothing about models or profiles.
 */
import { HeadstartError } from '../../core/errors.ts';
import type { HelloFrame, Frame } from '../../core/protocol/frames.ts';
import type { BoardSession, GapInfo } from '../transports/board_session.ts';
import type { DisconnectInfo } from '../transports/transport.ts';
import type { CalibrationCues, CalibrationView, Phase, TrialInfo } from './events.ts';
import type { Journal } from './journal.ts';
import { type CalibrationPlan, type Trial, trialLength } from './plan.ts';
import { type CalibrationProtocol, trialPrompt } from './protocol.ts';
import { checkHold, INT16_RAILS, type QualityIssue } from './quality.ts';
import { type BoardSamples, SampleFeed, type SampleSpan } from './sample_feed.ts';

/** The protocol gesture that is rest by convention; it has no active-vs-rest check. */
export const REST_GESTURE_ID = 'rest';

export interface RecordOptions {
  board: BoardSession;
  hello: HelloFrame;
  protocol: CalibrationProtocol;
  plan: CalibrationPlan;
  /** The trials still to record, in order. */
  trials: Trial[];
  /** Trials recorded in an earlier run of this session (for the progress bar). */
  alreadyDone: number;
  journal: Journal;
  /** Samples that arrived before recording began (right after START), to record first. */
  early?: BoardSamples[];
  /** A listener that collected `early`; removed once this takes over. */
  earlyTap?: (frame: Frame) => void;
  view: CalibrationView;
  cues?: CalibrationCues;
  /** Aborting stops the recording at once (INTERRUPTED); what was journalled stays. */
  signal?: AbortSignal;
  /** Draws the numbers of generated prompts (default Math.random). */
  random?: () => number;
  /** Whether each active hold must stand out from the rest before it (EMG: yes; EEG mental states: no). Default true. */
  compareWithRest?: boolean;
}

export interface RecordedTrial extends Trial {
  issues: QualityIssue[];
  attempts: number;
}

/** Level meters cover about this much signal. */
const LEVEL_WINDOW_S = 0.1;

export async function recordTrials(options: RecordOptions): Promise<RecordedTrial[]> {
  const { board, hello, protocol, plan, trials, journal, view, cues } = options;
  const random = options.random ?? Math.random;
  const channels = hello.channels;
  const feed = new SampleFeed(channels, journal.sampleCount);
  let lostInHold = 0;
  let phaseNow: Phase | undefined;
  let crcSeen = board.stats.decoder.crcFailures;
  const reportLoss = (): void => {
    const s = board.stats;
    crcSeen = s.decoder.crcFailures;
    view.event({ type: 'loss', missingFrames: s.missingFrames, missingSamples: s.missingSamples, crcFailures: s.decoder.crcFailures, gaps: s.gaps });
  };
  const onFrame = (f: Frame): void => {
    if (f.type !== 'samples') return;
    journal.append(f.samples);
    view.event({ type: 'samples', samples: f.samples, arrivedAtMs: performance.now() });
    feed.push(f.samples);
    if (board.stats.decoder.crcFailures !== crcSeen) reportLoss();
  };
  const onGap = (info: GapInfo): void => {
    journal.mark({ kind: 'gap', text: JSON.stringify(info) });
    if (phaseNow === 'hold') lostInHold += info.missingSamples ?? plan.hold;
    view.event({ type: 'gap', info });
    reportLoss();
  };
  const onDisconnect = (info: DisconnectInfo): void => view.event({ type: 'link', state: 'reconnecting', description: board.description, reason: info.reason });
  const onReconnect = (): void => view.event({ type: 'link', state: 'connected', description: board.description });
  const onError = (err: HeadstartError): void => feed.fail(err);
  const onClose = (): void => feed.fail(new HeadstartError('LINK_CLOSED', `${board.description}: the board connection closed during the calibration; reconnect it and resume the calibration`));
  const interrupted = new HeadstartError('INTERRUPTED', 'the calibration was interrupted');
  const onAbort = (): void => feed.fail(interrupted);
  board.on('frame', onFrame);
  board.on('gap', onGap);
  board.on('error', onError);
  board.on('close', onClose);
  board.on('disconnect', onDisconnect);
  board.on('reconnect', onReconnect);
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  // A question to the wearer is abandoned as soon as the session is interrupted.
  const unlessAborted = <T>(work: Promise<T>): Promise<T> =>
    options.signal
      ? Promise.race([work, new Promise<never>((_, reject) => (options.signal!.aborted ? reject(interrupted) : options.signal!.addEventListener('abort', () => reject(interrupted), { once: true })))])
      : work;
  if (options.earlyTap) board.off('frame', options.earlyTap);
  for (const samples of options.early ?? []) {
    journal.append(samples);
    view.event({ type: 'samples', samples, arrivedAtMs: performance.now() });
    feed.push(samples);
  }

  const totalSamples = (options.alreadyDone + trials.length) * trialLength(plan);
  let doneSamples = options.alreadyDone * trialLength(plan);
  const levels = new LevelMeter(channels, Math.max(1, Math.round(LEVEL_WINDOW_S * plan.rate)));
  const tickEvery = Math.max(1, Math.round(plan.rate / 10));
  const restIndex = protocol.gestures.findIndex((g) => g.id === REST_GESTURE_ID);
  const recorded: RecordedTrial[] = [];

  const runPhase = async (trial: TrialInfo, phase: Phase, count: number, keep?: Float32Array): Promise<void> => {
    phaseNow = phase;
    view.event({ type: 'phase', trial, phase, seconds: count / plan.rate });
    let got = 0;
    let sinceTick = 0;
    await feed.take(count, (span: SampleSpan) => {
      keep?.set(span.samples, got * channels);
      const n = span.samples.length / channels;
      got += n;
      sinceTick += n;
      doneSamples += n;
      levels.push(span.samples);
      if (sinceTick >= tickEvery || got === count) {
        sinceTick = 0;
        view.event({ type: 'tick', trial, phase, remaining: (count - got) / plan.rate, progress: Math.min(1, doneSamples / totalSamples), levels: levels.levels() });
      }
    });
    phaseNow = undefined;
  };

  try {
    for (let i = 0; i < trials.length; ) {
      const t = trials[i]!;
      const gesture = protocol.gestures[t.gesture]!;
      const prompt = trialPrompt(gesture, random);
      const info: TrialInfo = { ...t, gestureInfo: gesture, prompt, index: options.alreadyDone + i, total: options.alreadyDone + trials.length, repetitions: protocol.repetitions };
      view.event({ type: 'trial', trial: info });
      // A generated prompt is kept with the trial: the journal says what was asked.
      journal.mark({ kind: 'trial', label: t.gesture, rep: t.rep, at: feed.position, ...(gesture.generate ? { text: prompt } : {}) });
      const countdown = new Float32Array(plan.countdown * channels);
      await runPhase(info, 'countdown', plan.countdown, countdown);
      journal.mark({ kind: 'label', label: t.gesture, rep: t.rep, at: feed.position });
      cues?.holdStart();
      lostInHold = 0;
      const hold = new Float32Array(plan.hold * channels);
      await runPhase(info, 'hold', plan.hold, hold);
      cues?.holdEnd();
      journal.mark({ kind: 'label', label: null, at: feed.position });
      const issues = checkHold({
        hold,
        rest: countdown,
        channels,
        rate: plan.rate,
        isRest: t.gesture === restIndex,
        lostSamples: lostInHold,
        rails: hello.sampleFormat === 'int16' ? INT16_RAILS : undefined,
        compareWithRest: options.compareWithRest ?? true,
      });
      if (issues.length > 0) view.event({ type: 'quality', trial: info, issues });
      const previous = recorded.find((r) => r.gesture === t.gesture && r.rep === t.rep);
      if (issues.length > 0 && view.askRedo && (await unlessAborted(view.askRedo(info, issues)))) {
        const reason = issues.map((x) => x.kind).join(', ');
        journal.mark({ kind: 'trial-redo', label: t.gesture, rep: t.rep, text: reason, at: feed.position });
        view.event({ type: 'redo', trial: info, reason });
        // What arrived while the wearer was answering belongs to no phase.
        feed.skipBacklog();
        if (previous) previous.attempts++;
        else recorded.push({ ...t, issues, attempts: 1 });
        continue;
      }
      journal.mark({ kind: 'trial-done', label: t.gesture, rep: t.rep, at: feed.position, ...(issues.length > 0 ? { text: JSON.stringify(issues) } : {}) });
      if (previous) {
        previous.issues = issues;
        previous.attempts++;
      } else recorded.push({ ...t, issues, attempts: 1 });
      await runPhase(info, 'rest', plan.rest);
      i++;
    }
    journal.mark({ kind: 'finished', at: feed.position });
    journal.sync();
  } finally {
    cues?.off();
    board.off('frame', onFrame);
    board.off('gap', onGap);
    board.off('error', onError);
    board.off('close', onClose);
    board.off('disconnect', onDisconnect);
    board.off('reconnect', onReconnect);
    options.signal?.removeEventListener('abort', onAbort);
  }
  return recorded;
}

/** Recent signal level per channel, relative to the largest seen this session. */
class LevelMeter {
  readonly #channels: number;
  readonly #ring: Float64Array;
  readonly #length: number;
  #at = 0;
  #filled = 0;
  readonly #peak: number[];

  constructor(channels: number, length: number) {
    this.#channels = channels;
    this.#length = length;
    this.#ring = new Float64Array(length * channels);
    this.#peak = new Array<number>(channels).fill(1);
  }

  push(samples: BoardSamples): void {
    const n = samples.length / this.#channels;
    for (let i = 0; i < n; i++) {
      this.#ring.set(samples.subarray(i * this.#channels, (i + 1) * this.#channels), this.#at * this.#channels);
      this.#at = (this.#at + 1) % this.#length;
      this.#filled = Math.min(this.#length, this.#filled + 1);
    }
  }

  levels(): number[] {
    const out: number[] = [];
    for (let c = 0; c < this.#channels; c++) {
      let sum = 0;
      for (let i = 0; i < this.#filled; i++) sum += this.#ring[i * this.#channels + c]!;
      const mean = this.#filled > 0 ? sum / this.#filled : 0;
      let sq = 0;
      for (let i = 0; i < this.#filled; i++) sq += (this.#ring[i * this.#channels + c]! - mean) ** 2;
      const std = this.#filled > 0 ? Math.sqrt(sq / this.#filled) : 0;
      if (std > this.#peak[c]!) this.#peak[c] = std;
      out.push(std / this.#peak[c]!);
    }
    return out;
  }
}
