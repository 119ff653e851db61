import type { z } from 'zod';

import { AdminApiError } from './admin-api.error.ts';

/** Deeper than any record the admin API stores; deeper input is refused before it can exhaust the stack. */
export const maxJsonDepth = 32;

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why PostgreSQL would refuse `text` (in text and in jsonb), or undefined when it can store it. */
function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) {
    return 'must not contain NUL characters';
  }
  return loneSurrogate.test(text) ? 'must be valid Unicode text (it holds a lone surrogate)' : undefined;
}

/**
 * The first place in parsed JSON that cannot be stored: a NUL character or a lone UTF-16 surrogate in
 * a key or a string (PostgreSQL refuses both in jsonb, and NUL in text), or nesting deeper than
 * `maxJsonDepth` (hashing and serialising recurse). Walks iteratively, so hostile nesting cannot
 * overflow the stack here either.
 */
export function unstorableJson(value: unknown): { field: string; message: string } | undefined {
  const pending: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value: item, path } = next;
    const problem = typeof item === 'string' ? textProblem(item) : undefined;
    if (problem) {
      return { field: path.join('.') || '(body)', message: problem };
    }
    if (typeof item !== 'object' || item === null) {
      continue;
    }
    if (path.length >= maxJsonDepth) {
      return { field: path.join('.'), message: `must not nest deeper than ${maxJsonDepth} levels` };
    }
    for (const [key, child] of Object.entries(item)) {
      const keyProblem = textProblem(key);
      if (keyProblem) {
        return { field: [...path, JSON.stringify(key).slice(1, -1)].join('.'), message: `field name ${keyProblem}` };
      }
      pending.push({ value: child, path: [...path, key] });
    }
  }
  return undefined;
}

/** Field path → first message, with `(body)` for errors about the whole value. */
/** zod's wording for a missing or mistyped value, made readable for a form ("is required"). */
function messageOf(issue: z.ZodError['issues'][number]): string {
  if (issue.code !== 'invalid_type') {
    return issue.message;
  }
  if (/received undefined$/.test(issue.message)) {
    return 'is required';
  }
  return issue.expected === 'array' ? 'must be a list' : `must be ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
}

export function fieldErrorsOf(error: z.ZodError): Record<string, string> {
  // No prototype: an unknown field named "__proto__" must be reported, not swallowed by the setter.
  const errors = Object.create(null) as Record<string, string>;
  for (const issue of error.issues) {
    const field = issue.path.map(String).join('.') || '(body)';
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        errors[[...issue.path.map(String), key].join('.')] ??= 'unknown field';
      }
      continue;
    }
    errors[field] ??= messageOf(issue);
  }
  return errors;
}

/** Parses untrusted input; answers 422 with every field's problem. */
export function parseBody<T>(schema: z.ZodType<T>, input: unknown): T {
  if (input === undefined || input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new AdminApiError('bad_request', 'The request body must be a JSON object');
  }
  const unstorable = unstorableJson(input);
  if (unstorable) {
    throw AdminApiError.validation({ [unstorable.field]: unstorable.message });
  }
  const result = schema.safeParse(input);
  if (!result.success) {
    throw AdminApiError.validation(fieldErrorsOf(result.error));
  }
  return result.data;
}
