/**
 * @overview Audit events leaving Crossgate in commit order: the cursor pages the admin API serves and
 * the outbound stream (a SIEM webhook) whose acknowledged position is kept in PostgreSQL. Appends take
 * one advisory lock and commit in sequence order, so "every event after seq N" never misses one that
 * commits later with a smaller number.
 */
import type { PrismaClient } from '../generated/prisma/client.ts';
import { auditEventContent, type AuditEventRecord } from './audit-chain.ts';
import { auditEventRecordOf } from './audit-log.repository.ts';

/** One audit event on the wire: its content, its sequence number as a decimal string, and its hash. */
export function auditEventJson(event: AuditEventRecord) {
  return { ...auditEventContent(event), hash: event.hash };
}
export type AuditEventJson = ReturnType<typeof auditEventJson>;

/** A page of the stream: the events after the cursor and the cursor to ask with next. */
export interface AuditStreamPage {
  events: AuditEventJson[];
  /** The last event's seq, or the cursor asked with when there was nothing after it. */
  next: string;
}

/** Where an outbound stream stands. */
export interface AuditStreamPosition {
  lastSeq: bigint;
  deliveredAt: Date | null;
  failures: number;
  lastError: string | null;
  /** When the cursor last changed: the last acknowledgement or the last failure. */
  updatedAt: Date;
}

/** What one delivery attempt did. `busy`: another worker holds the stream; it delivers instead. */
export type AuditStreamStep = { kind: 'busy' } | { kind: 'caught-up'; lastSeq: bigint } | { kind: 'delivered'; from: bigint; to: bigint; count: number };

export class AuditStreamRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Up to `limit` events after `after`, in sequence order. */
  async page(after: bigint, limit: number): Promise<AuditStreamPage> {
    const rows = await this.prisma.auditEvent.findMany({ where: { seq: { gt: after } }, orderBy: { seq: 'asc' }, take: limit });
    const events = rows.map((row) => auditEventJson(auditEventRecordOf(row)));
    return { events, next: events.length === 0 ? after.toString() : events[events.length - 1]!.seq };
  }

  async position(name: string): Promise<AuditStreamPosition | null> {
    return this.prisma.auditStreamCursor.findUnique({ where: { name }, select: { lastSeq: true, deliveredAt: true, failures: true, lastError: true, updatedAt: true } });
  }

  /**
   * Sends the next page after stream `name`'s cursor through `send` and advances the cursor only once
   * `send` resolves. The cursor row stays locked while `send` runs (`SKIP LOCKED`: a second worker
   * gets `busy` at once), so two workers never post the same page concurrently; a crash before the
   * commit leaves the cursor where it was, and the page is sent again (at least once).
   */
  async deliverNext(name: string, limit: number, timeoutMs: number, send: (page: AuditStreamPage) => Promise<void>, now: () => Date): Promise<AuditStreamStep> {
    await this.prisma.auditStreamCursor.upsert({ where: { name }, create: { name }, update: {} });
    return this.prisma.$transaction(
      async (tx) => {
        const [cursor] = await tx.$queryRaw<{ last_seq: bigint }[]>`SELECT last_seq FROM audit_stream_cursors WHERE name = ${name} FOR UPDATE SKIP LOCKED`;
        if (cursor === undefined) {
          return { kind: 'busy' } as const;
        }
        const page = await this.page(cursor.last_seq, limit);
        if (page.events.length === 0) {
          return { kind: 'caught-up', lastSeq: cursor.last_seq } as const;
        }
        await send(page);
        const to = BigInt(page.next);
        await tx.auditStreamCursor.update({ where: { name }, data: { lastSeq: to, deliveredAt: now(), failures: 0, lastError: null } });
        return { kind: 'delivered', from: BigInt(page.events[0]!.seq), to, count: page.events.length } as const;
      },
      // Room for the post itself, on top of the reads and the update.
      { timeout: timeoutMs + 5_000, maxWait: 5_000 },
    );
  }

  /** Counts a failed post; `problem` must say what went wrong without quoting the secret or the body. */
  async recordFailure(name: string, problem: string, now: Date): Promise<void> {
    await this.prisma.auditStreamCursor.update({ where: { name }, data: { failures: { increment: 1 }, lastError: problem.slice(0, 500), updatedAt: now } });
  }
}
