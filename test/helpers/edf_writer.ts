/**
 * A small EDF/EDF+/BDF/BDF+ writer for test fixtures: signals given as
 * digital values, annotations as TAL strings per data record. It writes what
 * the specification says and nothing clever, so tests can also damage its
 * output byte by byte.
 */

export interface FixtureSignal {
  label: string;
  unit?: string;
  physicalMin: number;
  physicalMax: number;
  digitalMin: number;
  digitalMax: number;
  samplesPerRecord: number;
  /** Digital values, record after record (samplesPerRecord per record). */
  digital: ArrayLike<number>;
}

export interface FixtureEdf {
  bdf?: boolean;
  /** EDF+/BDF+ continuous or discontinuous; plain EDF/BDF when absent. */
  plus?: 'C' | 'D';
  recordSeconds: number;
  records: number;
  signals: FixtureSignal[];
  /** Each record's start time in seconds (written in its time-keeping TAL); default record * recordSeconds. */
  recordStarts?: number[];
  /** Annotation TALs (see `tal`) per record, after the time-keeping one; an annotation signal is added when plus is set. */
  annotations?: (record: number) => string;
  /** Bytes of the annotation signal per record (default 120). */
  annotationBytes?: number;
  /** The record count written in the header (default records; -1 for unknown). */
  declaredRecords?: number;
  /** The reserved field (default from bdf/plus). */
  reserved?: string;
}

/** One TAL: `+onset[\x15duration]\x14text\x14...\x00`. */
export function tal(onset: number, texts: string[], duration?: number): string {
  const sign = onset < 0 ? '-' : '+';
  return `${sign}${Math.abs(onset)}${duration === undefined ? '' : `\x15${duration}`}\x14${texts.map((t) => `${t}\x14`).join('')}\x00`;
}

/** The digital value of a physical one for a signal (rounded, clamped to the digital range). */
export function toDigital(physical: number, s: Pick<FixtureSignal, 'physicalMin' | 'physicalMax' | 'digitalMin' | 'digitalMax'>): number {
  const d = Math.round(((physical - s.physicalMin) * (s.digitalMax - s.digitalMin)) / (s.physicalMax - s.physicalMin) + s.digitalMin);
  return Math.min(s.digitalMax, Math.max(s.digitalMin, d));
}

/** The physical value a reader must return for a digital one. */
export function toPhysical(digital: number, s: Pick<FixtureSignal, 'physicalMin' | 'physicalMax' | 'digitalMin' | 'digitalMax'>): number {
  return ((digital - s.digitalMin) * (s.physicalMax - s.physicalMin)) / (s.digitalMax - s.digitalMin) + s.physicalMin;
}

function field(text: string, width: number): string {
  if (text.length > width) throw new Error(`fixture field "${text}" is wider than ${width}`);
  return text.padEnd(width, ' ');
}

/** A number in the 8 characters EDF headers hold; fixtures use values that fit, so that tests know the exact header. */
function num8(value: number): string {
  const text = String(value);
  if (text.length > 8) throw new Error(`fixture number ${value} does not fit the 8 characters of an EDF header field`);
  return text;
}

export function writeEdf(spec: FixtureEdf): Buffer {
  const bdf = spec.bdf ?? false;
  const bytesPerSample = bdf ? 3 : 2;
  const annotationBytes = spec.annotationBytes ?? 120;
  const annotationSamples = Math.ceil(annotationBytes / bytesPerSample);
  const signals = [...spec.signals];
  const withAnnotations = spec.plus !== undefined;
  const all: { label: string; unit: string; pmin: number; pmax: number; dmin: number; dmax: number; nr: number }[] = signals.map((s) => ({
    label: s.label,
    unit: s.unit ?? 'uV',
    pmin: s.physicalMin,
    pmax: s.physicalMax,
    dmin: s.digitalMin,
    dmax: s.digitalMax,
    nr: s.samplesPerRecord,
  }));
  if (withAnnotations) all.push({ label: bdf ? 'BDF Annotations' : 'EDF Annotations', unit: '', pmin: -1, pmax: 1, dmin: -32768, dmax: 32767, nr: annotationSamples });
  const ns = all.length;
  const reserved = spec.reserved ?? (spec.plus ? `${bdf ? 'BDF' : 'EDF'}+${spec.plus}` : bdf ? '24BIT' : '');
  let head = '';
  head += field(bdf ? '\xffBIOSEMI' : '0', 8);
  head += field('X X X X', 80);
  head += field('Startdate 01-JAN-2020 X X X', 80);
  head += '01.01.20';
  head += '00.00.00';
  head += field(String(256 * (ns + 1)), 8);
  head += field(reserved, 44);
  head += field(String(spec.declaredRecords ?? spec.records), 8);
  head += field(num8(spec.recordSeconds), 8);
  head += field(String(ns), 4);
  const columns: [number, (s: (typeof all)[number]) => string][] = [
    [16, (s) => s.label],
    [80, () => ''],
    [8, (s) => s.unit],
    [8, (s) => num8(s.pmin)],
    [8, (s) => num8(s.pmax)],
    [8, (s) => String(s.dmin)],
    [8, (s) => String(s.dmax)],
    [80, () => ''],
    [8, (s) => String(s.nr)],
    [32, () => ''],
  ];
  for (const [width, value] of columns) for (const s of all) head += field(value(s), width);
  const header = Buffer.from(head, 'latin1');

  const recordSize = all.reduce((n, s) => n + s.nr, 0) * bytesPerSample;
  const data = Buffer.alloc(recordSize * spec.records);
  for (let r = 0; r < spec.records; r++) {
    let at = r * recordSize;
    for (const s of signals) {
      for (let k = 0; k < s.samplesPerRecord; k++, at += bytesPerSample) {
        const v = s.digital[r * s.samplesPerRecord + k];
        if (bytesPerSample === 2) data.writeInt16LE(v, at);
        else data.writeIntLE(v, at, 3);
      }
    }
    if (withAnnotations) {
      const start = spec.recordStarts?.[r] ?? r * spec.recordSeconds;
      const text = Buffer.from(`+${start}\x14\x14\x00${spec.annotations?.(r) ?? ''}`, 'utf8');
      if (text.length > annotationSamples * bytesPerSample) throw new Error(`fixture annotations of record ${r} do not fit in ${annotationSamples * bytesPerSample} bytes`);
      text.copy(data, at);
    }
  }
  return Buffer.concat([header, data]);
}
