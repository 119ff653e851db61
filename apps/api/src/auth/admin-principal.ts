import type { AdminRole } from '@crossgate/domain';

/** The admin behind a request, however they proved it. */
export interface AdminPrincipal {
  adminUserId: string;
  email: string;
  role: AdminRole;
  via: 'session' | 'api_token';
  sessionId?: string;
  /** The session's CSRF hash; unsafe methods over a session must present the matching token. */
  csrfHash?: string;
  tokenId?: string;
  tokenName?: string;
}
