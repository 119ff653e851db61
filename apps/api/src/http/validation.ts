import type { z } from 'zod';

import { AdminApiError } from './admin-api.error.ts';

/** Field path → first message, with `(body)` for errors about the whole value. */
export function fieldErrorsOf(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = issue.path.map(String).join('.') || '(body)';
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        errors[[...issue.path.map(String), key].join('.')] ??= 'unknown field';
      }
      continue;
    }
    errors[field] ??= issue.message;
  }
  return errors;
}

/** Parses untrusted input; answers 422 with every field's problem. */
export function parseBody<T>(schema: z.ZodType<T>, input: unknown): T {
  if (input === undefined || input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new AdminApiError('bad_request', 'The request body must be a JSON object');
  }
  const result = schema.safeParse(input);
  if (!result.success) {
    throw AdminApiError.validation(fieldErrorsOf(result.error));
  }
  return result.data;
}
