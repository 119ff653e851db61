/** Field rules shared by the admin resources, so the same kind of value is checked the same way. */
import { z } from 'zod';

import { AdminApiError } from '../http/admin-api.error.ts';

export const name = z.string().trim().min(1, 'must not be empty').max(200);
export const description = z.string().trim().max(2000).nullable();
export const email = z.email().max(320).transform((value) => value.toLowerCase());
export const owner = email;
export const httpsUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2048);
export const slug = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be lowercase letters, digits and single dashes')
  .max(64);
/** RFC 6749 §3.3 scope-token: printable ASCII except space, quote and backslash. */
export const scopeToken = z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/, 'must be a scope token without spaces');
export const uniqueList = <T extends z.ZodType>(item: T, max = 200) =>
  z
    .array(item)
    .max(max)
    .refine((items) => new Set(items).size === items.length, 'must not repeat a value');
export const jsonWebKeySet = z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1).max(20) }).nullable();
export const dateTime = z.coerce.date({ error: 'must be a date and time' }).nullable();

/** Sorting and searching fields most resources share. */
export const timestamps = ['createdAt', 'updatedAt'] as const;

/** Throws 422 when any of `problems` is set. */
export function requireValid(problems: Record<string, string | false | undefined>): void {
  const messages = Object.fromEntries(
    Object.entries(problems).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
  if (Object.keys(messages).length > 0) {
    throw AdminApiError.validation(messages);
  }
}

/** The value a field will have after an update: the input's when given, else the existing row's. */
export function merged<T>(input: Record<string, unknown>, existing: Record<string, unknown> | undefined, field: string): T {
  return (field in input ? input[field] : existing?.[field]) as T;
}
