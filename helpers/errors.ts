/**
 * An error the user can fix. The CLI prints `message` as one line (problem — fix), without a stack,
 * and exits with `exitCode`.
 */
export class UserError extends Error {
  readonly exitCode: number;

  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.exitCode = options.exitCode ?? 2;
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

/** Normalises anything thrown into an Error, keeping the original as `cause`. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : JSON.stringify(value), { cause: value });
}
