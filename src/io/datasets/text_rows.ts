/**
 * Lines and numbers of the text recordings that boards' own software writes
 * (OpenBCI GUI, BrainFlow): one sample per line, a fixed number of fields.
 */
import { type ErrorCode, HeadstartError } from '../../core/errors.ts';

export interface TextLine {
  /** 1-based line number in the file. */
  line: number;
  text: string;
}

/** The file's non-blank lines with their numbers (a byte-order mark and CR line ends are taken off). */
export function contentLines(text: string): TextLine[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n|\r/);
  const out: TextLine[] = [];
  for (let i = 0; i < lines.length; i++) if (lines[i].trim() !== '') out.push({ line: i + 1, text: lines[i] });
  return out;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The largest magnitude a sample holds (samples are float32): 1e400, or 1e39, would become Infinity. */
export const MAX_SAMPLE_MAGNITUDE = 3.4028234663852886e38;

/** Why a number written out in full cannot be a sample, or undefined when it can. */
export function outOfSampleRange(value: number): string | undefined {
  return Math.abs(value) <= MAX_SAMPLE_MAGNITUDE ? undefined : 'beyond the range of a sample (at most about 3.4e38 either way); samples must be finite numbers';
}

/** A field that must be a finite number; the error names file, line and column. */
export function numberField(field: string, source: string, line: number, column: string, code: ErrorCode): number {
  const t = field.trim();
  if (NUMBER.test(t)) {
    const value = Number(t);
    const outside = outOfSampleRange(value);
    if (outside === undefined) return value;
    throw new HeadstartError(code, `${source}:${line}: ${column} is ${t}, ${outside}`, { file: source, line });
  }
  const shown = t === '' ? 'empty' : JSON.stringify(t.length > 40 ? `${t.slice(0, 40)}...` : t);
  const why = /^[+-]?nan$/i.test(t) ? 'NaN (a gap in the recording); cut or fill gaps before importing' : /^[+-]?inf/i.test(t) ? `${t}; samples must be finite` : `${shown}, not a number`;
  throw new HeadstartError(code, `${source}:${line}: ${column} is ${why}`, { file: source, line });
}
