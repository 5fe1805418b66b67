/**
 * The calibration report: one self-contained HTML file beside the profile
 * (no network needed to open it), with the verdict, the per-gesture
 * accuracy, the confusion matrix and a plot of each gesture's signals.
 * The plots are drawn by the live dashboard's chart code (src/web/charts,
 * bundled as src/web/report), carried inline with the holds' min/max
 * envelopes as JSON; the tables are plain HTML.
 */
import { EnvelopeDecimator } from '../../core/trace_envelope.ts';
import type { WebBundle } from '../web/assets.ts';
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

interface ReportPlot {
  id: string;
  secondsPerColumn: number;
  first: number;
  min: number[][];
  max: number[][];
}

/** JSON that can sit inside a <script> element: no '<' to end it early. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Envelope columns per plotted hold: enough to see a burst, small enough to keep the file light. */
const PLOT_COLUMNS = 320;

/** Each channel of one hold as min/max envelope columns (the live dashboard's traces), for the report's charts. */
function holdPlot(hold: HoldSamples, channels: number, rate: number, id: string): ReportPlot {
  const n = hold.samples.length / channels;
  const perColumn = Math.max(1, Math.ceil(n / PLOT_COLUMNS));
  const decimator = new EnvelopeDecimator(channels, perColumn, Math.ceil(n / perColumn));
  decimator.push(hold.samples, 0);
  const { first, min, max } = decimator.recent();
  return { id, secondsPerColumn: perColumn / rate, first, min, max };
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

/** The report's HTML; `charts` is the report bundle (loadWebBundle('report')) that draws the signals. */
export function renderReport(r: ReportInput, charts: WebBundle): string {
  const labels = r.protocol.gestures.map((g) => g.label);
  const verdictRows = r.verdict.gestures
    .map(
      (g) =>
        `<tr class="${g.redo ? 'redo' : 'ok'}"><td>${escapeHtml(g.label)}</td><td>${g.accuracy === undefined ? '-' : `${Math.round(g.accuracy * 100)} %`}</td><td>${g.windows}</td><td>${g.redo ? 'redo' : 'ok'}</td><td>${g.reasons.map(escapeHtml).join('<br>')}</td></tr>`,
    )
    .join('');
  const data: ReportPlot[] = [];
  const plots = r.protocol.gestures
    .map((g, i) => {
      const hold = r.holds.filter((h) => h.gesture === i).sort((a, b) => a.rep - b.rep)[0];
      if (hold) data.push(holdPlot(hold, r.channels, r.rate, `signal-${i}`));
      return `<figure><figcaption>${escapeHtml(g.label)}${hold ? ` (repetition ${hold.rep + 1}, ${(hold.samples.length / r.channels / r.rate).toFixed(1)} s)` : ''}</figcaption>${hold ? `<div class="signal" id="signal-${i}"></div>` : '<p>not recorded</p>'}</figure>`;
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
</style><style>${charts.css}</style></head><body>
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
<script type="application/json" id="report-data">${scriptJson({ channels: r.channels, plots: data })}</script>
<script>${charts.js}</script>
</body></html>
`;
}
