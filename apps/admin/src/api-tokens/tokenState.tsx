import { useRecordContext } from 'react-admin';

import { StatusChip } from '../common/StatusField.tsx';

export interface ApiToken {
  id: string;
  name: string;
  prefix: string;
  adminUserId: string;
  expiresAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
}

/** A token works until it is revoked or expires; the API keeps revoked ones listed. */
export function tokenState(token: Pick<ApiToken, 'expiresAt' | 'revokedAt'>): 'revoked' | 'expired' | 'active' {
  if (token.revokedAt) {
    return 'revoked';
  }
  return new Date(token.expiresAt).getTime() <= Date.now() ? 'expired' : 'active';
}

/** `label` is read by the show layout. */
export function TokenStateField(_props: { label?: string }) {
  const token = useRecordContext<ApiToken>();
  return token ? <StatusChip value={tokenState(token)} /> : null;
}
