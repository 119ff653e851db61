/**
 * @overview Access-review campaigns from the admin API: create over a scope with a reviewer rule,
 * launch (a snapshot of effective access, one item per client × resource × pattern × subject, with
 * its evidence), a reviewer's queue, decisions (certify, revoke, narrow) with a justification, bulk
 * decisions, reassignment and delegation. Separation of duties: nobody decides an item that grants
 * their own access, matched through the end user who has the admin's e-mail (and that user's groups).
 */
import { Injectable } from '@nestjs/common';
import { z } from 'zod';

import { type AdminRole, grantsOwnAccess, isAdminRole, roleGrants } from '@crossgate/domain';
import { activePolicies, type PolicyGrant, policyGrants } from '@crossgate/policy';
import {
  type AccessReviewCampaignRecord,
  type AccessReviewCertification,
  type AccessReviewItemFilter,
  type AccessReviewItemRecord,
  type AccessReviewProgress,
  AccessReviewRepository,
  type AuditEntry,
  type NewAccessReviewItem,
} from '@crossgate/store';

import { AccessControl, type RequestContext } from '../auth/index.ts';
import { AdminApiError, equals, instant, type ListSpec, parseBody, parseListQuery, type RawListQuery } from '../http/index.ts';
import { Clock } from '../platform/index.ts';
import { PolicyEngineService } from '../policies/index.ts';
import { AccessReviewRemediation, type RemediationSummary } from './access-review-remediation.service.ts';

export const reviewerRules = ['resource_owner', 'client_owner', 'named'] as const;
export const campaignScopeKinds = ['all', 'resource', 'client', 'group', 'pattern'] as const;
export const connectionPatterns = ['xaa', 'sts', 'vaulted_key', 'service_account'] as const;
const legacyPatterns: readonly string[] = ['vaulted_key', 'service_account'];
const defaultEvidenceDays = 90;

const email = z.email().max(320).transform((value) => value.toLowerCase());
const justification = z.string().trim().min(3, 'must say why, in at least 3 characters').max(2000);
const scopeSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('all') }),
  z.strictObject({ kind: z.literal('resource'), resourceId: z.uuid() }),
  z.strictObject({ kind: z.literal('client'), clientId: z.uuid() }),
  z.strictObject({ kind: z.literal('group'), groupId: z.uuid() }),
  z.strictObject({ kind: z.literal('pattern'), pattern: z.enum(connectionPatterns) }),
]);
const createSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).optional(),
    scope: scopeSchema,
    dueAt: instant,
    reviewerRule: z.enum(reviewerRules),
    reviewers: z.array(email).max(100).default([]),
    fallbackReviewer: email,
    undecidedOutcome: z.enum(['keep', 'revoke']).default('keep'),
    remediateImmediately: z.boolean().default(false),
    evidenceSince: instant.optional(),
  })
  .refine((input) => input.reviewerRule !== 'named' || input.reviewers.length > 0, { message: 'the named rule needs at least one reviewer', path: ['reviewers'] });
const decisionSchema = z.discriminatedUnion('decision', [
  z.strictObject({ decision: z.literal('certify'), justification }),
  z.strictObject({ decision: z.literal('revoke'), justification }),
  z.strictObject({ decision: z.literal('narrow'), justification, scopes: z.array(z.string().min(1).max(200)).min(1, 'keep at least one scope (or revoke instead)').max(200) }),
]);
const itemFilterSchema = z.strictObject({
  clientId: z.uuid().optional(),
  resourceId: z.uuid().optional(),
  pattern: z.enum(connectionPatterns).optional(),
  riskFlag: z.enum(['unused_30d', 'legacy_pattern', 'high_risk_scopes', 'no_owner']).optional(),
  subjectType: z.enum(['user', 'group', 'everyone']).optional(),
});
const bulkSchema = z.strictObject({ decision: z.enum(['certify', 'revoke']), justification, filter: itemFilterSchema.default({}) });
const reassignSchema = z.strictObject({ reviewer: email, reason: justification });
const delegateSchema = z.strictObject({ to: email, from: email.optional(), reason: justification });
const idSchema = z.uuid();
const certificationQuerySchema = z.strictObject({ policyId: z.uuid(), userId: z.uuid().optional() });

const campaignListSpec: ListSpec = {
  sortable: ['name', 'status', 'dueAt', 'createdAt', 'launchedAt', 'closedAt'],
  defaultSort: ['createdAt', 'DESC'],
  filters: { status: equals('status', z.enum(['draft', 'active', 'closed'])) },
  search: ['name', 'description'],
  tiebreaker: 'id',
};
const itemListSpec: ListSpec = {
  sortable: ['createdAt', 'decidedAt', 'pattern', 'subjectType', 'reviewer'],
  defaultSort: ['createdAt', 'ASC'],
  filters: {
    campaignId: equals('campaignId', z.uuid()),
    clientId: equals('clientId', z.uuid()),
    resourceId: equals('resourceId', z.uuid()),
    pattern: equals('pattern', z.enum(connectionPatterns)),
    decision: equals('decision', z.enum(['certify', 'revoke', 'narrow'])),
    undecided: { schema: z.boolean(), where: (undecided: boolean) => (undecided ? { decision: null } : { decision: { not: null } }) },
    riskFlag: { schema: z.string().max(50), where: (flag: string) => ({ riskFlags: { has: flag } }) },
    /** true: only items of active (launched, not closed) campaigns, which can still be decided. */
    open: { schema: z.boolean(), where: (open: boolean) => ({ campaign: { status: open ? 'active' : { not: 'active' } } }) },
  },
  search: ['reviewer', 'justification'],
  tiebreaker: 'id',
};

function mayReview(role: string | undefined): boolean {
  return role !== undefined && isAdminRole(role) && roleGrants[role as AdminRole].some((grant) => grant.action === 'review' && (grant.object === 'access-reviews' || grant.object === '*'));
}

function notFound(what: 'campaign' | 'item', id: string): AdminApiError {
  return new AdminApiError('not_found', `No access-review ${what} with id "${id.slice(0, 64)}"`);
}

@Injectable()
export class AccessReviewsService {
  constructor(
    private readonly repository: AccessReviewRepository,
    private readonly engine: PolicyEngineService,
    private readonly remediation: AccessReviewRemediation,
    private readonly accessControl: AccessControl,
    private readonly clock: Clock,
  ) {}

  /** Whoever may run campaigns may also reassign and delegate anyone's items. */
  private mayManage(request: RequestContext): boolean {
    return request.principal !== null && this.accessControl.allows(request.principal.role, 'access-reviews:write');
  }

  async create(body: unknown, request: RequestContext): Promise<AccessReviewCampaignRecord> {
    const input = parseBody(createSchema, body);
    const now = this.clock.now();
    const admins = await this.repository.activeAdmins();
    const problems: Record<string, string> = {};
    if (input.dueAt <= now) {
      problems['dueAt'] = 'must be in the future';
    }
    if (!mayReview(admins.get(input.fallbackReviewer))) {
      problems['fallbackReviewer'] = 'must be an active admin whose role may review access';
    }
    input.reviewers.forEach((reviewer, index) => {
      if (!mayReview(admins.get(reviewer))) {
        problems[`reviewers.${index}`] = 'must be an active admin whose role may review access';
      }
    });
    const scope = input.scope;
    const scopeValue = scope.kind === 'all' ? null : scope.kind === 'resource' ? scope.resourceId : scope.kind === 'client' ? scope.clientId : scope.kind === 'group' ? scope.groupId : scope.pattern;
    if ((scope.kind === 'client' || scope.kind === 'resource' || scope.kind === 'group') && !(await this.repository.scopeTargetExists(scope.kind, scopeValue as string))) {
      problems[`scope.${scope.kind}Id`] = `names no existing ${scope.kind}`;
    }
    if (Object.keys(problems).length > 0) {
      throw AdminApiError.validation(problems);
    }
    return this.repository.createCampaign(
      {
        name: input.name,
        description: input.description ?? null,
        scopeKind: scope.kind,
        scopeValue,
        reviewerRule: input.reviewerRule,
        reviewers: input.reviewers,
        fallbackReviewer: input.fallbackReviewer,
        dueAt: input.dueAt,
        undecidedOutcome: input.undecidedOutcome,
        remediateImmediately: input.remediateImmediately,
        evidenceSince: input.evidenceSince ?? new Date(now.getTime() - defaultEvidenceDays * 86_400_000),
        createdBy: request.principal?.email ?? request.actor.label ?? 'unknown',
        createdById: request.principal?.adminUserId ?? null,
      },
      (record) => campaignAudit(request, 'campaign.created', record),
      now,
    );
  }

  async list(query: RawListQuery): Promise<{ records: AccessReviewCampaignRecord[]; skip: number; total: number }> {
    const { where, orderBy, skip, take } = parseListQuery('access-reviews', campaignListSpec, query);
    const page = await this.repository.listCampaigns(where, orderBy, skip, take);
    return { records: page.rows, skip, total: page.total };
  }

  async find(id: string): Promise<AccessReviewCampaignRecord> {
    const record = idSchema.safeParse(id).success ? await this.repository.findCampaign(id) : null;
    if (record === null) {
      throw notFound('campaign', id);
    }
    return record;
  }

  /** Items decided, by decision, and still undecided. */
  async progress(id: string): Promise<AccessReviewProgress> {
    await this.find(id);
    return this.repository.progress(id);
  }

  /** The latest decision on an item of a policy (covering one user, when `userId` is given), or null. */
  async lastCertification(query: unknown): Promise<{ certification: AccessReviewCertification | null }> {
    const parsed = certificationQuerySchema.safeParse(query ?? {});
    if (!parsed.success) {
      throw new AdminApiError('bad_request', 'policyId must be a UUID, and userId, when given, too');
    }
    return { certification: await this.repository.lastCertification(parsed.data.policyId, parsed.data.userId ?? null) };
  }

  /** Snapshots the campaign's items from effective access now, with their evidence and reviewers. */
  async launch(id: string, request: RequestContext): Promise<AccessReviewCampaignRecord> {
    const campaign = await this.find(id);
    if (campaign.status !== 'draft') {
      throw new AdminApiError('conflict', `Campaign ${id} is ${campaign.status}: only a draft can be launched`);
    }
    const now = this.clock.now();
    const items = await this.snapshotItems(campaign, now);
    const launched = await this.repository.launch(id, items, (record) => campaignAudit(request, 'campaign.launched', record, { items: items.length }), now);
    if (launched === null) {
      throw new AdminApiError('conflict', `Campaign ${id} was launched or closed meanwhile`);
    }
    return launched;
  }

  /** The items assigned to the signed-in admin (react-admin list dialect). */
  async queue(query: RawListQuery, request: RequestContext): Promise<{ records: AccessReviewItemRecord[]; skip: number; total: number }> {
    const { where, orderBy, skip, take } = parseListQuery('access-review-items', itemListSpec, query);
    const page = await this.repository.listItems({ AND: [where, { reviewer: reviewerOf(request) }] }, orderBy, skip, take);
    return { records: page.rows, skip, total: page.total };
  }

  /** Every item of a campaign, whoever reviews it. */
  async items(id: string, query: RawListQuery): Promise<{ records: AccessReviewItemRecord[]; skip: number; total: number }> {
    await this.find(id);
    const { where, orderBy, skip, take } = parseListQuery('access-review-items', itemListSpec, query);
    const page = await this.repository.listItems({ AND: [where, { campaignId: id }] }, orderBy, skip, take);
    return { records: page.rows, skip, total: page.total };
  }

  async decide(itemId: string, body: unknown, request: RequestContext): Promise<AccessReviewItemRecord> {
    const input = parseBody(decisionSchema, body);
    const item = await this.item(itemId);
    const me = reviewerOf(request);
    if (item.reviewer !== me) {
      throw new AdminApiError('forbidden', `This item is assigned to ${item.reviewer}; only its reviewer may decide it (ask for it to be reassigned)`);
    }
    const identity = (await this.repository.identities([me])).get(me) ?? { userIds: [], groupIds: [] };
    if (grantsOwnAccess(item, identity)) {
      throw new AdminApiError('forbidden', 'Separation of duties: this item grants your own access, so you cannot decide it; reassign it to another reviewer');
    }
    const keptScopes = input.decision === 'narrow' ? [...new Set(input.scopes)].sort() : [];
    if (input.decision === 'narrow') {
      const outside = keptScopes.filter((scope) => !item.scopes.includes(scope));
      if (outside.length > 0) {
        throw AdminApiError.validation({ scopes: `not granted by this item: ${outside.join(', ')}` });
      }
      if (keptScopes.length === item.scopes.length) {
        throw AdminApiError.validation({ scopes: 'keeps every granted scope: certify instead' });
      }
    }
    const now = this.clock.now();
    const change = { decision: input.decision, keptScopes, justification: input.justification, decidedBy: me, decidedById: request.principal?.adminUserId ?? null };
    const audit: AuditEntry = {
      actor: request.actor,
      action: 'campaign.item_decided',
      target: { type: 'access-reviews', id: item.campaignId },
      decision: 'allow',
      reason: input.justification,
      requestId: request.requestId,
      before: { decision: item.decision, keptScopes: item.keptScopes },
      after: { decision: input.decision, keptScopes },
      context: { itemId: item.id, policyId: item.policyId, clientId: item.clientId, resourceId: item.resourceId, subjectType: item.subjectType, subjectId: item.subjectId },
    };
    const decided = await this.repository.decide(item.id, change, audit, now);
    if (decided === null) {
      throw new AdminApiError('conflict', `Campaign ${item.campaignId} is not active: its items can no longer be decided`);
    }
    if (input.decision !== 'certify') {
      const campaign = await this.find(item.campaignId);
      if (campaign.remediateImmediately) {
        await this.remediation.apply(campaign, request, [item.id]);
      }
    }
    return decided;
  }

  /** Certifies or revokes every undecided item of mine in the campaign that matches the filter. */
  async decideMany(id: string, body: unknown, request: RequestContext): Promise<{ decided: number; skippedOwnAccess: number }> {
    const input = parseBody(bulkSchema, body);
    const campaign = await this.find(id);
    const me = reviewerOf(request);
    const identity = (await this.repository.identities([me])).get(me) ?? { userIds: [], groupIds: [] };
    const filter: AccessReviewItemFilter = { ...input.filter, campaignId: id, reviewer: me, undecided: true };
    const now = this.clock.now();
    const counts = await this.repository.decideMany(
      filter,
      identity,
      { decision: input.decision, justification: input.justification, decidedBy: me, decidedById: request.principal?.adminUserId ?? null, at: now },
      (result) => ({
        actor: request.actor,
        action: 'campaign.items_decided',
        target: { type: 'access-reviews', id },
        decision: 'allow',
        reason: input.justification,
        requestId: request.requestId,
        context: { decision: input.decision, filter: input.filter, ...result },
      }),
    );
    if (counts === null) {
      throw new AdminApiError('conflict', `Campaign ${id} is ${campaign.status}: its items can no longer be decided`);
    }
    if (input.decision === 'revoke' && campaign.remediateImmediately) {
      await this.remediation.apply(campaign, request);
    }
    return { decided: counts.decided, skippedOwnAccess: counts.ownAccess };
  }

  /** Gives one item to another reviewer: its reviewer may, and so may whoever runs campaigns. */
  async reassign(itemId: string, body: unknown, request: RequestContext): Promise<AccessReviewItemRecord> {
    const input = parseBody(reassignSchema, body);
    const item = await this.item(itemId);
    if (!this.mayManage(request) && item.reviewer !== reviewerOf(request)) {
      throw new AdminApiError('forbidden', `This item is assigned to ${item.reviewer}; only they or a campaign manager may reassign it`);
    }
    await this.assertReviewer(input.reviewer, 'reviewer');
    const moved = await this.repository.reassign({ itemId: item.id }, input.reviewer, (count) => ({
      actor: request.actor,
      action: 'campaign.item_reassigned',
      target: { type: 'access-reviews', id: item.campaignId },
      decision: 'allow',
      reason: input.reason,
      requestId: request.requestId,
      before: { reviewer: item.reviewer },
      after: { reviewer: input.reviewer },
      context: { itemId: item.id, moved: count },
    }), this.clock.now());
    if (moved === 0) {
      throw new AdminApiError('conflict', `Campaign ${item.campaignId} is not active: its items can no longer be reassigned`);
    }
    return (await this.repository.findItem(item.id)) as AccessReviewItemRecord;
  }

  /** Hands every undecided item of one reviewer (by default the caller) in the campaign to another. */
  async delegate(id: string, body: unknown, request: RequestContext): Promise<{ delegated: number }> {
    const input = parseBody(delegateSchema, body);
    const campaign = await this.find(id);
    const from = input.from ?? reviewerOf(request);
    if (!this.mayManage(request) && from !== reviewerOf(request)) {
      throw new AdminApiError('forbidden', 'Only a campaign manager may delegate another reviewer\'s items');
    }
    if (campaign.status !== 'active') {
      throw new AdminApiError('conflict', `Campaign ${id} is ${campaign.status}: only an active campaign's items can be delegated`);
    }
    await this.assertReviewer(input.to, 'to');
    const delegated = await this.repository.reassign({ campaignId: id, reviewer: from, undecided: true }, input.to, (count) => ({
      actor: request.actor,
      action: 'campaign.items_delegated',
      target: { type: 'access-reviews', id },
      decision: 'allow',
      reason: input.reason,
      requestId: request.requestId,
      before: { reviewer: from },
      after: { reviewer: input.to },
      context: { items: count },
    }), this.clock.now());
    return { delegated };
  }

  async close(id: string, request: RequestContext): Promise<AccessReviewCampaignRecord & { remediation: RemediationSummary }> {
    const campaign = await this.find(id);
    if (campaign.status !== 'active') {
      throw new AdminApiError('conflict', `Campaign ${id} is ${campaign.status}: only an active campaign can be closed`);
    }
    const closed = await this.repository.close(id, reviewerOf(request), (record, counts) => campaignAudit(request, 'campaign.closed', record, counts), this.clock.now());
    if (closed === null) {
      throw new AdminApiError('conflict', `Campaign ${id} was closed meanwhile`);
    }
    return { ...closed, remediation: await this.remediate(closed, request) };
  }

  /** Applies what a closed campaign (or one that remediates at once) still has pending: after a stopped close, again. */
  async retryRemediation(id: string, request: RequestContext): Promise<RemediationSummary> {
    const campaign = await this.find(id);
    if (campaign.status === 'draft') {
      throw new AdminApiError('conflict', `Campaign ${id} is a draft: there is nothing to apply`);
    }
    return this.remediate(campaign, request);
  }

  private async remediate(campaign: AccessReviewCampaignRecord, request: RequestContext): Promise<RemediationSummary> {
    try {
      return await this.remediation.apply(campaign, request);
    } catch (error) {
      if (error instanceof AdminApiError) {
        // The campaign stays closed and what was applied stays applied; the rest is still pending.
        throw new AdminApiError('conflict', `Campaign ${campaign.id} is ${campaign.status}, but applying its decisions stopped: ${error.message}. Fix that, then POST /api/access-reviews/campaigns/${campaign.id}/remediate to finish`);
      }
      throw error;
    }
  }

  // ── Helpers ─────────────────────────────────────────────────────────────────────────────────────

  private async item(id: string): Promise<AccessReviewItemRecord> {
    const item = idSchema.safeParse(id).success ? await this.repository.findItem(id) : null;
    if (item === null) {
      throw notFound('item', id);
    }
    return item;
  }

  private async assertReviewer(candidate: string, field: string): Promise<void> {
    if (!mayReview((await this.repository.activeAdmins()).get(candidate))) {
      throw AdminApiError.validation({ [field]: 'must be an active admin whose role may review access' });
    }
  }

  /** client × resource × pattern × subject for every active allow policy in the campaign's scope. */
  private async snapshotItems(campaign: AccessReviewCampaignRecord, now: Date): Promise<NewAccessReviewItem[]> {
    const snapshot = this.engine.snapshot();
    const [facts, admins] = await Promise.all([this.repository.launchFacts(), this.repository.activeAdmins()]);
    const members = campaign.scopeKind === 'group' ? await this.repository.groupMembers(campaign.scopeValue as string) : null;
    const grants = policyGrants(snapshot, activePolicies(snapshot, now).filter((policy) => policy.effect === 'allow')).filter((grant) => inScope(campaign, grant));
    const reviewable = (email: string | undefined) => (email !== undefined && mayReview(admins.get(email.toLowerCase())) ? email.toLowerCase() : null);
    const candidates = new Set<string>([campaign.fallbackReviewer, ...campaign.reviewers]);
    for (const grant of grants) {
      candidates.add(facts.clientOwners.get(grant.policy.clientId)?.toLowerCase() ?? '');
      candidates.add(facts.resources.get(grant.policy.resourceId)?.owner.toLowerCase() ?? '');
    }
    const identities = await this.repository.identities([...candidates].filter((candidate) => reviewable(candidate) !== null));
    const pairIndex = new Map<string, number>();
    const items: NewAccessReviewItem[] = [];
    for (const grant of grants) {
      const { policy } = grant;
      const pair = `${policy.clientId}/${policy.resourceId}`;
      const connections = facts.connections.get(pair) ?? [{ id: null, pattern: 'xaa' }];
      if (campaign.scopeKind === 'pattern' && !connections.some((connection) => connection.pattern === campaign.scopeValue)) {
        continue;
      }
      if (!pairIndex.has(pair)) {
        pairIndex.set(pair, pairIndex.size);
      }
      const resource = facts.resources.get(policy.resourceId);
      const highRiskScopes = grant.scopes.filter((scope) => highRiskOf(resource?.scopes).has(scope));
      const clientOwner = reviewable(facts.clientOwners.get(policy.clientId));
      const resourceOwner = reviewable(resource?.owner);
      const ruled = campaign.reviewerRule === 'resource_owner' ? resourceOwner : campaign.reviewerRule === 'client_owner' ? clientOwner : (campaign.reviewers[(pairIndex.get(pair) as number) % campaign.reviewers.length] ?? null);
      const ownerless = campaign.reviewerRule === 'named' ? clientOwner === null && resourceOwner === null : ruled === null;
      const subjects: { subjectType: 'user' | 'group' | 'everyone'; subjectId: string | null }[] = policy.everyone
        ? [{ subjectType: 'everyone', subjectId: null }]
        : [...policy.subjectGroupIds.map((id) => ({ subjectType: 'group' as const, subjectId: id })), ...policy.subjectUserIds.map((id) => ({ subjectType: 'user' as const, subjectId: id }))];
      for (const connection of connections) {
        if (campaign.scopeKind === 'pattern' && connection.pattern !== campaign.scopeValue) {
          continue;
        }
        for (const subject of subjects) {
          if (members !== null && !(subject.subjectType === 'group' ? subject.subjectId === campaign.scopeValue : subject.subjectType === 'user' && members.has(subject.subjectId as string))) {
            continue;
          }
          const own = (reviewer: string | null) => reviewer !== null && grantsOwnAccess(subject, identities.get(reviewer) ?? { userIds: [], groupIds: [] });
          const reviewer = ruled !== null && !own(ruled) ? ruled : campaign.fallbackReviewer;
          items.push({
            policyId: policy.id,
            clientId: policy.clientId,
            resourceId: policy.resourceId,
            pattern: connection.pattern,
            connectionId: connection.id,
            ...subject,
            scopes: grant.scopes,
            highRiskScopes,
            riskFlags: [
              ...(legacyPatterns.includes(connection.pattern) ? ['legacy_pattern'] : []),
              ...(highRiskScopes.length > 0 ? ['high_risk_scopes'] : []),
              ...(ownerless ? ['no_owner'] : []),
            ],
            reviewer,
          });
        }
      }
    }
    return items;
  }
}

/** The scope names a resource's catalogue rates `high`. */
const highRiskCache = new WeakMap<object, Set<string>>();
function highRiskOf(catalogue: unknown): Set<string> {
  if (!Array.isArray(catalogue)) {
    return new Set();
  }
  let cached = highRiskCache.get(catalogue);
  if (cached === undefined) {
    cached = new Set((catalogue as { name?: unknown; risk?: unknown }[]).filter((scope) => scope.risk === 'high' && typeof scope.name === 'string').map((scope) => scope.name as string));
    highRiskCache.set(catalogue, cached);
  }
  return cached;
}

function inScope(campaign: AccessReviewCampaignRecord, { policy }: PolicyGrant): boolean {
  switch (campaign.scopeKind) {
    case 'resource':
      return policy.resourceId === campaign.scopeValue;
    case 'client':
      return policy.clientId === campaign.scopeValue;
    case 'group':
      return policy.everyone || policy.subjectGroupIds.includes(campaign.scopeValue as string) || policy.subjectUserIds.length > 0;
    default:
      return true;
  }
}

function reviewerOf(request: RequestContext): string {
  return (request.principal?.email ?? request.actor.label ?? 'unknown').toLowerCase();
}

function campaignAudit(request: RequestContext, action: string, record: AccessReviewCampaignRecord, context: Record<string, unknown> = {}): AuditEntry {
  return {
    actor: request.actor,
    action,
    target: { type: 'access-reviews', id: record.id },
    decision: 'allow',
    requestId: request.requestId,
    context: { name: record.name, status: record.status, scopeKind: record.scopeKind, scopeValue: record.scopeValue, reviewerRule: record.reviewerRule, dueAt: record.dueAt.toISOString(), ...context },
  };
}
