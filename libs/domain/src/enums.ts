/** The four managed-connection patterns, best first (shared/seeds/003: the migration ladder). */
export const connectionPatterns = ['xaa', 'sts', 'vaulted_key', 'service_account'] as const;
export type ConnectionPattern = (typeof connectionPatterns)[number];

/**
 * The RFC 8693 `requested_token_type` / `issued_token_type` of each pattern at the token endpoint:
 * the agent names one to choose among a pair's connections. The last two are Crossgate's own URNs,
 * for what is not a token at all.
 */
export const connectionTokenTypes = {
  xaa: 'urn:ietf:params:oauth:token-type:id-jag',
  sts: 'urn:ietf:params:oauth:token-type:access_token',
  vaulted_key: 'urn:crossgate:params:oauth:token-type:api-key',
  service_account: 'urn:crossgate:params:oauth:token-type:password',
} as const satisfies Record<ConnectionPattern, string>;

/** The patterns from strongest to weakest: when a pair has several active connections, the first wins. */
export const connectionPatternStrength: readonly ConnectionPattern[] = ['xaa', 'sts', 'vaulted_key', 'service_account'];

/** Lifecycle of a vaulted secret's version (libs/store SecretStore). */
export const secretVersionStates = ['pending', 'active', 'retiring', 'retired', 'failed'] as const;
export type SecretVersionState = (typeof secretVersionStates)[number];
/** Where a connection's credential rotation stands; `failed` is shown as an alert until one succeeds. */
export const rotationStatuses = ['idle', 'rotating', 'failed'] as const;
export type RotationStatus = (typeof rotationStatuses)[number];

/** An STS consent: active, withdrawn by the user, or revoked (by an admin, or refused by the provider). */
export const stsConsentStatuses = ['active', 'withdrawn', 'revoked'] as const;
export type StsConsentStatus = (typeof stsConsentStatuses)[number];

export const recordStatuses = ['active', 'disabled'] as const;
export const userStatuses = ['active', 'suspended', 'deprovisioned'] as const;
export const membershipSources = ['id_token', 'scim', 'manual'] as const;
export const clientKinds = ['requesting_app', 'ai_agent'] as const;
export const clientAuthMethods = ['private_key_jwt', 'client_secret_basic', 'client_secret_post', 'none'] as const;
export const resourceKinds = ['resource_app', 'mcp_server'] as const;
/** How a resource's ID-JAG `sub` is formed: the IdP's subject, or pairwise per authorization server. */
export const subjectTypes = ['public', 'pairwise'] as const;
export type SubjectType = (typeof subjectTypes)[number];
export const policyEffects = ['allow', 'deny'] as const;
export const policyStatuses = ['draft', 'active', 'disabled'] as const;
/** A request that a second it-admin approve a policy becoming active (two-person rule). */
export const policyApprovalStatuses = ['pending', 'approved', 'rejected', 'withdrawn'] as const;
export type PolicyApprovalStatus = (typeof policyApprovalStatuses)[number];

/** A high-risk tool call at the MCP gateway: waiting, decided, past its timeout, or its token no longer active. */
export const toolCallApprovalStatuses = ['pending', 'approved', 'rejected', 'expired', 'cancelled'] as const;
export type ToolCallApprovalStatus = (typeof toolCallApprovalStatuses)[number];
export const scopeRisks = ['low', 'medium', 'high'] as const;
export type ScopeRisk = (typeof scopeRisks)[number];

/** Days a policy time window may name, in the order people read them. */
export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof weekdays)[number];

/** Who an audit event says acted. */
/** `user`: an end user acting for themself (withdrawing an STS consent), proven by their ID token. */
export const auditActorTypes = ['admin', 'api_token', 'system', 'client', 'user', 'scim_client', 'anonymous'] as const;
export type AuditActorType = (typeof auditActorTypes)[number];

/**
 * What a kill switch stops: one user, one client (agent), one resource, one app pair, one user at one
 * app pair (an access review's remediation), one managed connection, one trusted IdP, or everything.
 */
export const killSwitchScopes = ['user', 'client', 'app_pair', 'user_app_pair', 'resource', 'connection', 'idp', 'everything'] as const;
export type KillSwitchScope = (typeof killSwitchScopes)[number];
/** The ids a kill switch names. */
export type KillSwitchTargetField = 'userId' | 'clientId' | 'resourceId' | 'connectionId' | 'idpId';
/** Which ids each scope names (and no other). */
export const killSwitchScopeTargets = {
  user: ['userId'],
  client: ['clientId'],
  resource: ['resourceId'],
  app_pair: ['clientId', 'resourceId'],
  user_app_pair: ['userId', 'clientId', 'resourceId'],
  connection: ['connectionId'],
  idp: ['idpId'],
  everything: [],
} as const satisfies Record<KillSwitchScope, readonly KillSwitchTargetField[]>;
/** Scopes so wide that firing or lifting them needs a second admin's approval (two-person rule). */
export const twoPersonKillSwitchScopes: readonly KillSwitchScope[] = ['idp', 'everything'];
/** A kill switch's life: waiting for approval, in force, lifted, past its expiry, or turned down. */
export const killSwitchStates = ['pending_approval', 'active', 'lifted', 'expired', 'rejected'] as const;
export type KillSwitchState = (typeof killSwitchStates)[number];
/** What a line of a revocation receipt reaches: an SSF receiver, an STS provider, a vaulted credential. */
export const killSwitchDeliveryKinds = ['ssf_set', 'sts_revocation', 'credential_rotation'] as const;
export type KillSwitchDeliveryKind = (typeof killSwitchDeliveryKinds)[number];
export const killSwitchDeliveryStatuses = ['pending', 'delivered', 'failed', 'dead_lettered'] as const;
export type KillSwitchDeliveryStatus = (typeof killSwitchDeliveryStatuses)[number];
/** An SSF stream's status (SSF 1.0 §8.1.2). */
export const ssfStreamStatuses = ['enabled', 'paused', 'disabled'] as const;
export type SsfStreamStatus = (typeof ssfStreamStatuses)[number];
