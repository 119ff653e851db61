/**
 * @overview Approval of high-risk tool calls at the MCP gateway. The gateway opens a request for a
 * live call (user, agent, resource, tool, the SHA-256 of the canonical arguments, an optional short
 * summary in the agent's words) and waits for its decision; an it-admin or incident responder
 * approves or rejects it (with a reason) in the console's Approvals inbox. Nothing but PostgreSQL
 * is shared, so the gateway may wait at one API instance while the admin decides at another: a
 * wait reads the row until it is decided or the wait lapses. A request nobody decides before its
 * `expiresAt` expires (whoever sees it first marks it, with its audit event); one whose call's
 * token stops being active (a kill switch, a revocation) is cancelled.
 *
 * An admin never approves a call made for themselves (matched by e-mail, as access reviews do).
 */
import { setTimeout as sleep } from 'node:timers/promises';

import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';

import { toolCallApprovalStatuses } from '@crossgate/domain';
import { type AuditActor, type NewToolCallApproval, ToolCallApprovalRepository, type ToolCallApprovalDecision, type ToolCallApprovalRecord } from '@crossgate/store';

import type { RequestContext } from '../auth/index.ts';
import { AdminApiError, equals, type ListSpec, parseBody, parseListQuery, type RawListQuery } from '../http/index.ts';
import { Clock } from '../platform/index.ts';

const decideSchema = z.strictObject({ reason: z.string().trim().max(2000).optional() });

const listSpec: ListSpec = {
  sortable: ['requestedAt', 'expiresAt', 'decidedAt', 'status', 'tool'],
  defaultSort: ['requestedAt', 'DESC'],
  filters: {
    status: equals('status', z.enum(toolCallApprovalStatuses)),
    resourceId: equals('resourceId', z.uuid()),
    userId: equals('userId', z.uuid()),
  },
  search: ['tool', 'summary', 'subject', 'agentClientId'],
  tiebreaker: 'id',
};

/** How often a wait reads the request again. */
const pollIntervalMs = 250;
const expiry: AuditActor = { type: 'system', label: 'tool call approval timeout' };

export interface ToolCallApprovalView extends Omit<ToolCallApprovalRecord, 'resource' | 'user'> {
  resourceName: string;
  resourceSlug: string;
  /** The user's name or e-mail, else the token's `sub`. */
  userLabel: string;
}

function toView({ resource, user, ...rest }: ToolCallApprovalRecord): ToolCallApprovalView {
  return { ...rest, resourceName: resource.name, resourceSlug: resource.slug, userLabel: user?.displayName ?? user?.email ?? rest.subject };
}

function actorName(request: RequestContext): string {
  return request.principal?.email ?? request.actor.label ?? 'unknown';
}

@Injectable()
export class ToolCallApprovalsService {
  constructor(
    @Inject(ToolCallApprovalRepository) private readonly repository: ToolCallApprovalRepository,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  // ── The gateway's side (gateway-endpoints.ts authenticates it and audits each request) ───────────

  /** A pending request for a live call, deciding by `timeoutSeconds` from now. */
  async open(input: Omit<NewToolCallApproval, 'expiresAt'>, timeoutSeconds: number): Promise<ToolCallApprovalRecord> {
    const now = this.clock.now();
    return this.repository.create({ ...input, expiresAt: new Date(now.getTime() + timeoutSeconds * 1000) }, now);
  }

  /**
   * Request `id` once it is decided, or as it is after `waitMs` (still pending); past its
   * `expiresAt`, it is expired first. Null when there is no such request.
   */
  async await(id: string, waitMs: number): Promise<ToolCallApprovalRecord | null> {
    const until = Date.now() + waitMs;
    for (;;) {
      const current = await this.repository.find(id);
      if (current === null || current.status !== 'pending') {
        return current;
      }
      if (current.expiresAt <= this.clock.now()) {
        return (await this.end(current, 'expired', expiry, 'No decision came in time')) ?? this.repository.find(id);
      }
      const left = until - Date.now();
      if (left <= 0) {
        return current;
      }
      await sleep(Math.min(pollIntervalMs, left));
    }
  }

  /** Cancels a pending request whose call cannot go on (its token is no longer active). */
  cancel(record: ToolCallApprovalRecord, actor: AuditActor, why: string): Promise<ToolCallApprovalRecord | null> {
    return this.end(record, 'cancelled', actor, why);
  }

  // ── The admin API ───────────────────────────────────────────────────────────────────────────────

  async list(query: RawListQuery): Promise<{ views: ToolCallApprovalView[]; skip: number; total: number }> {
    await this.expireOverdue();
    const { where, orderBy, skip, take } = parseListQuery('tool-call-approvals', listSpec, query);
    const page = await this.repository.list(where, orderBy, skip, take);
    return { views: page.rows.map(toView), skip, total: page.total };
  }

  async find(id: string): Promise<ToolCallApprovalView> {
    return toView(await this.record(id));
  }

  /** Lets the call go upstream; an optional reason is kept with the decision. */
  approve(id: string, body: unknown, request: RequestContext): Promise<ToolCallApprovalView> {
    const { reason } = parseBody(decideSchema, body ?? {});
    return this.decide(id, { status: 'approved', decidedBy: actorName(request), decidedById: request.principal?.adminUserId ?? null, reason: reason ?? null }, request);
  }

  /** Refuses the call, with a reason the agent is told. */
  reject(id: string, body: unknown, request: RequestContext): Promise<ToolCallApprovalView> {
    const { reason } = parseBody(decideSchema, body ?? {});
    if (reason === undefined || reason.length < 3) {
      throw AdminApiError.validation({ reason: 'must say why the call is rejected, in at least 3 characters' });
    }
    return this.decide(id, { status: 'rejected', decidedBy: actorName(request), decidedById: request.principal?.adminUserId ?? null, reason }, request);
  }

  // ── Helpers ─────────────────────────────────────────────────────────────────────────────────────

  private async decide(id: string, decision: ToolCallApprovalDecision, request: RequestContext): Promise<ToolCallApprovalView> {
    const current = await this.record(id);
    if (current.status === 'pending' && current.expiresAt <= this.clock.now()) {
      await this.end(current, 'expired', expiry, 'No decision came in time');
      throw new AdminApiError('conflict', `Tool call approval ${id} timed out before it was decided: the call was refused`);
    }
    if (current.status !== 'pending') {
      throw new AdminApiError('conflict', `Tool call approval ${id} is ${current.status}: there is nothing left to decide`);
    }
    const email = request.principal?.email.toLowerCase();
    if (email !== undefined && current.user?.email?.toLowerCase() === email) {
      throw new AdminApiError('forbidden', 'Another admin must decide this call: it was made for you');
    }
    const decided = await this.repository.decide(id, decision, this.auditEntry(current, `tool_call_approval.${decision.status}`, request.actor, decision.reason, request.requestId), this.clock.now());
    if (decided === null) {
      throw new AdminApiError('conflict', `Tool call approval ${id} was decided (or timed out) in the meantime`);
    }
    return toView(decided);
  }

  private end(record: ToolCallApprovalRecord, status: 'expired' | 'cancelled', actor: AuditActor, reason: string): Promise<ToolCallApprovalRecord | null> {
    return this.repository.decide(record.id, { status, decidedBy: actor.label ?? status, decidedById: null, reason }, this.auditEntry(record, `tool_call_approval.${status}`, actor, reason, null), this.clock.now());
  }

  /** Marks what nobody decided in time as expired, so the inbox offers only what can still be decided. */
  private async expireOverdue(): Promise<void> {
    for (const record of await this.repository.overdue(this.clock.now())) {
      await this.end(record, 'expired', expiry, 'No decision came in time');
    }
  }

  private async record(id: string): Promise<ToolCallApprovalRecord> {
    const record = z.uuid().safeParse(id).success ? await this.repository.find(id) : null;
    if (record === null) {
      throw new AdminApiError('not_found', `No tool call approval with id "${id.slice(0, 64)}"`);
    }
    return record;
  }

  /** The resource is the target; the call is named by its tool and argument digest, never its arguments. */
  private auditEntry(record: ToolCallApprovalRecord, action: string, actor: AuditActor, reason: string | null, requestId: string | null) {
    return {
      actor,
      action,
      target: { type: 'resources', id: record.resourceId },
      decision: action.endsWith('approved') ? ('allow' as const) : ('deny' as const),
      reason,
      requestId,
      context: { approvalId: record.id, tool: record.tool, argumentsSha256: record.argumentsSha256, userId: record.userId, sub: record.subject, agentClientId: record.agentClientId },
    };
  }
}
