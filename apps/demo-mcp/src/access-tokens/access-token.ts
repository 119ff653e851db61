/**
 * @overview What a validated access token means to this server, whichever way it was validated: the
 * RFC 9068 claims it relies on (`sub`, `client_id`, `scope`, `exp`, `jti`, `iat`) mapped onto the MCP SDK's
 * `AuthInfo`, which the SDK hands to every tool call as `ctx.http.authInfo`.
 *
 * @see RFC 9068 §2.2 (claims), RFC 7662 §2.2 (the same names in an introspection response)
 */
import { type AuthInfo, OAuthError, OAuthErrorCode } from '@modelcontextprotocol/server';

/** The claims both validation modes must establish before a token is accepted. */
export interface AccessTokenClaims {
  sub: string;
  client_id: string;
  /** Space-separated (RFC 9068 §2.2.3); absent means no scopes. */
  scope?: string;
  exp: number;
  jti?: string;
  /** When it was issued; a session-revoked event refuses tokens issued before it. */
  iat?: number;
}

/** Who called, as tools show it: the user and the agent, so every tool result proves attribution. */
export interface Caller {
  sub: string;
  client_id: string;
}

/** A token the server refuses: 401 with `error="invalid_token"` and this description (RFC 6750 §3.1). */
export function invalidToken(description: string): OAuthError {
  return new OAuthError(OAuthErrorCode.InvalidToken, description);
}

export function toAuthInfo(token: string, claims: AccessTokenClaims, resource: string): AuthInfo {
  return {
    token,
    clientId: claims.client_id,
    scopes: claims.scope?.split(' ').filter(Boolean) ?? [],
    expiresAt: claims.exp,
    resource: new URL(resource),
    extra: { sub: claims.sub, jti: claims.jti, iat: claims.iat },
  };
}

/** The caller recorded in `AuthInfo` by {@link toAuthInfo}. */
export function callerOf(authInfo: AuthInfo | undefined): Caller {
  const sub = authInfo?.extra?.['sub'];
  if (!authInfo || typeof sub !== 'string') {
    // Unreachable behind the bearer gate; a tool must never run anonymously.
    throw invalidToken('No authenticated caller');
  }
  return { sub, client_id: authInfo.clientId };
}
