/**
 * Several views of one calibration (the terminal and the web page, say):
 * each sees every event; the redo question goes to every view that can
 * ask, and the first answer wins. The others are told to stop asking (their
 * signal aborts) and every view then sees a `redo-answer` event naming
 * where the answer came from.
 */
import type { CalibrationView, SessionEvent, TrialInfo } from './events.ts';
import type { QualityIssue } from './quality.ts';

export function combineViews(views: CalibrationView[]): CalibrationView {
  const event = (e: SessionEvent): void => {
    for (const v of views) v.event(e);
  };
  const asking = views.filter((v) => v.askRedo);
  if (asking.length === 0) return { event };
  const askRedo = async (trial: TrialInfo, issues: QualityIssue[], signal?: AbortSignal): Promise<boolean> => {
    const stop = new AbortController();
    const onOuterAbort = (): void => stop.abort();
    signal?.addEventListener('abort', onOuterAbort, { once: true });
    try {
      const { redo, from } = await Promise.race(
        asking.map((v, i) => v.askRedo!(trial, issues, stop.signal).then((redo) => ({ redo, from: v.name ?? `view ${i + 1}` }))),
      );
      stop.abort();
      event({ type: 'redo-answer', trial, redo, from });
      return redo;
    } finally {
      signal?.removeEventListener('abort', onOuterAbort);
    }
  };
  return { event, askRedo };
}
