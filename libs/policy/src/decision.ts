/**
 * What a caller asks the policy engine and what it answers. The answer carries a trace so that an
 * admin's what-if, the audit log and a support engineer can all see which rule matched or which
 * check failed, without re-running anything.
 */

export interface DecisionRequest {
  /** `Client.id` of the requesting app or agent. */
  readonly clientId: string;
  /** `Resource.id` of the resource app or MCP server. */
  readonly resourceId: string;
  readonly user: { readonly id: string; readonly groupIds: readonly string[] };
  /** The `scope` parameter split on spaces. Absent or empty asks for the policies' default set. */
  readonly requestedScopes?: readonly string[];
  /** Time windows and expiry are judged against this instant, never the wall clock. */
  readonly now: Date;
  /** From the subject (ID) token: `acr` and `amr` as OIDC Core defines them. */
  readonly authentication?: { readonly acr?: string; readonly amr?: readonly string[] };
}

/**
 * - `allowed`: at least one scope is granted.
 * - `no_policy`: no active, unexpired allow policy of this pair names the user, one of their groups,
 *   or everyone.
 * - `denied_by_policy`: a deny policy without scopes (it blocks the whole pair) applies to the user.
 * - `outside_time_window`: only policies whose time window is closed now would grant something.
 * - `step_up_required`: only policies whose `requiredAcr`/`requiredAmr` the user's authentication
 *   does not meet would grant something. The caller answers `insufficient_user_authentication`.
 * - `no_allowed_scope`: policies apply, but requested ∩ policy ∩ ceiling, minus denied scopes, is
 *   empty. The caller answers `invalid_scope`.
 */
export const decisionCodes = [
  'allowed',
  'no_policy',
  'denied_by_policy',
  'outside_time_window',
  'step_up_required',
  'no_allowed_scope',
] as const;
export type DecisionCode = (typeof decisionCodes)[number];

export type TraceCheck =
  | 'pair'
  | 'subject'
  | 'expiry'
  | 'time_window'
  | 'acr'
  | 'amr'
  | 'effect'
  | 'ceiling'
  | 'requested_scopes'
  | 'result';

export interface TraceStep {
  readonly check: TraceCheck;
  /**
   * Whether the check let the request through: `false` for a condition a policy failed, for a deny
   * policy that applies, and for the scope check (ceiling or requested) that left no scope at all.
   */
  readonly passed: boolean;
  /** One sentence for a human, e.g. `found 3 policies for this pair`. */
  readonly outcome: string;
  readonly policyId?: string;
}

export interface Decision {
  readonly allowed: boolean;
  readonly code: DecisionCode;
  /** Sorted as requested, or alphabetically for the default set; empty unless allowed. */
  readonly grantedScopes: readonly string[];
  /** True when scopes were requested and some of them were dropped: the response must carry `scope`. */
  readonly narrowed: boolean;
  /**
   * The policies behind the code: for `allowed`, the allow policies that contributed a granted scope
   * plus the deny policies that applied; for a refusal, the policies that caused it.
   */
  readonly policyIds: readonly string[];
  /** Smallest `maxLifetimeSeconds` among the contributing allow policies, when any sets one. */
  readonly maxLifetimeSeconds?: number;
  /** For `step_up_required`: the `acr` values that would satisfy a policy (for `acr_values`). */
  readonly acrValues?: readonly string[];
  readonly trace: readonly TraceStep[];
}
