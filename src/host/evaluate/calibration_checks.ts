/**
 * What a person's calibration recordings must hold for an evaluation to
 * mean anything, checked before any work: at least two gestures (a head
 * trained on one class recognizes everything as it, and scores 100 % on a
 * test set of that class), and k distinct repetitions for each k asked for
 * (rather than training on fewer and reporting the k asked for).
 */
import { HeadstartError } from '../../core/errors.ts';
import type { Recording } from '../../core/signal.ts';

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
