/**
 * Calibration cues on a johnny-five board (src/device/transports/feedback.ts):
 * the LED is lit and the motor buzzes when a hold starts, the LED goes out
 * with a shorter buzz when it ends, so the wearer can follow without
 * watching the screen.
 */
import { JohnnyFiveFeedback } from '../transports/feedback.ts';
import type { Board } from 'johnny-five';
import type { CalibrationCues } from './events.ts';

export interface JohnnyFiveCueOptions {
  board: Board;
  led?: number | string;
  vibration?: number | string;
}

const HOLD = 1;
const RELAXED = 0;

export function johnnyFiveCues(options: JohnnyFiveCueOptions): CalibrationCues {
  const feedback = new JohnnyFiveFeedback({
    board: options.board,
    classes: 2,
    restClass: RELAXED,
    ...(options.led === undefined ? {} : { led: options.led }),
    ...(options.vibration === undefined ? {} : { vibration: options.vibration }),
  });
  return {
    holdStart: () => feedback.showGesture(HOLD),
    holdEnd: () => {
      feedback.showGesture(RELAXED);
      feedback.buzz(80, 0.6);
    },
    off: () => feedback.off(),
  };
}
