/**
 * @overview The record of every token Crossgate issues (IssuedToken): what introspection, the kill
 * switch and access reviews look up. Written in groups by the token endpoint (IssuanceBatchWriter),
 * so the insert is one SQL statement over a JSON array instead of the query builder's per-row work.
 */
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

/** The insert of many issued tokens as one statement over a JSON array (`rows`: a jsonb SQL expression). */
export function insertIssuedTokensSql(rows: string): string {
  return `INSERT INTO issued_tokens (jti, kind, client_id, resource_id, user_id, scopes, policy_ids, issued_at, expires_at)
    SELECT jti, kind, client_id, resource_id, user_id, scopes, policy_ids, issued_at, expires_at
    FROM jsonb_to_recordset(${rows}) AS row(jti text, kind text, client_id uuid, resource_id uuid, user_id uuid, scopes text[], policy_ids uuid[], issued_at timestamptz, expires_at timestamptz)`;
}

/** The JSON array {@link insertIssuedTokensSql} reads. */
export function issuedTokenRowsJson(tokens: readonly IssuedTokenRecord[]): string {
  return JSON.stringify(
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
}
