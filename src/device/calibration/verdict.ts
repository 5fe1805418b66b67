/**
 * The verdict of a calibration: pass, or which gestures to redo and why
 * (confused with which gesture, how often; what the signal checks saw).
 */
import type { CalibrationProtocol } from './protocol.ts';
import type { QualityIssue } from './quality.ts';
import type { TrainedHead } from './training.ts';

export interface GestureVerdict {
  id: string;
  label: string;
  /** Leave-one-repetition-out accuracy of its windows (undefined when not scored). */
  accuracy?: number;
  /** Windows of it in the calibration. */
  windows: number;
  redo: boolean;
  reasons: string[];
}

export interface CalibrationVerdict {
  pass: boolean;
  /** One sentence for the wearer. */
  summary: string;
  gestures: GestureVerdict[];
}

/** Per-gesture accuracy below this asks for a redo. */
export const DEFAULT_MIN_ACCURACY = 0.8;

export function judgeCalibration(
  protocol: CalibrationProtocol,
  trained: TrainedHead,
  windowsPerGesture: number[],
  issuesPerGesture: QualityIssue[][],
  minAccuracy = DEFAULT_MIN_ACCURACY,
): CalibrationVerdict {
  const gestures = protocol.gestures.map((g, i): GestureVerdict => {
    const reasons: string[] = [];
    const accuracy = trained.cv.perClass?.[i];
    const windows = windowsPerGesture[i] ?? 0;
    if (windows === 0) reasons.push('no usable recording of it');
    if (accuracy !== undefined && windows > 0 && accuracy < minAccuracy) {
      const row = trained.cv.confusion?.[i] ?? [];
      let worst = -1;
      row.forEach((v, j) => {
        if (j !== i && v > 0 && (worst < 0 || v > row[worst]!)) worst = j;
      });
      const total = row.reduce((s, v) => s + v, 0);
      const confusedWith = worst >= 0 ? `, mistaken for ${protocol.gestures[worst]!.label} ${Math.round((100 * row[worst]!) / Math.max(1, total))} % of the time` : '';
      reasons.push(`recognized ${Math.round(accuracy * 100)} % of the time (${Math.round(minAccuracy * 100)} % wanted)${confusedWith}: make it more distinct and hold it the same way each time`);
    }
    const seen = new Set<string>();
    for (const issue of issuesPerGesture[i] ?? []) {
      if (seen.has(issue.advice)) continue;
      seen.add(issue.advice);
      reasons.push(issue.advice);
    }
    return { id: g.id, label: g.label, ...(accuracy === undefined ? {} : { accuracy }), windows, redo: reasons.length > 0, reasons };
  });
  const redo = gestures.filter((g) => g.redo);
  const scored = trained.cv.perClass !== undefined;
  const summary =
    redo.length === 0
      ? scored
        ? `pass: every gesture recognized at least ${Math.round(minAccuracy * 100)} % of the time in ${cvMethodWords(trained)}`
        : 'pass on signal quality; accuracy could not be scored (too few windows to hold any out: record longer or more repetitions)'
      : `redo ${redo.map((g) => g.id).join(', ')} (\`headstart calibrate --only <gesture>\`): the reasons are given with each gesture`;
  return { pass: redo.length === 0, summary, gestures };
}

/** How the held-out accuracy was measured, in words. */
export function cvMethodWords(trained: TrainedHead): string {
  return trained.cv.method === 'blocks' ? 'testing on held-out blocks of the single repetition' : 'leave-one-repetition-out testing';
}
