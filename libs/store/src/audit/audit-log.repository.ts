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
const appendLockKey = 0x61756469;

type StoredEvent = Prisma.AuditEventGetPayload<object>;

function toRecord(row: StoredEvent): AuditEventRecord {
  return {
    ...row,
    before: row.before as JsonValue | null,
    after: row.after as JsonValue | null,
    context: row.context as JsonValue | null,
  };
}

function asJsonInput(value: JsonValue | null) {
  return value === null ? undefined : (value as Prisma.InputJsonValue);
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
   * chain's head and one insert however many there are, which is what lets a busy token endpoint
   * commit a durable event per request in groups (see GroupCommit).
   */
  async appendMany(tx: Transaction, entries: readonly { entry: AuditEntry; at: Date }[]): Promise<AuditEventRecord[]> {
    if (entries.length === 0) {
      return [];
    }
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${appendLockKey})`;
    const head = await tx.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true } });
    let seq = head?.seq ?? 0n;
    let prevHash = head?.hash ?? genesisHash;
    const records = entries.map(({ entry, at }) => {
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
    await tx.auditEvent.createMany({
      data: records.map((record) => ({
        ...record,
        before: asJsonInput(record.before),
        after: asJsonInput(record.after),
        context: asJsonInput(record.context),
      })),
    });
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
        yield toRecord(row);
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
}
