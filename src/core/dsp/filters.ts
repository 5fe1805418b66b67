/**
 * Preprocessing as data: a list of filter descriptions that a model
 * package's manifest records and that host and device both build into the
 * same stage, so the device applies exactly what training applied.
 *
 *     [{ kind: 'bandpass', low: 1, high: 45, order: 4 }, { kind: 'notch', freq: 50, q: 30 }, { kind: 'car' }]
 *
 * Stages run in list order. All are causal and keep their state between
 * calls: a signal processed in chunks of any size comes out exactly as
 * processed whole (live = offline, window for window). An empty list passes
 * samples through unchanged.
 */
import { HeadstartError } from '../errors.ts';
import { butterworthBandpass, notch } from './design.ts';
import { commonAverageReference } from './reference.ts';
import { COEFFICIENTS_PER_SECTION, type Sections, SosFilter } from './sos.ts';

/** Butterworth band-pass of `order` between `low` and `high` Hz (-3 dB at both). */
export interface BandpassSpec {
  kind: 'bandpass';
  low: number;
  high: number;
  order: number;
}

/** A notch at `freq` Hz (mains: 50 or 60) with quality factor `q` (-3 dB width about freq / q). */
export interface NotchSpec {
  kind: 'notch';
  freq: number;
  q: number;
}

/** Common average reference. */
export interface CarSpec {
  kind: 'car';
}

export type FilterSpec = BandpassSpec | NotchSpec | CarSpec;

export const MAX_BANDPASS_ORDER = 8;

const KEYS: Record<FilterSpec['kind'], string[]> = {
  bandpass: ['kind', 'low', 'high', 'order'],
  notch: ['kind', 'freq', 'q'],
  car: ['kind'],
};

function filterError(where: string, message: string): HeadstartError {
  return new HeadstartError('BAD_OPTION', `${where}: ${message}`, { where });
}

function positive(value: unknown, where: string, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw filterError(where, `${name} must be a positive number of Hz (got ${JSON.stringify(value)})`);
  return value;
}

/**
 * Checks that `value` is a list of filter descriptions (the shape a
 * manifest holds) and returns it typed. With `rate`, also checks every
 * frequency against that rate's Nyquist frequency. `where` names the list in
 * errors ("manifest.json: preprocessing").
 */
export function checkFilterSpecs(value: unknown, rate?: number, where = 'filters'): FilterSpec[] {
  if (!Array.isArray(value)) throw filterError(where, `must be a list of filters (got ${JSON.stringify(value)})`);
  if (rate !== undefined && !(Number.isFinite(rate) && rate > 0)) throw filterError(where, `sample rate must be a positive number (got ${rate})`);
  const nyquist = rate === undefined ? Infinity : rate / 2;
  const belowNyquist = (f: number, at: string, name: string) => {
    if (f >= nyquist) throw filterError(at, `${name} ${f} Hz is not below ${nyquist} Hz, the Nyquist frequency of a ${rate} Hz signal; lower it or resample to a higher rate`);
  };
  return value.map((item, i): FilterSpec => {
    const at = `${where}[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw filterError(at, `must be an object such as { "kind": "notch", "freq": 50, "q": 30 } (got ${JSON.stringify(item)})`);
    const spec = item as Record<string, unknown>;
    const kind = spec.kind;
    if (kind !== 'bandpass' && kind !== 'notch' && kind !== 'car') throw filterError(at, `kind ${JSON.stringify(kind)} is not one of bandpass, notch, car`);
    const extra = Object.keys(spec).filter((k) => !KEYS[kind].includes(k));
    if (extra.length > 0) throw filterError(`${at} (${kind})`, `unknown field${extra.length > 1 ? 's' : ''} ${extra.join(', ')} (a ${kind} has ${KEYS[kind].slice(1).join(', ') || 'no other fields'})`);
    const named = `${at} (${kind})`;
    if (kind === 'bandpass') {
      const low = positive(spec.low, named, 'low');
      const high = positive(spec.high, named, 'high');
      if (high <= low) throw filterError(named, `high ${high} Hz must be above low ${low} Hz`);
      belowNyquist(high, named, 'high');
      const order = spec.order;
      if (typeof order !== 'number' || !Number.isInteger(order) || order < 1 || order > MAX_BANDPASS_ORDER) {
        throw filterError(named, `order must be a whole number from 1 to ${MAX_BANDPASS_ORDER} (got ${JSON.stringify(order)})`);
      }
      return { kind, low, high, order };
    }
    if (kind === 'notch') {
      const freq = positive(spec.freq, named, 'freq');
      belowNyquist(freq, named, 'freq');
      const q = spec.q;
      if (typeof q !== 'number' || !Number.isFinite(q) || q <= 0) throw filterError(named, `q must be a positive number, e.g. 30 (got ${JSON.stringify(q)})`);
      return { kind, freq, q };
    }
    return { kind };
  });
}

/**
 * The short text form of a filter list, for command lines:
 * `bandpass:1-45:4,notch:50:30,car` (a band-pass of 1-45 Hz, order 4; a
 * notch at 50 Hz, Q 30; common average reference). The order of a band-pass
 * defaults to 4 and a notch's Q to 30; `none` is the empty list. Checked as
 * checkFilterSpecs checks a manifest's list.
 */
export function parseFilterList(text: string, rate?: number, where = '--filters'): FilterSpec[] {
  const items = text.split(',').map((t) => t.trim()).filter((t) => t !== '');
  if (items.length === 1 && items[0] === 'none') return [];
  const number = (part: string | undefined, item: string): number => {
    const v = Number(part);
    if (part === undefined || part.trim() === '' || !Number.isFinite(v)) throw filterError(where, `"${item}" is not a filter (e.g. bandpass:1-45:4, notch:50:30, car)`);
    return v;
  };
  const specs = items.map((item): unknown => {
    const [kind, a, b, ...rest] = item.split(':');
    if (rest.length > 0) throw filterError(where, `"${item}" has too many parts (e.g. bandpass:1-45:4, notch:50:30, car)`);
    if (kind === 'car' && a === undefined) return { kind: 'car' };
    if (kind === 'notch' && a !== undefined) return { kind: 'notch', freq: number(a, item), q: b === undefined ? 30 : number(b, item) };
    if (kind === 'bandpass' && a !== undefined) {
      const [low, high, more] = a.split('-');
      if (more !== undefined) throw filterError(where, `"${item}": give the band as low-high, e.g. bandpass:1-45:4`);
      return { kind: 'bandpass', low: number(low, item), high: number(high, item), order: b === undefined ? 4 : number(b, item) };
    }
    throw filterError(where, `"${item}" is not a filter: give bandpass:<low>-<high>[:<order>], notch:<Hz>[:<q>] or car, comma-separated (e.g. bandpass:1-45:4,notch:50:30,car), or none`);
  });
  return checkFilterSpecs(specs, rate, where);
}

/** A one-line description for reports and help: "band-pass 1-45 Hz (order 4), notch 50 Hz (Q 30), common average reference". */
export function describeFilters(specs: FilterSpec[]): string {
  if (specs.length === 0) return 'no filters';
  return specs
    .map((s) => (s.kind === 'bandpass' ? `band-pass ${s.low}-${s.high} Hz (order ${s.order})` : s.kind === 'notch' ? `notch ${s.freq} Hz (Q ${s.q})` : 'common average reference'))
    .join(', ');
}

/** The second-order sections of an IIR description at `rate`. */
export function designSections(spec: BandpassSpec | NotchSpec, rate: number): Sections {
  return spec.kind === 'bandpass' ? butterworthBandpass(spec.low, spec.high, spec.order, rate) : notch(spec.freq, spec.q, rate);
}

type Step = { kind: 'iir'; filter: SosFilter } | { kind: 'car' };

/**
 * The stage a list of descriptions makes, for `channels` at `rate`:
 * consecutive IIR filters run as one cascade in float64, the common average
 * reference between them as written.
 */
class FilterChain {
  readonly specs: FilterSpec[];
  readonly channels: number;
  readonly rate: number;
  readonly #steps: Step[];

  constructor(specs: FilterSpec[], channels: number, rate: number) {
    if (!Number.isInteger(channels) || channels < 1) throw new HeadstartError('INTERNAL', `channel count must be a positive whole number (got ${channels})`);
    this.specs = checkFilterSpecs(specs, rate);
    this.channels = channels;
    this.rate = rate;
    const steps: Step[] = [];
    let pending: Sections[] = [];
    const flush = () => {
      if (pending.length === 0) return;
      const all = new Float64Array(pending.reduce((n, s) => n + s.length, 0));
      let at = 0;
      for (const s of pending) {
        all.set(s, at);
        at += s.length;
      }
      steps.push({ kind: 'iir', filter: new SosFilter(all, channels) });
      pending = [];
    };
    for (const spec of this.specs) {
      if (spec.kind === 'car') {
        flush();
        steps.push({ kind: 'car' });
      } else pending.push(designSections(spec, rate));
    }
    flush();
    this.#steps = steps;
  }

  /** Second-order sections run per sample per channel (the cost of the chain). */
  get sectionCount(): number {
    return this.#steps.reduce((n, s) => n + (s.kind === 'iir' ? s.filter.sections.length / COEFFICIENTS_PER_SECTION : 0), 0);
  }

  /** Processes interleaved samples from `input` into `output` (may be the same array; default: in place) and returns it. */
  process(input: Float32Array, output: Float32Array = input): Float32Array {
    if (input.length % this.channels !== 0 || output.length < input.length) {
      throw new HeadstartError('INTERNAL', `filter input of ${input.length} values is not a whole number of ${this.channels}-channel samples (or the output is shorter)`);
    }
    let from = input;
    for (const step of this.#steps) {
      if (step.kind === 'iir') step.filter.process(from, output);
      else commonAverageReference(from, this.channels, output);
      from = output;
    }
    if (from !== output) output.set(input);
    return output;
  }

  /** Forgets the signal (after a gap in the stream). */
  reset(): void {
    for (const step of this.#steps) if (step.kind === 'iir') step.filter.reset();
  }
}

export type { FilterChain };

/** Builds the stage that `specs` describe for `channels` channels at `rate` samples/s (checking them first). */
export function buildFilterChain(specs: FilterSpec[], channels: number, rate: number): FilterChain {
  return new FilterChain(specs, channels, rate);
}
