/**
 * @overview What this server has been told to stop honouring: the access tokens named in
 * session-revoked events (`jwt_id` subjects), and "nothing issued before" marks for a user, an
 * agent (client) or everything, from events about those subjects. The bearer gate consults it after
 * a token validates; a JWT access token otherwise stays good here until it expires.
 *
 * @see OpenID CAEP 1.0 §3.1 (session-revoked); OpenID SSF 1.0 §3 (subject formats); RFC 9493
 */
import { type AuthInfo, type OAuthTokenVerifier } from '@modelcontextprotocol/server';

import { invalidToken } from '../access-tokens/access-token.ts';

/** The subject of a session-revoked event, as this server applies it. */
export type RevocationTarget =
  | { kind: 'token'; jti: string }
  | { kind: 'user'; sub: string }
  | { kind: 'client'; clientId: string }
  | { kind: 'user_client'; sub: string; clientId: string }
  | { kind: 'all' };

/** A denied `jti` is kept this long: longer than any access token this server accepts lives. */
const deniedTokenTtlMs = 24 * 60 * 60 * 1000;

export class Revocations {
  private readonly deniedTokens = new Map<string, number>();
  private readonly notBefore = new Map<string, number>();

  /** Applies one event; `issuedBefore` is its `event_timestamp` (seconds), tokens issued at or before it die. */
  revoke(target: RevocationTarget, issuedBefore: number, now = Date.now()): void {
    if (target.kind === 'token') {
      this.deniedTokens.set(target.jti, now + deniedTokenTtlMs);
      this.sweep(now);
      return;
    }
    const key = markKey(target);
    this.notBefore.set(key, Math.max(this.notBefore.get(key) ?? 0, issuedBefore));
  }

  /** Why a validated token must still be refused, or null. */
  refusal(authInfo: AuthInfo): string | null {
    const { sub, jti, iat } = authInfo.extra ?? {};
    if (typeof jti === 'string' && this.deniedTokens.has(jti)) {
      return 'The access token was revoked by a security event';
    }
    const issuedAt = typeof iat === 'number' ? iat : 0;
    const marks = [markKey({ kind: 'all' }), markKey({ kind: 'client', clientId: authInfo.clientId })];
    if (typeof sub === 'string') {
      marks.push(markKey({ kind: 'user', sub }), markKey({ kind: 'user_client', sub, clientId: authInfo.clientId }));
    }
    return marks.some((key) => issuedAt <= (this.notBefore.get(key) ?? -1)) ? 'The session this access token belongs to was revoked by a security event' : null;
  }

  private sweep(now: number): void {
    for (const [jti, until] of this.deniedTokens) {
      if (until > now) {
        break;
      }
      this.deniedTokens.delete(jti);
    }
  }
}

/** `verifier`, then {@link Revocations}: a token that validates but was revoked by an event is refused (401). */
export function refusingRevoked(verifier: OAuthTokenVerifier, revocations: Revocations): OAuthTokenVerifier {
  return {
    async verifyAccessToken(token: string): Promise<AuthInfo> {
      const authInfo = await verifier.verifyAccessToken(token);
      const refusal = revocations.refusal(authInfo);
      if (refusal !== null) {
        throw invalidToken(refusal);
      }
      return authInfo;
    },
  };
}

function markKey(target: Exclude<RevocationTarget, { kind: 'token' }>): string {
  switch (target.kind) {
    case 'all':
      return 'all';
    case 'user':
      return `user ${target.sub}`;
    case 'client':
      return `client ${target.clientId}`;
    case 'user_client':
      return `user ${target.sub} client ${target.clientId}`;
  }
}
