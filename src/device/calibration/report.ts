/**
 * The calibration report: one self-contained HTML file (inline SVG, no
 * scripts, no network) beside the profile, with the verdict, a plot of each
 * gesture's signals, the confusion matrix and the per-gesture accuracy.
 */
import type { CalibrationProtocol } from './protocol.ts';
import type { HoldSamples } from './training.ts';
import type { CalibrationVerdict } from './verdict.ts';

export interface ReportInput {
  profile: string;
  protocol: CalibrationProtocol;
  createdAt: string;
  board: string;
  channels: number;
  rate: number;
  model: string;
  headKind: string;
  cvAccuracy?: number;
  confusion?: number[][];
  /** How the confusion was measured, in words. */
  cvMethod: string;
  verdict: CalibrationVerdict;
  /** The holds, to plot one of each gesture. */
  holds: HoldSamples[];
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const PLOT_W = 560;
const TRACE_H = 22;
/** Envelope columns per trace (two pixels each): enough to see a burst, small enough to keep the file light. */
const PLOT_COLUMNS = PLOT_W / 2;

/**
 * Each channel of one hold as a trace, stacked, scaled to the largest swing
 * of the hold. Longer than the plot is wide, each pixel column draws the
 * minimum and maximum of its samples (an envelope keeps every spike visible).
 */
function signalSvg(hold: HoldSamples, channels: number): string {
  const n = hold.samples.length / channels;
  let max = 1;
  const means: number[] = [];
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += hold.samples[i * channels + c]!;
    means.push(n > 0 ? sum / n : 0);
    for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(hold.samples[i * channels + c]! - means[c]!));
  }
  const columns = Math.min(n, PLOT_COLUMNS);
  const paths: string[] = [];
  for (let c = 0; c < channels; c++) {
    const mid = TRACE_H * c + TRACE_H / 2;
    const y = (v: number): string => (mid - ((v - means[c]!) / max) * (TRACE_H / 2)).toFixed(1);
    const pts: string[] = [];
    for (let col = 0; col < columns; col++) {
      const from = Math.floor((col * n) / columns);
      const to = Math.max(from + 1, Math.floor(((col + 1) * n) / columns));
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = from; i < to; i++) {
        const v = hold.samples[i * channels + c]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      const x = ((col / Math.max(1, columns - 1)) * PLOT_W).toFixed(1);
      pts.push(lo === hi ? `${x},${y(lo)}` : `${x},${y(lo)} ${x},${y(hi)}`);
    }
    paths.push(`<polyline fill="none" stroke="hsl(${(c * 360) / channels},60%,40%)" stroke-width="0.8" points="${pts.join(' ')}"/>`);
    paths.push(`<text x="2" y="${mid + 4}" font-size="9">ch${c}</text>`);
  }
  return `<svg class="signal" width="${PLOT_W}" height="${TRACE_H * channels}" viewBox="0 0 ${PLOT_W} ${TRACE_H * channels}">${paths.join('')}</svg>`;
}

function confusionSvgTable(labels: string[], confusion: number[][]): string {
  const head = `<tr><th>asked \\ recognized</th>${labels.map((l) => `<th>${escapeHtml(l)}</th>`).join('')}<th>accuracy</th></tr>`;
  const rows = confusion.map((row, i) => {
    const total = row.reduce((s, v) => s + v, 0);
    const cells = row
      .map((v, j) => {
        const share = total === 0 ? 0 : v / total;
        const hue = i === j ? 120 : 0;
        return `<td style="background:hsla(${hue},70%,45%,${share.toFixed(2)})" title="${v} windows">${total === 0 ? '-' : Math.round(share * 100)}</td>`;
      })
      .join('');
    return `<tr><th>${escapeHtml(labels[i] ?? '')}</th>${cells}<td>${total === 0 ? '-' : `${Math.round((100 * (row[i] ?? 0)) / total)} %`}</td></tr>`;
  });
  return `<table class="confusion" id="confusion-matrix">${head}${rows.join('')}</table>`;
}

export function renderReport(r: ReportInput): string {
  const labels = r.protocol.gestures.map((g) => g.label);
  const verdictRows = r.verdict.gestures
    .map(
      (g) =>
        `<tr class="${g.redo ? 'redo' : 'ok'}"><td>${escapeHtml(g.label)}</td><td>${g.accuracy === undefined ? '-' : `${Math.round(g.accuracy * 100)} %`}</td><td>${g.windows}</td><td>${g.redo ? 'redo' : 'ok'}</td><td>${g.reasons.map(escapeHtml).join('<br>')}</td></tr>`,
    )
    .join('');
  const plots = r.protocol.gestures
    .map((g, i) => {
      const hold = r.holds.filter((h) => h.gesture === i).sort((a, b) => a.rep - b.rep)[0];
      return `<figure><figcaption>${escapeHtml(g.label)}${hold ? ` (repetition ${hold.rep + 1}, ${(hold.samples.length / r.channels / r.rate).toFixed(1)} s)` : ''}</figcaption>${hold ? signalSvg(hold, r.channels) : '<p>not recorded</p>'}</figure>`;
    })
    .join('');
  const matrix = r.confusion ? confusionSvgTable(labels, r.confusion) : '<p>Not scored: there were too few windows to hold any out.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Calibration of ${escapeHtml(r.profile)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;max-width:60em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .5em;text-align:center}
tr.redo td{background:#fde2e2}.verdict{font-size:1.2em;padding:.5em;border-radius:.3em}
.pass{background:#dff5df}.fail{background:#fde2e2}figure{margin:1em 0}figcaption{font-weight:600}
</style></head><body>
<h1>Calibration of ${escapeHtml(r.profile)}</h1>
<p>${escapeHtml(r.createdAt)} · protocol <b>${escapeHtml(r.protocol.name)}</b> · board ${escapeHtml(r.board)} (${r.channels} channels at ${r.rate} Hz) · model ${escapeHtml(r.model)} · head ${escapeHtml(r.headKind)}${
    r.cvAccuracy === undefined ? '' : ` · leave-one-repetition-out accuracy <b>${(r.cvAccuracy * 100).toFixed(1)} %</b>`
  }</p>
<p class="verdict ${r.verdict.pass ? 'pass' : 'fail'}">${escapeHtml(r.verdict.summary)}</p>
<h2>Gestures</h2>
<table><tr><th>gesture</th><th>accuracy</th><th>windows</th><th>verdict</th><th>why</th></tr>${verdictRows}</table>
<h2>Confusion matrix</h2>
<p>Rows: the gesture asked for; columns: the gesture recognized, in percent of the row's windows, by ${escapeHtml(r.cvMethod)} (each held-out part scored by a head trained on the rest).</p>
${matrix}
<h2>Signals</h2>
${plots}
</body></html>
`;
}
