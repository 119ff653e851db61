/** Field rules shared by the admin resources, so the same kind of value is checked the same way. */
import { z } from 'zod';

import { AdminApiError } from '../http/index.ts';

export const name = z.string().trim().min(1, 'must not be empty').max(200);
export const description = z.string().trim().max(2000).nullable();
export const email = z.email().max(320).transform((value) => value.toLowerCase());
export const owner = email;
/** At most 2048 bytes, not characters: an issuer is a unique index key, and PostgreSQL caps those near 2.7 kB. */
export const httpsUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .max(2048)
  .refine((url) => Buffer.byteLength(url, 'utf8') <= 2048, 'must be at most 2048 bytes long');
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
/** RFC 7518 §6.2.2, §6.3.2 and §6.4.1: the members that make a JWK private (or symmetric) key material. */
const privateKeyMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const publicJsonWebKey = z
  .record(z.string(), z.unknown())
  .refine((key) => !privateKeyMembers.some((member) => Object.hasOwn(key, member)), {
    message: `must be a public key: remove the private members (${privateKeyMembers.join(', ')})`,
  });
/** Public keys only: a JWKS is stored, shown and audited in the clear, so a private key must never enter it. */
export const jsonWebKeySet = z.object({ keys: z.array(publicJsonWebKey).min(1).max(20) }).nullable();
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

/**
 * The update schema of a resource: every field optional and, unlike zod's `.partial()`, without its
 * default, so a field left out of an update keeps its stored value instead of being reset.
 */
export function forUpdate<Shape extends z.ZodRawShape>(schema: z.ZodObject<Shape>): z.ZodType<Record<string, unknown>> {
  const fields = Object.entries(schema.shape).map(([key, type]) => {
    const withoutDefault = type instanceof z.ZodDefault ? (type.unwrap() as z.ZodType) : (type as z.ZodType);
    return [key, withoutDefault.optional()] as const;
  });
  return z.strictObject(Object.fromEntries(fields));
}
