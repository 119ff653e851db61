/**
 * Admin roles and what each may do. The API enforces this table through Casbin; the UI reads it
 * only to hide buttons a role cannot use.
 */
export const adminRoles = ['it-admin', 'incident-responder', 'compliance-reviewer', 'auditor'] as const;
export type AdminRole = (typeof adminRoles)[number];

/** Everything the admin API manages, by its route name under /api. */
export const adminObjects = [
  'trusted-idps',
  'users',
  'groups',
  'memberships',
  'clients',
  'resources',
  'client-registrations',
  'ras-trusted-issuers',
  'policies',
  /** Policy approval requests (two-person rule): `approvals:write` decides them. */
  'approvals',
  /** High-risk tool calls at the MCP gateway waiting for a decision: `tool-call-approvals:write` decides them. */
  'tool-call-approvals',
  'group-mappings',
  'connections',
  'oauth-providers',
  'sts-consents',
  'admin-users',
  'api-tokens',
  'audit',
  'signing-keys',
  'kill-switches',
  'ssf-streams',
  'access-reviews',
] as const;
export type AdminObject = (typeof adminObjects)[number];

/** `review`: decide access-review items assigned to oneself (certify, revoke, narrow), reassign and delegate them. */
export const adminActions = ['read', 'write', 'export', 'verify', 'delete', 'review'] as const;
export type AdminAction = (typeof adminActions)[number];

/** A permission names an object and an action, e.g. `clients:write`. */
export type Permission = `${AdminObject}:${AdminAction}`;

export interface RoleGrant {
  /** An admin object, or `*` for every object. */
  object: AdminObject | '*';
  action: AdminAction;
}

/**
 * The role table. Nobody may delete audit events: the permission exists so that a route offering it
 * would be refused for every role.
 */
export const roleGrants: Record<AdminRole, readonly RoleGrant[]> = {
  'it-admin': [
    { object: '*', action: 'read' },
    { object: '*', action: 'write' },
    { object: 'audit', action: 'export' },
    { object: 'audit', action: 'verify' },
    { object: 'access-reviews', action: 'review' },
    { object: 'access-reviews', action: 'export' },
  ],
  'incident-responder': [
    { object: '*', action: 'read' },
    { object: 'kill-switches', action: 'write' },
    { object: 'tool-call-approvals', action: 'write' },
  ],
  'compliance-reviewer': [
    { object: '*', action: 'read' },
    { object: 'audit', action: 'export' },
    { object: 'access-reviews', action: 'write' },
    { object: 'access-reviews', action: 'review' },
    { object: 'access-reviews', action: 'export' },
  ],
  auditor: [
    { object: '*', action: 'read' },
    { object: 'audit', action: 'export' },
    { object: 'audit', action: 'verify' },
    { object: 'access-reviews', action: 'export' },
  ],
};

export function isAdminRole(value: unknown): value is AdminRole {
  return typeof value === 'string' && (adminRoles as readonly string[]).includes(value);
}

/** The signed-in admin as the API describes them (`GET /api/auth/me`). */
export interface AdminProfile {
  id: string;
  email: string;
  displayName: string;
  role: AdminRole;
  permissions: Permission[];
}

/** A role's grants as permission strings (`*:read`, `audit:export`). */
export function permissionsOf(role: AdminRole): Permission[] {
  return roleGrants[role].map((grant) => `${grant.object}:${grant.action}` as Permission);
}
