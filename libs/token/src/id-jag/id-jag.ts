/**
 * @overview The Identity Assertion JWT Authorization Grant (ID-JAG): the constants of the flow, the
 * claim set, minting at Crossgate's IdP role and verification at a resource AS.
 *
 * Rules enforced here:
 * - header `typ` `oauth-id-jag+jwt` and the signing key's `kid`; nothing else but `alg`.
 * - lifetime at most 300 s (clamped; a policy may ask for less) and at least 1 s.
 * - `aud` is one RAS issuer identifier (a string when minted; a string or one-element array when
 *   verified, DESIGN.md "Protocol decisions" 5).
 * - `email` only when the caller passes it, which it does only for resources configured to receive
 *   it (MCP stable §7.4.3: minimise PII).
 * - verification accepts `typ` exactly `oauth-id-jag+jwt` (SPEC.md §3.2: a case-sensitive compare,
 *   the only accepted value) and asymmetric algorithms only.
 *
 * @see draft-ietf-oauth-identity-assertion-authz-grant-03 (SPEC.md §1, §2.4)
 * @see RFC 8693 §2 (token exchange), RFC 7523 §3 (JWT bearer grant)
 */
import { randomUUID } from 'node:crypto';

import type { CryptoKey } from 'jose';

import {
  assertAlgorithms,
  assertClockTolerance,
  assertIssuedInPast,
  assertSingleAudience,
  asymmetricAlgorithms,
  type AsymmetricAlgorithm,
  defaultClockToleranceSeconds,
  defaultMaxTokenBytes,
  definedOnly,
  inspectJwt,
  type InspectedJwt,
  type JwtKeyResolver,
  optionalNumericDate,
  optionalString,
  optionalStringArray,
  reinspectJwt,
  requireString,
} from '../jwt/jwt-guard.ts';
import { signCompactJws, verifyJwt } from '../jwt/compact-jws.ts';
import type { SigningAlgorithm } from '../keys/signing-keys.ts';
import { TokenError } from '../token.error.ts';

/** SPEC.md §1. */
export const grantTypes = {
  tokenExchange: 'urn:ietf:params:oauth:grant-type:token-exchange',
  jwtBearer: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
  /** DPoP-bound redemption (I-D.parecki-oauth-jwt-dpop-grant), optional. */
  jwtDpop: 'urn:ietf:params:oauth:grant-type:jwt-dpop',
} as const;

/** SPEC.md §1. The `…:jwt-authorization-grant` alias seen in one codebase is deliberately absent. */
export const tokenTypes = {
  idJag: 'urn:ietf:params:oauth:token-type:id-jag',
  idToken: 'urn:ietf:params:oauth:token-type:id_token',
  saml2: 'urn:ietf:params:oauth:token-type:saml2',
  refreshToken: 'urn:ietf:params:oauth:token-type:refresh_token',
} as const;

/** JWT header `typ` of an ID-JAG. */
export const idJagJwtType = 'oauth-id-jag+jwt';
/** RFC 8693 §2.2.1 `token_type` for an issued ID-JAG. */
export const idJagTokenTypeValue = 'N_A';
/** RAS metadata `authorization_grant_profiles_supported` value. */
export const idJagGrantProfile = 'urn:ietf:params:oauth:grant-profile:id-jag';
export const jwtBearerClientAssertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
export const mcpEnterpriseAuthorizationExtension = 'io.modelcontextprotocol/enterprise-managed-authorization';
/** The most an ID-JAG may live, in seconds. */
export const maxIdJagLifetimeSeconds = 300;

/** The ID-JAG claim set (SPEC.md §2.4) as it appears on the wire. */
export interface IdJagClaims {
  iss: string;
  sub: string;
  /** The resource AS issuer identifier. */
  aud: string;
  /** The client's id at the resource AS. */
  client_id: string;
  jti: string;
  iat: number;
  exp: number;
  resource?: string | string[];
  scope?: string;
  auth_time?: number;
  acr?: string;
  amr?: string[];
  email?: string;
}

export interface MintIdJagOptions {
  signingKey: { privateKey: CryptoKey; kid: string; alg: SigningAlgorithm };
  /** Crossgate's IdP-role issuer identifier. */
  issuer: string;
  /** The subject as the resource AS should know it (SPEC.md §2.2 "Map `sub`"). */
  subject: string;
  /** The resource AS issuer identifier. */
  audience: string;
  /** The client's id at the resource AS. */
  clientId: string;
  /** The granted RFC 8707 resource indicator(s). */
  resource?: string | readonly string[];
  /** The granted scopes; joined with spaces, duplicates dropped, omitted when empty. */
  scope: readonly string[];
  /** Requested lifetime; clamped to 1..300 s. The policy's lower maximum is applied by the caller. */
  lifetimeSeconds: number;
  now: Date;
  /** Produces a unique `jti`, for example {@link randomJti}. */
  jti: () => string;
  /** Carried from the ID token. */
  authTime?: number;
  acr?: string;
  amr?: readonly string[];
  /** Pass only when the resource is configured to receive the user's email. */
  email?: string;
}

export interface MintedIdJag {
  token: string;
  claims: IdJagClaims;
}

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const scopeToken = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** The lifetime an ID-JAG will actually get for a requested one. */
export function clampIdJagLifetime(lifetimeSeconds: number): number {
  if (Number.isNaN(lifetimeSeconds)) {
    throw new TypeError('lifetimeSeconds must be a number');
  }
  return Math.min(maxIdJagLifetimeSeconds, Math.max(1, Math.floor(lifetimeSeconds)));
}

/** Signs an ID-JAG. Throws TypeError on inputs no policy should produce (a malformed scope, an empty identifier). */
export async function mintIdJag(options: MintIdJagOptions): Promise<MintedIdJag> {
  for (const [name, value] of Object.entries({ issuer: options.issuer, subject: options.subject, audience: options.audience, clientId: options.clientId })) {
    if (value.length === 0) {
      throw new TypeError(`${name} must not be empty`);
    }
  }
  const scopes = [...new Set(options.scope)];
  const badScope = scopes.find((scope) => !scopeToken.test(scope));
  if (badScope !== undefined) {
    throw new TypeError(`Not an RFC 6749 scope token: ${JSON.stringify(badScope)}`);
  }
  const jti = options.jti();
  if (jti.length === 0) {
    throw new TypeError('jti must not be empty');
  }
  const iat = Math.floor(options.now.getTime() / 1000);
  const claims: IdJagClaims = {
    iss: options.issuer,
    sub: options.subject,
    aud: options.audience,
    client_id: options.clientId,
    jti,
    iat,
    exp: iat + clampIdJagLifetime(options.lifetimeSeconds),
    ...definedOnly({
      resource: typeof options.resource === 'string' ? options.resource : options.resource === undefined ? undefined : [...options.resource],
      scope: scopes.length > 0 ? scopes.join(' ') : undefined,
      auth_time: options.authTime,
      acr: options.acr,
      amr: options.amr === undefined ? undefined : [...options.amr],
      email: options.email,
    }),
  };
  const token = signCompactJws({ alg: options.signingKey.alg, typ: idJagJwtType, kid: options.signingKey.kid }, claims, options.signingKey.privateKey);
  return { token, claims };
}

export interface VerifyIdJagOptions {
  /** The IdP issuer whose ID-JAGs this resource AS accepts (exact match). */
  issuer: string;
  /** This resource AS's own issuer identifier. */
  audience: string;
  /** The IdP's keys only. */
  keys: JwtKeyResolver;
  now: Date;
  /** Default 30, at most 60. */
  clockToleranceSeconds?: number;
  /** `exp` − `iat` may not exceed this. Default 300. */
  maxLifetimeSeconds?: number;
  /** Default: every asymmetric algorithm. */
  allowedAlgorithms?: readonly AsymmetricAlgorithm[];
  /** Default 16 KiB. */
  maxTokenBytes?: number;
}

function isIdJagType(typ: string | undefined): boolean {
  return typ === idJagJwtType;
}

/**
 * Verifies an ID-JAG presented to a resource AS (RFC 7523 §3 with the draft's additions). Replay
 * (`jti` single use) is the caller's job. Throws {@link TokenError}; throws TypeError for unsafe
 * options (a non-asymmetric algorithm, tolerance over 60 s, `issuer` equal to `audience`).
 * `token` may come already inspected ({@link inspectJwt}) by a caller that read its issuer first;
 * its size and header are then checked again under these options, without decoding it again.
 */
export async function verifyIdJag(token: string | InspectedJwt, options: VerifyIdJagOptions): Promise<IdJagClaims> {
  const algorithms = options.allowedAlgorithms ?? asymmetricAlgorithms;
  assertAlgorithms(algorithms);
  const tolerance = options.clockToleranceSeconds ?? defaultClockToleranceSeconds;
  assertClockTolerance(tolerance);
  const maxLifetime = options.maxLifetimeSeconds ?? maxIdJagLifetimeSeconds;
  if (options.issuer === options.audience) {
    // SPEC.md §2.2: no self-redemption. Crossgate's IdP and resource-AS roles have distinct issuers.
    throw new TypeError('A resource AS must not accept ID-JAGs minted under its own issuer identifier');
  }

  const inspection = { maxBytes: options.maxTokenBytes ?? defaultMaxTokenBytes, algorithms, acceptType: isIdJagType };
  const inspected = typeof token === 'string' ? inspectJwt(token, inspection) : reinspectJwt(token, inspection);
  const payload = await verifyJwt(inspected, options.keys, {
    issuer: options.issuer,
    audience: options.audience,
    now: options.now,
    clockToleranceSeconds: tolerance,
    requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id'],
  });

  assertSingleAudience(payload['aud'], options.audience);
  const iat = optionalNumericDate(payload, 'iat') as number;
  const exp = optionalNumericDate(payload, 'exp') as number;
  assertIssuedInPast(iat, options.now, tolerance);
  if (exp <= iat) {
    throw new TokenError('invalid_claim', 'exp must be after iat');
  }
  if (exp - iat > maxLifetime) {
    throw new TokenError('lifetime_too_long', `The ID-JAG lives longer than ${maxLifetime} s`);
  }
  const resource = typeof payload['resource'] === 'string' ? payload['resource'] : optionalStringArray(payload, 'resource');
  return {
    iss: options.issuer,
    sub: requireString(payload, 'sub', 255),
    aud: options.audience,
    client_id: requireString(payload, 'client_id'),
    jti: requireString(payload, 'jti', 255),
    iat,
    exp,
    ...definedOnly({
      resource,
      scope: optionalString(payload, 'scope'),
      auth_time: optionalNumericDate(payload, 'auth_time'),
      acr: optionalString(payload, 'acr'),
      amr: optionalStringArray(payload, 'amr'),
      email: optionalString(payload, 'email'),
    }),
  };
}

/**
 * A random (version 4) UUID: 122 bits from the CSPRNG. `randomUUID` draws from a buffered pool,
 * where `randomBytes(16)` asks the CSPRNG on every call, which showed at thousands of tokens a second.
 */
export function randomJti(): string {
  return randomUUID();
}
