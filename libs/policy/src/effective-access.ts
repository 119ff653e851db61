/**
 * @overview "What can this agent do, for whom, where, with which scopes?" answered from the compiled
 * policy rows, by policy (a client's or a resource's) or by user. By policy: one row per active
 * policy, with its subjects, its scopes within the client's ceiling and its conditions. By user: one
 * row per app pair a policy names the user (or a group of theirs, or everyone) for, with the decision
 * for that user now, asking no particular scope (so the default set). The API's effective-access
 * endpoint and access-review campaigns (in the API and the worker) both read access through here.
 */
import type { PolicyIndex } from './compile.ts';
import { decide } from './decide.ts';
import type { DecisionCode } from './decision.ts';
import type { ClientRow, PolicyConditions, PolicyEffect, PolicyRow } from './rows.ts';

/** Display names for the ids an effective-access answer mentions. */
export interface PolicyNames {
  clients: Map<string, { id: string; name: string }>;
  resources: Map<string, { id: string; name: string; slug: string }>;
  groups: Map<string, { id: string; name: string }>;
  users: Map<string, { id: string; email: string | null; displayName: string | null }>;
}

/** The ids whose names a set of rows needs. */
export interface PolicyNameIds {
  clientIds: string[];
  resourceIds: string[];
  groupIds: string[];
  userIds: string[];
}

/** What effective access reads beyond the policy rows: names, and a user's groups (null: no such user). */
export interface EffectiveAccessDirectory {
  names(ids: PolicyNameIds): Promise<PolicyNames>;
  groupIdsOf(userId: string): Promise<string[] | null>;
}

/** The compiled rows an answer is computed from (the policy engine's snapshot). */
export interface EffectiveAccessSource {
  readonly index: PolicyIndex;
  readonly policies: readonly PolicyRow[];
  readonly clients: readonly ClientRow[];
}

export type EffectiveAccessSubjects =
  | 'everyone'
  | {
      groups: { id: string; name: string | null }[];
      users: { id: string; email: string | null; displayName: string | null }[];
    };

export interface EffectiveAccessRow {
  client: { id: string; name: string | null };
  resource: { id: string; name: string | null; slug: string | null };
  /** By policy: the policy's effect. By user: always `allow` or the refusal's code says why not. */
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

/** One active policy and the scopes it grants (or, for a deny, removes) within its client's ceiling. */
export interface PolicyGrant {
  policy: PolicyRow;
  scopes: string[];
}

/** One sentence per condition of a policy, e.g. `acr one of phr`, for people. */
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

/** The policy rows still unexpired at `now` whose client may be served. */
export function activePolicies(source: Pick<EffectiveAccessSource, 'policies' | 'clients'>, now: Date): PolicyRow[] {
  const clients = new Set(source.clients.map((client) => client.id));
  return source.policies.filter((policy) => clients.has(policy.clientId) && (!policy.expiresAt || policy.expiresAt > now));
}

/**
 * Each policy with the scopes it grants: an allow's scopes within its client's ceiling (an empty
 * ceiling bounds nothing), a deny's scopes as written. Sorted, so answers compare.
 */
export function policyGrants(source: Pick<EffectiveAccessSource, 'clients'>, policies: readonly PolicyRow[]): PolicyGrant[] {
  const ceilings = new Map(source.clients.map((client) => [client.id, client.scopeCeiling]));
  return policies.map((policy) => {
    const ceiling = ceilings.get(policy.clientId) ?? [];
    const scopes = policy.effect === 'allow' && ceiling.length > 0 ? policy.scopes.filter((scope) => ceiling.includes(scope)) : [...policy.scopes];
    return { policy, scopes: scopes.sort() };
  });
}

/** One row per policy in `policies` (already filtered to the ones asked about), with names. */
export async function effectiveAccessOfPolicies(directory: EffectiveAccessDirectory, source: EffectiveAccessSource, policies: readonly PolicyRow[]): Promise<EffectiveAccessRow[]> {
  const names = await directory.names({
    clientIds: [...new Set(policies.map((policy) => policy.clientId))],
    resourceIds: [...new Set(policies.map((policy) => policy.resourceId))],
    groupIds: [...new Set(policies.flatMap((policy) => policy.subjectGroupIds))],
    userIds: [...new Set(policies.flatMap((policy) => policy.subjectUserIds))],
  });
  return policyGrants(source, policies).map(({ policy, scopes }) => ({
    ...pairOf(names, policy.clientId, policy.resourceId),
    effect: policy.effect,
    subjects: policy.everyone
      ? 'everyone'
      : {
          groups: policy.subjectGroupIds.map((groupId) => ({ id: groupId, name: names.groups.get(groupId)?.name ?? null })),
          users: policy.subjectUserIds.map((userId) => userOf(names, userId)),
        },
    scopes,
    policyIds: [policy.id],
    conditions: conditionsSummary(policy.conditions, policy.expiresAt),
  }));
}

/**
 * One row per app pair an active policy names the user for (directly, by a group, or everyone),
 * with the decision for that user at `now`.
 * @returns null when there is no such user
 */
export async function effectiveAccessOfUser(directory: EffectiveAccessDirectory, source: EffectiveAccessSource, userId: string, now: Date): Promise<EffectiveAccessRow[] | null> {
  const groupIds = await directory.groupIdsOf(userId);
  if (!groupIds) {
    return null;
  }
  const pairs = new Map<string, PolicyRow[]>();
  for (const policy of activePolicies(source, now)) {
    if (policy.everyone || policy.subjectUserIds.includes(userId) || policy.subjectGroupIds.some((groupId) => groupIds.includes(groupId))) {
      const key = `${policy.clientId}/${policy.resourceId}`;
      pairs.set(key, [...(pairs.get(key) ?? []), policy]);
    }
  }
  const all = [...pairs.values()];
  const names = await directory.names({
    clientIds: [...new Set(all.map(([first]) => first!.clientId))],
    resourceIds: [...new Set(all.map(([first]) => first!.resourceId))],
    groupIds: [],
    userIds: [userId],
  });
  return all.map((policies) => {
    const { clientId, resourceId } = policies[0]!;
    const decision = decide(source.index, { clientId, resourceId, user: { id: userId, groupIds }, now });
    const deciding = policies.filter((policy) => decision.policyIds.includes(policy.id));
    return {
      ...pairOf(names, clientId, resourceId),
      effect: decision.allowed ? 'allow' : 'deny',
      code: decision.code,
      subjects: { groups: [], users: [userOf(names, userId)] },
      scopes: decision.grantedScopes,
      policyIds: decision.policyIds,
      conditions: deciding.flatMap((policy) => conditionsSummary(policy.conditions, policy.expiresAt)),
    };
  });
}

function pairOf(names: PolicyNames, clientId: string, resourceId: string): Pick<EffectiveAccessRow, 'client' | 'resource'> {
  const resource = names.resources.get(resourceId);
  return {
    client: { id: clientId, name: names.clients.get(clientId)?.name ?? null },
    resource: { id: resourceId, name: resource?.name ?? null, slug: resource?.slug ?? null },
  };
}

function userOf(names: PolicyNames, userId: string) {
  const user = names.users.get(userId);
  return { id: userId, email: user?.email ?? null, displayName: user?.displayName ?? null };
}
