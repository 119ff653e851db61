import { Injectable } from '@nestjs/common';
import { z } from 'zod';

import {
  auditEventJson,
  type AuditEventRecord,
  AuditLogRepository,
  type AuditStreamPage,
  AuditStreamRepository,
  type ChainCheck,
  CrudRepository,
  type Where,
} from '@crossgate/store';

import { AdminApiError, equals, instant, type ListSpec, parseListQuery, type RawListQuery } from '../http/index.ts';

export const auditListSpec: ListSpec = {
  sortable: ['seq', 'at', 'action', 'actorLabel', 'targetType'],
  defaultSort: ['seq', 'DESC'],
  tiebreaker: 'seq',
  search: ['action', 'actorLabel', 'targetId', 'reason'],
  filters: {
    action: equals('action', z.string().max(100)),
    actorId: equals('actorId', z.string().max(100)),
    actorType: equals('actorType', z.string().max(20)),
    targetType: equals('targetType', z.string().max(100)),
    targetId: equals('targetId', z.string().max(100)),
    decision: equals('decision', z.enum(['allow', 'deny'])),
    requestId: equals('requestId', z.string().max(100)),
    from: { schema: instant, where: (from: Date) => ({ at: { gte: from } }) },
    to: { schema: instant, where: (to: Date) => ({ at: { lt: to } }) },
  },
};

/** Audit events as the API shows them: the sequence number is the id. */
export function toAuditView(event: AuditEventRecord) {
  return { id: event.seq.toString(), ...auditEventJson(event) };
}
export type AuditView = ReturnType<typeof toAuditView>;

const csvColumns = [
  'seq', 'at', 'actorType', 'actorId', 'actorLabel', 'action', 'targetType', 'targetId',
  'decision', 'reason', 'requestId', 'before', 'after', 'context', 'prevHash', 'hash',
] as const;

function csvCell(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  const text = value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value);
  // Quote always; double quotes inside; a leading formula character is defused for spreadsheets.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return `"${safe.replace(/"/g, '""')}"`;
}

@Injectable()
export class AuditService {
  constructor(
    private readonly repository: CrudRepository,
    private readonly auditLog: AuditLogRepository,
    private readonly auditStream: AuditStreamRepository,
  ) {}

  /**
   * The events after `after` in sequence order, at most `limit`. With `waitMs`, an empty page is
   * held open until an event commits or the wait ends (long polling), checking every 250 ms.
   */
  async stream(after: bigint, limit: number, waitMs: number, closed: () => boolean): Promise<AuditStreamPage> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const page = await this.auditStream.page(after, limit);
      if (page.events.length > 0 || Date.now() >= deadline || closed()) {
        return page;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(250, deadline - Date.now())));
    }
  }

  async list(query: RawListQuery): Promise<{ records: AuditView[]; skip: number; total: number }> {
    const parsed = parseListQuery('audit', auditListSpec, query);
    const { rows, total } = await this.repository.list('auditEvent', parsed);
    return { records: rows.map((row) => toAuditView(row as unknown as AuditEventRecord)), skip: parsed.skip, total };
  }

  async get(seq: string): Promise<AuditView> {
    if (!/^\d{1,18}$/.test(seq)) {
      throw new AdminApiError('not_found', `No audit event with sequence number "${seq.slice(0, 40)}"`);
    }
    const row = await this.repository.findOne('auditEvent', { seq: BigInt(seq) });
    if (!row) {
      throw new AdminApiError('not_found', `No audit event with sequence number ${seq}`);
    }
    return toAuditView(row as unknown as AuditEventRecord);
  }

  verify(): Promise<ChainCheck> {
    return this.auditLog.verifyChain();
  }

  /** The lines of an export, streamed in sequence order; `filter` uses the list dialect. */
  async *export(format: 'csv' | 'jsonl', filter: unknown): AsyncGenerator<string> {
    const where: Where = parseListQuery('audit', auditListSpec, { filter }).where;
    if (format === 'csv') {
      yield `${csvColumns.join(',')}\n`;
    }
    for await (const event of this.auditLog.stream(where)) {
      const view = { ...event, seq: event.seq.toString() };
      yield format === 'csv'
        ? `${csvColumns.map((column) => csvCell(view[column])).join(',')}\n`
        : `${JSON.stringify(view)}\n`;
    }
  }
}
