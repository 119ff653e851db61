/**
 * @overview What-if for policies: would client C, acting for user U (or a user in groups G), get
 * scopes S at resource R at time T? Without a draft it asks the live engine, so it answers exactly
 * what the token endpoint would. With a draft it compiles the live rows with the draft in place
 * (as if published) and lists the users who would gain or lose access. Nothing is written.
 */
import { Injectable } from '@nestjs/common';
import { z } from 'zod';

import { type ClientRow, compilePolicies, type Decision, type DecisionRequest, decide, type PolicyIndex, type PolicyRow, type TraceStep } from '@crossgate/policy';
import { PolicySourceRepository, type PolicySubjectUser, type StoredRecord } from '@crossgate/store';

import { AdminApiError, fieldErrorsOf, parseBody } from '../http/index.ts';
import { Clock } from '../platform/index.ts';
import { policiesResource } from './policies.resource.ts';
import { PolicyEngineService } from './policy-engine.service.ts';

/** Each impact list is cut at this many users; the totals are always complete. */
export const impactListLimit = 500;

/**
 * A UUID in its canonical lowercase form. RFC 9562 §4 has UUIDs compared case-insensitively, while
 * the policy index (like PostgreSQL's `uuid` output) holds them in lowercase, so an id pasted in
 * capitals would otherwise miss the rows it names.
 */
const uuid = z.uuid().transform((value) => value.toLowerCase());

export const simulationSchema = z
  .strictObject({
    clientId: uuid,
    resourceId: uuid,
    userId: uuid.optional(),
    groupIds: z.array(uuid).max(200).optional(),
    scopes: z.array(z.string().min(1).max(128)).max(100).optional(),
    at: z.coerce.date({ error: 'must be a date and time' }).optional(),
    acr: z.string().min(1).max(200).optional(),
    amr: z.array(z.string().min(1).max(50)).max(20).optional(),
    /** A new policy (as for POST /api/policies) or `{ id, ...changes }` to an existing one. */
    draftPolicy: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((body) => body.userId === undefined || body.groupIds === undefined, {
    message: 'give userId or groupIds, not both',
    path: ['groupIds'],
  });

export type SimulationInput = z.infer<typeof simulationSchema>;

/** The decision without its trace, which the answer carries beside it. */
export type DecisionSummary = Omit<Decision, 'trace'>;

export interface ImpactEntry {
  user: { id: string; email: string | null; displayName: string | null };
  before: readonly string[];
  after: readonly string[];
}

export interface Impact {
  /** Refused before the draft, allowed with it. */
  gained: ImpactEntry[];
  /** Allowed before the draft, refused with it. */
  lost: ImpactEntry[];
  /** Allowed both ways, with different scopes. */
  changed: ImpactEntry[];
  totals: { evaluated: number; gained: number; lost: number; changed: number };
  /** True when a list was cut at `impactListLimit`. */
  truncated: boolean;
}

export interface Simulation {
  decision: DecisionSummary;
  /** The decision in one plain sentence with names, e.g. `Denied: no active policy lets Cursor reach Jira for Alice Martin.` */
  explanation: string;
  trace: readonly TraceStep[];
  /** The policy version the live index was built from. */
  policyVersion: string;
  /** With a draft: what the live policies decide for the same request, and who gains or loses access. */
  current?: DecisionSummary;
  impact?: Impact;
}

/** The id a hypothetical user (groups only) is decided under; no policy can name it. */
const hypotheticalUser = 'simulated-user';

function summary({ trace: _trace, ...decision }: Decision): DecisionSummary {
  return decision;
}

function sameScopes(left: readonly string[], right: readonly string[]): boolean {
  return left.length === right.length && left.every((scope) => right.includes(scope));
}

@Injectable()
export class PolicySimulationService {
  constructor(
    private readonly source: PolicySourceRepository,
    private readonly engine: PolicyEngineService,
    private readonly clock: Clock,
  ) {
  }

  async simulate(body: unknown): Promise<Simulation> {
    const input = parseBody(simulationSchema, body);
    const draft = input.draftPolicy ? await this.draftRow(input.draftPolicy) : undefined;
    const snapshot = this.engine.snapshot();
    const now = input.at ?? this.clock.now();
    const groupIds = input.userId ? await this.groupsOf(input.userId) : (input.groupIds ?? []);
    const request: DecisionRequest = {
      clientId: input.clientId,
      resourceId: input.resourceId,
      user: { id: input.userId ?? hypotheticalUser, groupIds },
      now,
      ...(input.scopes ? { requestedScopes: input.scopes } : {}),
      authentication: { ...(input.acr ? { acr: input.acr } : {}), ...(input.amr ? { amr: input.amr } : {}) },
    };
    const policyVersion = snapshot.version.toString();
    if (!draft) {
      const decision = decide(snapshot.index, request);
      return { decision: summary(decision), explanation: await this.explain(decision, snapshot.index, request), trace: decision.trace, policyVersion };
    }
    const policies = [...snapshot.policies.filter((policy) => policy.id !== draft.id), draft];
    const withDraft = compilePolicies(policies, snapshot.clients, { now });
    const decision = decide(withDraft, request);
    const impact = this.impact(await this.source.activeUsers(), snapshot.index, withDraft, request);
    return {
      decision: summary(decision),
      explanation: await this.explain(decision, withDraft, request),
      trace: decision.trace,
      policyVersion,
      current: summary(decide(snapshot.index, request)),
      impact,
    };
  }

  /** Who would gain, lose or change access if policy `policyId`, with `changes` applied, were active now. */
  async impactOf(policyId: string, changes: StoredRecord): Promise<Impact> {
    const existing = await this.source.policy(policyId);
    if (!existing) {
      throw new AdminApiError('not_found', `No policy with id "${policyId}"`);
    }
    const pair = { clientId: (changes['clientId'] as string | undefined) ?? existing.clientId, resourceId: (changes['resourceId'] as string | undefined) ?? existing.resourceId };
    const { impact } = await this.simulate({ ...pair, draftPolicy: { ...changes, id: policyId } });
    return impact!;
  }

  /**
   * Who would gain, lose or change access at each of `pairs` if `policies` (with their own statuses) and
   * `clients`' ceilings replaced the live policy set now: one impact per pair, in order.
   */
  async impactOfSet(policies: readonly PolicyRow[], clients: readonly ClientRow[], pairs: readonly { clientId: string; resourceId: string }[]): Promise<Impact[]> {
    if (pairs.length === 0) {
      return [];
    }
    const snapshot = this.engine.snapshot();
    const now = this.clock.now();
    const planned = compilePolicies(policies, clients, { now });
    const users = await this.source.activeUsers();
    return pairs.map((pair) => this.impact(users, snapshot.index, planned, { ...pair, user: { id: hypotheticalUser, groupIds: [] }, now, authentication: {} }));
  }

  /** One sentence naming the client, resource and user (or groups), saying what the decision's code means for them. */
  private async explain(decision: Decision, index: PolicyIndex, request: DecisionRequest): Promise<string> {
    const simulatedUser = request.user.id === hypotheticalUser;
    const names = await this.source.names({
      clientIds: [request.clientId],
      resourceIds: [request.resourceId],
      groupIds: simulatedUser ? [...request.user.groupIds] : [],
      userIds: simulatedUser ? [] : [request.user.id],
    });
    const client = names.clients.get(request.clientId)?.name ?? 'this client';
    const resource = names.resources.get(request.resourceId)?.name ?? 'this resource';
    const user = names.users.get(request.user.id);
    const groups = request.user.groupIds.map((id) => names.groups.get(id)?.name ?? id);
    const who = !simulatedUser
      ? (user?.displayName ?? user?.email ?? 'this user')
      : groups.length > 0
        ? `a user in ${groups.join(', ')}`
        : 'a user in no group';
    const scopes = (values: readonly string[]) => values.join(', ');
    switch (decision.code) {
      case 'allowed': {
        const narrowed = decision.narrowed ? ' (narrowed: other requested scopes are not granted)' : '';
        return `Allowed: ${client} may reach ${resource} for ${who} with ${scopes(decision.grantedScopes)}${narrowed}.`;
      }
      case 'no_policy': {
        const pair = index.pair(request.clientId, request.resourceId);
        const named = decision.trace.some((step) => step.check === 'subject' && step.passed);
        const why = !pair
          ? ''
          : named
            ? ': the policies that name them have expired by then or only deny scopes'
            : `: the pair's ${pair.policies.length === 1 ? 'one active policy names' : `${pair.policies.length} active policies name`} other users or groups`;
        return `Denied: no active policy lets ${client} reach ${resource} for ${who}${why}.`;
      }
      case 'denied_by_policy':
        return `Denied: a deny policy blocks ${client} from reaching ${resource} for ${who}.`;
      case 'outside_time_window':
        return `Denied: ${client} may reach ${resource} for ${who} only inside the policy's time window, which is closed at this time.`;
      case 'step_up_required': {
        const acr = decision.acrValues && decision.acrValues.length > 0 ? ` (acr ${decision.acrValues.join(' or ')})` : '';
        return `Denied until ${who} signs in more strongly${acr}: then ${client} may reach ${resource}.`;
      }
      case 'no_allowed_scope':
        return `Denied: policies let ${client} reach ${resource} for ${who}, but none of the requested scopes is both allowed and within the client's ceiling.`;
      default: {
        const unreachable: never = decision.code;
        return unreachable;
      }
    }
  }


  private async groupsOf(userId: string): Promise<string[]> {
    const groupIds = await this.source.groupIdsOf(userId);
    if (!groupIds) {
      throw AdminApiError.validation({ userId: 'no user with this id' });
    }
    return groupIds;
  }

  /** The draft as a row, as if published now: a new policy, or an existing one with the changes applied. */
  private async draftRow(draft: Record<string, unknown>): Promise<PolicyRow> {
    const { id, ...changes } = draft;
    if (id === undefined) {
      return this.toRow('draft-policy', this.parseDraft(policiesResource.createSchema, changes));
    }
    if (typeof id !== 'string' || !z.uuid().safeParse(id).success) {
      throw AdminApiError.validation({ 'draftPolicy.id': 'must be the id of an existing policy' });
    }
    const existing = await this.source.policy(id);
    if (!existing) {
      throw AdminApiError.validation({ 'draftPolicy.id': 'no policy with this id' });
    }
    // The update schema fills its defaults in; only the fields the caller sent are changes.
    const parsed = this.parseDraft(policiesResource.updateSchema, changes);
    return this.toRow(id, Object.fromEntries(Object.keys(changes).map((key) => [key, parsed[key]])), existing);
  }

  private parseDraft(schema: z.ZodType<StoredRecord>, changes: Record<string, unknown>): StoredRecord {
    const result = schema.safeParse(changes);
    if (!result.success) {
      const errors = fieldErrorsOf(result.error);
      throw AdminApiError.validation(Object.fromEntries(Object.entries(errors).map(([field, message]) => [`draftPolicy.${field}`, message])));
    }
    return result.data;
  }

  private toRow(id: string, record: StoredRecord, base?: PolicyRow): PolicyRow {
    const pick = <K extends keyof PolicyRow>(key: K): PolicyRow[K] => (key in record ? (record[key] as PolicyRow[K]) : (base?.[key] as PolicyRow[K]));
    // The draft's ids as the stored row would hold them once written (see `uuid` above).
    const lower = (ids: readonly string[]) => ids.map((value) => value.toLowerCase());
    return {
      id,
      clientId: pick('clientId').toLowerCase(),
      resourceId: pick('resourceId').toLowerCase(),
      effect: pick('effect'),
      everyone: pick('everyone'),
      subjectGroupIds: lower(pick('subjectGroupIds')),
      subjectUserIds: lower(pick('subjectUserIds')),
      scopes: pick('scopes'),
      conditions: pick('conditions'),
      // Simulated as published, whatever status the draft carries.
      status: 'active',
      expiresAt: pick('expiresAt') ?? null,
    };
  }

  private impact(users: readonly PolicySubjectUser[], before: PolicyIndex, after: PolicyIndex, request: DecisionRequest): Impact {
    const impact: Impact = { gained: [], lost: [], changed: [], totals: { evaluated: 0, gained: 0, lost: 0, changed: 0 }, truncated: false };
    const add = (list: 'gained' | 'lost' | 'changed', entry: ImpactEntry) => {
      impact.totals[list] += 1;
      if (impact[list].length < impactListLimit) {
        impact[list].push(entry);
      } else {
        impact.truncated = true;
      }
    };
    for (const user of users) {
      impact.totals.evaluated += 1;
      const asUser: DecisionRequest = { ...request, user: { id: user.id, groupIds: user.groupIds } };
      const was = decide(before, asUser);
      const will = decide(after, asUser);
      const entry = { user: { id: user.id, email: user.email, displayName: user.displayName }, before: was.grantedScopes, after: will.grantedScopes };
      if (!was.allowed && will.allowed) {
        add('gained', entry);
      } else if (was.allowed && !will.allowed) {
        add('lost', entry);
      } else if (was.allowed && will.allowed && !sameScopes(was.grantedScopes, will.grantedScopes)) {
        add('changed', entry);
      }
    }
    return impact;
  }
}
