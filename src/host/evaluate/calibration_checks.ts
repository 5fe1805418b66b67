/**
 * The values of k an evaluation can honour: k calibration cycles need k
 * distinct repetitions in every person's calibration recordings. Asking for
 * more is refused before any work, rather than training on fewer and
 * reporting the k asked for.
 */
import { HeadstartError } from '../../core/errors.ts';
import type { Recording } from '../../core/signal.ts';

/** Distinct repetitions in a person's calibration recordings (recordings without one count as a single repetition). */
export function calibrationCycles(calibration: Pick<Recording, 'rep'>[]): number {
  return new Set(calibration.map((r) => r.rep ?? -1)).size;
}

/** Throws BAD_OPTION (setting `cycles`) when a k asked for is above what some person's calibration holds. */
export function checkCyclesAvailable(people: { name: string; calibration: Pick<Recording, 'rep'>[] }[], cycles: number[]): void {
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
