/**
 * The options every verb shares, and the one number parser, so that a flag
 * means the same and is checked the same way in every verb. Values are parsed
 * by commander while it reads the command line, before any action runs: a
 * typo never opens a port, loads a package or touches the data folder.
 *
 * Ranges are bounded where a value sizes memory (votes, queues, windows,
 * batches): a huge number is refused with the range, not allocated.
 */
import { Option } from 'commander';
import { HeadstartError } from '../core/errors.ts';
import { RUNTIME_CHOICES } from '../io/runtime/open_runtime.ts';
import type { RuntimeChoice } from '../io/runtime/types.ts';
import { checkUserName } from '../device/profiles/profile.ts';

export interface NumberSpec {
  /** Whole numbers only. */
  integer?: boolean;
  /** Least value allowed (inclusive). */
  min?: number;
  /** Values must be above this (exclusive). */
  above?: number;
  /** Greatest value allowed (inclusive). */
  max?: number;
}

/** Plain decimal numbers, with an exponent if need be: no hex, no "Infinity", no empty text. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** What a spec allows, as a phrase: "a whole number from 1 to 1000", "a number above 0 and at most 100". */
export function describeNumberSpec(spec: NumberSpec): string {
  const kind = spec.integer ? 'a whole number' : 'a number';
  if (spec.min !== undefined && spec.max !== undefined) return `${kind} from ${spec.min} to ${spec.max}`;
  const bounds: string[] = [];
  if (spec.min !== undefined) bounds.push(`of at least ${spec.min}`);
  if (spec.above !== undefined) bounds.push(`above ${spec.above}`);
  if (spec.max !== undefined) bounds.push(`at most ${spec.max}`);
  return bounds.length === 0 ? kind : `${kind} ${bounds.join(' and ')}`;
}

/** The one number parser of the CLI: `flag` and the text given are named in the error. */
export function parseNumber(flag: string, text: string, spec: NumberSpec = {}): number {
  const trimmed = text.trim();
  const n = DECIMAL.test(trimmed) ? Number(trimmed) : Number.NaN;
  const fits =
    Number.isFinite(n) &&
    (!spec.integer || Number.isSafeInteger(n)) &&
    (spec.min === undefined || n >= spec.min) &&
    (spec.above === undefined || n > spec.above) &&
    (spec.max === undefined || n <= spec.max);
  if (!fits) {
    throw new HeadstartError('BAD_OPTION', `${flag} must be ${describeNumberSpec(spec)}, got ${JSON.stringify(text)}`, { option: flag, got: text });
  }
  return n;
}

/** A comma-separated list of numbers, each checked with `spec`; empty entries are refused. */
export function parseNumberList(flag: string, text: string, spec: NumberSpec = {}): number[] {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.some((p) => p === '')) {
    throw new HeadstartError('BAD_OPTION', `${flag} must be a comma-separated list, each ${describeNumberSpec(spec)}, got ${JSON.stringify(text)}`, { option: flag, got: text });
  }
  return parts.map((p) => parseNumber(flag, p, spec));
}

function longName(flags: string): string {
  const long = new Option(flags).long;
  if (!long) throw new HeadstartError('INTERNAL', `option ${flags} has no long name`);
  return long;
}

/** Text that must not be empty (a path, a name). */
function nonEmpty(flag: string): (text: string) => string {
  return (text) => {
    if (text.trim() === '') throw new HeadstartError('BAD_OPTION', `${flag} needs a value, got an empty one`, { option: flag, got: text });
    return text;
  };
}

/** A number option; `defaultValue` is shown in the help. */
export function numberOption(flags: string, description: string, spec: NumberSpec, defaultValue?: number): Option {
  const flag = longName(flags);
  const option = new Option(flags, description).argParser((text: string) => parseNumber(flag, text, spec));
  return defaultValue === undefined ? option : option.default(defaultValue);
}

/** A comma-separated list of numbers; `defaultText` is the default as it would be typed. */
export function numberListOption(flags: string, description: string, spec: NumberSpec, defaultText?: string): Option {
  const flag = longName(flags);
  const option = new Option(flags, description).argParser((text: string) => parseNumberList(flag, text, spec));
  return defaultText === undefined ? option : option.default(parseNumberList(flag, defaultText, spec), defaultText);
}

/** A text option that must not be empty (names, paths that the verb checks when it opens them). */
export function textOption(flags: string, description: string): Option {
  return new Option(flags, description).argParser(nonEmpty(longName(flags)));
}

/** One of a few words; commander refuses anything else, naming the choices. */
export function choiceOption<T extends string>(flags: string, description: string, choices: readonly T[], defaultValue?: T): Option {
  const option = new Option(flags, description).choices(choices);
  return defaultValue === undefined ? option : option.default(defaultValue);
}

/** A seed: the same seed gives the same result. */
export function seedOption(description: string, defaultValue: number): Option {
  return numberOption('--seed <n>', description, { integer: true, min: 0, max: 0xffffffff }, defaultValue);
}

export const PORT_DESCRIPTION = 'serial port of the sensor board running the firmware-bridge sketch (`headstart ports` lists them; a `headstart sim` pseudo-terminal works too)';

/** `--port <path>`: the board's serial port, required by the verbs that talk to a board. */
export function portOption(description = PORT_DESCRIPTION): Option {
  return textOption('--port <path>', description).makeOptionMandatory();
}

/** Serial speeds are whole bits per second; more than this no USB serial adapter runs. */
export const MAX_BAUD = 20_000_000;

/** `--baud <rate>`: a whole positive number of bits per second, everywhere. */
export function baudOption(defaultBaud: number, description = 'baud rate of the serial link (the reference sketch uses 500000)'): Option {
  return numberOption('--baud <rate>', description, { integer: true, min: 1, max: MAX_BAUD }, defaultBaud);
}

export const RUNTIME_DESCRIPTION = 'extractor runtime: auto (the official TensorFlow Lite runtime when it loads, else the TypeScript int8 interpreter), native or ts';

/** `--runtime auto|native|ts`: which runtime runs a .tflite model. */
export function runtimeOption(description = RUNTIME_DESCRIPTION, defaultValue: RuntimeChoice = 'auto'): Option {
  return choiceOption('--runtime <kind>', description, RUNTIME_CHOICES, defaultValue);
}

/** evaluate's extractor choices: the float tfjs model, or the int8 .tflite on one of the runtimes. */
export type EvaluateRuntime = 'float' | RuntimeChoice;
export const EVALUATE_RUNTIMES: readonly EvaluateRuntime[] = ['float', ...RUNTIME_CHOICES];

/** `--package <dir>`: a model package folder (checked when it is loaded, with the file named). */
export function packageOption(description: string): Option {
  return textOption('--package <dir>', description);
}

export const DATA_DIR_DESCRIPTION = 'where profiles and calibration recordings live (default $HEADSTART_DATA_DIR, else ~/.headstart)';

/** `--data-dir <dir>`: the device's state folder. */
export function dataDirOption(description = DATA_DIR_DESCRIPTION): Option {
  return textOption('--data-dir <dir>', description);
}

/** `--profile <user>`: a wearer's profile name, checked as the profile store checks it. */
export function profileOption(description: string): Option {
  return new Option('--profile <user>', description).argParser((text: string) => {
    checkUserName(text);
    return text;
  });
}

/** Sample rates above this are no sensor's (and would size resampling filters absurdly). */
export const MAX_RATE = 1_000_000;
