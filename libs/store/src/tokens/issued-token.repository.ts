/**
 * @overview Issued tokens as introspection and revocation read and change them. Rows are written by
 * the token endpoint (IssuanceBatchWriter); here they are looked up by `jti` and revoked.
 */
import type { PrismaClient } from '../database.ts';

/** What an issued token's row says, for attribution and revocation. */
export interface IssuedTokenFacts {
  jti: string;
  kind: string;
  clientId: string;
  resourceId: string | null;
  userId: string | null;
  expiresAt: Date;
  revokedAt: Date | null;
}

export class IssuedTokenRepository {
  constructor(private readonly prisma: PrismaClient) {}

  find(jti: string): Promise<IssuedTokenFacts | null> {
    return this.prisma.issuedToken.findUnique({
      where: { jti },
      select: { jti: true, kind: true, clientId: true, resourceId: true, userId: true, expiresAt: true, revokedAt: true },
    });
  }

  /** An access token's user and that user's IdP (for the kill switches), and its revocation, or null when no such access token was issued. */
  async accessTokenSubjects(jti: string): Promise<{ userId: string | null; idpId: string | null; revokedAt: Date | null; issuedAt: Date } | null> {
    const rows = await this.prisma.$queryRaw<{ user_id: string | null; idp_id: string | null; revoked_at: Date | null; issued_at: Date }[]>`
      SELECT t.user_id::text, u.idp_id::text, t.revoked_at, t.issued_at FROM issued_tokens t LEFT JOIN users u ON u.id = t.user_id
      WHERE t.jti = ${jti} AND t.kind = 'access_token'`;
    const row = rows[0];
    return row === undefined ? null : { userId: row.user_id, idpId: row.idp_id, revokedAt: row.revoked_at, issuedAt: row.issued_at };
  }

  /** Marks the token revoked (once: a second revocation keeps the first time). True when this call revoked it. */
  async revoke(jti: string, at: Date): Promise<boolean> {
    const { count } = await this.prisma.issuedToken.updateMany({ where: { jti, revokedAt: null }, data: { revokedAt: at } });
    return count === 1;
  }

  /** Revoked tokens of `kind` that have not expired yet, for rebuilding a fast revocation set. */
  revokedUnexpired(kind: string, now: Date): Promise<{ jti: string; expiresAt: Date }[]> {
    return this.prisma.issuedToken.findMany({
      where: { kind, revokedAt: { not: null }, expiresAt: { gt: now } },
      select: { jti: true, expiresAt: true },
    });
  }
}
