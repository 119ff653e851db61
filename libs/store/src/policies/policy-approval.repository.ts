/**
 * @overview Policy approval requests in PostgreSQL (the two-person rule for policies). A request and
 * its audit event are written together; a decision is a conditional update on a pending row, so two
 * admins deciding at once cannot both win. Approving runs inside the policy write's own transaction
 * (`decide` takes it), so the policy becomes active exactly when its request is marked approved.
 */
import type { PolicyApprovalStatus } from '@crossgate/domain';

import type { AuditEntry } from '../audit/audit-chain.ts';
import type { AuditLogRepository } from '../audit/audit-log.repository.ts';
import { translateDatabaseError } from '../crud/database-error.ts';
import type { PrismaClient, Transaction } from '../database.ts';
import type { Prisma } from '../generated/prisma/client.ts';

/** A policy approval request, with the names of what its policy connects. */
export interface PolicyApprovalRecord {
  id: string;
  policyId: string;
  requestedBy: string;
  requestedById: string | null;
  requestedAt: Date;
  changes: Record<string, unknown>;
  note: string | null;
  impact: unknown;
  status: PolicyApprovalStatus;
  decidedBy: string | null;
  decidedById: string | null;
  decidedAt: Date | null;
  reason: string | null;
  policy: { name: string; status: string; clientId: string; resourceId: string; clientName: string; resourceName: string };
}

export interface NewPolicyApproval {
  policyId: string;
  requestedBy: string;
  requestedById: string | null;
  changes: Record<string, unknown>;
  note: string | null;
  impact: unknown;
}

export interface PolicyApprovalDecision {
  status: Exclude<PolicyApprovalStatus, 'pending'>;
  decidedBy: string;
  decidedById: string | null;
  reason: string | null;
}

const withPolicy = {
  policy: { select: { name: true, status: true, clientId: true, resourceId: true, client: { select: { name: true } }, resource: { select: { name: true } } } },
} as const;

type Row = Prisma.PolicyApprovalGetPayload<{ include: typeof withPolicy }>;

function toRecord(row: Row): PolicyApprovalRecord {
  const { policy, changes, ...rest } = row;
  return {
    ...rest,
    changes: (changes ?? {}) as Record<string, unknown>,
    policy: {
      name: policy.name,
      status: policy.status,
      clientId: policy.clientId,
      resourceId: policy.resourceId,
      clientName: policy.client.name,
      resourceName: policy.resource.name,
    },
  };
}

export class PolicyApprovalRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly auditLog: AuditLogRepository,
  ) {}

  /** Writes a pending request and its audit event in one transaction; a second pending one for the policy is a unique violation. */
  async create(input: NewPolicyApproval, audit: (record: PolicyApprovalRecord) => AuditEntry, now: Date): Promise<PolicyApprovalRecord> {
    return this.prisma.$transaction(async (tx) => {
      const row = await tx.policyApproval.create({
        data: { ...input, changes: input.changes as Prisma.InputJsonValue, impact: input.impact as Prisma.InputJsonValue, requestedAt: now },
        include: withPolicy,
      });
      const record = toRecord(row);
      await this.auditLog.append(tx, audit(record), now);
      return record;
    }).catch(translateDatabaseError);
  }

  async find(id: string, tx?: Transaction): Promise<PolicyApprovalRecord | null> {
    const row = await (tx ?? this.prisma).policyApproval.findUnique({ where: { id }, include: withPolicy });
    return row === null ? null : toRecord(row);
  }

  async list(where: Prisma.PolicyApprovalWhereInput, orderBy: Prisma.PolicyApprovalOrderByWithRelationInput[], skip: number, take: number): Promise<{ rows: PolicyApprovalRecord[]; total: number }> {
    const [rows, total] = await Promise.all([
      this.prisma.policyApproval.findMany({ where, orderBy, skip, take, include: withPolicy }),
      this.prisma.policyApproval.count({ where }),
    ]);
    return { rows: rows.map(toRecord), total };
  }

  /**
   * Decides request `id` in `tx` if it is still pending, with its audit event.
   * @returns the decided request, or null when it was not pending any more (someone decided first).
   */
  async decide(tx: Transaction, id: string, decision: PolicyApprovalDecision, audit: AuditEntry, now: Date): Promise<PolicyApprovalRecord | null> {
    const { count } = await tx.policyApproval.updateMany({ where: { id, status: 'pending' }, data: { ...decision, decidedAt: now } });
    if (count === 0) {
      return null;
    }
    await this.auditLog.append(tx, audit, now);
    return this.find(id, tx);
  }

  /** `decide` in a transaction of its own (a rejection, which changes no policy). */
  async decideAlone(id: string, decision: PolicyApprovalDecision, audit: AuditEntry, now: Date): Promise<PolicyApprovalRecord | null> {
    return this.prisma.$transaction((tx) => this.decide(tx, id, decision, audit, now));
  }
}
