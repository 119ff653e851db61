/**
 * The Casbin form of one app pair's rules: the model below states the semantics that `decide`
 * implements, and {@link casbinReference} loads a pair's compiled policies into a real Casbin
 * enforcer that evaluates them independently.
 *
 * Why Casbin is not on the hot path: `enforceSync` costs about 3 µs plus 1.5–2 µs per rule line it
 * scans, and answers one scope at a time. A pair of ten policies, each naming a few subjects and
 * scopes, is tens of lines, so a decision through per-pair enforcers has a median of 100–150 µs,
 * and one plain enforcer over 100k rows about 1 s, against a 20 µs budget; `decide` takes 5–8 µs
 * (`npm run bench:policy`). `decide` therefore reads the same compiled rules through the per-pair
 * subject index, and the tests and the bench check that Casbin grants exactly the same scopes.
 */
import { type Enforcer, newEnforcer, newModelFromString } from 'casbin';

import { type CompiledPolicy, type PairRules, type PolicyIndex } from './compile.ts';
import { type DecisionRequest } from './decision.ts';
import { isInside } from './time-window.ts';

/**
 * One rule line per (policy, subject, scope). `sub` is `*` (everyone), `user:<id>` or
 * `group:<id>`; `scope` is empty for a deny policy that blocks the whole pair; `policy` is the
 * policy id, through which `applies` reads the policy's expiry and conditions. Scopes granted are
 * then intersected with the client ceiling and the requested scopes, outside the model.
 */
export const casbinModel = `
[request_definition]
r = ctx, scope

[policy_definition]
p = sub, scope, eft, policy

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = (p.scope == r.scope || p.scope == "") && namesSubject(r.ctx, p.sub) && applies(r.ctx, p.policy)
`;

/** What the model's `r.ctx` carries. */
interface RequestContext {
  readonly subjects: ReadonlySet<string>;
  readonly request: DecisionRequest;
}

/** The pair's rule lines, as the model's `p` expects them. */
export function casbinRules(pair: PairRules): string[][] {
  const rules: string[][] = [];
  for (const policy of pair.policies) {
    const subjects = [
      ...(policy.everyone ? ['*'] : []),
      ...policy.userIds.map((id) => `user:${id}`),
      ...policy.groupIds.map((id) => `group:${id}`),
    ];
    const scopes = policy.effect === 'deny' && policy.scopes.length === 0 ? [''] : policy.scopes;
    for (const subject of subjects) {
      for (const scope of scopes) {
        rules.push([subject, scope, policy.effect, policy.id]);
      }
    }
  }
  return rules;
}

function applies(policy: CompiledPolicy, request: DecisionRequest): boolean {
  if (policy.expiresAt <= request.now.getTime()) {
    return false;
  }
  if (policy.window && !isInside(policy.window, policy.window.clock.at(request.now))) {
    return false;
  }
  if (policy.effect === 'deny') {
    return true;
  }
  const { acr, amr = [] } = request.authentication ?? {};
  const acrMet = !policy.requiredAcr || (acr !== undefined && policy.requiredAcr.includes(acr));
  const amrMet = !policy.requiredAmr || policy.requiredAmr.every((method) => amr.includes(method));
  return acrMet && amrMet;
}

export interface CasbinReference {
  readonly enforcer: Enforcer;
  /** Scopes Casbin grants for the request: one `enforceSync` per candidate scope. */
  grantedScopes(request: DecisionRequest): string[];
}

/**
 * Loads one pair's compiled rules into a Casbin enforcer, for cross-checking `decide` (tests,
 * bench, an admin's what-if). It ignores the request's client and resource: it only knows its pair.
 *
 * @returns `undefined` when the index has no rules for the pair.
 */
export async function casbinReference(index: PolicyIndex, clientId: string, resourceId: string): Promise<CasbinReference | undefined> {
  const pair = index.pair(clientId, resourceId);
  if (!pair) {
    return undefined;
  }
  const byId = new Map(pair.policies.map((policy) => [policy.id, policy]));
  const enforcer = await newEnforcer(newModelFromString(casbinModel));
  await enforcer.addFunction('namesSubject', (ctx: RequestContext, subject: string) => ctx.subjects.has(subject));
  await enforcer.addFunction('applies', (ctx: RequestContext, policyId: string) => {
    const policy = byId.get(policyId);
    return policy !== undefined && applies(policy, ctx.request);
  });
  const rules = casbinRules(pair);
  if (rules.length > 0) {
    await enforcer.addPolicies(rules);
  }
  const allowScopes = [...new Set(pair.policies.filter((policy) => policy.effect === 'allow').flatMap((policy) => policy.scopes))].sort();

  return {
    enforcer,
    grantedScopes(request) {
      const subjects = new Set(['*', `user:${request.user.id}`, ...request.user.groupIds.map((id) => `group:${id}`)]);
      const ctx: RequestContext = { subjects, request };
      const requested = request.requestedScopes && request.requestedScopes.length > 0 ? [...new Set(request.requestedScopes)] : allowScopes;
      return requested.filter((scope) => (pair.ceiling === null || pair.ceiling.has(scope)) && enforcer.enforceSync(ctx, scope));
    },
  };
}
