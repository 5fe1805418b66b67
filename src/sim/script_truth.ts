/**
 * The true labels of a replayed script for boards whose wire carries none
 * (an OpenBCI Cyton): the board's clock counts samples from its first one,
 * lost ones included, so a window's last sample on that clock is a
 * position in the script, and the script's label changes say what was
 * played over the window. A window over a change is not stable (not scored,
 * as with label markers).
 */
import type { WindowTruth } from '../device/live_session.ts';
import { NO_LABEL, type ReplayScript } from './replay_script.ts';

/** `windowSamples`: board samples a window spans (the package's window length, at the board's rate). */
export function scriptTruth(script: Pick<ReplayScript, 'rate' | 'labels'>, windowSamples: number): WindowTruth {
  const { labels, rate } = script;
  return (window) => {
    const last = Math.round((window.endTimestampUs * rate) / 1e6);
    const first = last - windowSamples + 1;
    let label = NO_LABEL;
    let stable = true;
    for (const change of labels) {
      if (change.at > last) break;
      if (change.at > first && change.label !== label) stable = false;
      label = change.label;
    }
    return { label: label === NO_LABEL ? undefined : label, stable };
  };
}
