/**
 * What a calibration session tells its views (the terminal UI, the line
 * printer of `--auto`, the web dashboard, the demo): the session decides,
 * views only show. Several views can watch one session (views.ts); the
 * redo question then goes to each that asks, and the first answer wins.
 */
import type { GapInfo } from '../transports/board_session.ts';
import type { Trial } from './plan.ts';
import type { ProtocolGesture } from './protocol.ts';
import type { QualityIssue } from './quality.ts';
import type { CalibrationVerdict } from './verdict.ts';

export type Phase = 'countdown' | 'hold' | 'rest';

export interface TrialInfo extends Trial {
  gestureInfo: ProtocolGesture;
  /** What this trial asks, with any generated numbers filled in (see trialPrompt). */
  prompt: string;
  /** Position of this trial in the session (from 0) and the session's number of trials. */
  index: number;
  total: number;
  repetitions: number;
}

/** The end of a calibration as a view shows it: the verdict, per-gesture accuracy and the confusion matrix. */
export interface CalibrationOutcome {
  verdict: CalibrationVerdict;
  gestures: ProtocolGesture[];
  /** Rows: gesture asked; columns: gesture recognized (windows); absent when not scored. */
  confusion?: number[][];
  cvMethod: string;
  /** Held-out accuracy of the head chosen, when scored. */
  accuracy?: number;
  profile: string;
  profilePath: string;
  reportPath: string;
}

export type SessionEvent =
  | { type: 'started'; profile: string; protocol: string; gestures: ProtocolGesture[]; trials: number; alreadyDone: number; resumed: boolean; board: string; channels: number; rate: number }
  /** Every block of samples as it reached the session (for live traces), with its arrival time (performance.now()). */
  | { type: 'samples'; samples: Int16Array | Float32Array; arrivedAtMs: number }
  | { type: 'link'; state: 'connected' | 'reconnecting'; description: string; reason?: string }
  /** The link's losses so far: after a gap, and whenever the CRC failures grew. */
  | { type: 'loss'; missingFrames: number; missingSamples: number; crcFailures: number; gaps: number }
  | { type: 'trial'; trial: TrialInfo }
  | { type: 'phase'; trial: TrialInfo; phase: Phase; seconds: number }
  | {
      type: 'tick';
      trial: TrialInfo;
      phase: Phase;
      /** Seconds left in the phase (on the sample clock). */
      remaining: number;
      /** Share of the session's samples recorded, 0..1. */
      progress: number;
      /** Per channel: level over the last ~100 ms (standard deviation) as a share of the largest seen, 0..1. */
      levels: number[];
    }
  | { type: 'quality'; trial: TrialInfo; issues: QualityIssue[] }
  | { type: 'redo'; trial: TrialInfo; reason: string }
  /** The redo question was answered (by the view named `from`, when several asked). */
  | { type: 'redo-answer'; trial: TrialInfo; redo: boolean; from: string }
  | { type: 'gap'; info: GapInfo }
  /** Every trial is recorded (into the journal, which becomes a finished session once the profile is saved). */
  | { type: 'recorded'; journal: string; samples: number }
  /** `classNoun`: what the classes are called, 'gestures' (EMG) or 'states' (EEG: rest, mental arithmetic). */
  | { type: 'training'; windows: number; classes: number; classNoun: 'gestures' | 'states' }
  | { type: 'result'; outcome: CalibrationOutcome };

/** Receives session events; may offer the wearer to redo a repetition. */
export interface CalibrationView {
  /** Who answers through this view, in words ('terminal', 'page'). */
  readonly name?: string;
  event(e: SessionEvent): void;
  /**
   * Asked after a hold with quality issues; true = record it again. Absent:
   * never redo (scripts). When `signal` aborts, the question was answered
   * elsewhere: stop asking (the promise may then stay pending).
   */
  askRedo?(trial: TrialInfo, issues: QualityIssue[], signal?: AbortSignal): Promise<boolean>;
}

/** Cues to the wearer beyond the screen (an LED, a vibration motor). */
export interface CalibrationCues {
  /** A hold starts (buzz, LED on). */
  holdStart(): void;
  /** A hold ends (LED off, short buzz). */
  holdEnd(): void;
  off(): void;
}
