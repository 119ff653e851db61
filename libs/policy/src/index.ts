/**
 * @overview Crossgate's policy engine. The typed `Policy` and `Client` rows are the truth;
 * `compilePolicies` turns them into a `PolicyIndex` keyed by app pair (client → resource) and, in
 * each pair, by subject, so `decide` never reads a rule of another pair or of another user. A
 * decision grants requested ∩ policy ∩ client ceiling, says when it narrowed the request, and
 * carries a trace of every check. `casbinModel` states the same rules as a Casbin model, and
 * `casbinReference` evaluates a pair with Casbin itself, to cross-check `decide`.
 *
 * ```ts
 * const index = compilePolicies(policyRows, clientRows, { now: clock.now() });
 * const decision = decide(index, { clientId, resourceId, user: { id, groupIds }, requestedScopes, now: clock.now(), authentication: { acr, amr } });
 * ```
 */
export { casbinModel, type CasbinReference, casbinReference, casbinRules } from './casbin.ts';
export { type CompiledPolicy, type CompileProblem, compilePolicies, type CompileStats, type PairRules, PolicyIndex } from './compile.ts';
export { decide } from './decide.ts';
export {
  activePolicies,
  conditionsSummary,
  type EffectiveAccessDirectory,
  effectiveAccessOfPolicies,
  effectiveAccessOfUser,
  type EffectiveAccessRow,
  type EffectiveAccessSource,
  type EffectiveAccessSubjects,
  type PolicyGrant,
  policyGrants,
  type PolicyNameIds,
  type PolicyNames,
} from './effective-access.ts';
export { type Decision, type DecisionCode, decisionCodes, type DecisionRequest, type TraceCheck, type TraceStep } from './decision.ts';
export {
  type ClientRow,
  type PolicyConditions,
  type PolicyEffect,
  type PolicyRow,
  type PolicyStatus,
  type TimeWindow,
  type Weekday,
  weekdays,
} from './rows.ts';
export { PolicyUnavailableError } from './unavailable.ts';
