/**
 * @overview "What can this agent do, for whom, where, with which scopes?" answered from the live
 * policy index, by client, by resource or by user. By client or resource: one row per active policy
 * of that client or resource, with its subjects, its scopes within the client's ceiling and its
 * conditions. By user: one row per app pair a policy names the user (or a group of theirs, or
 * everyone) for, with the decision for that user now, asking no particular scope (so the default set).
 */
import { Injectable } from '@nestjs/common';
import { z } from 'zod';

import { type DecisionCode, decide, type PolicyConditions, type PolicyEffect, type PolicyRow } from '@crossgate/policy';
import { type PolicyNames, PolicySourceRepository } from '@crossgate/store';

import { AdminApiError } from '../http/admin-api.error.ts';
import { Clock } from '../platform/platform.module.ts';
import { PolicyEngineService, type PolicySnapshot } from '../policies/policy-engine.service.ts';

const querySchema = z.object({
  clientId: z.uuid().transform((value) => value.toLowerCase()).optional(),
  resourceId: z.uuid().transform((value) => value.toLowerCase()).optional(),
  userId: z.uuid().transform((value) => value.toLowerCase()).optional(),
});

export type EffectiveAccessSubjects =
  | 'everyone'
  | {
      groups: { id: string; name: string | null }[];
      users: { id: string; email: string | null; displayName: string | null }[];
    };

export interface EffectiveAccessRow {
  client: { id: string; name: string | null };
  resource: { id: string; name: string | null; slug: string | null };
  /** By client or resource: the policy's effect. By user: always `allow` or the refusal's code says why not. */
  effect: PolicyEffect;
  /** By user: the decision's code for that user now (`allowed`, `step_up_required`, …). */
  code?: DecisionCode;
  subjects: EffectiveAccessSubjects;
  /** Allow: the scopes granted (within the client's ceiling). Deny: the scopes removed; empty blocks the pair. */
  scopes: readonly string[];
  policyIds: readonly string[];
  /** One sentence per condition, e.g. `acr one of phr`. */
  conditions: string[];
}

export interface EffectiveAccess {
  by: 'client' | 'resource' | 'user';
  id: string;
  /** The policy version the answer was computed from. */
  policyVersion: string;
  rows: EffectiveAccessRow[];
}

export function conditionsSummary(conditions: PolicyConditions, expiresAt: Date | null): string[] {
  const lines: string[] = [];
  const window = conditions.timeWindow;
  if (window) {
    lines.push(`only ${window.days.join(', ')} ${window.start}–${window.end} ${window.timeZone}`);
  }
  if (conditions.requiredAcr?.length) {
    lines.push(`acr one of ${conditions.requiredAcr.join(' ')}`);
  }
  if (conditions.requiredAmr?.length) {
    lines.push(`amr includes ${conditions.requiredAmr.join(' ')}`);
  }
  if (conditions.maxLifetimeSeconds !== undefined) {
    lines.push(`ID-JAG lifetime at most ${conditions.maxLifetimeSeconds} s`);
  }
  if (expiresAt) {
    lines.push(`expires ${expiresAt.toISOString()}`);
  }
  return lines;
}

@Injectable()
export class EffectiveAccessService {
  constructor(
    private readonly source: PolicySourceRepository,
    private readonly engine: PolicyEngineService,
    private readonly clock: Clock,
  ) {
  }

  async query(query: unknown): Promise<EffectiveAccess> {
    const parsed = querySchema.safeParse(query ?? {});
    const given = parsed.success ? (['clientId', 'resourceId', 'userId'] as const).filter((key) => parsed.data[key] !== undefined) : [];
    if (!parsed.success || given.length !== 1) {
      throw new AdminApiError('bad_request', 'Give exactly one of clientId, resourceId or userId, each a UUID');
    }
    const key = given[0] as 'clientId' | 'resourceId' | 'userId';
    const id = parsed.data[key] as string;
    const snapshot = this.engine.snapshot();
    const now = this.clock.now();
    const policyVersion = snapshot.version.toString();
    if (key === 'userId') {
      return { by: 'user', id, policyVersion, rows: await this.forUser(snapshot, id, now) };
    }
    const policies = this.activeNow(snapshot, now).filter((policy) => policy[key] === id);
    return { by: key === 'clientId' ? 'client' : 'resource', id, policyVersion, rows: await this.forPolicies(snapshot, policies) };
  }


  /** The rows the index holds that are still unexpired now and whose client may be served. */
  private activeNow(snapshot: PolicySnapshot, now: Date): PolicyRow[] {
    const clients = new Set(snapshot.clients.map((client) => client.id));
    return snapshot.policies.filter((policy) => clients.has(policy.clientId) && (!policy.expiresAt || policy.expiresAt > now));
  }

  private async forPolicies(snapshot: PolicySnapshot, policies: PolicyRow[]): Promise<EffectiveAccessRow[]> {
    const names = await this.source.names({
      clientIds: [...new Set(policies.map((policy) => policy.clientId))],
      resourceIds: [...new Set(policies.map((policy) => policy.resourceId))],
      groupIds: [...new Set(policies.flatMap((policy) => policy.subjectGroupIds))],
      userIds: [...new Set(policies.flatMap((policy) => policy.subjectUserIds))],
    });
    const ceilings = new Map(snapshot.clients.map((client) => [client.id, client.scopeCeiling]));
    return policies.map((policy) => {
      const ceiling = ceilings.get(policy.clientId) ?? [];
      const scopes = policy.effect === 'allow' && ceiling.length > 0 ? policy.scopes.filter((scope) => ceiling.includes(scope)) : policy.scopes;
      return {
        ...this.pairOf(names, policy.clientId, policy.resourceId),
        effect: policy.effect,
        subjects: policy.everyone
          ? 'everyone'
          : {
              groups: policy.subjectGroupIds.map((groupId) => ({ id: groupId, name: names.groups.get(groupId)?.name ?? null })),
              users: policy.subjectUserIds.map((userId) => this.userOf(names, userId)),
            },
        scopes: [...scopes].sort(),
        policyIds: [policy.id],
        conditions: conditionsSummary(policy.conditions, policy.expiresAt),
      };
    });
  }

  private async forUser(snapshot: PolicySnapshot, userId: string, now: Date): Promise<EffectiveAccessRow[]> {
    const groupIds = await this.source.groupIdsOf(userId);
    if (!groupIds) {
      throw new AdminApiError('not_found', `No user with id "${userId}"`);
    }
    const pairs = new Map<string, PolicyRow[]>();
    for (const policy of this.activeNow(snapshot, now)) {
      if (policy.everyone || policy.subjectUserIds.includes(userId) || policy.subjectGroupIds.some((groupId) => groupIds.includes(groupId))) {
        const key = `${policy.clientId}/${policy.resourceId}`;
        pairs.set(key, [...(pairs.get(key) ?? []), policy]);
      }
    }
    const all = [...pairs.values()];
    const names = await this.source.names({
      clientIds: [...new Set(all.map(([first]) => first!.clientId))],
      resourceIds: [...new Set(all.map(([first]) => first!.resourceId))],
      groupIds: [],
      userIds: [userId],
    });
    return all.map((policies) => {
      const { clientId, resourceId } = policies[0]!;
      const decision = decide(snapshot.index, { clientId, resourceId, user: { id: userId, groupIds }, now });
      const deciding = policies.filter((policy) => decision.policyIds.includes(policy.id));
      return {
        ...this.pairOf(names, clientId, resourceId),
        effect: decision.allowed ? 'allow' : 'deny',
        code: decision.code,
        subjects: { groups: [], users: [this.userOf(names, userId)] },
        scopes: decision.grantedScopes,
        policyIds: decision.policyIds,
        conditions: deciding.flatMap((policy) => conditionsSummary(policy.conditions, policy.expiresAt)),
      };
    });
  }

  private pairOf(names: PolicyNames, clientId: string, resourceId: string): Pick<EffectiveAccessRow, 'client' | 'resource'> {
    const resource = names.resources.get(resourceId);
    return {
      client: { id: clientId, name: names.clients.get(clientId)?.name ?? null },
      resource: { id: resourceId, name: resource?.name ?? null, slug: resource?.slug ?? null },
    };
  }

  private userOf(names: PolicyNames, userId: string) {
    const user = names.users.get(userId);
    return { id: userId, email: user?.email ?? null, displayName: user?.displayName ?? null };
  }
}
