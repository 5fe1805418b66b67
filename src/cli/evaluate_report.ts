/**
 * How `evaluate` prints its summary, for both protocols (k calibration
 * cycles, or C calibration seconds): one row per k or C with the transfer
 * head's mean, sd and min, the classical columns (the rich time-domain ones,
 * without and with the prior, only where the protocol scores them: EMG), transfer minus the best of
 * them, the from-scratch model and the gain over it; then the notes on the
 * calibration's own estimate, adaptation (beside the classical columns adapted the same way), the people below the best classical column
 * and, with a simulated automatic sync, the calibrations its self-check flags.
 */
import type { BaselineColumn, PersonResult, Summary } from '../host/evaluate/protocol.ts';

export const pct = (v: number | undefined) => (v === undefined ? '     -' : `${(100 * v).toFixed(2).padStart(6)}`);

/** `key` names what a row varies: 'k' (cycles) or 'C' (seconds). */
export function summaryTable(summary: Summary[], key: 'k' | 'C'): string {
  let out = ` ${key} | transfer mean     sd    min | classical  +prior   rich  +prior | transfer - best | scratch mean    min | gain\n`;
  for (const s of summary) {
    const gain = s.scratchMean === undefined ? '     -' : `${(100 * (s.mean - s.scratchMean)).toFixed(2).padStart(6)}`;
    const over = s.overBestBaseline === undefined ? '      -' : `${s.overBestBaseline >= 0 ? '+' : ''}${(100 * s.overBestBaseline).toFixed(2)}`.padStart(7);
    out += `${String(s.k).padStart(2)} |       ${pct(s.mean)} ${pct(s.sd)} ${pct(s.min)} |    ${pct(s.baselines?.classical.mean)} ${pct(s.baselines?.classicalPrior?.mean)} ${pct(s.baselines?.classicalRich?.mean)} ${pct(s.baselines?.classicalRichPrior?.mean)} |         ${over} |       ${pct(s.scratchMean)} ${pct(s.scratchMin)} | ${gain}\n`;
  }
  return out;
}

/** The calibration's own held-out estimate against what came later, per row. */
export function estimateNotes(summary: Summary[], key: 'k' | 'C'): string {
  let out = '';
  for (const s of summary) {
    if (s.estimateError) out += `${key}=${s.k}: the calibration's own estimate is off by ${(100 * s.estimateError.meanAbs).toFixed(2)} points on average (${s.estimateError.meanSigned >= 0 ? 'over' : 'under'}-estimating by ${(100 * Math.abs(s.estimateError.meanSigned)).toFixed(2)} on balance)\n`;
  }
  return out;
}

const COLUMN_NAMES: Record<BaselineColumn, string> = { classical: 'classical', classicalPrior: 'classical + prior', classicalRich: 'rich', classicalRichPrior: 'rich + prior' };

/** With adaptation: the adapted transfer head beside each classical column adapted by the same code, per row. */
export function adaptedNotes(summary: Summary[], key: 'k' | 'C'): string {
  const fixed = (v: number) => (100 * v).toFixed(2);
  let out = '';
  for (const s of summary) {
    if (s.adaptedMean === undefined) continue;
    out += `${key}=${s.k}: with unsupervised adaptation ${fixed(s.adaptedMean)} % (without ${fixed(s.mean)} %)`;
    const columns = Object.entries(s.adaptedBaselines ?? {}) as [BaselineColumn, number][];
    if (columns.length > 0 && s.adaptedOverBestBaseline !== undefined) {
      const over = s.adaptedOverBestBaseline;
      out += `; the classical columns adapted the same way: ${columns.map(([c, v]) => `${COLUMN_NAMES[c]} ${fixed(v)}`).join(', ')} %; adapted transfer - best ${over >= 0 ? '+' : ''}${fixed(over)} points`;
    }
    out += '\n';
  }
  return out;
}

/** The people for whom transfer scored below the best classical column, per row. */
export function belowBaselineNotes(summary: Summary[], key: 'k' | 'C'): string {
  return summary
    .filter((s) => (s.belowBestBaseline?.length ?? 0) > 0)
    .map((s) => `${key}=${s.k}: below the best classical column for ${s.belowBestBaseline!.join(', ')}\n`)
    .join('');
}

/** Per k, which calibrations the automatic sync's self-check flagged (their estimate not applied, as run does) and how they fared. */
export function autoSyncCheckNotes(results: PersonResult[]): string {
  let out = '';
  for (const k of [...new Set(results.map((r) => r.k))]) {
    const checked = results.filter((r) => r.k === k && r.sync?.autoCheck);
    if (checked.length === 0) continue;
    const flagged = checked.filter((r) => r.sync!.autoCheck!.misses > 0);
    const passed = checked.filter((r) => !flagged.includes(r));
    const mean = (rows: PersonResult[]) => (rows.length === 0 ? '-' : `${pct(rows.reduce((a, r) => a + r.accuracy, 0) / rows.length)} %`);
    out +=
      flagged.length === 0
        ? `k=${k}: the automatic sync passed its self-check on every calibration\n`
        : `k=${k}: the automatic sync failed its self-check on ${flagged.map((r) => r.person).join(', ')}, so its estimate was not applied there, as run does (${mean(flagged)} on average, against ${mean(passed)} for the others)\n`;
  }
  return out;
}

/** The classical columns of the JSON report. */
export function baselineRows(summary: Summary[]) {
  return summary
    .filter((s) => s.baselines)
    .map((s) => ({ k: s.k, classical: s.baselines!.classical, classicalPrior: s.baselines!.classicalPrior, classicalRich: s.baselines!.classicalRich, classicalRichPrior: s.baselines!.classicalRichPrior, best: s.bestBaseline, transferMinusBest: s.overBestBaseline, belowBest: s.belowBestBaseline }));
}
