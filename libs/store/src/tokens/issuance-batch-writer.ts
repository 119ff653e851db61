/**
 * @overview Writes a group of issuances (issued tokens and the audit events of the token endpoint's
 * decisions) in one transaction and two round trips to PostgreSQL.
 *
 * Why not the Prisma client: an interactive Prisma transaction costs a round trip per statement and
 * a turn of the event loop after each, and on a loaded token endpoint that turn is the expensive
 * part: a group took ~27 ms that way, most of it waiting behind other requests' work, and every
 * request in it waited too. Sending the statements as two multi-statement messages on a `pg`
 * connection of its own takes two turns instead of six. What is written, and the audit chain's
 * rules (advisory lock, head read after it, hashes), are those of AuditLogRepository, shared below.
 */
import { randomBytes } from 'node:crypto';

import pg from 'pg';

import {
  auditAppendLockKey,
  auditEventRowsJson,
  chainAuditEvents,
  insertAuditEventsSql,
  type TimedAuditEntry,
} from '../audit/audit-log.repository.ts';
import { insertIssuedTokensSql, type IssuedTokenRecord, issuedTokenRowsJson } from './issued-tokens.ts';

/**
 * `json` as a dollar-quoted SQL string literal with a random tag it does not contain: no escaping
 * pass over a payload of tens of kilobytes (pg's escapeLiteral walks it a character at a time).
 */
function jsonbLiteral(json: string): string {
  let tag: string;
  do {
    tag = `$j${randomBytes(6).toString('hex')}$`;
  } while (json.includes(tag));
  return `${tag}${json}${tag}::jsonb`;
}

export class IssuanceBatchWriter {
  private readonly pool: pg.Pool;

  /** Two connections: one group commits while the next waits for the chain's lock. */
  constructor(databaseUrl: string, options: { maxConnections?: number } = {}) {
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: options.maxConnections ?? 2 });
    // An idle connection that breaks is replaced on the next checkout; it must not crash the process.
    this.pool.on('error', () => undefined);
  }

  /** Commits `tokens` and `events` (in this order in the chain) together, or nothing. */
  async write(tokens: readonly IssuedTokenRecord[], events: readonly TimedAuditEntry[]): Promise<void> {
    const client = await this.pool.connect();
    try {
      // Each statement of a multi-statement message gets its own snapshot, so the head is read
      // after the lock is held: no concurrent append can be missed.
      const first = await client.query(
        [
          'BEGIN',
          ...(tokens.length > 0 ? [insertIssuedTokensSql(jsonbLiteral(issuedTokenRowsJson(tokens)))] : []),
          `SELECT pg_advisory_xact_lock(${auditAppendLockKey})`,
          // Ordered by the column, not by the text alias (where '9' > '10').
          'SELECT seq::text AS seq, hash FROM audit_events ORDER BY audit_events.seq DESC LIMIT 1',
        ].join(';\n'),
      );
      const results = first as unknown as pg.QueryResult<{ seq: string; hash: string }>[];
      const headRow = results[results.length - 1]?.rows[0];
      const records = chainAuditEvents(headRow === undefined ? null : { seq: BigInt(headRow.seq), hash: headRow.hash }, events);
      await client.query(
        [...(records.length > 0 ? [insertAuditEventsSql(jsonbLiteral(auditEventRowsJson(records)))] : []), 'COMMIT'].join(';\n'),
      );
    } catch (error) {
      try {
        await client.query('ROLLBACK');
        client.release();
      } catch (rollbackError) {
        // A connection that cannot even roll back is in an unknown state: closed, not reused.
        client.release(rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError)));
      }
      throw error;
    }
    client.release();
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
