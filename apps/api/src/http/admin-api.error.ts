/**
 * @overview The admin API's one error class. A closed set of codes, each with its HTTP status; the
 * problem filter is the only place that turns them into responses.
 */
export const adminErrorStatus = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  validation_failed: 422,
  too_many_requests: 429,
  unavailable: 503,
} as const;

export type AdminErrorCode = keyof typeof adminErrorStatus;

export class AdminApiError extends Error {
  constructor(
    readonly code: AdminErrorCode,
    message: string,
    /** Field-level messages, keyed by the field's path (`scopes.0.risk`), as react-admin forms read them. */
    readonly fieldErrors?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AdminApiError';
  }

  get status(): number {
    return adminErrorStatus[this.code];
  }

  static validation(fieldErrors: Record<string, string>): AdminApiError {
    const summary = Object.entries(fieldErrors)
      .map(([field, message]) => `${field}: ${message}`)
      .join('; ');
    return new AdminApiError('validation_failed', `Validation failed: ${summary}`, fieldErrors);
  }
}
