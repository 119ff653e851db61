/**
 * One policy decision: may this client reach this resource for this user, and with which scopes.
 *
 * The rules, in the order they are applied:
 * 1. Only the requested app pair's policies are looked at, and of those only the ones that name the
 *    user, one of the user's groups, or everyone.
 * 2. A policy past its `expiresAt` (at the request's `now`) is ignored.
 * 3. A policy with a time window applies only while the window is open in the window's time zone.
 * 4. Deny wins over allow. A deny policy without scopes blocks the whole pair; a deny policy with
 *    scopes removes those scopes, whatever any allow policy grants. Deny policies ignore
 *    `requiredAcr`, `requiredAmr` and `maxLifetimeSeconds`.
 * 5. An allow policy applies only when the authentication meets it: the `acr` is one of
 *    `requiredAcr`, and every value of `requiredAmr` is in `amr`.
 * 6. The allow policies that apply add up: their scopes are united (the user's entitlements).
 * 7. Granted = requested ∩ (entitlements − denied) ∩ client ceiling. With no scope requested, the
 *    entitlements themselves are the default set. An empty ceiling means no ceiling.
 * 8. A deny policy without scopes that applies refuses with `denied_by_policy`. Otherwise, when
 *    nothing is granted, the code names what stood in the way, the first that holds of:
 *    `step_up_required` (policies failing only on authentication would grant something),
 *    `outside_time_window` (policies whose window is closed would), `no_policy` (no unexpired
 *    allow policy names the user), `no_allowed_scope`. A refusal never grants anything, and a
 *    partial grant is never refused: if something is granted without step-up, the rest is
 *    narrowed away (`narrowed: true`), and the trace names the policy that wanted step-up.
 */
import { type CompiledPolicy, type PairRules, type PolicyIndex } from './compile.ts';
import { type Decision, type DecisionCode, type DecisionRequest, type TraceStep } from './decision.ts';
import { formatLocal, isInside } from './time-window.ts';

function list(values: readonly string[]): string {
  return values.length > 0 ? values.join(' ') : '(none)';
}

function refuse(code: Exclude<DecisionCode, 'allowed'>, policyIds: string[], trace: TraceStep[], outcome: string, acrValues?: string[]): Decision {
  trace.push({ check: 'result', passed: false, outcome: `${code}: ${outcome}` });
  return { allowed: false, code, grantedScopes: [], narrowed: false, policyIds, trace, ...(acrValues ? { acrValues } : {}) };
}

function addMatches(matches: CompiledPolicy[], policies: readonly CompiledPolicy[], outcome: string, trace: TraceStep[]): void {
  for (const policy of policies) {
    if (!matches.includes(policy)) {
      matches.push(policy);
      trace.push({ check: 'subject', passed: true, outcome, policyId: policy.id });
    }
  }
}

/** The policies of the pair that name the user, one of their groups or everyone, each once. */
function subjectMatches(pair: PairRules, request: DecisionRequest, trace: TraceStep[]): CompiledPolicy[] {
  const matches: CompiledPolicy[] = [];
  addMatches(matches, pair.everyone, 'applies to everyone', trace);
  const named = pair.byUser.get(request.user.id);
  if (named) {
    addMatches(matches, named, 'names the user', trace);
  }
  for (const groupId of request.user.groupIds) {
    const forGroup = pair.byGroup.get(groupId);
    if (forGroup) {
      addMatches(matches, forGroup, `names the user's group ${groupId}`, trace);
    }
  }
  return matches;
}

function meetsAuthentication(policy: CompiledPolicy, request: DecisionRequest, trace: TraceStep[]): boolean {
  let meets = true;
  if (policy.requiredAcr) {
    const acr = request.authentication?.acr;
    const passed = acr !== undefined && policy.requiredAcr.includes(acr);
    const outcome = `acr ${acr ?? '(none)'} ${passed ? 'is' : 'is not'} one of ${list(policy.requiredAcr)}`;
    trace.push({ check: 'acr', passed, outcome, policyId: policy.id });
    meets = passed;
  }
  if (policy.requiredAmr) {
    const amr = request.authentication?.amr ?? [];
    const missing = policy.requiredAmr.filter((method) => !amr.includes(method));
    const passed = missing.length === 0;
    const outcome = passed ? `amr includes ${list(policy.requiredAmr)}` : `amr ${list(amr)} lacks ${list(missing)}`;
    trace.push({ check: 'amr', passed, outcome, policyId: policy.id });
    meets &&= passed;
  }
  return meets;
}

function offered(scope: string, denied: ReadonlySet<string> | undefined, ceiling: ReadonlySet<string> | null): boolean {
  return !denied?.has(scope) && (ceiling === null || ceiling.has(scope));
}

/** Scopes the policies grant, minus denied ones, within the ceiling: in requested order, or sorted. */
function grantOf(
  policies: readonly CompiledPolicy[],
  denied: ReadonlySet<string> | undefined,
  ceiling: ReadonlySet<string> | null,
  requested: readonly string[] | undefined,
): string[] {
  const granted: string[] = [];
  if (requested) {
    for (const scope of requested) {
      if (offered(scope, denied, ceiling) && policies.some((policy) => policy.scopes.includes(scope))) {
        granted.push(scope);
      }
    }
    return granted;
  }
  for (const policy of policies) {
    for (const scope of policy.scopes) {
      if (offered(scope, denied, ceiling) && !granted.includes(scope)) {
        granted.push(scope);
      }
    }
  }
  return granted.sort();
}

/** The requested scopes without repeats, or `undefined` when none were requested. */
function requestedOf(request: DecisionRequest): string[] | undefined {
  const scopes = request.requestedScopes;
  if (!scopes || scopes.length === 0) {
    return undefined;
  }
  const unique: string[] = [];
  for (const scope of scopes) {
    if (!unique.includes(scope)) {
      unique.push(scope);
    }
  }
  return unique;
}

function contributors(policies: readonly CompiledPolicy[], granted: readonly string[]): CompiledPolicy[] {
  return policies.filter((policy) => policy.scopes.some((scope) => granted.includes(scope)));
}

/**
 * Decides one request against the compiled index. Synchronous and deterministic: it reads only the
 * index and the request (time comes from the request's `now`), so the same inputs always give the
 * same decision, and a what-if is simply a decision with made-up inputs.
 *
 * @returns the decision with its trace; see the module comment for the rules and `DecisionCode` for
 *   what each refusal means.
 */
export function decide(index: PolicyIndex, request: DecisionRequest): Decision {
  const trace: TraceStep[] = [];
  const pair = index.pair(request.clientId, request.resourceId);
  if (!pair) {
    trace.push({ check: 'pair', passed: false, outcome: 'no active policy for this client and resource' });
    return refuse('no_policy', [], trace, 'nothing allows this app pair');
  }
  trace.push({ check: 'pair', passed: true, outcome: `found ${pair.policies.length} active ${pair.policies.length === 1 ? 'policy' : 'policies'} for this client and resource` });

  const matches = subjectMatches(pair, request, trace);
  if (matches.length === 0) {
    trace.push({ check: 'subject', passed: false, outcome: `no policy names the user, one of their ${request.user.groupIds.length} groups, or everyone` });
    return refuse('no_policy', [], trace, 'no policy of this app pair applies to the user');
  }

  const now = request.now.getTime();
  const granting: CompiledPolicy[] = [];
  const needsStepUp: CompiledPolicy[] = [];
  const outsideWindow: CompiledPolicy[] = [];
  const blockingDenies: string[] = [];
  const scopeDenies: string[] = [];
  let denied: Set<string> | undefined;
  for (const policy of matches) {
    if (policy.expiresAt <= now) {
      trace.push({ check: 'expiry', passed: false, outcome: `expired at ${new Date(policy.expiresAt).toISOString()}`, policyId: policy.id });
      continue;
    }
    if (policy.window) {
      const local = policy.window.clock.at(request.now);
      const inside = isInside(policy.window, local);
      const outcome = `${inside ? 'open' : 'closed'}: ${policy.window.label}, now ${formatLocal(local)} there`;
      trace.push({ check: 'time_window', passed: inside, outcome, policyId: policy.id });
      if (!inside) {
        if (policy.effect === 'allow') {
          outsideWindow.push(policy);
        }
        continue;
      }
    }
    if (policy.effect === 'deny') {
      if (policy.scopes.length === 0) {
        blockingDenies.push(policy.id);
        trace.push({ check: 'effect', passed: false, outcome: 'deny: blocks this app pair', policyId: policy.id });
      } else {
        scopeDenies.push(policy.id);
        denied ??= new Set();
        for (const scope of policy.scopes) {
          denied.add(scope);
        }
        trace.push({ check: 'effect', passed: false, outcome: `deny: removes ${list(policy.scopes)}`, policyId: policy.id });
      }
      continue;
    }
    if (!meetsAuthentication(policy, request, trace)) {
      needsStepUp.push(policy);
      continue;
    }
    granting.push(policy);
    trace.push({ check: 'effect', passed: true, outcome: `allow: grants ${list(policy.scopes)}`, policyId: policy.id });
  }

  if (blockingDenies.length > 0) {
    return refuse('denied_by_policy', blockingDenies, trace, 'a deny policy blocks this app pair for the user');
  }

  const requested = requestedOf(request);
  const entitled = grantOf(granting, denied, null, undefined);
  const withinCeiling = pair.ceiling ? entitled.filter((scope) => pair.ceiling?.has(scope)) : entitled;
  const aboveCeiling = entitled.filter((scope) => !withinCeiling.includes(scope));
  const ceilingOutcome = !pair.ceiling
    ? 'no ceiling set for this client'
    : aboveCeiling.length > 0
      ? `client ceiling drops ${list(aboveCeiling)}`
      : 'all within the client ceiling';
  // A scope check fails only when it is the one that leaves nothing.
  trace.push({ check: 'ceiling', passed: withinCeiling.length > 0 || entitled.length === 0, outcome: ceilingOutcome });
  const granted = requested ? requested.filter((scope) => withinCeiling.includes(scope)) : withinCeiling;
  const dropped = requested ? requested.filter((scope) => !granted.includes(scope)) : [];
  const requestedOutcome = requested
    ? `requested ${list(requested)}${dropped.length > 0 ? `, dropped ${list(dropped)}` : ''}`
    : `none requested: the default set ${list(granted)}`;
  trace.push({ check: 'requested_scopes', passed: granted.length > 0 || withinCeiling.length === 0, outcome: requestedOutcome });

  if (granted.length > 0) {
    const contributing = contributors(granting, granted);
    let maxLifetimeSeconds: number | undefined;
    for (const policy of contributing) {
      if (policy.maxLifetimeSeconds !== undefined && (maxLifetimeSeconds === undefined || policy.maxLifetimeSeconds < maxLifetimeSeconds)) {
        maxLifetimeSeconds = policy.maxLifetimeSeconds;
      }
    }
    const narrowed = dropped.length > 0;
    trace.push({ check: 'result', passed: true, outcome: `allowed: ${list(granted)}${narrowed ? ' (narrowed)' : ''}` });
    return {
      allowed: true,
      code: 'allowed',
      grantedScopes: granted,
      narrowed,
      policyIds: [...contributing.map((policy) => policy.id), ...scopeDenies],
      ...(maxLifetimeSeconds !== undefined ? { maxLifetimeSeconds } : {}),
      trace,
    };
  }

  const afterStepUp = grantOf(needsStepUp, denied, pair.ceiling, requested);
  if (afterStepUp.length > 0) {
    const policies = contributors(needsStepUp, afterStepUp);
    const acrValues = [...new Set(policies.flatMap((policy) => policy.requiredAcr ?? []))];
    const ids = policies.map((policy) => policy.id);
    return refuse('step_up_required', ids, trace, `stronger authentication would grant ${list(afterStepUp)}`, acrValues.length > 0 ? acrValues : undefined);
  }
  const inWindow = grantOf(outsideWindow, denied, pair.ceiling, requested);
  if (inWindow.length > 0) {
    const ids = contributors(outsideWindow, inWindow).map((policy) => policy.id);
    return refuse('outside_time_window', ids, trace, `inside the time window, policies would grant ${list(inWindow)}`);
  }
  const applicable = [...granting, ...needsStepUp, ...outsideWindow];
  if (applicable.length === 0) {
    return refuse('no_policy', [], trace, 'no allow policy applies to the user');
  }
  return refuse('no_allowed_scope', applicable.map((policy) => policy.id), trace, 'no requested scope is both allowed and within the ceiling');
}
