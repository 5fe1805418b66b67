import { type ErrorClass, type ErrorCode, errorClassOf } from './error_codes.ts';

export type { ErrorClass, ErrorCode } from './error_codes.ts';

/**
 * The one error type of headstart. `code` is stable (scripts and tests match
 * on it) and comes from the registry in error_codes.ts; `message` says what
 * went wrong and what to do about it, without naming CLI flags (the CLI adds
 * that advice); `details` carry what a script may want (file, line, field, and
 * `setting`: the name of the setting at fault, which the CLI turns into its
 * flag).
 */
export class HeadstartError extends Error {
  override readonly name = 'HeadstartError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /** The class of the code: usage, input, device, check, interrupted or internal. */
  get errorClass(): ErrorClass {
    return errorClassOf(this.code);
  }
}

export function isHeadstartError(err: unknown, code?: ErrorCode): err is HeadstartError {
  return err instanceof HeadstartError && (code === undefined || err.code === code);
}
