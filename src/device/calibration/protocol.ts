/**
 * Calibration protocols as data (calibration/*.json, described in
 * calibration/README.md): which gestures, in which order, how long each
 * hold, rest and countdown lasts, and how much of each hold's edges to
 * drop as transition. Validated on load; every problem names the field and
 * the file, so a typo never turns into a half-recorded session.
 */
import { existsSync, readFileSync } from 'node:fs';
import { HeadstartError } from '../../core/errors.ts';
import { findInstallRoot } from '../../io/install_root.ts';
import { isAbsolute, join } from 'node:path';
import { refuseSpecialFile } from '../../io/datasets/file_read.ts';

export const PROTOCOL_FORMAT = 'headstart-calibration-protocol';
export const PROTOCOL_FORMAT_VERSION = 1;

export interface ProtocolGesture {
  /** Stable identifier (lower-case letters, digits, '-'): what `--only` and the profile use. */
  id: string;
  /** Short name shown in tables and the report. */
  label: string;
  /** What the wearer is asked to do, in plain words; `{name}` stands for a number drawn from `generate` afresh at each trial. */
  prompt: string;
  /**
   * Numbers drawn for each trial's prompt, by placeholder name: a whole
   * number from `from` to `to` (both included). A mental task needs new
   * material at each trial: "count down from {start} in steps of {step}".
   */
  generate?: Record<string, NumberRange>;
}

/** Whole numbers from `from` to `to`, both included. */
export interface NumberRange {
  from: number;
  to: number;
}

export type ProtocolOrder = 'blocked' | 'interleaved';

export interface CalibrationProtocol {
  format: typeof PROTOCOL_FORMAT;
  formatVersion: number;
  name: string;
  description?: string;
  gestures: ProtocolGesture[];
  /** Holds of each gesture. Two or more allow leave-one-repetition-out scoring. */
  repetitions: number;
  holdSeconds: number;
  restSeconds: number;
  /** "Get ready" time before each hold, with the prompt shown. */
  countdownSeconds: number;
  /** blocked: every repetition of one gesture, then the next; interleaved: one of each gesture per cycle. */
  order: ProtocolOrder;
  /** Seconds dropped at the start and end of each hold (the wearer moving into and out of the gesture). */
  trim: { startSeconds: number; endSeconds: number };
  /** The gesture `run --sync` asks the wearer to hold after re-wearing (absent: the one that stands out most from rest). */
  syncGesture?: string;
}

const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;
const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9]{0,31}$/;
const PLACEHOLDER = /\{([^{}]*)\}/g;
const GESTURE_FIELDS = ['id', 'label', 'prompt', 'generate'];
const MAX_SECONDS = 600;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates parsed JSON as a protocol; `source` names the file in errors. */
export function parseProtocol(value: unknown, source: string): CalibrationProtocol {
  const bad = (field: string, problem: string): never => {
    throw new HeadstartError('BAD_PROTOCOL', `${source}: ${field} ${problem}; see calibration/README.md for the protocol format`, { file: source, field });
  };
  if (!isObject(value)) bad('the file', 'is not a JSON object');
  const o = value as Json;
  if (o.format !== PROTOCOL_FORMAT) bad('format', `must be "${PROTOCOL_FORMAT}"`);
  if (o.formatVersion !== PROTOCOL_FORMAT_VERSION) bad('formatVersion', `must be ${PROTOCOL_FORMAT_VERSION} (this headstart reads version ${PROTOCOL_FORMAT_VERSION})`);
  const text = (v: unknown, field: string, optional = false): string | undefined => {
    if (optional && v === undefined) return undefined;
    if (typeof v !== 'string' || v.trim() === '') bad(field, 'must be non-empty text');
    // Labels and prompts go to the terminal: a control character (an ANSI escape) would be run, not shown.
    const control = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.exec(v as string);
    if (control) bad(field, `holds a control character (U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}); use plain text`);
    return v as string;
  };
  const seconds = (v: unknown, field: string, min: number): number => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > MAX_SECONDS) bad(field, `must be a number of seconds in ${min}..${MAX_SECONDS}`);
    return v as number;
  };
  const name = text(o.name, 'name')!;
  const description = text(o.description, 'description', true);
  if (!Array.isArray(o.gestures) || o.gestures.length < 2) bad('gestures', 'must list at least two gestures (a head needs two classes to tell apart)');
  const gestures = (o.gestures as unknown[]).map((g, i): ProtocolGesture => {
    if (!isObject(g)) bad(`gestures[${i}]`, 'is not an object {id, label, prompt}');
    const gg = g as Json;
    const id = text(gg.id, `gestures[${i}].id`)!;
    if (!ID_PATTERN.test(id)) bad(`gestures[${i}].id "${id}"`, 'must be lower-case letters, digits and "-" (at most 40)');
    for (const key of Object.keys(gg)) if (!GESTURE_FIELDS.includes(key)) bad(`gestures[${i}] "${key}"`, `is not a gesture field (${GESTURE_FIELDS.join(', ')})`);
    const prompt = text(gg.prompt, `gestures[${i}].prompt`)!;
    const gesture: ProtocolGesture = { id, label: text(gg.label, `gestures[${i}].label`)!, prompt };
    const used = [...prompt.matchAll(PLACEHOLDER)].map((m) => m[1]!);
    if (gg.generate === undefined) {
      if (used.length > 0) bad(`gestures[${i}].prompt`, `uses {${used[0]}} but the gesture has no "generate" saying what number it stands for`);
      return gesture;
    }
    if (!isObject(gg.generate) || Object.keys(gg.generate).length === 0) bad(`gestures[${i}].generate`, 'must be an object of ranges, e.g. {"start": {"from": 1000, "to": 9999}}');
    const generate: Record<string, NumberRange> = {};
    for (const [name, range] of Object.entries(gg.generate as Json)) {
      const field = `gestures[${i}].generate.${name}`;
      if (!NAME_PATTERN.test(name)) bad(field, 'must be named with letters and digits, starting with a letter');
      if (!isObject(range)) bad(field, 'must be a range {"from": whole number, "to": whole number}');
      const r = range as Json;
      for (const key of Object.keys(r)) if (key !== 'from' && key !== 'to') bad(`${field} "${key}"`, 'is not a range field (from, to)');
      const whole = (v: unknown, at: string) => (typeof v === 'number' && Number.isSafeInteger(v) ? v : bad(at, 'must be a whole number'));
      const from = whole(r.from, `${field}.from`);
      const to = whole(r.to, `${field}.to`);
      if (to < from) bad(field, `runs from ${from} down to ${to}; give "from" no larger than "to"`);
      if (!used.includes(name)) bad(field, `is not used in the prompt (put {${name}} where the number goes)`);
      generate[name] = { from, to };
    }
    for (const name of used) if (!(name in generate)) bad(`gestures[${i}].prompt`, `uses {${name}}, which "generate" does not define`);
    return { ...gesture, generate };
  });
  const ids = new Set<string>();
  for (const g of gestures) {
    if (ids.has(g.id)) bad(`gestures id "${g.id}"`, 'appears twice; ids must be unique');
    ids.add(g.id);
  }
  if (!Number.isInteger(o.repetitions) || (o.repetitions as number) < 1 || (o.repetitions as number) > 50) bad('repetitions', 'must be a whole number in 1..50');
  const holdSeconds = seconds(o.holdSeconds, 'holdSeconds', 0.5);
  const restSeconds = seconds(o.restSeconds, 'restSeconds', 0);
  const countdownSeconds = seconds(o.countdownSeconds, 'countdownSeconds', 0);
  if (o.order !== 'blocked' && o.order !== 'interleaved') bad('order', 'must be "blocked" or "interleaved"');
  if (!isObject(o.trim)) bad('trim', 'must be an object {startSeconds, endSeconds}');
  const trim = o.trim as Json;
  const startSeconds = seconds(trim.startSeconds, 'trim.startSeconds', 0);
  const endSeconds = seconds(trim.endSeconds, 'trim.endSeconds', 0);
  if (startSeconds + endSeconds >= holdSeconds) bad('trim', `drops ${startSeconds + endSeconds} s of each ${holdSeconds} s hold: nothing would be left; trim less or hold longer`);
  const syncGesture = text(o.syncGesture, 'syncGesture', true);
  if (syncGesture !== undefined && !gestures.some((g) => g.id === syncGesture)) bad('syncGesture', `must be one of the protocol's gesture ids (${gestures.map((g) => g.id).join(', ')})`);
  const known = new Set(['format', 'formatVersion', 'name', 'description', 'gestures', 'repetitions', 'holdSeconds', 'restSeconds', 'countdownSeconds', 'order', 'trim', 'syncGesture']);
  for (const key of Object.keys(o)) if (!known.has(key)) bad(`"${key}"`, 'is not a protocol field (a typo?)');
  return {
    format: PROTOCOL_FORMAT,
    formatVersion: PROTOCOL_FORMAT_VERSION,
    name,
    ...(description === undefined ? {} : { description }),
    gestures,
    repetitions: o.repetitions as number,
    holdSeconds,
    restSeconds,
    countdownSeconds,
    order: o.order as ProtocolOrder,
    trim: { startSeconds, endSeconds },
    ...(syncGesture === undefined ? {} : { syncGesture }),
  };
}

/**
 * A relative protocol path that names nothing from here but one of the
 * shipped protocols (calibration/myo7.json) is read from the install, so the
 * documented commands work outside the headstart folder.
 */
function protocolPath(given: string): string {
  if (isAbsolute(given) || existsSync(given)) return given;
  const root = findInstallRoot('calibration');
  const shipped = root ? join(root, given) : undefined;
  return shipped && existsSync(shipped) ? shipped : given;
}

/** Reads and validates a protocol file. */
export function loadProtocol(given: string): CalibrationProtocol {
  const path = protocolPath(given);
  let text: string;
  refuseSpecialFile(path, 'a calibration protocol (JSON)');
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new HeadstartError('FILE_NOT_FOUND', `${path}: no such protocol file; the shipped ones are in calibration/ (myo7.json, quick5.json)`, { file: path });
    throw new HeadstartError('FILE_ACCESS', `${path}: cannot read (${code ?? (err as Error).message})`, { file: path });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new HeadstartError('BAD_PROTOCOL', `${path}: not valid JSON (${(err as Error).message}); fix the file or start from calibration/quick5.json`, { file: path });
  }
  return parseProtocol(json, path);
}

/**
 * A gesture's prompt for one trial: each `{name}` replaced by a whole number
 * drawn from its range with `random` (uniform in [0, 1)); the prompt as
 * written when the gesture generates nothing.
 */
export function trialPrompt(gesture: ProtocolGesture, random: () => number = Math.random): string {
  const generate = gesture.generate;
  if (!generate) return gesture.prompt;
  const drawn = new Map(Object.entries(generate).map(([name, { from, to }]) => [name, from + Math.min(to - from, Math.floor(random() * (to - from + 1)))]));
  return gesture.prompt.replace(PLACEHOLDER, (whole, name: string) => String(drawn.get(name) ?? whole));
}

/** The gesture with this id, or a clear error listing the ones there are. */
export function gestureIndex(protocol: CalibrationProtocol, id: string): number {
  const i = protocol.gestures.findIndex((g) => g.id === id);
  if (i < 0) {
    throw new HeadstartError('UNKNOWN_GESTURE', `protocol '${protocol.name}' has no gesture '${id}'; its gestures are ${protocol.gestures.map((g) => g.id).join(', ')}`, { gesture: id });
  }
  return i;
}
