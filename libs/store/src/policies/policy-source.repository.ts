/**
 * @overview What the policy engine reads from Postgres: the rows it compiles, the directory the
 * token endpoint serves from (clients, resources, trusted IdPs), the version that says whether both
 * are current, and the users and groups a what-if or an effective-access query evaluates. Prisma
 * types stop here; callers get plain rows.
 */
import type { ClientRow, PolicyConditions, PolicyNames, PolicyRow } from '@crossgate/policy';

import type { PrismaClient } from '../database.ts';

/** A user as impact analysis needs it: who, and which groups they are in. */
export interface PolicySubjectUser {
  id: string;
  email: string | null;
  displayName: string | null;
  groupIds: string[];
}

export type { PolicyNames };

/** A client the token endpoint may serve (active, not deleted), with what authenticating it needs. */
export interface DirectoryClientRow {
  id: string;
  clientId: string;
  authMethod: string;
  kind: string;
  scopeCeiling: string[];
  idpClientId: string | null;
  secretHash: string | null;
  jwks: unknown;
  jwksUri: string | null;
}

/** A resource tokens may be issued for (active, not deleted). */
export interface DirectoryResourceRow {
  id: string;
  slug: string;
  authorizationServer: string;
  resourceIndicators: string[];
  /** What the ID-JAG's `sub` is: the IdP's subject (`public`) or one per authorization server (`pairwise`). */
  subjectType: 'public' | 'pairwise';
  /** Whether the ID-JAG carries the user's `email`. */
  releaseEmail: boolean;
  /** The names in the resource's scope catalogue. */
  scopeNames: string[];
  /** Protected by Crossgate's resource-side authorization server (issuer `<public URL>/ras/<slug>`). */
  rasEnabled: boolean;
  accessTokenLifetimeSeconds: number;
  /** Whether that authorization server redeems ID-JAGs of Crossgate's own IdP role. */
  rasTrustsCrossgateIdp: boolean;
  idJagReusable: boolean;
  /** Row ids of the clients that may introspect its access tokens. */
  introspectionClientIds: string[];
  /** How the MCP gateway fronts it, or null when it is not gateway-fronted. */
  gateway: GatewayRoute | null;
}

/** A gateway-fronted resource: where the MCP gateway forwards, and which scope each tool needs. */
export interface GatewayRoute {
  upstreamUrl: string;
  /** Tool name → scope. */
  toolScopes: Record<string, string>;
  /** The header a vaulted API key goes upstream in. */
  keyHeader: string;
  /** Tools whose every call waits for an admin's approval. */
  approvalTools: string[];
  approvalTimeoutSeconds: number;
}

/** The tool → scope map as stored (validated by the admin API); anything else is skipped. */
function toolScopesOf(stored: unknown): Record<string, string> {
  if (stored === null || typeof stored !== 'object' || Array.isArray(stored)) {
    return {};
  }
  return Object.fromEntries(Object.entries(stored).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** Another IdP whose ID-JAGs a protected resource's authorization server redeems (active only). */
export interface RasTrustedIssuerRow {
  resourceId: string;
  issuer: string;
  jwksUri: string | null;
  jwks: unknown;
}

/** A client's id at a resource's authorization server, when it differs from its Crossgate client_id. */
export interface ClientRegistrationRow {
  clientId: string;
  resourceId: string;
  remoteClientId: string;
}

/** An upstream IdP whose ID tokens are accepted (active, not deleted). */
export interface DirectoryIdpRow {
  id: string;
  issuer: string;
  jwksUri: string | null;
  jwks: unknown;
  audiences: string[];
  groupsClaim: string;
}

/**
 * A managed connection of a (client, resource) pair that is not deleted, whatever its status: the
 * token endpoint says "disabled" rather than pretending a disabled connection does not exist.
 */
export interface DirectoryConnectionRow {
  id: string;
  clientId: string;
  resourceId: string;
  pattern: 'xaa' | 'sts' | 'vaulted_key' | 'service_account';
  status: 'active' | 'disabled';
  sunsetAt: Date | null;
  /** The vaulted key or password; null until an admin sets one. */
  credentialSecretId: string | null;
  accountName: string | null;
}

export interface DirectoryRows {
  clients: DirectoryClientRow[];
  connections: DirectoryConnectionRow[];
  resources: DirectoryResourceRow[];
  idps: DirectoryIdpRow[];
  registrations: ClientRegistrationRow[];
  rasTrustedIssuers: RasTrustedIssuerRow[];
}

/** The names of a scope catalogue (`[{ name, … }]`, validated by the admin API); anything else is skipped. */
function scopeNamesOf(catalogue: unknown): string[] {
  return Array.isArray(catalogue) ? catalogue.flatMap((entry: unknown) => (typeof (entry as { name?: unknown })?.name === 'string' ? [(entry as { name: string }).name] : [])) : [];
}

interface StoredPolicy {
  id: string;
  clientId: string;
  resourceId: string;
  effect: PolicyRow['effect'];
  everyone: boolean;
  subjectGroupIds: string[];
  subjectUserIds: string[];
  scopes: string[];
  conditions: unknown;
  status: PolicyRow['status'];
  expiresAt: Date | null;
}

function toPolicyRow(row: StoredPolicy): PolicyRow {
  const conditions = typeof row.conditions === 'object' && row.conditions !== null && !Array.isArray(row.conditions) ? row.conditions : {};
  return {
    id: row.id,
    clientId: row.clientId,
    resourceId: row.resourceId,
    effect: row.effect,
    everyone: row.everyone,
    subjectGroupIds: row.subjectGroupIds,
    subjectUserIds: row.subjectUserIds,
    scopes: row.scopes,
    // The admin API validated it on the way in; compilePolicies fails closed on anything else.
    conditions: conditions as PolicyConditions,
    status: row.status,
    expiresAt: row.expiresAt,
  };
}

const policyFields = {
  id: true,
  clientId: true,
  resourceId: true,
  effect: true,
  everyone: true,
  subjectGroupIds: true,
  subjectUserIds: true,
  scopes: true,
  conditions: true,
  status: true,
  expiresAt: true,
} as const;

export class PolicySourceRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** The policy version (PolicyVersion id 1); 0 before the first policy or client write. */
  async version(): Promise<bigint> {
    const row = await this.prisma.policyVersion.findUnique({ where: { id: 1 }, select: { version: true } });
    return row?.version ?? 0n;
  }

  /** Active, non-deleted policies of active, non-deleted clients and resources, in id order. */
  async activePolicies(): Promise<PolicyRow[]> {
    const rows = await this.prisma.policy.findMany({
      where: { status: 'active', deletedAt: null, resource: { deletedAt: null } },
      select: policyFields,
      orderBy: { id: 'asc' },
    });
    return rows.map(toPolicyRow);
  }

  /** One non-deleted policy whatever its status (a draft to simulate), or null. */
  async policy(id: string): Promise<PolicyRow | null> {
    const row = await this.prisma.policy.findFirst({ where: { id, deletedAt: null }, select: policyFields });
    return row ? toPolicyRow(row) : null;
  }

  /** Active, non-deleted clients with their scope ceilings: the clients that may be served. */
  async activeClients(): Promise<ClientRow[]> {
    const rows = await this.prisma.client.findMany({
      where: { status: 'active', deletedAt: null },
      select: { id: true, scopeCeiling: true },
    });
    return rows.map((row) => ({ id: row.id, scopeCeiling: row.scopeCeiling }));
  }

  /** Every client, resource and trusted IdP the token endpoint may serve, and the clients' ids at resources. */
  async directory(): Promise<DirectoryRows> {
    const live = { status: 'active', deletedAt: null } as const;
    const [clients, resources, idps, registrations, rasTrustedIssuers, connections] = await Promise.all([
      this.prisma.client.findMany({
        where: live,
        select: { id: true, clientId: true, authMethod: true, kind: true, scopeCeiling: true, idpClientId: true, secretHash: true, jwks: true, jwksUri: true },
      }),
      this.prisma.resource.findMany({
        where: live,
        select: {
          id: true,
          slug: true,
          authorizationServer: true,
          resourceIndicators: true,
          subjectType: true,
          releaseEmail: true,
          scopes: true,
          rasEnabled: true,
          accessTokenLifetimeSeconds: true,
          rasTrustsCrossgateIdp: true,
          idJagReusable: true,
          introspectionClientIds: true,
          gatewayUpstreamUrl: true,
          gatewayToolScopes: true,
          gatewayKeyHeader: true,
          gatewayApprovalTools: true,
          gatewayApprovalTimeoutSeconds: true,
        },
      }),
      this.prisma.trustedIdp.findMany({ where: live, select: { id: true, issuer: true, jwksUri: true, jwks: true, audiences: true, groupsClaim: true } }),
      this.prisma.clientRegistration.findMany({ select: { clientId: true, resourceId: true, remoteClientId: true } }),
      this.prisma.rasTrustedIssuer.findMany({ where: { status: 'active' }, select: { resourceId: true, issuer: true, jwksUri: true, jwks: true } }),
      this.prisma.connection.findMany({
        where: { deletedAt: null },
        select: { id: true, clientId: true, resourceId: true, pattern: true, status: true, sunsetAt: true, credentialSecretId: true, accountName: true },
      }),
    ]);
    return {
      clients,
      connections,
      resources: resources.map(({ scopes, gatewayUpstreamUrl, gatewayToolScopes, gatewayKeyHeader, gatewayApprovalTools, gatewayApprovalTimeoutSeconds, ...resource }) => ({
        ...resource,
        scopeNames: scopeNamesOf(scopes),
        gateway:
          gatewayUpstreamUrl === null
            ? null
            : { upstreamUrl: gatewayUpstreamUrl, toolScopes: toolScopesOf(gatewayToolScopes), keyHeader: gatewayKeyHeader, approvalTools: gatewayApprovalTools, approvalTimeoutSeconds: gatewayApprovalTimeoutSeconds },
      })),
      idps,
      registrations,
      rasTrustedIssuers,
    };
  }

  /** The user's groups (memberships of non-deleted groups), or null when no such user exists. */
  async groupIdsOf(userId: string): Promise<string[] | null> {
    const user = await this.prisma.user.findFirst({
      where: { id: userId, deletedAt: null },
      select: { memberships: { where: { group: { deletedAt: null } }, select: { groupId: true } } },
    });
    return user ? user.memberships.map((membership) => membership.groupId) : null;
  }

  /** Every active, non-deleted user with their groups, for impact analysis. */
  async activeUsers(): Promise<PolicySubjectUser[]> {
    const users = await this.prisma.user.findMany({
      where: { status: 'active', deletedAt: null },
      select: {
        id: true,
        email: true,
        displayName: true,
        memberships: { where: { group: { deletedAt: null } }, select: { groupId: true } },
      },
      orderBy: { id: 'asc' },
    });
    return users.map((user) => ({
      id: user.id,
      email: user.email,
      displayName: user.displayName,
      groupIds: user.memberships.map((membership) => membership.groupId),
    }));
  }

  /** Names of the given clients, resources, groups and users (deleted ones included, for history). */
  async names(ids: { clientIds: string[]; resourceIds: string[]; groupIds: string[]; userIds: string[] }): Promise<PolicyNames> {
    const [clients, resources, groups, users] = await Promise.all([
      this.prisma.client.findMany({ where: { id: { in: ids.clientIds } }, select: { id: true, name: true } }),
      this.prisma.resource.findMany({ where: { id: { in: ids.resourceIds } }, select: { id: true, name: true, slug: true } }),
      this.prisma.group.findMany({ where: { id: { in: ids.groupIds } }, select: { id: true, name: true } }),
      this.prisma.user.findMany({ where: { id: { in: ids.userIds } }, select: { id: true, email: true, displayName: true } }),
    ]);
    return {
      clients: new Map(clients.map((row) => [row.id, row])),
      resources: new Map(resources.map((row) => [row.id, row])),
      groups: new Map(groups.map((row) => [row.id, row])),
      users: new Map(users.map((row) => [row.id, row])),
    };
  }
}
