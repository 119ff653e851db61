/** Thrown instead of deciding on a policy index that may be stale; the token endpoint answers `temporarily_unavailable`. */
export class PolicyUnavailableError extends Error {
  readonly code = 'policy_unavailable';
  constructor(message: string) {
    super(message);
    this.name = 'PolicyUnavailableError';
  }
}
