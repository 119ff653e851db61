/**
 * @overview Applies a campaign's revoke and narrow decisions (and, at close, the revoke outcome of
 * items nobody decided) through the paths a manual edit takes: policies change through the CRUD
 * service (validated, audited, the policy version bumped), a legacy connection (vaulted key or
 * service account) that no policy serves any more is deactivated the same way, and the live tokens
 * of every user who lost access are ended by the kill switch's revocation path.
 *
 * Per policy, in one update: revoked subjects leave it; narrowed subjects that share a kept set move
 * to one new policy with those scopes (or, when they are all that is left, the policy itself is
 * narrowed); a policy left with no subject is disabled.
 */
import { Injectable } from '@nestjs/common';

import { AccessReviewRepository, type AccessReviewCampaignRecord, type RemediationItem, type StoredRecord } from '@crossgate/store';

import type { RequestContext } from '../auth/index.ts';
import { connectionsResource } from '../connections/index.ts';
import { CrudService } from '../crud/index.ts';
import { KillSwitchesService } from '../kill-switches/index.ts';
import { Clock } from '../platform/index.ts';
import { policiesResource } from '../policies/index.ts';

export interface RemediationSummary {
  items: number;
  policiesChanged: number;
  connectionsDisabled: number;
  killSwitches: number;
}

interface Subjects {
  everyone: boolean;
  groups: Set<string>;
  users: Set<string>;
}

function subjectsOf(items: readonly RemediationItem[]): Subjects {
  return {
    everyone: items.some((item) => item.subjectType === 'everyone'),
    groups: new Set(items.filter((item) => item.subjectType === 'group').map((item) => item.subjectId as string)),
    users: new Set(items.filter((item) => item.subjectType === 'user').map((item) => item.subjectId as string)),
  };
}

function subjectFields(subjects: Subjects) {
  return { everyone: subjects.everyone, subjectGroupIds: [...subjects.groups].sort(), subjectUserIds: [...subjects.users].sort() };
}

function isEmpty(subjects: Subjects): boolean {
  return !subjects.everyone && subjects.groups.size === 0 && subjects.users.size === 0;
}

@Injectable()
export class AccessReviewRemediation {
  constructor(
    private readonly repository: AccessReviewRepository,
    private readonly crud: CrudService,
    private readonly killSwitches: KillSwitchesService,
    private readonly clock: Clock,
  ) {}

  /** Applies what is still pending in the campaign (or only `itemIds`), once. */
  async apply(campaign: AccessReviewCampaignRecord, request: RequestContext, itemIds?: readonly string[]): Promise<RemediationSummary> {
    const items = await this.repository.pendingRemediation(campaign.id, itemIds);
    if (items.length === 0) {
      return { items: 0, policiesChanged: 0, connectionsDisabled: 0, killSwitches: 0 };
    }
    const byPolicy = new Map<string, RemediationItem[]>();
    for (const item of items) {
      byPolicy.set(item.policyId, [...(byPolicy.get(item.policyId) ?? []), item]);
    }
    let policiesChanged = 0;
    for (const [policyId, policyItems] of byPolicy) {
      if (await this.applyToPolicy(campaign, policyId, policyItems, request)) {
        policiesChanged += 1;
      }
    }
    const pairs = new Map(items.map((item) => [`${item.clientId}/${item.resourceId}`, { clientId: item.clientId, resourceId: item.resourceId }]));
    const connections = await this.repository.orphanedLegacyConnections([...pairs.values()]);
    for (const connectionId of connections) {
      await this.crud.update(connectionsResource, connectionId, { status: 'disabled' }, request);
    }
    const holders = await this.repository.liveTokenHolders(items, this.clock.now());
    const fired = await this.killSwitches.revokeUserAccess(holders, `Access review "${campaign.name}" (${campaign.id}) revoked or narrowed this access`, request);
    await this.repository.markRemediated(items.map((item) => item.id), this.clock.now());
    const summary = { items: items.length, policiesChanged, connectionsDisabled: connections.length, killSwitches: fired.length };
    await this.repository.audit(
      { actor: request.actor, action: 'campaign.remediated', target: { type: 'access-reviews', id: campaign.id }, decision: 'allow', requestId: request.requestId, context: summary },
      this.clock.now(),
    );
    return summary;
  }

  /** @returns whether the policy changed (false when it is gone or already without those subjects) */
  private async applyToPolicy(campaign: AccessReviewCampaignRecord, policyId: string, items: readonly RemediationItem[], request: RequestContext): Promise<boolean> {
    const policy = await this.crud.get(policiesResource, policyId).catch(() => null);
    if (policy === null || policy['deletedAt'] !== null || policy['status'] !== 'active') {
      return false;
    }
    const current: Subjects = { everyone: policy['everyone'] as boolean, groups: new Set(policy['subjectGroupIds'] as string[]), users: new Set(policy['subjectUserIds'] as string[]) };
    const leaving = subjectsOf(items);
    const remaining: Subjects = {
      everyone: current.everyone && !leaving.everyone,
      groups: new Set([...current.groups].filter((id) => !leaving.groups.has(id))),
      users: new Set([...current.users].filter((id) => !leaving.users.has(id))),
    };
    const narrowed = new Map<string, RemediationItem[]>();
    for (const item of items.filter((candidate) => candidate.action === 'narrow')) {
      const key = [...item.keptScopes].sort().join(' ');
      narrowed.set(key, [...(narrowed.get(key) ?? []), item]);
    }
    // A subject revoked under one pattern and narrowed under another is revoked.
    const revoked = subjectsOf(items.filter((item) => item.action === 'revoke'));
    for (const [key, group] of narrowed) {
      const kept = group.filter((item) => !(item.subjectType === 'everyone' ? revoked.everyone : (item.subjectType === 'group' ? revoked.groups : revoked.users).has(item.subjectId as string)));
      if (kept.length === 0) {
        narrowed.delete(key);
      } else {
        narrowed.set(key, kept);
      }
    }
    const sets = [...narrowed.entries()];
    if (isEmpty(remaining) && sets.length === 1) {
      const [scopes, group] = sets[0]!;
      await this.crud.update(policiesResource, policyId, { ...subjectFields(subjectsOf(group)), scopes: scopes.split(' ') }, request, certified);
      return true;
    }
    for (const [scopes, group] of sets) {
      await this.crud.create(policiesResource, narrowedCopy(policy, campaign, subjectsOf(group), scopes.split(' ')), request, certified);
    }
    await this.crud.update(policiesResource, policyId, isEmpty(remaining) ? { status: 'disabled' } : subjectFields(remaining), request, certified);
    return true;
  }
}

/**
 * Remediation only takes access away (fewer subjects, a subset of the scopes), and each change carries
 * a reviewer's recorded decision: the two-person rule's second person, as an approval is.
 */
const certified = { approved: true } as const;

/** The policy again, for some of its subjects and fewer scopes: what a narrow decision leaves them. */
function narrowedCopy(policy: StoredRecord, campaign: AccessReviewCampaignRecord, subjects: Subjects, scopes: string[]): StoredRecord {
  const expiresAt = policy['expiresAt'];
  return {
    name: `${String(policy['name'])} (narrowed)`.slice(0, 200),
    description: `Narrowed by access review "${campaign.name}" (${campaign.id})`.slice(0, 2000),
    clientId: policy['clientId'],
    resourceId: policy['resourceId'],
    effect: 'allow',
    ...subjectFields(subjects),
    scopes,
    conditions: policy['conditions'],
    status: 'active',
    ...(expiresAt instanceof Date ? { expiresAt: expiresAt.toISOString() } : {}),
  };
}
