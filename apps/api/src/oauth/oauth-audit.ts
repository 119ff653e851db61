/**
 * @overview The audit event of one request to an OAuth endpoint (token exchange, JWT-bearer
 * redemption, introspection, revocation): the authenticated client as the actor (anonymous before
 * client authentication), allowed or refused, a refusal's reason as `<step>: <code>: <description>`,
 * and the endpoint's own context. Never a token, only ids.
 */
import type { AuditEntry } from '@crossgate/store';

import type { AuthenticatedClient } from './client-authentication/client-authenticator.ts';
import { type OAuthError, oauthErrorStatus } from '../http/index.ts';

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

/** The `endpoint` label of each audited OAuth action. */
const decisionEndpoints: Record<string, string> = {
  token_exchange: 'token_exchange',
  secret_retrieval: 'token_exchange',
  jwt_bearer_redemption: 'jwt_bearer',
  token_introspection: 'introspection',
  token_revocation: 'revocation',
};

/** The labels of `crossgate_token_decisions_total` for an entry built by {@link oauthAuditEntry}; null for any other entry. */
export function tokenDecisionOf(entry: AuditEntry): { endpoint: string; outcome: string; error: string } | null {
  const endpoint = decisionEndpoints[entry.action];
  if (endpoint === undefined) {
    return null;
  }
  if (entry.decision === 'deny') {
    // The reason reads `<step>: <code>: <description>`; the code is one of a closed set.
    const code = entry.reason?.split(': ', 3)[1] ?? '';
    return { endpoint, outcome: 'denied', error: Object.hasOwn(oauthErrorStatus, code) ? code : 'server_error' };
  }
  const outcome = (entry.context as { outcome?: unknown } | undefined)?.outcome;
  switch (endpoint) {
    case 'introspection':
      return { endpoint, outcome: outcome === 'active' ? 'active' : 'inactive', error: '' };
    case 'revocation':
      return { endpoint, outcome: outcome === 'revoked' ? 'revoked' : 'ignored', error: '' };
    default:
      return { endpoint, outcome: 'issued', error: '' };
  }
}
