/**
 * @overview Secrets the admin API hands out or accepts: passwords (argon2id), and random bearer
 * values (session cookies, CSRF tokens, API tokens) of which only a SHA-256 digest is stored.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

import { hash, verify } from '@node-rs/argon2';

export const apiTokenPrefix = 'cg_';

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** A hash of a random password, checked when the account does not exist so timing reveals nothing. */
let decoyHash: Promise<string> | undefined;

export async function verifyPassword(passwordHash: string | null | undefined, password: string): Promise<boolean> {
  const target = passwordHash ?? (await (decoyHash ??= hash(randomBytes(16).toString('hex'))));
  const matches = await verify(target, password).catch(() => false);
  return matches && passwordHash !== null && passwordHash !== undefined;
}

export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function digestMatches(value: string, expectedDigest: string): boolean {
  const actual = Buffer.from(digest(value), 'hex');
  const expected = Buffer.from(expectedDigest, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A new API token: the value (shown once), the digest to store and a prefix people can recognise. */
export function newApiToken(): { value: string; digest: string; prefix: string } {
  const value = `${apiTokenPrefix}${randomSecret(32)}`;
  return { value, digest: digest(value), prefix: value.slice(0, apiTokenPrefix.length + 6) };
}
