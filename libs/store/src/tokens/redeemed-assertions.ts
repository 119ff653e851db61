/**
 * @overview The single-use record of redeemed ID-JAGs (RedeemedAssertion): the first redemption of an
 * (`iss`, `jti`) inserts its row, every later one, on any API instance, finds it there. PostgreSQL's
 * primary key is the arbiter, so the decision is atomic across instances and durable (a Redis-only
 * record could be lost, and a lost record would let a replay through).
 *
 * A group of redemptions is one statement (`INSERT … ON CONFLICT DO NOTHING RETURNING`) on a
 * connection of this writer's own, so thousands a second cost a handful of round trips; the rows it
 * returns are the redemptions that won. The same statement reads who the assertion is about, so a
 * redemption needs no second round trip:
 * - an ID-JAG of Crossgate's own IdP role: the user its IssuedToken row names (the row is committed
 *   before the ID-JAG is handed out), and whether that ID-JAG was revoked;
 * - another issuer's: the user with that `sub` at the trusted IdP with that issuer (the ID-JAG's
 *   subject is taken to be the IdP's own; pairwise subjects from other issuers are not resolved).
 */
import type pg from 'pg';

export interface AssertionRedemption {
  issuer: string;
  jti: string;
  /** The assertion's `sub`. */
  subject: string;
  /** Minted by Crossgate's own IdP role, so its IssuedToken row names the user. */
  recordedHere: boolean;
  resourceId: string;
  redeemedAt: Date;
  /** The row may be dropped after this (the assertion's `exp` plus the clock tolerance). */
  expiresAt: Date;
}

/** The user an assertion is about, as the database knows them. */
export interface AssertedUser {
  id: string;
  idpId: string;
  /** `active`, not deleted. */
  active: boolean;
}

export interface RedemptionOutcome {
  /** This redemption recorded the (`iss`, `jti`): it is not a replay. */
  first: boolean;
  /** Null when no user could be resolved. */
  user: AssertedUser | null;
  /** Crossgate's own ID-JAG was revoked (a kill switch, an admin). */
  revoked: boolean;
}

interface OutcomeRow {
  issuer: string;
  jti: string;
  first: boolean;
  revoked: boolean;
  user_id: string | null;
  idp_id: string | null;
  user_active: boolean | null;
}

function keyOf(redemption: { issuer: string; jti: string }): string {
  return `${redemption.issuer}\n${redemption.jti}`;
}

export class RedeemedAssertionWriter {
  /** `pool` is the writer's own (StoreModule sizes it for two groups at once, and closes it). */
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Records the redemptions and says, for each one in order, whether it was the first (a row
   * already stored, or an earlier member of `redemptions` with the same key, makes it a replay) and
   * whom it is about.
   */
  async redeem(redemptions: readonly AssertionRedemption[]): Promise<RedemptionOutcome[]> {
    const firstByKey = new Map<string, AssertionRedemption>();
    for (const redemption of redemptions) {
      if (!firstByKey.has(keyOf(redemption))) {
        firstByKey.set(keyOf(redemption), redemption);
      }
    }
    const rows = JSON.stringify(
      [...firstByKey.values()].map((redemption) => ({
        issuer: redemption.issuer,
        jti: redemption.jti,
        subject: redemption.subject,
        recorded_here: redemption.recordedHere,
        resource_id: redemption.resourceId,
        redeemed_at: redemption.redeemedAt.toISOString(),
        expires_at: redemption.expiresAt.toISOString(),
      })),
    );
    const result = await this.pool.query<OutcomeRow>(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb)
           AS row(issuer text, jti text, subject text, recorded_here boolean, resource_id uuid, redeemed_at timestamptz, expires_at timestamptz)
       ), inserted AS (
         INSERT INTO redeemed_assertions (issuer, jti, resource_id, redeemed_at, expires_at)
         SELECT issuer, jti, resource_id, redeemed_at, expires_at FROM input
         ON CONFLICT (issuer, jti) DO NOTHING
         RETURNING issuer, jti
       )
       SELECT input.issuer, input.jti, inserted.jti IS NOT NULL AS first,
              coalesce(t.revoked_at IS NOT NULL, false) AS revoked,
              coalesce(own.id, other.id) AS user_id,
              coalesce(own.idp_id, other.idp_id) AS idp_id,
              coalesce(own.status, other.status) = 'active' AND coalesce(own.deleted_at, other.deleted_at) IS NULL AS user_active
       FROM input
       LEFT JOIN inserted ON inserted.issuer = input.issuer AND inserted.jti = input.jti
       LEFT JOIN issued_tokens t ON input.recorded_here AND t.jti = input.jti AND t.kind = 'id_jag'
       LEFT JOIN users own ON own.id = t.user_id
       LEFT JOIN trusted_idps idp ON NOT input.recorded_here AND idp.issuer = input.issuer AND idp.status = 'active' AND idp.deleted_at IS NULL
       LEFT JOIN users other ON other.idp_id = idp.id AND other.subject = input.subject`,
      [rows],
    );
    const outcomes = new Map(result.rows.map((row) => [keyOf(row), row]));
    return redemptions.map((redemption) => {
      const row = outcomes.get(keyOf(redemption));
      const first = firstByKey.get(keyOf(redemption)) === redemption && row?.first === true;
      const user = row === undefined || row.user_id === null || row.idp_id === null ? null : { id: row.user_id, idpId: row.idp_id, active: row.user_active === true };
      return { first, user, revoked: row?.revoked === true };
    });
  }

  /** Drops the rows of assertions that have expired (they are refused as expired anyway). */
  async pruneExpired(now: Date): Promise<number> {
    const result = await this.pool.query('DELETE FROM redeemed_assertions WHERE expires_at < $1', [now.toISOString()]);
    return result.rowCount ?? 0;
  }
}
