/**
 * What a calibration session tells its view (the terminal UI, the line
 * printer of `--auto`, the demo): the session decides, views only show.
 */
import type { GapInfo } from '../transports/board_session.ts';
import type { Trial } from './plan.ts';
import type { ProtocolGesture } from './protocol.ts';
import type { QualityIssue } from './quality.ts';

export type Phase = 'countdown' | 'hold' | 'rest';

export interface TrialInfo extends Trial {
  gestureInfo: ProtocolGesture;
  /** Position of this trial in the session (from 0) and the session's number of trials. */
  index: number;
  total: number;
  repetitions: number;
}

export type SessionEvent =
  | { type: 'started'; profile: string; protocol: string; trials: number; alreadyDone: number; resumed: boolean; board: string; channels: number; rate: number }
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
  | { type: 'gap'; info: GapInfo }
  /** The link to the board dropped (the session waits for it: the sample clock stops) or came back. */
  | { type: 'link'; state: 'disconnected'; reason: string }
  | { type: 'link'; state: 'reconnected'; attempts: number; downtimeMs: number }
  /** Every trial is recorded (into the journal, which becomes a finished session once the profile is saved). */
  | { type: 'recorded'; journal: string; samples: number }
  | { type: 'training'; windows: number; classes: number };

/** Receives session events; may offer the wearer to redo a repetition. */
export interface CalibrationView {
  event(e: SessionEvent): void;
  /** Asked after a hold with quality issues; true = record it again. Absent: never redo (scripts). */
  askRedo?(trial: TrialInfo, issues: QualityIssue[]): Promise<boolean>;
}

/** Cues to the wearer beyond the screen (an LED, a vibration motor). */
export interface CalibrationCues {
  /** A hold starts (buzz, LED on). */
  holdStart(): void;
  /** A hold ends (LED off, short buzz). */
  holdEnd(): void;
  off(): void;
}
