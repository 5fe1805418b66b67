/**
 * How a failure leaves the CLI: one line naming what went wrong and its code,
 * the CLI's advice, and an exit status by the code's class. Under --json the
 * same as one JSON object on stderr and nothing else.
 */
import { CommanderError, type Command } from 'commander';
import { ERROR_CLASSES, type ErrorClass } from '../core/error_codes.ts';
import { HeadstartError, type ErrorCode } from '../core/errors.ts';
import { hintsFor } from './hints.ts';

/** Exit status per class of error; 0 is success. */
export const EXIT_STATUS: Record<ErrorClass, number> = {
  check: 1,
  usage: 2,
  input: 3,
  device: 4,
  internal: 70,
  interrupted: 130,
};

/** The exit status of a verb that ran to the end. */
export const EXIT_OK = 0;

const COMMANDER_CODES: Record<string, ErrorCode> = {
  'commander.unknownOption': 'UNKNOWN_OPTION',
  'commander.unknownCommand': 'UNKNOWN_OPTION',
  'commander.excessArguments': 'UNKNOWN_OPTION',
  'commander.missingArgument': 'MISSING_OPTION',
  'commander.optionMissingArgument': 'MISSING_OPTION',
  'commander.missingMandatoryOptionValue': 'MISSING_OPTION',
  'commander.invalidArgument': 'BAD_OPTION',
  'commander.conflictingOption': 'BAD_OPTION',
};

/** Errors from the operating system about a path, when a layer below did not catch them. */
const FILE_ERRNO: Record<string, ErrorCode> = {
  ENOENT: 'FILE_NOT_FOUND',
  EACCES: 'FILE_ACCESS',
  EPERM: 'FILE_ACCESS',
  EISDIR: 'WRONG_PATH_TYPE',
  ENOTDIR: 'WRONG_PATH_TYPE',
  ENOSPC: 'FILE_ACCESS',
  EROFS: 'FILE_ACCESS',
  EEXIST: 'FILE_EXISTS',
};

/** Every failure as a HeadstartError: commander's usage errors, a file error from the system, or (anything else) a bug. */
export function asHeadstartError(err: unknown): HeadstartError {
  if (err instanceof HeadstartError) return err;
  if (err instanceof CommanderError) {
    return new HeadstartError(COMMANDER_CODES[err.code] ?? 'BAD_OPTION', err.message.replace(/^error: /, ''), { commanderCode: err.code });
  }
  const sys = err as NodeJS.ErrnoException;
  if (err instanceof Error && typeof sys.code === 'string' && typeof sys.path === 'string' && FILE_ERRNO[sys.code]) {
    return new HeadstartError(FILE_ERRNO[sys.code]!, `${sys.path}: ${sys.message.replace(/^[A-Z]+: /, '')}`, { file: sys.path, errno: sys.code });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new HeadstartError('INTERNAL', `internal error: ${message}`, { stack: err instanceof Error ? err.stack : undefined });
}

/** `headstart run`, `headstart profile show`: the command line that names a verb. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

export interface ReportOptions {
  /** The verb that failed, when known: its options decide the hints, its name the help pointer. */
  command?: Command;
  /** One JSON object on stderr instead of text. */
  json: boolean;
  write: (text: string) => void;
  /** Print an internal error's stack (HEADSTART_DEBUG is set). */
  debug?: boolean;
}

function jsonSafe(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
  if (typeof value === 'bigint') return String(value);
  return value;
}

/** Writes the failure and returns the exit status for it. */
export function reportError(failure: unknown, options: ReportOptions): number {
  const err = asHeadstartError(failure);
  const errorClass = err.errorClass;
  const hints = hintsFor(err, options.command);
  const help = errorClass === 'usage' ? `${options.command ? commandPath(options.command) : 'headstart'} --help` : undefined;
  if (options.json) {
    const { stack: _stack, ...details } = err.details;
    const body = { ...details, code: err.code, class: errorClass, message: err.message, ...(hints.length ? { hint: hints.join('; ') } : {}), ...(help ? { help } : {}) };
    let line: string;
    try {
      line = JSON.stringify({ error: body }, jsonSafe);
    } catch {
      line = JSON.stringify({ error: { code: err.code, class: errorClass, message: err.message } });
    }
    options.write(line + '\n');
    return EXIT_STATUS[errorClass];
  }
  const lines = [`headstart: ${err.message} [${err.code}]`, ...hints.map((h) => `hint: ${h}`)];
  if (help) lines.push(`see ${help}`);
  if (errorClass === 'internal') {
    const stack = err.details['stack'];
    if (options.debug && typeof stack === 'string') lines.push(stack);
    else lines.push('this is a bug in headstart; HEADSTART_DEBUG=1 shows where it happened');
  }
  options.write(lines.join('\n') + '\n');
  return EXIT_STATUS[errorClass];
}

/** The exit statuses as `headstart --help` and the README list them: [status, what it means]. */
export function exitStatusRows(): [string, string][] {
  const classes = (Object.keys(EXIT_STATUS) as ErrorClass[]).sort((a, b) => EXIT_STATUS[a] - EXIT_STATUS[b]);
  return [
    [String(EXIT_OK), 'done (calibrate: whatever the verdict; run and sim: also when stopped with Ctrl-C, SIGTERM or SIGHUP)'],
    ...classes.map((c): [string, string] => [String(EXIT_STATUS[c]), `${c}: ${ERROR_CLASSES[c]}`]),
  ];
}
