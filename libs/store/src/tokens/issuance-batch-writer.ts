/**
 * @overview Writes a group of issuances (issued tokens and the audit events of the token endpoint's
 * decisions) in one transaction: one round trip to PostgreSQL while it is the chain's only writer, two otherwise.
 *
 * Why not the Prisma client: an interactive Prisma transaction costs a round trip per statement and
 * a turn of the event loop after each, and on a loaded token endpoint that turn is the expensive
 * part: a group took ~27 ms that way, most of it waiting behind other requests' work, and every
 * request in it waited too. Sending the statements as multi-statement messages on a `pg` connection
 * of its own takes one or two turns instead of six. What is written, and the audit chain's
 * rules (advisory lock, head read after it, hashes), are those of AuditLogRepository, shared below.
 */
import { randomBytes } from 'node:crypto';

import type pg from 'pg';

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

/** The audit chain's last event, as far as this writer knows. */
interface ChainHead {
  seq: bigint;
  hash: string;
}

/** How long the writer reads the head itself after another writer was found to have appended. */
const sharedChainBackoffMs = 1000;

/** The audit chain moved on under the writer: the event numbered after the head it assumed exists. */
function isChainConflict(error: unknown): boolean {
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  return code === '23505' && constraint === 'audit_events_pkey';
}

export class IssuanceBatchWriter {
  /**
   * The chain's head after this writer's last commit. While no other writer appends (one API
   * instance, no admin writes), the next group can be linked to it without reading the head: one
   * round trip instead of two. The assumption is checked by the database, not trusted: the events
   * are numbered from it, so if anyone appended meanwhile the first number already exists, the
   * primary key refuses the insert, and the group is rolled back and written the two-trip way.
   */
  private head: ChainHead | undefined;
  private readHeadUntil = 0;

  /**
   * `pool` is the writer's own, of one connection (StoreModule makes and closes it): groups are written
   * one at a time, each linked to the one before.
   */
  constructor(private readonly pool: pg.Pool) {}

  /** Commits `tokens` and `events` (in this order in the chain) together, or nothing. */
  async write(tokens: readonly IssuedTokenRecord[], events: readonly TimedAuditEntry[]): Promise<void> {
    const client = await this.pool.connect();
    const assumedHead = Date.now() >= this.readHeadUntil ? this.head : undefined;
    // Whatever happens next, the remembered head holds only once a commit confirms it.
    this.head = undefined;
    try {
      if (assumedHead !== undefined && events.length > 0) {
        try {
          this.head = await this.writeAfter(client, assumedHead, tokens, events);
          return;
        } catch (error) {
          if (!isChainConflict(error)) {
            throw error;
          }
          await rollBack(client);
          this.readHeadUntil = Date.now() + sharedChainBackoffMs;
        }
      }
      this.head = await this.writeReadingHead(client, tokens, events);
    } catch (error) {
      await rollBack(client);
      throw error;
    } finally {
      releaseUnlessBroken(client);
    }
  }

  /** One round trip: the events are linked to `head`, which the primary key confirms is still the last. */
  private async writeAfter(client: pg.PoolClient, head: ChainHead, tokens: readonly IssuedTokenRecord[], events: readonly TimedAuditEntry[]): Promise<ChainHead> {
    const records = chainAuditEvents(head, events);
    await client.query(
      [
        'BEGIN',
        ...(tokens.length > 0 ? [insertIssuedTokensSql(jsonbLiteral(issuedTokenRowsJson(tokens)))] : []),
        `SELECT pg_advisory_xact_lock(${auditAppendLockKey})`,
        insertAuditEventsSql(jsonbLiteral(auditEventRowsJson(records))),
        'COMMIT',
      ].join(';\n'),
    );
    return lastOf(records, head);
  }

  /** Two round trips: the head is read once the chain's lock is held. */
  private async writeReadingHead(client: pg.PoolClient, tokens: readonly IssuedTokenRecord[], events: readonly TimedAuditEntry[]): Promise<ChainHead | undefined> {
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
    const head = headRow === undefined ? undefined : { seq: BigInt(headRow.seq), hash: headRow.hash };
    const records = chainAuditEvents(head ?? null, events);
    await client.query([...(records.length > 0 ? [insertAuditEventsSql(jsonbLiteral(auditEventRowsJson(records)))] : []), 'COMMIT'].join(';\n'));
    return records.length > 0 ? lastOf(records, head) : head;
  }
}

function lastOf(records: readonly { seq: bigint; hash: string }[], before: ChainHead | undefined): ChainHead {
  const last = records[records.length - 1] ?? before;
  if (last === undefined) {
    throw new Error('An empty chain has no head');
  }
  return { seq: last.seq, hash: last.hash };
}

/** Marks a connection that could not roll back: it is in an unknown state, so it is closed, not reused. */
const broken = new WeakSet<pg.PoolClient>();

async function rollBack(client: pg.PoolClient): Promise<void> {
  if (broken.has(client)) {
    return;
  }
  try {
    await client.query('ROLLBACK');
  } catch {
    broken.add(client);
  }
}

function releaseUnlessBroken(client: pg.PoolClient): void {
  client.release(broken.has(client) ? new Error('The connection could not roll back') : undefined);
}
