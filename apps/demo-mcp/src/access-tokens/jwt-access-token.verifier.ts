/**
 * @overview Local validation of Crossgate's JWT access tokens against the RAS's published keys
 * (RFC 9068 §4): explicit type `at+jwt`, an asymmetric algorithm allow-list, the RAS issuer, this
 * server's resource identifier as audience, and `exp`/`iat`/`nbf` with a small leeway. Fast, but a
 * revoked token stays valid here until it expires; introspection mode is the one that sees the
 * kill switch at once.
 *
 * @see RFC 9068 §4, RFC 8725 §3.1 (algorithm allow-list), §3.11 (explicit typing), §3.9 (audience)
 */
import { type AuthInfo, type OAuthTokenVerifier } from '@modelcontextprotocol/server';
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';

import {
  type AuthorizationServer,
  AuthorizationServerUnavailableError,
  authorizationServerTimeoutMs,
} from '../authorization-server/authorization-server.ts';
import { type AccessTokenClaims, invalidToken, toAuthInfo } from './access-token.ts';

/** Asymmetric only: a symmetric or `none` token can never verify (RFC 8725 §3.1–3.2). */
export const accessTokenAlgorithms = ['ES256', 'RS256', 'PS256'];

/**
 * jose errors that mean "this token is not acceptable". Anything else (the key set cannot be fetched,
 * times out, or is malformed) is the authorization server's problem, and fails closed as 503.
 */
const tokenErrors = [
  errors.JWTExpired,
  errors.JWTClaimValidationFailed,
  errors.JWTInvalid,
  errors.JWSInvalid,
  errors.JWSSignatureVerificationFailed,
  errors.JOSEAlgNotAllowed,
  errors.JOSENotSupported,
  errors.JWKSNoMatchingKey,
];

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) {
    return 'The access token has expired';
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return `The access token's "${error.claim}" claim is not acceptable here`;
  }
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWSSignatureVerificationFailed) {
    return 'The access token is not signed by this resource’s authorization server';
  }
  return 'The access token is not a valid at+jwt JWT';
}

export class JwtAccessTokenVerifier implements OAuthTokenVerifier {
  private keySet?: ReturnType<typeof createRemoteJWKSet>;

  constructor(
    private readonly authorizationServer: AuthorizationServer,
    private readonly resource: string,
    private readonly clockSkewSeconds: number,
  ) {}

  async verifyAccessToken(token: string): Promise<AuthInfo> {
    const keys = await this.keys();
    let payload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        typ: 'at+jwt',
        algorithms: accessTokenAlgorithms,
        issuer: this.authorizationServer.issuer,
        audience: this.resource,
        clockTolerance: this.clockSkewSeconds,
        requiredClaims: ['iss', 'aud', 'exp', 'iat', 'sub', 'client_id', 'jti'],
      }));
    } catch (error) {
      if (tokenErrors.some((tokenError) => error instanceof tokenError)) {
        throw invalidToken(describe(error));
      }
      throw new AuthorizationServerUnavailableError('The authorization server’s key set could not be used', { cause: error });
    }
    const { sub, client_id, scope, exp, jti, iat } = payload;
    if (typeof client_id !== 'string' || typeof sub !== 'string' || typeof exp !== 'number' || (scope !== undefined && typeof scope !== 'string')) {
      throw invalidToken('The access token’s "sub", "client_id" or "scope" claim is malformed');
    }
    const claims: AccessTokenClaims = { sub, client_id, scope, exp, jti, iat };
    return toAuthInfo(token, claims, this.resource);
  }

  /** The RAS key set, from the discovered `jwks_uri`; jose caches it and refetches on an unknown `kid`. */
  private async keys(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (!this.keySet) {
      const { jwks_uri } = await this.authorizationServer.discover();
      if (!jwks_uri) {
        throw new AuthorizationServerUnavailableError(`${this.authorizationServer.issuer} publishes no jwks_uri`);
      }
      this.keySet = createRemoteJWKSet(new URL(jwks_uri), { timeoutDuration: authorizationServerTimeoutMs });
    }
    return this.keySet;
  }
}
