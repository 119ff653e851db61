/**
 * @overview Approvals of high-risk tool calls at the MCP gateway, in PostgreSQL, so that the API
 * instance the gateway waits at and the one an admin decides at need share nothing else. A request
 * and its audit event are written together; every decision (an admin's, the timeout's, or the
 * call's token no longer being active) is a conditional update on a pending row with its audit
 * event in the same transaction, so exactly one decision wins. A request's own audit event is the
 * gateway request that opened it (its `gateway_approval_request`).
 */
import type { ToolCallApprovalStatus } from '@crossgate/domain';

import type { AuditEntry } from '../audit/audit-chain.ts';
import type { AuditLogRepository } from '../audit/audit-log.repository.ts';
import { translateDatabaseError } from '../crud/database-error.ts';
import type { PrismaClient } from '../database.ts';
import type { Prisma } from '../generated/prisma/client.ts';

/** A tool call waiting for (or given) a decision, with the names of its resource and user. */
export interface ToolCallApprovalRecord {
  id: string;
  resourceId: string;
  userId: string | null;
  subject: string;
  agentClientId: string;
  tokenJti: string;
  tool: string;
  argumentsSha256: string;
  summary: string | null;
  requestedAt: Date;
  expiresAt: Date;
  status: ToolCallApprovalStatus;
  decidedBy: string | null;
  decidedById: string | null;
  decidedAt: Date | null;
  reason: string | null;
  resource: { slug: string; name: string };
  user: { email: string | null; displayName: string | null } | null;
}

export type NewToolCallApproval = Pick<ToolCallApprovalRecord, 'resourceId' | 'userId' | 'subject' | 'agentClientId' | 'tokenJti' | 'tool' | 'argumentsSha256' | 'summary' | 'expiresAt'>;

export interface ToolCallApprovalDecision {
  status: Exclude<ToolCallApprovalStatus, 'pending'>;
  decidedBy: string;
  decidedById: string | null;
  reason: string | null;
}

const withNames = { resource: { select: { slug: true, name: true } }, user: { select: { email: true, displayName: true } } } as const;

export class ToolCallApprovalRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly auditLog: AuditLogRepository,
  ) {}

  /** Writes a pending request. */
  async create(input: NewToolCallApproval, now: Date): Promise<ToolCallApprovalRecord> {
    return this.prisma.toolCallApproval.create({ data: { ...input, requestedAt: now }, include: withNames }).catch(translateDatabaseError);
  }

  find(id: string): Promise<ToolCallApprovalRecord | null> {
    return this.prisma.toolCallApproval.findUnique({ where: { id }, include: withNames });
  }

  async list(where: Prisma.ToolCallApprovalWhereInput, orderBy: Prisma.ToolCallApprovalOrderByWithRelationInput[], skip: number, take: number): Promise<{ rows: ToolCallApprovalRecord[]; total: number }> {
    const [rows, total] = await Promise.all([this.prisma.toolCallApproval.findMany({ where, orderBy, skip, take, include: withNames }), this.prisma.toolCallApproval.count({ where })]);
    return { rows, total };
  }

  /**
   * Decides request `id` if it is still pending (and, unless it expires it, not past its `expiresAt`), with its audit event.
   * @returns the decided request, or null when it was not pending any more (someone decided first, or it timed out).
   */
  async decide(id: string, decision: ToolCallApprovalDecision, audit: AuditEntry, now: Date): Promise<ToolCallApprovalRecord | null> {
    return this.prisma.$transaction(async (tx) => {
      const due = decision.status === 'expired' ? { lte: now } : { gt: now };
      const { count } = await tx.toolCallApproval.updateMany({ where: { id, status: 'pending', expiresAt: due }, data: { ...decision, decidedAt: now } });
      if (count === 0) {
        return null;
      }
      await this.auditLog.append(tx, audit, now);
      return tx.toolCallApproval.findUniqueOrThrow({ where: { id }, include: withNames });
    });
  }

  /** The pending requests past their `expiresAt` (at most `limit`), for marking them expired. */
  overdue(now: Date, limit = 100): Promise<ToolCallApprovalRecord[]> {
    return this.prisma.toolCallApproval.findMany({ where: { status: 'pending', expiresAt: { lte: now } }, orderBy: { expiresAt: 'asc' }, take: limit, include: withNames });
  }
}
