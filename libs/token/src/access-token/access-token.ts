/**
 * @overview Access tokens of Crossgate's resource-side authorization servers: RFC 9068 JWTs, header
 * `typ` `at+jwt`, bound to one resource (`aud` is its RFC 8707 indicator) and signed with the
 * resource's own key (role `ras:<slug>`), never with the ID-JAG key.
 *
 * Rules enforced here:
 * - claims `iss` (the resource's issuer), `aud`, `sub`, `client_id`, `scope`, `jti`, `iat`, `exp`;
 *   lifetime 1 s..1 h (DESIGN.md "Protocol decisions" 8; the resource's setting is applied by the caller).
 * - verification (introspection) accepts `typ` exactly `at+jwt`, the issuer's own keys and
 *   algorithms only, so an ID-JAG, an ID token or a client assertion is never taken for one
 *   (RFC 8725 §3.11, §3.12).
 *
 * @see RFC 9068 §2 (JWT profile for access tokens), §4 (validation)
 */
import type { CryptoKey } from 'jose';

import {
  type AsymmetricAlgorithm,
  defaultMaxTokenBytes,
  definedOnly,
  inspectJwt,
  type JwtKeyResolver,
  optionalNumericDate,
  optionalString,
  requireString,
} from '../jwt/jwt-guard.ts';
import { signCompactJws, verifyJwt } from '../jwt/compact-jws.ts';
import type { SigningAlgorithm } from '../keys/signing-keys.ts';
import { TokenError } from '../token.error.ts';

/** RFC 9068 §2.1 header `typ`. */
export const accessTokenJwtType = 'at+jwt';
/** The default and the longest lifetime of an access token, in seconds. */
export const defaultAccessTokenLifetimeSeconds = 300;
export const maxAccessTokenLifetimeSeconds = 3600;

/** RFC 9068 §2.2 claims as they appear on the wire. */
export interface AccessTokenClaims {
  iss: string;
  /** The one resource indicator the token is for. */
  aud: string;
  sub: string;
  client_id: string;
  jti: string;
  iat: number;
  exp: number;
  /** Space-separated; absent when no scope was granted. */
  scope?: string;
}

export interface MintAccessTokenOptions {
  signingKey: { privateKey: CryptoKey; kid: string; alg: SigningAlgorithm };
  issuer: string;
  audience: string;
  subject: string;
  clientId: string;
  scope: readonly string[];
  /** Clamped to 1..3600 s. */
  lifetimeSeconds: number;
  now: Date;
  jti: () => string;
}

export interface MintedAccessToken {
  token: string;
  claims: AccessTokenClaims;
}

/** The lifetime an access token will actually get for a requested one. */
export function clampAccessTokenLifetime(lifetimeSeconds: number): number {
  if (Number.isNaN(lifetimeSeconds)) {
    throw new TypeError('lifetimeSeconds must be a number');
  }
  return Math.min(maxAccessTokenLifetimeSeconds, Math.max(1, Math.floor(lifetimeSeconds)));
}

export async function mintAccessToken(options: MintAccessTokenOptions): Promise<MintedAccessToken> {
  const iat = Math.floor(options.now.getTime() / 1000);
  const scopes = [...new Set(options.scope)];
  const claims: AccessTokenClaims = {
    iss: options.issuer,
    aud: options.audience,
    sub: options.subject,
    client_id: options.clientId,
    jti: options.jti(),
    iat,
    exp: iat + clampAccessTokenLifetime(options.lifetimeSeconds),
    ...definedOnly({ scope: scopes.length > 0 ? scopes.join(' ') : undefined }),
  };
  const token = signCompactJws({ alg: options.signingKey.alg, typ: accessTokenJwtType, kid: options.signingKey.kid }, claims, options.signingKey.privateKey);
  return { token, claims };
}

export interface VerifyAccessTokenOptions {
  issuer: string;
  /** The issuer's own keys. */
  keys: JwtKeyResolver;
  algorithms: readonly AsymmetricAlgorithm[];
  now: Date;
}

/**
 * Verifies an access token this issuer minted: signature, `typ`, `iss`, `exp`. `aud` must be one
 * string (it is minted so); whether it names the caller's resource is the caller's check.
 * Throws {@link TokenError}.
 */
export async function verifyAccessToken(token: string, options: VerifyAccessTokenOptions): Promise<AccessTokenClaims> {
  const inspected = inspectJwt(token, { maxBytes: defaultMaxTokenBytes, algorithms: options.algorithms, acceptType: (typ) => typ === accessTokenJwtType });
  const payload = await verifyJwt(inspected, options.keys, {
    issuer: options.issuer,
    now: options.now,
    clockToleranceSeconds: 0,
    requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id'],
  });
  const aud = payload['aud'];
  if (typeof aud !== 'string') {
    throw new TokenError('wrong_audience', 'An access token names exactly one audience');
  }
  return {
    iss: options.issuer,
    aud,
    sub: requireString(payload, 'sub', 255),
    client_id: requireString(payload, 'client_id'),
    jti: requireString(payload, 'jti', 255),
    iat: optionalNumericDate(payload, 'iat') as number,
    exp: optionalNumericDate(payload, 'exp') as number,
    ...definedOnly({ scope: optionalString(payload, 'scope') }),
  };
}
