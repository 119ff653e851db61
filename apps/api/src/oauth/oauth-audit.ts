/**
 * @overview The audit event of one request to an OAuth endpoint (token exchange, JWT-bearer
 * redemption, introspection, revocation): the authenticated client as the actor (anonymous before
 * client authentication), allowed or refused, a refusal's reason as `<step>: <code>: <description>`,
 * and the endpoint's own context. Never a token, only ids.
 */
import type { AuditEntry } from '@crossgate/store';

import type { AuthenticatedClient } from './client-authentication/client-authenticator.ts';
import type { OAuthError } from './oauth.error.ts';

export interface OAuthAuditFields {
  action: string;
  client: AuthenticatedClient | undefined;
  /** The step the request reached: where a refusal happened. */
  step: string;
  /** Null when the request was allowed. */
  refusal: OAuthError | null;
  requestId: string | null;
  target: { type: string; id: string } | null;
  context: Record<string, unknown>;
}

export function oauthAuditEntry({ action, client, step, refusal, requestId, target, context }: OAuthAuditFields): AuditEntry {
  return {
    actor: client === undefined ? { type: 'anonymous' } : { type: 'client', id: client.id, label: client.clientId },
    action,
    target,
    decision: refusal === null ? 'allow' : 'deny',
    reason: refusal === null ? null : `${step}: ${refusal.code}: ${refusal.description}`,
    requestId,
    context: { clientId: client?.clientId ?? null, ...context },
  };
}
