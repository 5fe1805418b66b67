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

/** A field that must be a finite number; the error names file, line and column. */
export function numberField(field: string, source: string, line: number, column: string, code: ErrorCode): number {
  const t = field.trim();
  if (NUMBER.test(t)) return Number(t);
  const shown = t === '' ? 'empty' : JSON.stringify(t.length > 40 ? `${t.slice(0, 40)}...` : t);
  const why = /^[+-]?nan$/i.test(t) ? 'NaN (a gap in the recording); cut or fill gaps before importing' : /^[+-]?inf/i.test(t) ? `${t}; samples must be finite` : `${shown}, not a number`;
  throw new HeadstartError(code, `${source}:${line}: ${column} is ${why}`, { file: source, line });
}
