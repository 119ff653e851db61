/**
 * @overview The two-person rule for policies. An it-admin asks for a policy to become active (with
 * optional changes); the request carries the impact the what-if engine computes at that moment: who
 * gains, loses or changes access. Another it-admin approves it, and the changes and the activation
 * are written in one transaction with the request's decision and both audit events; or rejects it
 * with a reason. The admin who asked may withdraw it, never approve it.
 */
import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';

import { policyApprovalStatuses } from '@crossgate/domain';
import { type AuditEntry, PolicyApprovalRepository, type PolicyApprovalDecision, type PolicyApprovalRecord, StoreError, type StoredRecord } from '@crossgate/store';

import type { RequestContext } from '../auth/index.ts';
import { CrudService } from '../crud/index.ts';
import { AdminApiError, equals, fieldErrorsOf, type ListSpec, parseBody, parseListQuery, type RawListQuery } from '../http/index.ts';
import { Clock } from '../platform/index.ts';
import { policiesResource } from './policies.resource.ts';
import { type Impact, type ImpactEntry, PolicySimulationService } from './policy-simulation.service.ts';

const idSchema = z.uuid();

const requestSchema = z.strictObject({
  /** Field changes, as for PUT /api/policies/:id, applied with the activation; left out: activate as it is. */
  changes: z.record(z.string(), z.unknown()).default({}),
  note: z.string().trim().max(2000).optional(),
});
const rejectSchema = z.strictObject({ reason: z.string().trim().max(2000).optional() });

const listSpec: ListSpec = {
  sortable: ['requestedAt', 'decidedAt', 'status'],
  defaultSort: ['requestedAt', 'DESC'],
  filters: {
    status: equals('status', z.enum(policyApprovalStatuses)),
    policyId: equals('policyId', z.uuid()),
  },
  search: ['requestedBy', 'note'],
  tiebreaker: 'id',
};

export interface PolicyApprovalView extends Omit<PolicyApprovalRecord, 'policy' | 'impact'> {
  policyName: string;
  clientId: string;
  resourceId: string;
  /** "Cursor → Jira". */
  pairLabel: string;
  impact: Impact;
  /** The impact in one plain sentence, e.g. "2 users gain access (Alice Martin, Bob Stone); nobody loses access." */
  impactSummary: string;
}

function people(entries: readonly ImpactEntry[], total: number): string {
  const shown = entries.slice(0, 5).map((entry) => entry.user.displayName ?? entry.user.email ?? entry.user.id);
  const more = total - shown.length;
  return `${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/** The impact as people read it: who gains, who loses, whose scopes change. */
export function impactSummaryOf(impact: Impact): string {
  const { gained, lost, changed } = impact.totals;
  const count = (n: number) => (n === 1 ? '1 user' : `${n} users`);
  const parts = [
    gained === 0 ? 'nobody gains access' : `${count(gained)} ${gained === 1 ? 'gains' : 'gain'} access (${people(impact.gained, gained)})`,
    lost === 0 ? 'nobody loses access' : `${count(lost)} ${lost === 1 ? 'loses' : 'lose'} access (${people(impact.lost, lost)})`,
    ...(changed === 0 ? [] : [`${count(changed)} keep access with other scopes (${people(impact.changed, changed)})`]),
  ];
  const sentence = parts.join('; ');
  return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
}

function toView(record: PolicyApprovalRecord): PolicyApprovalView {
  const { policy, impact, ...rest } = record;
  return {
    ...rest,
    policyName: policy.name,
    clientId: policy.clientId,
    resourceId: policy.resourceId,
    pairLabel: `${policy.clientName} → ${policy.resourceName}`,
    impact: impact as Impact,
    impactSummary: impactSummaryOf(impact as Impact),
  };
}

function notFound(id: string): AdminApiError {
  return new AdminApiError('not_found', `No policy approval request with id "${id.slice(0, 64)}"`);
}

function actorName(request: RequestContext): string {
  return request.principal?.email ?? request.actor.label ?? 'unknown';
}

@Injectable()
export class PolicyApprovalsService {
  constructor(
    @Inject(PolicyApprovalRepository) private readonly repository: PolicyApprovalRepository,
    @Inject(CrudService) private readonly crud: CrudService,
    @Inject(PolicySimulationService) private readonly simulation: PolicySimulationService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /** Asks another it-admin to make policy `policyId` active, with `changes`; refused at once if the change could not be written. */
  async request(policyId: string, body: unknown, request: RequestContext): Promise<PolicyApprovalView> {
    const input = parseBody(requestSchema, body ?? {});
    if ('status' in input.changes) {
      throw AdminApiError.validation({ 'changes.status': 'an approval always makes the policy active; leave status out' });
    }
    const policy = await this.crud.get(policiesResource, policyId);
    const changes = this.parseChanges(input.changes);
    if (policy['status'] === 'active' && Object.keys(changes).length === 0) {
      throw new AdminApiError('conflict', 'This policy is already active: an approval request for it must carry changes');
    }
    // Every rule a write checks (scope catalogue, subjects, references), now rather than at approval.
    await this.crud.checkUpdate(policiesResource, policyId, { ...input.changes, status: 'active' }, request, { approved: true });
    const impact = await this.simulation.impactOf(policyId, input.changes);
    try {
      const record = await this.repository.create(
        {
          policyId,
          requestedBy: actorName(request),
          requestedById: request.principal?.adminUserId ?? null,
          changes,
          note: input.note ?? null,
          impact,
        },
        (created) => this.auditEntry(request, 'policy.approval_requested', created, { reason: created.note }),
        this.clock.now(),
      );
      return toView(record);
    } catch (error) {
      if (error instanceof StoreError && error.code === 'unique_violation') {
        throw new AdminApiError('conflict', 'An approval request for this policy already waits for a decision: approve, reject or withdraw it first');
      }
      throw error;
    }
  }

  async list(query: RawListQuery): Promise<{ views: PolicyApprovalView[]; skip: number; total: number }> {
    const { where, orderBy, skip, take } = parseListQuery('approvals', listSpec, query);
    const page = await this.repository.list(where, orderBy, skip, take);
    return { views: page.rows.map(toView), skip, total: page.total };
  }

  async find(id: string): Promise<PolicyApprovalView> {
    return toView(await this.record(id));
  }

  /** A second it-admin's approval: the changes and status active, written with the decision in one transaction. */
  async approve(id: string, request: RequestContext): Promise<PolicyApprovalView> {
    const current = await this.pending(id);
    const approverId = request.principal?.adminUserId ?? null;
    if (approverId === null || approverId === current.requestedById) {
      throw new AdminApiError('forbidden', 'The two-person rule: another it-admin must approve this policy, not the admin who asked for it (you may withdraw it instead)');
    }
    let decided: PolicyApprovalRecord | null = null;
    await this.crud.update(policiesResource, current.policyId, { ...current.changes, status: 'active' }, request, {
      approved: true,
      alsoInTransaction: async (tx, { before, now }) => {
        // The impact the approver saw was computed on the policy as it was then.
        if ((before['updatedAt'] as Date) > current.requestedAt) {
          throw new AdminApiError('conflict', 'The policy changed after this approval was asked for, so its impact may be out of date: reject it and ask again');
        }
        decided = await this.decide(tx, current, { status: 'approved', decidedBy: actorName(request), decidedById: approverId, reason: null }, request, 'policy.approval_approved', now);
      },
    });
    return toView(decided!);
  }

  /** Turns a request down with a reason; the admin who asked withdraws it instead (a reason is then optional). */
  async reject(id: string, body: unknown, request: RequestContext): Promise<PolicyApprovalView> {
    const { reason } = parseBody(rejectSchema, body ?? {});
    const current = await this.pending(id);
    const deciderId = request.principal?.adminUserId ?? null;
    const withdrawing = deciderId !== null && deciderId === current.requestedById;
    if (!withdrawing && (reason === undefined || reason.length < 3)) {
      throw AdminApiError.validation({ reason: 'must say why the request is rejected, in at least 3 characters' });
    }
    const decision: PolicyApprovalDecision = { status: withdrawing ? 'withdrawn' : 'rejected', decidedBy: actorName(request), decidedById: deciderId, reason: reason ?? null };
    const action = withdrawing ? 'policy.approval_withdrawn' : 'policy.approval_rejected';
    const now = this.clock.now();
    const decided = await this.repository.decideAlone(id, decision, this.auditEntry(request, action, current, { reason: reason ?? null }), now);
    if (decided === null) {
      throw this.alreadyDecided(id);
    }
    return toView(decided);
  }

  // ── Helpers ─────────────────────────────────────────────────────────────────────────────────────

  /** Only the fields the caller sent, as the update schema parses them, in JSON form for the row. */
  private parseChanges(changes: Record<string, unknown>): StoredRecord {
    const result = policiesResource.updateSchema.safeParse(changes);
    if (!result.success) {
      throw AdminApiError.validation(Object.fromEntries(Object.entries(fieldErrorsOf(result.error)).map(([key, message]) => [`changes.${key}`, message])));
    }
    const sent = Object.fromEntries(Object.keys(changes).map((key) => [key, result.data[key]]));
    return JSON.parse(JSON.stringify(sent)) as StoredRecord;
  }

  private async decide(
    tx: Parameters<PolicyApprovalRepository['decide']>[0],
    current: PolicyApprovalRecord,
    decision: PolicyApprovalDecision,
    request: RequestContext,
    action: string,
    now: Date,
  ): Promise<PolicyApprovalRecord> {
    const decided = await this.repository.decide(tx, current.id, decision, this.auditEntry(request, action, current, { requestedBy: current.requestedBy }), now);
    if (decided === null) {
      throw this.alreadyDecided(current.id);
    }
    return decided;
  }

  private alreadyDecided(id: string): AdminApiError {
    return new AdminApiError('conflict', `Policy approval request ${id} was decided by someone else in the meantime`);
  }

  private async pending(id: string): Promise<PolicyApprovalRecord> {
    const current = await this.record(id);
    if (current.status !== 'pending') {
      throw new AdminApiError('conflict', `Policy approval request ${id} is ${current.status}: there is nothing left to decide`);
    }
    return current;
  }

  private async record(id: string): Promise<PolicyApprovalRecord> {
    const record = idSchema.safeParse(id).success ? await this.repository.find(id) : null;
    if (record === null) {
      throw notFound(id);
    }
    return record;
  }

  /** The policy is the target; the request, the actors and what changes are the context (values of no secret). */
  private auditEntry(request: RequestContext, action: string, record: PolicyApprovalRecord, extra: { reason?: string | null; requestedBy?: string }): AuditEntry {
    const impact = record.impact as Impact;
    return {
      actor: request.actor,
      action,
      target: { type: 'policies', id: record.policyId },
      decision: 'allow',
      reason: extra.reason ?? null,
      requestId: request.requestId,
      context: {
        approvalId: record.id,
        policyName: record.policy.name,
        requestedBy: extra.requestedBy ?? record.requestedBy,
        changedFields: Object.keys(record.changes),
        impact: impact.totals,
      },
    };
  }
}
