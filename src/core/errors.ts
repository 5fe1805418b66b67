/**
 * The one error type of headstart. `code` is stable (scripts and tests match
 * on it); `message` says what went wrong and what to do about it.
 */
export class HeadstartError extends Error {
  override readonly name = 'HeadstartError';
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export function isHeadstartError(err: unknown, code?: string): err is HeadstartError {
  return err instanceof HeadstartError && (code === undefined || err.code === code);
}
