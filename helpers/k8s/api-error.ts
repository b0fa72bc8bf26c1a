import { ApiException } from '@kubernetes/client-node';
import { z } from 'zod';
import { redact } from './redact.ts';

/** The parts of a Kubernetes `Status` (or an HTTP failure without one) the suite decides on. */
export interface ApiStatus {
  code: number;
  reason: string;
  message: string;
  causes: { reason?: string; message?: string; field?: string }[];
  /** From the Retry-After header or `details.retryAfterSeconds`. */
  retryAfterSeconds?: number;
}

const StatusBody = z.looseObject({
  kind: z.literal('Status').optional(),
  message: z.string().optional(),
  reason: z.string().optional(),
  code: z.number().optional(),
  details: z
    .looseObject({
      retryAfterSeconds: z.number().optional(),
      causes: z
        .array(
          z.looseObject({
            reason: z.string().optional(),
            message: z.string().optional(),
            field: z.string().optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});

function parseBody(body: unknown): z.infer<typeof StatusBody> | undefined {
  let value = body;
  // client-node 1.4 hands the body over as the raw response text.
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return { message: body.trim().slice(0, 500) };
    }
  }
  const parsed = StatusBody.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

function retryAfterHeader(headers: unknown): number | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== 'retry-after' || typeof value !== 'string') continue;
    const seconds = Number(value);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  }
  return undefined;
}

/** The API status behind an error from client-node (typed APIs, object API, Watch), or undefined. */
export function apiStatusOf(error: unknown): ApiStatus | undefined {
  if (error instanceof KubeApiError) return error.status;
  if (error instanceof ApiException) {
    const body = parseBody(error.body);
    const status: ApiStatus = {
      code: error.code,
      reason: body?.reason ?? '',
      message: body?.message ?? '',
      causes: body?.details?.causes ?? [],
    };
    const retryAfter = retryAfterHeader(error.headers) ?? body?.details?.retryAfterSeconds;
    if (retryAfter !== undefined) status.retryAfterSeconds = retryAfter;
    return status;
  }
  // Watch reports a non-200 answer as an Error carrying `statusCode`.
  if (error instanceof Error && 'statusCode' in error && typeof error.statusCode === 'number') {
    return { code: error.statusCode, reason: '', message: error.message, causes: [] };
  }
  return undefined;
}

export function isNotFound(error: unknown): boolean {
  return apiStatusOf(error)?.code === 404;
}

const networkCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);

/** The system error code of a failed connection (reset, refused…), looking through `cause` chains. */
export function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = 'code' in current ? current.code : undefined;
    if (typeof code === 'string' && networkCodes.has(code)) return code;
    if (/socket hang up/i.test(current.message)) return 'ECONNRESET';
    current = current.cause;
  }
  return undefined;
}

/** One line for an API failure: status, reason, the API's message and its causes, without credentials. */
export function describeApiError(error: unknown): string {
  const status = apiStatusOf(error);
  if (status) {
    const causes = status.causes
      .map((c) => [c.field, c.message].filter(Boolean).join(': '))
      .filter((c) => c && !status.message.includes(c));
    const text = [status.message || 'no message', ...causes].join('; ');
    return redact(`HTTP ${status.code}${status.reason ? ` ${status.reason}` : ''}: ${text}`);
  }
  const code = networkErrorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  return redact(code && !message.includes(code) ? `${code}: ${message}` : message);
}

/** A Kubernetes API call that failed for good; the message names the operation and the API's answer. */
export class KubeApiError extends Error {
  readonly status: ApiStatus | undefined;

  constructor(operation: string, cause: unknown) {
    super(`${operation} failed: ${describeApiError(cause)}`, { cause });
    this.name = 'KubeApiError';
    this.status = apiStatusOf(cause);
  }
}
