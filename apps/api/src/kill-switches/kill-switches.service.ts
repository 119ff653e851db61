/**
 * @overview Kill switches from the admin API: the blast radius before firing, firing, the
 * two-person rule for IdP-wide and global switches, lifting, and the revocation receipt the worker
 * fills. Firing writes the switch and its audit event in one transaction, drops this instance's
 * kill-switch set (so its next token request already sees the switch; every other instance sees it
 * within the gate's bound) and enqueues the fan-out.
 */
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { z } from 'zod';

import type { Config } from '@crossgate/config';
import { type KillSwitchScope, killSwitchDeliveryKinds, killSwitchDeliveryStatuses, killSwitchScopes, killSwitchScopeTargets, killSwitchStates, type KillSwitchTargetField, twoPersonKillSwitchScopes } from '@crossgate/domain';
import { type CatalogueQueue, createQueue, enqueue, jobId, JobName, killSwitchDeliveryJob, queueBackendOf, QueueName } from '@crossgate/jobs';
import { killSwitchesFired, killSwitchesLifted, queueTelemetry } from '@crossgate/logging';
import {
  type AuditEntry,
  type BlastRadiusCounts,
  type DeliveryRecord,
  type KillSwitchNames,
  type KillSwitchReach,
  type KillSwitchRecord,
  KillSwitchRepository,
  type ReceiptProgress,
  type Transaction,
} from '@crossgate/store';

import type { RequestContext } from '../auth/index.ts';
import { AdminApiError, equals, instant, type ListSpec, parseBody, parseListQuery, type RawListQuery } from '../http/index.ts';
import { Clock, InjectConfig } from '../platform/index.ts';
import { KillSwitchGate } from './kill-switch-gate.service.ts';

const scopeTargets = killSwitchScopeTargets;
type TargetField = KillSwitchTargetField;
const targetTables = { userId: 'user', clientId: 'client', resourceId: 'resource', connectionId: 'connection', idpId: 'idp' } as const;

const targetSchema = z.strictObject({
  scope: z.enum(killSwitchScopes),
  userId: z.uuid().optional(),
  clientId: z.uuid().optional(),
  resourceId: z.uuid().optional(),
  connectionId: z.uuid().optional(),
  idpId: z.uuid().optional(),
});
const fireSchema = targetSchema.extend({
  reason: z.string().trim().min(3, 'must say why, in at least 3 characters').max(2000),
  expiresAt: instant.nullable().optional(),
});
const reasonSchema = z.strictObject({ reason: z.string().trim().min(3, 'must say why, in at least 3 characters').max(2000) });
const optionalReasonSchema = z.strictObject({ reason: z.string().trim().max(2000).optional() });
const idSchema = z.uuid();
/** How long a remediation's `user_app_pair` switch stays in force (the worker fans it out well within it). */
const remediationHoldMs = 60_000;
/** How long firing waits for the fan-out job to be queued before it answers anyway. */
const enqueueTimeoutMs = 2_000;

const listSpec: ListSpec = {
  sortable: ['requestedAt', 'activatedAt', 'expiresAt', 'liftedAt', 'state', 'scope'],
  defaultSort: ['requestedAt', 'DESC'],
  filters: {
    state: equals('state', z.enum(killSwitchStates)),
    scope: equals('scope', z.enum(killSwitchScopes)),
    userId: equals('userId', z.uuid()),
    clientId: equals('clientId', z.uuid()),
    resourceId: equals('resourceId', z.uuid()),
    connectionId: equals('connectionId', z.uuid()),
    idpId: equals('idpId', z.uuid()),
  },
  search: ['reason', 'createdBy'],
  tiebreaker: 'id',
};

const deliveryListSpec: ListSpec = {
  sortable: ['createdAt', 'status', 'kind', 'attempts', 'deliveredAt', 'targetLabel'],
  defaultSort: ['createdAt', 'ASC'],
  filters: {
    status: equals('status', z.enum(killSwitchDeliveryStatuses)),
    kind: equals('kind', z.enum(killSwitchDeliveryKinds)),
  },
  search: ['targetLabel', 'lastError'],
  tiebreaker: 'id',
};

export interface ProgressView extends ReceiptProgress {
  /** The fan-out planned every line and none is still pending or being retried. */
  done: boolean;
}

export interface KillSwitchView extends KillSwitchRecord {
  targetLabel: string;
  requiresApproval: boolean;
  progress: ProgressView;
}

export interface DeliveryView extends DeliveryRecord {
  /** Milliseconds from the switch taking effect to this line's acknowledgement. */
  msToAck: number | null;
}

export interface BlastRadiusView extends BlastRadiusCounts {
  scope: KillSwitchScope;
  targetLabel: string;
  requiresApproval: boolean;
}

export interface ReceiptExport {
  killSwitch: KillSwitchView;
  summary: ProgressView;
  deliveries: DeliveryView[];
}

/** "alice@acme.example", "Cursor → Jira", "Everything": what a switch names, for people. */
export function targetLabelOf(scope: KillSwitchScope, names: KillSwitchNames): string {
  switch (scope) {
    case 'user':
      return names.user ?? 'a deleted user';
    case 'client':
      return names.client ?? 'a deleted client';
    case 'resource':
      return names.resource ?? 'a deleted resource';
    case 'app_pair':
      return `${names.client ?? 'a deleted client'} → ${names.resource ?? 'a deleted resource'}`;
    case 'user_app_pair':
      return `${names.user ?? 'a deleted user'} at ${names.client ?? 'a deleted client'} → ${names.resource ?? 'a deleted resource'}`;
    case 'connection':
      return names.connection ?? 'a deleted connection';
    case 'idp':
      return names.idp ?? 'a deleted IdP';
    case 'everything':
      return 'Everything';
    default: {
      const unreachable: never = scope;
      throw new Error(`Unknown scope ${String(unreachable)}`);
    }
  }
}

function requiresApproval(scope: KillSwitchScope): boolean {
  return twoPersonKillSwitchScopes.includes(scope);
}

function notFound(id: string): AdminApiError {
  return new AdminApiError('not_found', `No kill switch with id "${id.slice(0, 64)}"`);
}

@Injectable()
export class KillSwitchesService implements OnApplicationShutdown {
  private readonly logger = new Logger('kill-switches');
  private queue: CatalogueQueue | null = null;

  constructor(
    @Inject(KillSwitchRepository) private readonly repository: KillSwitchRepository,
    @Inject(KillSwitchGate) private readonly gate: KillSwitchGate,
    @InjectConfig() private readonly config: Config,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.queue?.close();
  }

  async preview(body: unknown): Promise<BlastRadiusView> {
    const target = await this.target(parseBody(targetSchema, body));
    const reach = await this.repository.resolve(target);
    const counts = await this.repository.blastRadius(reach, this.clock.now());
    const names = (await this.repository.names([{ id: '', ...nullIds(target) }])).get('') ?? {};
    return { scope: target.scope, targetLabel: targetLabelOf(target.scope, names), requiresApproval: requiresApproval(target.scope), ...counts };
  }

  /** Fires a switch, or for an IdP-wide or global one, asks a second admin to approve it. */
  async fire(body: unknown, request: RequestContext): Promise<KillSwitchView> {
    const input = parseBody(fireSchema, body);
    const target = await this.target(input);
    const now = this.clock.now();
    const expiresAt = input.expiresAt ?? null;
    if (expiresAt !== null && expiresAt <= now) {
      throw AdminApiError.validation({ expiresAt: 'must be in the future' });
    }
    const pending = requiresApproval(target.scope);
    const reach = await this.repository.resolve(target);
    const record = await this.repository.create(
      {
        ...nullIds(target),
        // A connection switch also names the connection's pair, so receivers and the receipt know it.
        clientId: reach.clientId ?? null,
        resourceId: reach.resourceId ?? null,
        scope: target.scope,
        state: pending ? 'pending_approval' : 'active',
        reason: input.reason,
        createdBy: request.principal?.email ?? request.actor.label ?? 'unknown',
        createdById: request.principal?.adminUserId ?? null,
        expiresAt,
      },
      (created) => this.auditEntry(request, pending ? 'kill_switch.requested' : 'kill_switch.fired', created),
      now,
    );
    if (!pending) {
      killSwitchesFired.inc({ scope: record.scope });
      await this.afterFiring(record.id);
    }
    return this.view(record);
  }

  /**
   * Ends the live tokens of each user at each app pair through the kill switch's own path: one
   * `user_app_pair` switch each, audited as fired and fanned out by the worker (tokens marked revoked,
   * SSF receivers told). The switch holds only briefly: a token it covered stays dead after it ends,
   * and the policy change that prompted it decides what may be issued afterwards.
   * @returns the switches fired
   */
  async revokeUserAccess(grants: readonly { userId: string; clientId: string; resourceId: string }[], reason: string, request: RequestContext): Promise<KillSwitchRecord[]> {
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + remediationHoldMs);
    const fired: KillSwitchRecord[] = [];
    for (const grant of grants) {
      const record = await this.repository.create(
        { ...nullIds(grant), scope: 'user_app_pair', state: 'active', reason, createdBy: request.principal?.email ?? request.actor.label ?? 'unknown', createdById: request.principal?.adminUserId ?? null, expiresAt },
        (created) => this.auditEntry(request, 'kill_switch.fired', created),
        now,
      );
      killSwitchesFired.inc({ scope: record.scope });
      fired.push(record);
    }
    for (const record of fired) {
      await this.afterFiring(record.id);
    }
    return fired;
  }

  /**
   * Fires a user-wide switch inside the caller's transaction, so the change that called for it (a
   * user deprovisioned over SCIM) and the switch commit together or not at all. Nothing is fired
   * when a user-wide switch on the user is already in force.
   * @returns what to run once the transaction has committed (this instance stops at once, the worker
   * fans out), or null when nothing was fired
   */
  async fireUserSwitchIn(tx: Transaction, userId: string, reason: string, request: RequestContext, context: Record<string, unknown> = {}): Promise<(() => Promise<void>) | null> {
    const now = this.clock.now();
    if (await this.repository.userSwitchInForce(tx, userId, now)) {
      return null;
    }
    const record = await this.repository.createIn(
      tx,
      { ...nullIds({ userId }), scope: 'user', state: 'active', reason, createdBy: request.principal?.email ?? request.actor.label ?? 'unknown', createdById: request.principal?.adminUserId ?? null, expiresAt: null },
      (created) => this.auditEntry(request, 'kill_switch.fired', created, context),
      now,
    );
    return async () => {
      killSwitchesFired.inc({ scope: record.scope });
      await this.afterFiring(record.id);
    };
  }

  /** The second admin's approval of a pending firing or a pending lift. */
  async approve(id: string, request: RequestContext): Promise<KillSwitchView> {
    const now = this.clock.now();
    const approver = request.principal?.email ?? request.actor.label ?? 'unknown';
    const updated = await this.transition(id, (current) => {
      if (current.state === 'pending_approval') {
        this.assertOtherAdmin(current.createdById, request, 'fire');
        return { data: { state: 'active', activatedAt: now, approvedBy: approver, approvedAt: now }, audit: this.auditEntry(request, 'kill_switch.approved', current, { approved: 'fire' }) };
      }
      if (current.state === 'active' && current.liftRequestedAt !== null) {
        this.assertOtherAdmin(current.liftRequestedById, request, 'lift');
        return {
          data: { state: 'lifted', liftedAt: now, liftedBy: current.liftRequestedBy, liftReason: current.liftRequestReason },
          audit: this.auditEntry(request, 'kill_switch.lifted', current, { approvedBy: approver, requestedBy: current.liftRequestedBy }),
        };
      }
      throw new AdminApiError('conflict', `Kill switch ${id} has nothing waiting for approval (it is ${current.state})`);
    });
    this.gate.refresh();
    if (updated.state === 'active') {
      killSwitchesFired.inc({ scope: updated.scope });
      await this.afterFiring(updated.id);
    } else if (updated.state === 'lifted') {
      killSwitchesLifted.inc({ scope: updated.scope, by: 'admin' });
    }
    return this.view(updated);
  }

  /** Turns down a pending firing or lift; the requester may withdraw their own. */
  async reject(id: string, body: unknown, request: RequestContext): Promise<KillSwitchView> {
    const { reason } = parseBody(optionalReasonSchema, body ?? {});
    const now = this.clock.now();
    const by = request.principal?.email ?? request.actor.label ?? 'unknown';
    const updated = await this.transition(id, (current) => {
      if (current.state === 'pending_approval') {
        return { data: { state: 'rejected', liftedAt: now, liftedBy: by, liftReason: reason ?? null }, audit: this.auditEntry(request, 'kill_switch.rejected', current, { rejected: 'fire', reason: reason ?? null }) };
      }
      if (current.state === 'active' && current.liftRequestedAt !== null) {
        return {
          data: { liftRequestedAt: null, liftRequestedBy: null, liftRequestedById: null, liftRequestReason: null },
          audit: this.auditEntry(request, 'kill_switch.rejected', current, { rejected: 'lift', reason: reason ?? null }),
        };
      }
      throw new AdminApiError('conflict', `Kill switch ${id} has nothing waiting for approval (it is ${current.state})`);
    });
    return this.view(updated);
  }

  /** Lifts a switch in force; an IdP-wide or global one waits for a second admin's approval. */
  async lift(id: string, body: unknown, request: RequestContext): Promise<KillSwitchView> {
    const { reason } = parseBody(reasonSchema, body);
    const now = this.clock.now();
    const by = request.principal?.email ?? request.actor.label ?? 'unknown';
    const updated = await this.transition(id, (current) => {
      if (current.state !== 'active') {
        throw new AdminApiError('conflict', `Kill switch ${id} is ${current.state}, not active: there is nothing to lift`);
      }
      if (requiresApproval(current.scope)) {
        if (current.liftRequestedAt !== null) {
          throw new AdminApiError('conflict', `A lift of kill switch ${id} already waits for approval (asked by ${current.liftRequestedBy ?? 'unknown'})`);
        }
        return {
          data: { liftRequestedAt: now, liftRequestedBy: by, liftRequestedById: request.principal?.adminUserId ?? null, liftRequestReason: reason },
          audit: this.auditEntry(request, 'kill_switch.lift_requested', current, { reason }),
        };
      }
      return { data: { state: 'lifted', liftedAt: now, liftedBy: by, liftReason: reason }, audit: this.auditEntry(request, 'kill_switch.lifted', current, { reason }) };
    });
    this.gate.refresh();
    if (updated.state === 'lifted') {
      killSwitchesLifted.inc({ scope: updated.scope, by: 'admin' });
    }
    return this.view(updated);
  }

  async list(query: RawListQuery): Promise<{ views: KillSwitchView[]; skip: number; total: number }> {
    const { where, orderBy, skip, take } = parseListQuery('kill-switches', listSpec, query);
    const page = await this.repository.list(where, orderBy, skip, take);
    return { views: await this.views(page.rows), skip, total: page.total };
  }

  async find(id: string): Promise<KillSwitchView> {
    return this.view(await this.record(id));
  }

  async deliveries(id: string, query: RawListQuery): Promise<{ views: DeliveryView[]; skip: number; total: number }> {
    const record = await this.record(id);
    const { where, orderBy, skip, take } = parseListQuery('deliveries', deliveryListSpec, query);
    const page = await this.repository.deliveries(id, where, orderBy, skip, take);
    return { views: page.rows.map((row) => deliveryView(record, row)), skip, total: page.total };
  }

  /** The whole receipt, for the incident report. */
  async receipt(id: string): Promise<ReceiptExport> {
    const record = await this.record(id);
    const view = await this.view(record);
    const lines: DeliveryView[] = [];
    const pageSize = 5_000;
    for (let skip = 0; ; skip += pageSize) {
      const page = await this.repository.deliveries(id, {}, [{ createdAt: 'asc' }, { id: 'asc' }], skip, pageSize);
      lines.push(...page.rows.map((row) => deliveryView(record, row)));
      if (page.rows.length < pageSize) {
        break;
      }
    }
    return { killSwitch: view, summary: view.progress, deliveries: lines };
  }

  /** Queues every dead-lettered line of the switch again, each under a job id of its own. */
  async redrive(id: string, request: RequestContext): Promise<{ redriven: number }> {
    const record = await this.record(id);
    const lines = await this.repository.redrive(record.id);
    if (lines.length > 0) {
      await this.killSwitchQueue().addBulk(lines.map((line) => killSwitchDeliveryJob(line.id, line.redrives, this.config.killSwitch)));
    }
    await this.repository.audit(this.auditEntry(request, 'kill_switch.redriven', record, { lines: lines.length }), this.clock.now());
    return { redriven: lines.length };
  }

  // ── Helpers ─────────────────────────────────────────────────────────────────────────────────────

  /** Checks the ids a scope names: each one given, no other, and each naming an existing row. */
  private async target(input: z.infer<typeof targetSchema>): Promise<KillSwitchReach> {
    const wanted: readonly TargetField[] = scopeTargets[input.scope];
    const problems: Record<string, string> = {};
    for (const field of Object.keys(targetTables) as TargetField[]) {
      if (wanted.includes(field) && input[field] === undefined) {
        problems[field] = `is required for a ${input.scope} kill switch`;
      } else if (!wanted.includes(field) && input[field] !== undefined) {
        problems[field] = `does not belong to a ${input.scope} kill switch`;
      }
    }
    if (Object.keys(problems).length > 0) {
      throw AdminApiError.validation(problems);
    }
    for (const field of wanted) {
      if (!(await this.repository.exists(targetTables[field], input[field] as string))) {
        throw AdminApiError.validation({ [field]: `names no existing ${targetTables[field]}` });
      }
    }
    return input;
  }

  private assertOtherAdmin(requesterId: string | null, request: RequestContext, what: 'fire' | 'lift'): void {
    const approverId = request.principal?.adminUserId ?? null;
    if (approverId === null || approverId === requesterId) {
      throw new AdminApiError('forbidden', `The two-person rule: another it-admin or incident-responder must approve this ${what === 'fire' ? 'kill switch' : 'lift'}, not the admin who asked for it`);
    }
  }

  private async transition(id: string, change: Parameters<KillSwitchRepository['transition']>[1]): Promise<KillSwitchRecord> {
    if (!idSchema.safeParse(id).success) {
      throw notFound(id);
    }
    const updated = await this.repository.transition(id, change, this.clock.now());
    if (updated === null) {
      throw notFound(id);
    }
    return updated;
  }

  private async record(id: string): Promise<KillSwitchRecord> {
    const record = idSchema.safeParse(id).success ? await this.repository.find(id) : null;
    if (record === null) {
      throw notFound(id);
    }
    return record;
  }

  /** The switch is in force: this instance stops at once, and the worker fans out. */
  private async afterFiring(id: string): Promise<void> {
    this.gate.refresh();
    try {
      // The answer must not wait on a Redis that is down: the switch already holds without the fan-out.
      await Promise.race([
        enqueue(this.killSwitchQueue(), { name: JobName.KillSwitchFanOut, data: { killSwitchId: id } }, { jobId: jobId(JobName.KillSwitchFanOut, id) }),
        new Promise((_, reject) => setTimeout(() => reject(new Error(`Redis did not take the job within ${enqueueTimeoutMs} ms`)), enqueueTimeoutMs).unref()),
      ]);
    } catch (error) {
      // The switch is in force already; the worker's reconcile plans the fan-out of any switch not fanned out.
      this.logger.error(`Kill switch ${id} is in force, but its fan-out could not be queued (the worker picks it up at its next reconcile): ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private auditEntry(request: RequestContext, action: string, record: KillSwitchRecord, context: Record<string, unknown> = {}): AuditEntry {
    return {
      actor: request.actor,
      action,
      target: { type: 'kill-switches', id: record.id },
      decision: 'allow',
      reason: record.reason,
      requestId: request.requestId,
      context: { scope: record.scope, ...nullIds(record), expiresAt: record.expiresAt?.toISOString() ?? null, ...context },
    };
  }

  private async view(record: KillSwitchRecord): Promise<KillSwitchView> {
    const [view] = await this.views([record]);
    return view as KillSwitchView;
  }

  private async views(records: readonly KillSwitchRecord[]): Promise<KillSwitchView[]> {
    const [names, progress] = await Promise.all([this.repository.names(records), this.repository.progress(records.map((record) => record.id))]);
    return records.map((record) => {
      const counts = progress.get(record.id) ?? { total: 0, pending: 0, delivered: 0, failed: 0, deadLettered: 0, firstAckMs: null, lastAckMs: null };
      return {
        ...record,
        targetLabel: targetLabelOf(record.scope, names.get(record.id) ?? {}),
        requiresApproval: requiresApproval(record.scope),
        progress: { ...counts, done: record.fannedOutAt !== null && counts.pending + counts.failed === 0 },
      };
    });
  }

  private killSwitchQueue(): CatalogueQueue {
    this.queue ??= createQueue(queueBackendOf(this.config), QueueName.KillSwitch, queueTelemetry());
    return this.queue;
  }
}

function nullIds(target: Partial<Record<TargetField, string | null | undefined>>): Record<TargetField, string | null> {
  return {
    userId: target.userId ?? null,
    clientId: target.clientId ?? null,
    resourceId: target.resourceId ?? null,
    connectionId: target.connectionId ?? null,
    idpId: target.idpId ?? null,
  };
}

function deliveryView(killSwitch: KillSwitchRecord, row: DeliveryRecord): DeliveryView {
  const from = killSwitch.activatedAt?.getTime();
  return { ...row, msToAck: row.deliveredAt === null || from === undefined ? null : row.deliveredAt.getTime() - from };
}
