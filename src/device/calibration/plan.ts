/**
 * A protocol turned into the trials of one session, with every duration in
 * samples at the board's rate. The session runs on the board's sample clock
 * (not the wall clock): a hold lasts exactly `hold` samples, so a link that
 * stalls delays the session instead of mislabelling it, and a scripted board
 * that plays the same plan lines up sample for sample.
 */
import { HeadstartError } from '../../core/errors.ts';
import type { CalibrationProtocol } from './protocol.ts';

export interface Trial {
  /** Index of the gesture in the protocol. */
  gesture: number;
  /** Repetition of that gesture, from 0. */
  rep: number;
}

export interface PlanTimings {
  /** Samples per channel of each phase of a trial. */
  countdown: number;
  hold: number;
  rest: number;
  /** Samples dropped at the start and the end of a hold before cutting windows. */
  trimStart: number;
  trimEnd: number;
}

export interface CalibrationPlan extends PlanTimings {
  rate: number;
  /** Multiplier applied to every protocol duration (1 = as written). */
  timeScale: number;
  trials: Trial[];
}

export interface PlanOptions {
  /** Board rate, samples per second per channel. */
  rate: number;
  /** Multiplies every duration: 0.1 makes a session ten times shorter (for tests and demos). Default 1. */
  timeScale?: number;
  /** Only these gestures (indices), e.g. to re-record one. */
  only?: number[];
}

export function planTimings(protocol: CalibrationProtocol, rate: number, timeScale = 1): PlanTimings {
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new HeadstartError('BAD_OPTION', `the time scale must be a positive number (got ${timeScale})`);
  if (!(rate > 0)) throw new HeadstartError('BOARD_MISMATCH', `the board rate must be positive (got ${rate})`);
  const samples = (s: number): number => Math.round(s * timeScale * rate);
  return {
    countdown: samples(protocol.countdownSeconds),
    hold: Math.max(1, samples(protocol.holdSeconds)),
    rest: samples(protocol.restSeconds),
    trimStart: samples(protocol.trim.startSeconds),
    trimEnd: samples(protocol.trim.endSeconds),
  };
}

/** The trials in the protocol's order: blocked (all repetitions of a gesture in a row) or interleaved (cycles). */
export function buildPlan(protocol: CalibrationProtocol, options: PlanOptions): CalibrationPlan {
  const timeScale = options.timeScale ?? 1;
  const gestures = options.only ?? protocol.gestures.map((_, i) => i);
  const trials: Trial[] = [];
  if (protocol.order === 'blocked') {
    for (const gesture of gestures) for (let rep = 0; rep < protocol.repetitions; rep++) trials.push({ gesture, rep });
  } else {
    for (let rep = 0; rep < protocol.repetitions; rep++) for (const gesture of gestures) trials.push({ gesture, rep });
  }
  return { rate: options.rate, timeScale, trials, ...planTimings(protocol, options.rate, timeScale) };
}

/** Samples per channel of one trial (countdown, hold, rest). */
export function trialLength(plan: PlanTimings): number {
  return plan.countdown + plan.hold + plan.rest;
}

export function sameTrial(a: Trial, b: Trial): boolean {
  return a.gesture === b.gesture && a.rep === b.rep;
}

/** The trials of a plan not in `done`, in plan order: what a resumed session still has to record. */
export function remainingTrials(plan: CalibrationPlan, done: Trial[]): Trial[] {
  return plan.trials.filter((t) => !done.some((d) => sameTrial(d, t)));
}
