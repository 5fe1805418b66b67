/**
 * ASCII lines of numbers (what a quick Arduino sketch prints, or the serial
 * plotter's `name:value` pairs) -> headstart frames. Fields are separated by
 * commas, tabs or spaces. The layout is decided from the first lines:
 *
 * - channels: the most common field count (minus an index column, below);
 * - an index column: the first field, when a header names it (t, time, ms,
 *   millis, us, micros, n, i, index, sample, count...) or, without a header,
 *   when it rises strictly over the probed lines: a median step of 1 makes
 *   it a sample counter (so a millis() clock at 1 kHz or more reads as one:
 *   give the rate); larger steps make it a clock, in µs when the median
 *   step is 100 or more, else in ms;
 * - rate: given by the caller, else from the clock column, else from arrival
 *   times when the caller passes a clock (live ports), else 0 = unknown.
 *
 * Lines with another field count (a line cut short when the reader joined
 * mid-line, two lines merged by a lost newline) are counted as malformed and
 * skipped; so is a final line without its newline. With a counter or clock
 * column, missing samples are counted in `sequenceGaps`.
 */
import type { HeadstartError } from '../errors.ts';
import { ParserTransform, type ByteParser, type DecoderStreamOptions } from './byte_parser.ts';
import type { DecoderStats, Frame } from './frames.ts';
import { newDecoderStats } from './stats.ts';
import { MAX_CHANNELS, PROTOCOL_VERSION, SEQ_MODULUS } from './wire.ts';

export interface AsciiOptions {
  /** Known sample rate in Hz; otherwise it is detected (see above). */
  rate?: number;
  /** Numeric lines looked at before the layout is decided (default 20). */
  probeLines?: number;
  /** Milliseconds clock (e.g. performance.now) for rate detection from arrival times on a live port. */
  now?: () => number;
  /** Longer lines are discarded (default 4096 bytes). */
  maxLineBytes?: number;
}

type IndexColumn = { kind: 'counter' } | { kind: 'clock'; usPerUnit: number };

export interface AsciiLayout {
  channels: number;
  rate: number;
  index: IndexColumn | undefined;
}

interface Row {
  values: number[];
  bytes: number;
  arrivedMs: number | undefined;
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const LABELLED = /^([A-Za-z_][\w.]*)\s*[:=]\s*(\S+)$/;
const COUNTER_NAMES = /^(n|i|idx|index|sample|samples|count|counter|seq)$/i;
const CLOCK_UNITS: [RegExp, number][] = [
  [/^(t_?|time_?|timestamp_?)?(us|micros)$/i, 1],
  [/^(t_?|time_?|timestamp_?)?(ms|millis)$/i, 1000],
  [/^(t_?|time_?|timestamp_?)?(s|sec|secs|seconds)$/i, 1e6],
];
const COMMON_RATES = [50, 100, 125, 128, 200, 250, 256, 500, 512, 1000, 1024, 2000, 2048, 4000, 5000, 8000, 10000];

/** Splits one line into fields; `names` gets the labels of `name:value` fields. */
export function splitFields(line: string): { fields: string[]; names: string[] } {
  const parts = line.includes(',') ? line.split(',') : line.includes('\t') ? line.split('\t') : line.split(/ +/);
  const fields: string[] = [];
  const names: string[] = [];
  for (const raw of parts) {
    const part = raw.trim();
    const labelled = LABELLED.exec(part);
    if (labelled) {
      names.push(labelled[1]!);
      fields.push(labelled[2]!);
    } else fields.push(part);
  }
  return { fields, names };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Rounds a measured rate to a common one within 3 %, else to the nearest Hz. */
export function snapRate(measured: number): number {
  for (const r of COMMON_RATES) if (Math.abs(measured - r) <= 0.03 * r) return r;
  return Math.round(measured);
}

/** Decides channels, index column and rate from probed rows (see the file comment). */
export function detectLayout(rows: readonly Row[], header: readonly string[] | undefined, options: AsciiOptions): AsciiLayout | undefined {
  if (rows.length === 0) return undefined;
  const counts = new Map<number, number>();
  for (const r of rows) counts.set(r.values.length, (counts.get(r.values.length) ?? 0) + 1);
  let fieldCount = 0;
  for (const [n, c] of counts) if (c > (counts.get(fieldCount) ?? 0) || (c === counts.get(fieldCount) && n > fieldCount)) fieldCount = n;
  const usable = rows.filter((r) => r.values.length === fieldCount);
  const first = usable.map((r) => r.values[0]!);
  const steps = first.slice(1).map((v, i) => v - first[i]!);
  let index: IndexColumn | undefined;
  const name = header && header.length === fieldCount ? header[0]! : undefined;
  if (fieldCount >= 2 && name !== undefined && COUNTER_NAMES.test(name)) index = { kind: 'counter' };
  else if (fieldCount >= 2 && name !== undefined && CLOCK_UNITS.some(([re]) => re.test(name))) {
    index = { kind: 'clock', usPerUnit: CLOCK_UNITS.find(([re]) => re.test(name))![1] };
  } else if (fieldCount >= 2 && name === undefined && steps.length >= 3 && first.every(Number.isInteger) && steps.every((s) => s > 0)) {
    const step = median(steps);
    index = step === 1 ? { kind: 'counter' } : { kind: 'clock', usPerUnit: step >= 100 ? 1 : 1000 };
  }
  let rate = options.rate ?? 0;
  if (rate === 0 && index?.kind === 'clock' && steps.length > 0) rate = snapRate(1e6 / (median(steps) * index.usPerUnit));
  if (rate === 0 && options.now !== undefined && usable.length >= 2) {
    const elapsedMs = usable[usable.length - 1]!.arrivedMs! - usable[0]!.arrivedMs!;
    // Arrival times are only worth trusting over a long enough stretch of a live stream.
    if (elapsedMs >= 200) rate = snapRate(((usable.length - 1) * 1000) / elapsedMs);
  }
  const channels = fieldCount - (index ? 1 : 0);
  if (channels < 1 || channels > MAX_CHANNELS) return undefined;
  return { channels, rate, index };
}

export class AsciiParser implements ByteParser {
  readonly stats: DecoderStats = newDecoderStats();
  /** Decided after the probe lines; undefined before. */
  layout: AsciiLayout | undefined;
  private readonly options: AsciiOptions;
  private partial = '';
  private discardingLine = false;
  private header: string[] | undefined;
  private probe: Row[] = [];
  private seq = 0;
  private sampleIndex = 0;
  private lastIndexValue: number | undefined;

  constructor(options: AsciiOptions = {}) {
    this.options = options;
  }

  push(chunk: Uint8Array, emit: (frame: Frame) => void): void {
    const text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    const maxLine = this.options.maxLineBytes ?? 4096;
    let pos = 0;
    while (pos < text.length) {
      const nl = text.indexOf('\n', pos);
      if (nl < 0) {
        this.partial += text.slice(pos);
        if (this.partial.length > maxLine) {
          this.drop(this.partial.length);
          this.partial = '';
          this.discardingLine = true;
        }
        return;
      }
      const line = this.partial + text.slice(pos, nl);
      this.partial = '';
      pos = nl + 1;
      if (this.discardingLine || line.length > maxLine) {
        this.discardingLine = false;
        this.drop(line.length + 1);
        continue;
      }
      this.line(line, emit);
    }
  }

  end(emit: (frame: Frame) => void): void {
    // A last line without its newline may have been cut short: it is not trusted.
    if (this.partial.length > 0) this.drop(this.partial.length);
    this.partial = '';
    if (this.layout === undefined) this.decide(emit);
  }

  failure(): HeadstartError | undefined {
    return undefined;
  }

  private drop(bytes: number): void {
    this.stats.droppedBytes += bytes;
  }

  private line(line: string, emit: (frame: Frame) => void): void {
    const bytes = line.length + 1;
    const trimmed = line.trim();
    if (trimmed.length === 0) return;
    const { fields, names } = splitFields(trimmed);
    if (!fields.every((f) => NUMBER.test(f))) {
      // Words before the layout is known are a header; anywhere else, noise.
      if (this.layout === undefined && this.probe.length === 0 && fields.every((f) => /^[A-Za-z_]/.test(f))) this.header = fields;
      else {
        this.stats.malformed++;
        this.drop(bytes);
      }
      return;
    }
    if (names.length === fields.length && this.header === undefined) this.header = names;
    const row: Row = { values: fields.map(Number), bytes, arrivedMs: this.options.now?.() };
    if (this.layout === undefined) {
      this.probe.push(row);
      if (this.probe.length >= (this.options.probeLines ?? 20)) this.decide(emit);
      return;
    }
    this.row(row, emit);
  }

  private decide(emit: (frame: Frame) => void): void {
    const layout = detectLayout(this.probe, this.header, this.options);
    const probed = this.probe;
    this.probe = [];
    if (layout === undefined) {
      for (const r of probed) {
        this.stats.malformed++;
        this.drop(r.bytes);
      }
      return;
    }
    this.layout = layout;
    this.stats.frames++;
    emit({ type: 'hello', seq: 0, protocolVersion: PROTOCOL_VERSION, channels: layout.channels, rate: layout.rate, sampleFormat: 'float32', boardId: 'ascii' });
    this.seq = 1;
    for (const r of probed) this.row(r, emit);
  }

  private row(row: Row, emit: (frame: Frame) => void): void {
    const layout = this.layout!;
    const offset = layout.index ? 1 : 0;
    if (row.values.length !== layout.channels + offset) {
      this.stats.malformed++;
      this.drop(row.bytes);
      return;
    }
    let timestampUs = layout.rate > 0 ? (this.sampleIndex * 1e6) / layout.rate : 0;
    if (layout.index) {
      const v = row.values[0]!;
      const previous = this.lastIndexValue;
      this.lastIndexValue = v;
      if (layout.index.kind === 'clock') timestampUs = v * layout.index.usPerUnit;
      if (previous !== undefined) this.countGap(v - previous, layout);
    }
    const samples = Float32Array.from(row.values.slice(offset));
    this.sampleIndex++;
    this.stats.frames++;
    const ts = ((Math.round(timestampUs) % 2 ** 32) + 2 ** 32) % 2 ** 32;
    emit({ type: 'samples', seq: this.seq, timestampUs: ts, channels: layout.channels, samples });
    this.seq = (this.seq + 1) % SEQ_MODULUS;
  }

  private countGap(step: number, layout: AsciiLayout): void {
    const index = layout.index!;
    if (index.kind === 'counter') {
      if (step > 1) this.stats.sequenceGaps += step - 1;
      this.sampleIndex += Math.max(0, step - 1);
      return;
    }
    if (layout.rate <= 0) return;
    const periodUnits = 1e6 / layout.rate / index.usPerUnit;
    // Clocks printed in whole ms jitter by a tick; only a step of 1.75 periods or more is a loss.
    if (step >= 1.75 * periodUnits) {
      const missing = Math.round(step / periodUnits) - 1;
      this.stats.sequenceGaps += missing;
      this.sampleIndex += missing;
    }
  }
}

/** ASCII bytes in, HELLO + SAMPLES frames out (objectMode). */
export class AsciiDecoder extends ParserTransform {
  constructor(options: AsciiOptions & DecoderStreamOptions = {}) {
    const { rate, probeLines, now, maxLineBytes, ...streamOptions } = options;
    const ascii: AsciiOptions = {};
    if (rate !== undefined) ascii.rate = rate;
    if (probeLines !== undefined) ascii.probeLines = probeLines;
    if (now !== undefined) ascii.now = now;
    if (maxLineBytes !== undefined) ascii.maxLineBytes = maxLineBytes;
    super(new AsciiParser(ascii), streamOptions);
  }
}
