/**
 * The one error type features throw. `code` is stable (clients and the bot branch on it); the HTTP layer maps codes
 * to statuses in one place, so features never choose a status. `message` is safe to show to the caller: Chinese
 * first, then English.
 */
export const errorCodes = [
  'VALIDATION_FAILED',
  'INVALID_JSON',
  'UNSUPPORTED_MEDIA_TYPE',
  'PAYLOAD_TOO_LARGE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'ROUTE_NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'CONFLICT',
  'INVALID_TRANSITION',
  'JOB_NOT_OPEN',
  'APPLICATION_EXISTS',
  'BOOKING_CONFLICT',
  'IMMUTABLE',
  'INVALID_COMPETENCY_MODEL',
  'RATE_LIMITED',
  'SIGN_IN_FAILED',
  'CONSENT_REQUIRED',
  'SELF_SERVICE_CLOSED',
  'SLOT_UNAVAILABLE',
  'CALLBACK_REJECTED',
  'CHAT_NOT_VERIFIED',
  'DATABASE_UNAVAILABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues: readonly FieldIssue[] = [],
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(message, options);
    this.name = 'AppError';
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  /** For RATE_LIMITED: when the caller may try again (sent as Retry-After). */
  readonly retryAfterSeconds: number | undefined;
}

export const notFound = (what: string, zh: string) => new AppError('NOT_FOUND', `找不到该${zh}。${what} not found.`);
