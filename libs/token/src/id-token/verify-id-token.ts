/**
 * @overview Validation of an upstream IdP's OIDC ID token presented as the `subject_token` of a
 * token exchange. Only the configured issuer's keys are used; the token is refused unless its
 * `iss` is exactly the configured issuer and its audience is exactly the authenticated client's
 * id at that IdP.
 *
 * Decisions:
 * - `typ`: absent or `JWT` (any case, with or without `application/`). Every other value is
 *   refused, in particular the explicitly typed kinds Crossgate issues or receives
 *   (`oauth-id-jag+jwt`, `at+jwt`, `secevent+jwt`, `client-authentication+jwt`, `logout+jwt`,
 *   `dpop+jwt`): an allow-list, so a kind we have not thought of is refused too.
 * - `aud`: the client id as a string or a one-element array. OIDC Core §2 lets an ID token have
 *   several audiences (then `azp` names the client); Crossgate refuses such tokens outright, since
 *   a token also meant for other parties could be replayed by any of them. When `azp` is present
 *   it must equal the client id too (OIDC Core §3.1.3.7 step 5).
 * - `maxAgeSeconds` bounds the token's age (`now − iat`). Recency of the user's authentication
 *   (`auth_time`) is a policy question; the claim is returned for the policy to judge.
 * - The groups claim is read from one top-level claim whose name is configured per IdP (no dotted
 *   paths: namespaced claim names such as `https://example.com/groups` contain dots).
 *
 * @see OpenID Connect Core 1.0 §2, §3.1.3.7
 * @see draft-ietf-oauth-identity-assertion-authz-grant-03 §4.3 (SPEC.md §2.2)
 * @see RFC 8725 (SPEC.md §7)
 */
import { decodeJwt } from 'jose';

import {
  assertAlgorithms,
  assertClockTolerance,
  assertIssuedInPast,
  assertSingleAudience,
  asymmetricAlgorithms,
  type AsymmetricAlgorithm,
  defaultClockToleranceSeconds,
  defaultMaxTokenBytes,
  inspectJwt,
  type JwtKeyResolver,
  normalizeMediaType,
  optionalNumericDate,
  optionalString,
  optionalStringArray,
  definedOnly,
  requireString,
} from '../jwt/jwt-guard.ts';
import { verifyJwt } from '../jwt/compact-jws.ts';
import { TokenError } from '../token.error.ts';

export interface VerifyIdTokenOptions {
  /** The trusted IdP's issuer identifier exactly as configured (no trailing-slash normalisation). */
  issuer: string;
  /** The authenticated client's id at that IdP. */
  audience: string;
  /** Keys of that IdP only: `RemoteJwksCache.keyResolver(jwksUri)` or `createPinnedKeyResolver(jwks)`. */
  keys: JwtKeyResolver;
  now: Date;
  /** Default 30, at most 60. */
  clockToleranceSeconds?: number;
  /** Refuse tokens issued more than this many seconds ago. */
  maxAgeSeconds?: number;
  /** Default: every asymmetric algorithm (RS*, PS*, ES256, ES384, EdDSA). */
  allowedAlgorithms?: readonly AsymmetricAlgorithm[];
  /** The claim holding the user's groups. Default `groups`. */
  groupsClaim?: string;
  /** Default 16 KiB. */
  maxTokenBytes?: number;
}

/** What Crossgate uses from a verified ID token. */
export interface VerifiedIdToken {
  issuer: string;
  subject: string;
  audience: string;
  authorizedParty?: string;
  email?: string;
  emailVerified?: boolean;
  /** `name`, when a string of at most 200 characters (anything else is ignored, not refused). */
  name?: string;
  /** Empty when the groups claim is absent. */
  groups: string[];
  acr?: string;
  amr?: string[];
  /** `auth_time`, seconds since the epoch. */
  authTime?: number;
  issuedAt: number;
  expiresAt: number;
  nonce?: string;
  jti?: string;
  /** The `kid` of the key that verified the token, for the audit trail. */
  keyId?: string;
}

const maxGroups = 1000;

function isIdTokenType(typ: string | undefined): boolean {
  return typ === undefined || normalizeMediaType(typ) === 'application/jwt';
}

/**
 * Verifies an ID token and returns its claims. Throws {@link TokenError} with a stable code;
 * throws TypeError when the options themselves are unsafe (an algorithm outside the asymmetric
 * allow-list, a clock tolerance over 60 s).
 */
export async function verifyIdToken(token: string, options: VerifyIdTokenOptions): Promise<VerifiedIdToken> {
  const algorithms = options.allowedAlgorithms ?? asymmetricAlgorithms;
  assertAlgorithms(algorithms);
  const tolerance = options.clockToleranceSeconds ?? defaultClockToleranceSeconds;
  assertClockTolerance(tolerance);

  const inspected = inspectJwt(token, { maxBytes: options.maxTokenBytes ?? defaultMaxTokenBytes, algorithms, acceptType: isIdTokenType });
  const payload = await verifyJwt(inspected, options.keys, {
    issuer: options.issuer,
    audience: options.audience,
    now: options.now,
    clockToleranceSeconds: tolerance,
    requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
    ...(options.maxAgeSeconds === undefined ? {} : { maxAgeSeconds: options.maxAgeSeconds }),
  });
  const { header } = inspected;

  // `aud` passed if it contains the client; Crossgate wants nothing else in it.
  assertSingleAudience(payload['aud'], options.audience);
  const authorizedParty = optionalString(payload, 'azp');
  if (authorizedParty !== undefined && authorizedParty !== options.audience) {
    throw new TokenError('wrong_audience', 'azp names another client');
  }
  const issuedAt = optionalNumericDate(payload, 'iat') as number;
  assertIssuedInPast(issuedAt, options.now, tolerance);

  const emailVerified = payload['email_verified'];
  if (emailVerified !== undefined && typeof emailVerified !== 'boolean') {
    throw new TokenError('invalid_claim', '"email_verified" must be a boolean');
  }
  return {
    issuer: options.issuer,
    // OIDC Core §2: sub is at most 255 ASCII characters.
    subject: requireString(payload, 'sub', 255),
    audience: options.audience,
    groups: readGroups(payload, options.groupsClaim ?? 'groups'),
    issuedAt,
    expiresAt: optionalNumericDate(payload, 'exp') as number,
    ...definedOnly({
      authorizedParty,
      email: optionalString(payload, 'email'),
      emailVerified,
      name: typeof payload['name'] === 'string' && payload['name'].length <= 200 ? payload['name'] : undefined,
      acr: optionalString(payload, 'acr'),
      amr: optionalStringArray(payload, 'amr'),
      authTime: optionalNumericDate(payload, 'auth_time'),
      nonce: optionalString(payload, 'nonce'),
      jti: optionalString(payload, 'jti'),
      keyId: header.kid,
    }),
  };
}

function readGroups(payload: Record<string, unknown>, claim: string): string[] {
  const groups = optionalStringArray(payload, claim) ?? [];
  if (groups.length > maxGroups) {
    throw new TokenError('invalid_claim', `"${claim}" holds more than ${maxGroups} groups`);
  }
  return groups;
}

/**
 * The `iss` of a token that has not been verified, for choosing which trusted IdP's configuration
 * to verify it with. Exact string lookup; the result must never be used for anything else.
 * Throws `untrusted_issuer` when `lookup` knows no such issuer.
 */
export function selectTrustedIssuer<T>(token: string, lookup: (issuer: string) => T | undefined, maxTokenBytes = defaultMaxTokenBytes): T {
  if (typeof token !== 'string' || token.length > maxTokenBytes) {
    throw new TokenError(typeof token === 'string' ? 'oversized' : 'malformed', 'The token cannot be inspected');
  }
  let iss: unknown;
  try {
    ({ iss } = decodeJwt(token));
  } catch (cause) {
    throw new TokenError('malformed', 'The token is not a JWT', { cause });
  }
  const trusted = typeof iss === 'string' ? lookup(iss) : undefined;
  if (trusted === undefined) {
    throw new TokenError('untrusted_issuer', 'The token names an issuer that is not registered');
  }
  return trusted;
}
