/**
 * @overview Verification of a `private_key_jwt` client assertion (RFC 7523 §2.2, §3) against the
 * client's registered keys only. Single use of `jti` is the caller's job (it needs Redis).
 *
 * Decisions (SPEC.md §7):
 * - `aud`: exactly Crossgate's issuer identifier, as a string or a one-element array. The token
 *   endpoint URL is NOT accepted, and neither is an array with any other member: the working
 *   assumption from draft-ietf-oauth-rfc7523bis, which narrows client-assertion audiences to the
 *   AS issuer to close the audience-injection attack (an assertion made for one AS, replayed at
 *   another that shares the token endpoint or accepts several audiences).
 * - `typ`: absent, `JWT`, or `client-authentication+jwt` (rfc7523bis explicit typing). Every other
 *   value is refused, in particular the kinds Crossgate issues or receives (`oauth-id-jag+jwt`,
 *   `at+jwt`, `secevent+jwt`), so no other JWT can stand in for an assertion (RFC 8725 §3.11/§3.12).
 * - `iss` = `sub` = client_id; `exp` and `jti` required; `exp` at most 5 minutes after `iat` and
 *   after now (plus the clock tolerance); `iat`, when present, not in the future; `nbf` honoured.
 * - Asymmetric algorithms only: `none` and HS* (a client secret used as an HMAC key) are refused
 *   before any key is looked up.
 *
 * @see RFC 7523 §3, RFC 7521 §5.2, RFC 8725 §3.1, §3.9, §3.11
 */
import { decodeJwt } from 'jose';

import {
  assertIssuedInPast,
  assertSingleAudience,
  asymmetricAlgorithms,
  defaultClockToleranceSeconds,
  inspectJwt,
  type JwtKeyResolver,
  normalizeMediaType,
  optionalNumericDate,
  requireString,
  TokenError,
  verifyJwt,
} from '@crossgate/token';

import { maxAssertionBytes } from './presented-credentials.ts';

export const maxAssertionLifetimeSeconds = 300;
export const assertionClockToleranceSeconds = defaultClockToleranceSeconds;

const acceptedTypes = new Set(['application/jwt', 'application/client-authentication+jwt']);

function isClientAssertionType(typ: string | undefined): boolean {
  return typ === undefined || acceptedTypes.has(normalizeMediaType(typ));
}

/**
 * The structural checks and the unverified subject: which client the assertion claims to be, so its
 * keys can be found. Nothing returned here is authenticated.
 */
export function claimedClientId(assertion: string): string {
  inspectJwt(assertion, { maxBytes: maxAssertionBytes, algorithms: asymmetricAlgorithms, acceptType: isClientAssertionType });
  let payload: Record<string, unknown>;
  try {
    payload = decodeJwt(assertion);
  } catch (cause) {
    throw new TokenError('malformed', 'The assertion payload is not a JWT claims set', { cause });
  }
  return requireString(payload, 'sub', 255);
}

export interface VerifiedClientAssertion {
  jti: string;
  /** `exp`, seconds since the epoch. */
  expiresAt: number;
}

/**
 * Verifies signature and claims. Throws {@link TokenError}; the caller maps every code to
 * `invalid_client`.
 */
export async function verifyClientAssertion(
  assertion: string,
  options: { clientId: string; audience: string; keys: JwtKeyResolver; now: Date },
): Promise<VerifiedClientAssertion> {
  const tolerance = assertionClockToleranceSeconds;
  const inspected = inspectJwt(assertion, { maxBytes: maxAssertionBytes, algorithms: asymmetricAlgorithms, acceptType: isClientAssertionType });
  const payload = await verifyJwt(inspected, options.keys, {
    issuer: options.clientId,
    subject: options.clientId,
    now: options.now,
    clockToleranceSeconds: tolerance,
    requiredClaims: ['iss', 'sub', 'aud', 'exp', 'jti'],
  });
  assertSingleAudience(payload['aud'], options.audience);
  const jti = requireString(payload, 'jti', 256);
  const expiresAt = optionalNumericDate(payload, 'exp')!;
  const issuedAt = optionalNumericDate(payload, 'iat');
  const nowSeconds = Math.floor(options.now.getTime() / 1000);
  if (issuedAt !== undefined) {
    assertIssuedInPast(issuedAt, options.now, tolerance);
    if (expiresAt - issuedAt > maxAssertionLifetimeSeconds) {
      throw new TokenError('lifetime_too_long', `A client assertion may live at most ${maxAssertionLifetimeSeconds} s`);
    }
  }
  if (expiresAt - nowSeconds > maxAssertionLifetimeSeconds + tolerance) {
    throw new TokenError('lifetime_too_long', `A client assertion may expire at most ${maxAssertionLifetimeSeconds} s from now`);
  }
  return { jti, expiresAt };
}
