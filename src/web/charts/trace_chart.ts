/**
 * Every channel's trace as a strip of its own (uPlot), stacked: the
 * min/max envelope of each column drawn as a band, so that a burst shorter
 * than a column stays visible. Used by the live dashboard (appending
 * columns as they come) and by the calibration report (one hold, whole).
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './traces.css';

export interface TraceColumns {
  /** Index of the first column; columns are `secondsPerColumn` apart. */
  first: number;
  /** Channel-major: min[c][i] and max[c][i] for column first + i. */
  min: number[][];
  max: number[][];
}

export interface TraceChartOptions {
  channels: number;
  /** Channel names (default ch0, ch1, ...). */
  names?: string[];
  secondsPerColumn: number;
  /** Columns kept and shown (the live trace's length); the report shows all it is given. */
  columns: number;
  width: number;
  stripHeight?: number;
  /** A level meter beside each strip (live traces; default true). */
  meters?: boolean;
}

export function channelColor(c: number, channels: number, alpha = 1): string {
  return `hsla(${Math.round((c * 360) / Math.max(1, channels))}, 65%, 42%, ${alpha})`;
}

/** Level per channel: the range of the latest columns as a share of the largest range seen. */
class LevelTracker {
  readonly peak: number[];
  constructor(channels: number) {
    this.peak = new Array<number>(channels).fill(1e-9);
  }
  levels(min: (number | null)[][], max: (number | null)[][], recent: number): number[] {
    return min.map((lo, c) => {
      let a = Infinity;
      let b = -Infinity;
      for (let i = Math.max(0, lo.length - recent); i < lo.length; i++) {
        const l = lo[i];
        const h = max[c]![i];
        if (l === null || l === undefined || h === null || h === undefined) continue;
        if (l < a) a = l;
        if (h > b) b = h;
      }
      const range = b > a ? b - a : 0;
      if (range > this.peak[c]!) this.peak[c] = range;
      return range / this.peak[c]!;
    });
  }
}

export class TraceChart {
  readonly root: HTMLElement;
  readonly #options: TraceChartOptions;
  readonly #plots: uPlot[] = [];
  readonly #meters: HTMLElement[] = [];
  readonly #x: number[] = [];
  readonly #min: (number | null)[][];
  readonly #max: (number | null)[][];
  readonly #levels: LevelTracker;
  #next: number | undefined;

  constructor(parent: HTMLElement, options: TraceChartOptions) {
    this.#options = options;
    const { channels } = options;
    this.#min = Array.from({ length: channels }, () => []);
    this.#max = Array.from({ length: channels }, () => []);
    this.#levels = new LevelTracker(channels);
    this.root = document.createElement('div');
    this.root.className = 'traces';
    parent.append(this.root);
    const height = options.stripHeight ?? 56;
    for (let c = 0; c < channels; c++) {
      const row = document.createElement('div');
      row.className = 'trace-row';
      const label = document.createElement('span');
      label.className = 'trace-name';
      label.textContent = options.names?.[c] ?? `ch${c}`;
      const meter = document.createElement('span');
      meter.className = 'level';
      meter.dataset.channel = String(c);
      const fill = document.createElement('span');
      meter.append(fill);
      const strip = document.createElement('div');
      strip.className = 'trace-strip';
      row.append(label, strip);
      if (options.meters !== false) row.append(meter);
      this.root.append(row);
      this.#meters.push(fill);
      const last = c === channels - 1;
      const plot = new uPlot(
        {
          width: options.width,
          height: height + (last ? 24 : 0),
          legend: { show: false },
          cursor: { show: false },
          select: { show: false, left: 0, top: 0, width: 0, height: 0 },
          scales: { x: { time: false }, y: { auto: true } },
          axes: [
            { show: last, size: 24, space: 60, values: (_u, splits) => splits.map((s) => `${s.toFixed(1)} s`) },
            { size: 48, space: 20, ticks: { show: false }, values: (_u, splits) => splits.map((s) => (Math.abs(s) >= 1000 ? `${(s / 1000).toFixed(1)}k` : String(Math.round(s)))) },
          ],
          series: [{}, { stroke: channelColor(c, channels), width: 1, points: { show: false } }, { stroke: channelColor(c, channels), width: 1, points: { show: false } }],
          bands: [{ series: [1, 2], fill: channelColor(c, channels, 0.35) }],
        },
        [[], [], []],
        strip,
      );
      this.#plots.push(plot);
    }
  }

  /** Appends columns; a jump in column index (updates dropped on the way) is drawn as a gap. */
  append(chunk: TraceColumns): void {
    const n = chunk.min[0]?.length ?? 0;
    if (n === 0) return;
    const { secondsPerColumn, columns } = this.#options;
    if (this.#next !== undefined && chunk.first > this.#next) this.#push(this.#next * secondsPerColumn, null, null);
    for (let i = 0; i < n; i++) {
      const k = chunk.first + i;
      if (this.#next !== undefined && k < this.#next) continue;
      this.#push(k * secondsPerColumn, chunk.min, chunk.max, i);
    }
    this.#next = chunk.first + n;
    const extra = this.#x.length - columns;
    if (extra > 0) {
      this.#x.splice(0, extra);
      for (const a of this.#min) a.splice(0, extra);
      for (const a of this.#max) a.splice(0, extra);
    }
  }

  /** Draws now (not at the next microtask), so the caller knows when the traces are on the canvas. */
  redraw(): void {
    this.#plots.forEach((p, c) => p.batch(() => p.setData([this.#x, this.#max[c]!, this.#min[c]!])));
    if (this.#options.meters === false) return;
    const recent = Math.max(1, Math.round(0.1 / this.#options.secondsPerColumn));
    this.#levels.levels(this.#min, this.#max, recent).forEach((v, c) => (this.#meters[c]!.style.width = `${Math.round(Math.min(1, v) * 100)}%`));
  }

  /** Columns held. */
  get length(): number {
    return this.#x.length;
  }

  destroy(): void {
    for (const p of this.#plots) p.destroy();
    this.root.remove();
  }

  #push(x: number, min: number[][] | null, max: number[][] | null, i = 0): void {
    this.#x.push(x);
    for (let c = 0; c < this.#min.length; c++) {
      this.#min[c]!.push(min ? min[c]![i]! : null);
      this.#max[c]!.push(max ? max[c]![i]! : null);
    }
  }
}
