/**
 * What a person's calibration recordings must hold for an evaluation to
 * mean anything, checked before any work: at least two gestures (a head
 * trained on one class recognizes everything as it, and scores 100 % on a
 * test set of that class), and k distinct repetitions for each k asked for
 * (rather than training on fewer and reporting the k asked for).
 */
import { HeadstartError } from '../../core/errors.ts';
import { type Recording, sampleCount } from '../../core/signal.ts';

type CalibrationOf<F extends keyof Recording> = { name: string; calibration: Pick<Recording, F>[] };

/** Distinct repetitions in a person's calibration recordings (recordings without one count as a single repetition). */
export function calibrationCycles(calibration: Pick<Recording, 'rep'>[]): number {
  return new Set(calibration.map((r) => r.rep ?? -1)).size;
}

/** Throws BAD_OPTION (setting `cycles`) when a k asked for is above what some person's calibration holds. */
export function checkCyclesAvailable(people: CalibrationOf<'rep'>[], cycles: number[]): void {
  const largest = Math.max(0, ...cycles);
  if (largest === 0 || people.length === 0) return;
  const counts = people.map((p) => ({ name: p.name, cycles: calibrationCycles(p.calibration) }));
  const fewest = Math.min(...counts.map((c) => c.cycles));
  if (largest <= fewest) return;
  const short = counts.filter((c) => c.cycles < largest);
  const named = short.slice(0, 5).map((c) => `${c.name} has ${c.cycles}`).join(', ') + (short.length > 5 ? `, and ${short.length - 5} more` : '');
  throw new HeadstartError(
    'BAD_OPTION',
    `k = ${largest} calibration cycles asked for, but not every person's calibration holds that many (${named}); ask for k from 0 to ${fewest}`,
    { setting: 'cycles', asked: largest, available: fewest },
  );
}

/** Throws NOT_ENOUGH_DATA when some person's calibration recordings hold fewer than two gestures. */
export function checkCalibrationClasses(people: CalibrationOf<'label'>[], classNames?: readonly string[]): void {
  const short = people
    .map((p) => ({ name: p.name, labels: [...new Set(p.calibration.map((r) => r.label).filter((l): l is number => l !== undefined))].sort((a, b) => a - b) }))
    .filter((p) => p.labels.length < 2);
  if (short.length === 0) return;
  const nameOf = (l: number): string => classNames?.[l] ?? `label ${l}`;
  const named = short
    .slice(0, 5)
    .map((p) => `${p.name}: ${p.labels.length === 0 ? 'none' : `only ${nameOf(p.labels[0]!)}`}`)
    .join(', ');
  throw new HeadstartError(
    'NOT_ENOUGH_DATA',
    `a calibration needs recordings of at least two gestures, and ${short.length === people.length ? 'no' : 'not every'} person's has them (${named}${short.length > 5 ? `, and ${short.length - 5} more` : ''}); a head trained on one gesture calls everything that gesture. Check which files the path or pattern picks and how their names give the label (\`headstart dataset\` shows the classes it finds)`,
    { people: short.map((p) => p.name) },
  );
}

/**
 * Throws BAD_OPTION (setting `calib-seconds`) when a C asked for leaves some recording with no whole window to
 * calibrate on (C shorter than a window) or none to score (C plus a window and a hop longer than the recording).
 */
export function checkSecondsAvailable(people: { name: string; recordings: Pick<Recording, 'rate' | 'channels' | 'samples'>[] }[], seconds: number[], window: { length: number; hop: number; rate: number }): void {
  const asked = seconds.filter((c) => c > 0);
  if (asked.length === 0 || people.length === 0) return;
  const windowSeconds = window.length / window.rate;
  const shortestAsked = Math.min(...asked);
  if (shortestAsked < windowSeconds) {
    throw new HeadstartError('BAD_OPTION', `C = ${shortestAsked} s holds no whole window (${windowSeconds} s) to calibrate on; ask for --calib-seconds of at least ${Math.ceil(windowSeconds)}`, { setting: 'calib-seconds', asked: shortestAsked });
  }
  const durations = people.flatMap((p) => p.recordings.map((r) => ({ name: p.name, seconds: sampleCount(r) / r.rate })));
  const shortest = durations.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const largest = Math.max(...asked);
  const room = shortest.seconds - windowSeconds - window.hop / window.rate;
  if (largest <= room) return;
  throw new HeadstartError(
    'BAD_OPTION',
    `C = ${largest} s leaves nothing to score in ${shortest.name}'s recording of ${shortest.seconds.toFixed(1)} s (a window is ${windowSeconds} s); ask for --calib-seconds up to ${Math.floor(room)}`,
    { setting: 'calib-seconds', asked: largest, available: Math.floor(room) },
  );
}
