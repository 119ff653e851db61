import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import type { Transaction } from '../database.ts';
import {
  AuditChainVerifier,
  type AuditEntry,
  type AuditEventRecord,
  type ChainCheck,
  genesisHash,
  hashAuditEvent,
  type JsonValue,
  toAuditJson,
} from './audit-chain.ts';

/** Serialises appends across every API and worker instance (pg advisory lock key, "audit"). */
export const auditAppendLockKey = 0x61756469;

/** An entry with the time it happened. */
export interface TimedAuditEntry {
  entry: AuditEntry;
  at: Date;
}

/** Numbers and links `entries` after `head` (the chain's last event, or null for an empty log). */
export function chainAuditEvents(head: { seq: bigint; hash: string } | null, entries: readonly TimedAuditEntry[]): AuditEventRecord[] {
  let seq = head?.seq ?? 0n;
  let prevHash = head?.hash ?? genesisHash;
  return entries.map(({ entry, at }) => {
    seq += 1n;
    const unhashed: Omit<AuditEventRecord, 'hash'> = {
      seq,
      at: new Date(at.getTime()),
      actorType: entry.actor.type,
      actorId: entry.actor.id ?? null,
      actorLabel: entry.actor.label ?? null,
      action: entry.action,
      targetType: entry.target?.type ?? null,
      targetId: entry.target?.id ?? null,
      decision: entry.decision ?? null,
      reason: entry.reason ?? null,
      requestId: entry.requestId ?? null,
      before: toAuditJson(entry.before),
      after: toAuditJson(entry.after),
      context: toAuditJson(entry.context),
      prevHash,
    };
    const record: AuditEventRecord = { ...unhashed, hash: hashAuditEvent(unhashed) };
    prevHash = record.hash;
    return record;
  });
}

/**
 * The insert of many events as one statement over a JSON array (`rows`: an SQL expression of type
 * jsonb, a placeholder or a quoted literal): the query builder's per-row work would cost more than
 * the insert itself when the token endpoint appends hundreds of events at once.
 */
export function insertAuditEventsSql(rows: string): string {
  return `INSERT INTO audit_events (seq, at, actor_type, actor_id, actor_label, action, target_type, target_id, decision, reason, request_id, before, after, context, prev_hash, hash)
    SELECT seq, at, actor_type, actor_id, actor_label, action, target_type, target_id, decision, reason, request_id, before, after, context, prev_hash, hash
    FROM jsonb_to_recordset(${rows}) AS row(seq bigint, at timestamptz, actor_type text, actor_id text, actor_label text, action text, target_type text, target_id text, decision text, reason text, request_id text, before jsonb, after jsonb, context jsonb, prev_hash text, hash text)`;
}

/** The JSON array {@link insertAuditEventsSql} reads. */
export function auditEventRowsJson(records: readonly AuditEventRecord[]): string {
  return JSON.stringify(
    records.map((record) => ({
      seq: record.seq.toString(),
      at: record.at.toISOString(),
      actor_type: record.actorType,
      actor_id: record.actorId,
      actor_label: record.actorLabel,
      action: record.action,
      target_type: record.targetType,
      target_id: record.targetId,
      decision: record.decision,
      reason: record.reason,
      request_id: record.requestId,
      before: record.before,
      after: record.after,
      context: record.context,
      prev_hash: record.prevHash,
      hash: record.hash,
    })),
  );
}

type StoredEvent = Prisma.AuditEventGetPayload<object>;

/** A stored row as a record: its JSON columns typed as the JSON they hold. */
export function auditEventRecordOf(row: StoredEvent): AuditEventRecord {
  return {
    ...row,
    before: row.before as JsonValue | null,
    after: row.after as JsonValue | null,
    context: row.context as JsonValue | null,
  };
}

export class AuditLogRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Appends one event inside the caller's transaction, so the event exists exactly when the change it
   * describes does. The advisory lock makes sequence numbers and links gap-free under concurrency.
   */
  async append(tx: Transaction, entry: AuditEntry, now: Date = new Date()): Promise<AuditEventRecord> {
    const [record] = await this.appendMany(tx, [{ entry, at: now }]);
    return record!;
  }

  /**
   * Appends events in the given order inside the caller's transaction: one lock, one read of the
   * chain's head and one insert however many there are.
   */
  async appendMany(tx: Transaction, entries: readonly TimedAuditEntry[]): Promise<AuditEventRecord[]> {
    if (entries.length === 0) {
      return [];
    }
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${auditAppendLockKey})`;
    const head = await tx.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true } });
    const records = chainAuditEvents(head, entries);
    await tx.$executeRawUnsafe(insertAuditEventsSql('$1::jsonb'), auditEventRowsJson(records));
    return records;
  }

  /** Appends an event on its own, for decisions that change nothing else (a refused sign-in). */
  async record(entry: AuditEntry): Promise<AuditEventRecord> {
    return this.prisma.$transaction((tx) => this.append(tx, entry));
  }

  /** Events in sequence order, a page at a time, for verification and export. */
  async *stream(where: Prisma.AuditEventWhereInput = {}, pageSize = 2000): AsyncGenerator<AuditEventRecord> {
    let after: bigint | undefined;
    for (;;) {
      const rows = await this.prisma.auditEvent.findMany({
        where: after === undefined ? where : { AND: [where, { seq: { gt: after } }] },
        orderBy: { seq: 'asc' },
        take: pageSize,
      });
      for (const row of rows) {
        yield auditEventRecordOf(row);
      }
      if (rows.length < pageSize) {
        return;
      }
      after = rows[rows.length - 1]!.seq;
    }
  }

  async verifyChain(): Promise<ChainCheck> {
    const verifier = new AuditChainVerifier();
    for await (const event of this.stream()) {
      if (!verifier.accept(event)) {
        break;
      }
    }
    return verifier.result();
  }

  /**
   * The outcome of the latest recorded verification (the worker's `audit.chain_verified` events),
   * or null before the first. One index lookup on `action`.
   */
  async latestChainVerification(): Promise<{ intact: boolean; verifiedAt: Date } | null> {
    const row = await this.prisma.auditEvent.findFirst({ where: { action: 'audit.chain_verified' }, orderBy: { seq: 'desc' }, select: { decision: true, at: true } });
    return row === null ? null : { intact: row.decision === 'allow', verifiedAt: row.at };
  }
}
