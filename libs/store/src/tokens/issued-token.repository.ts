/**
 * @overview The record of every token Crossgate issues (IssuedToken): what introspection, the kill
 * switch and access reviews look up. Written in groups by the token endpoint, so the insert is one
 * SQL statement over a JSON array instead of the query builder's per-row work.
 */
import type { Transaction } from '../database.ts';

export interface IssuedTokenRecord {
  jti: string;
  /** `id_jag` or `access_token`. */
  kind: string;
  clientId: string;
  resourceId: string | null;
  userId: string | null;
  scopes: string[];
  policyIds: string[];
  issuedAt: Date;
  expiresAt: Date;
}

export class IssuedTokenRepository {
  /** Inserts `tokens` in the caller's transaction, in one statement. */
  async insertMany(tx: Transaction, tokens: readonly IssuedTokenRecord[]): Promise<void> {
    if (tokens.length === 0) {
      return;
    }
    const rows = JSON.stringify(
      tokens.map((token) => ({
        jti: token.jti,
        kind: token.kind,
        client_id: token.clientId,
        resource_id: token.resourceId,
        user_id: token.userId,
        scopes: token.scopes,
        policy_ids: token.policyIds,
        issued_at: token.issuedAt.toISOString(),
        expires_at: token.expiresAt.toISOString(),
      })),
    );
    await tx.$executeRaw`
      INSERT INTO issued_tokens (jti, kind, client_id, resource_id, user_id, scopes, policy_ids, issued_at, expires_at)
      SELECT jti, kind, client_id, resource_id, user_id, scopes, policy_ids, issued_at, expires_at
      FROM jsonb_to_recordset(${rows}::jsonb) AS row(jti text, kind text, client_id uuid, resource_id uuid, user_id uuid, scopes text[], policy_ids uuid[], issued_at timestamptz, expires_at timestamptz)`;
  }
}
