/**
 * @overview A believable organisation for a first look: Acme Bank, one upstream IdP, six groups,
 * twenty people, six requesting apps and agents, eight resources (three MCP servers), app-pair
 * policies, group mappings, a connection of each of the four patterns, one resource with pairwise
 * subjects and email release, one client known under another id at a resource's AS, and the demo MCP
 * server registered as an SSF receiver of kill switches, and the MCP gateway's client with a resource
 * it fronts, forwarding to the demo MCP server over XAA. Everything goes through
 * the same validated, audited write path as the admin API, and each record is looked up by its
 * natural key first, so seeding twice changes nothing.
 */
import type { CrudRepository, CrudModel, StoredRecord, Where } from '@crossgate/store';

import { type RequestContext, verifyPassword } from '../auth/index.ts';
import type { AdminResource, CrudService } from '../crud/index.ts';
import { adminUsersResource } from '../admin-users/index.ts';
import { clientRegistrationsResource } from '../client-registrations/index.ts';
import { type ClientSecretService, clientsResource } from '../clients/index.ts';
import { type ConnectionCredentialService, connectionsResource } from '../connections/index.ts';
import { groupMappingsResource } from '../group-mappings/index.ts';
import { groupsResource } from '../groups/index.ts';
import { membershipsResource } from '../memberships/index.ts';
import { policiesResource } from '../policies/index.ts';
import { resourcesResource } from '../resources/index.ts';
import { trustedIdpsResource } from '../trusted-idps/index.ts';
import { rasIssuer } from '../ras/index.ts';
import { pushDeliveryMethod, type SsfStreamsService } from '../ssf/index.ts';
import { oauthProvidersResource } from '../sts/index.ts';
import { usersResource } from '../users/index.ts';

const seeder: RequestContext = { actor: { type: 'system', label: 'demo-data' }, requestId: null, principal: null };

const idpIssuer = 'https://acme-bank.okta.example/oauth2/default';
const domain = 'acme-bank.example';

const groups = [
  ['support', 'Customer support agents'],
  ['engineering', 'Software engineers'],
  ['sales', 'Sales and account management'],
  ['finance', 'Finance and treasury operations'],
  ['security', 'Security operations centre'],
  ['crossgate-admins', 'People who administer Crossgate'],
] as const;

const people: [name: string, groups: (typeof groups)[number][0][]][] = [
  ['Alice Martin', ['support']],
  ['Bob Nguyen', ['support']],
  ['Carla Rossi', ['support', 'sales']],
  ['David Okafor', ['engineering']],
  ['Elena Petrova', ['engineering', 'security']],
  ['Farid Haddad', ['engineering']],
  ['Grace Kim', ['engineering']],
  ['Hugo Lefebvre', ['sales']],
  ['Ines Duarte', ['sales']],
  ['Jonas Weber', ['finance']],
  ['Keiko Tanaka', ['finance']],
  ['Liam O’Brien', ['finance', 'sales']],
  ['Maya Cohen', ['security']],
  ['Nikhil Rao', ['security', 'crossgate-admins']],
  ['Olivia Brown', ['crossgate-admins']],
  ['Pablo García', ['support']],
  ['Quinn Taylor', ['engineering']],
  ['Rosa Lindqvist', ['finance']],
  ['Samir Aziz', ['sales']],
  ['Tess Walker', ['support', 'engineering']],
];

const clients = [
  { clientId: 'cursor', name: 'Cursor', kind: 'requesting_app', description: 'AI code editor used by engineering', scopeCeiling: ['repo.read', 'repo.write', 'issues.read', 'pages.read'] },
  { clientId: 'support-agent', name: 'Support Agent', kind: 'ai_agent', description: 'Internal agent that triages customer tickets', scopeCeiling: ['issues.read', 'comments.write', 'customers.read', 'tickets.read', 'tickets.write'] },
  { clientId: 'claude-desktop', name: 'Claude Desktop', kind: 'requesting_app', description: 'Desktop assistant with MCP servers', scopeCeiling: ['pages.read', 'issues.read', 'datasets.read', 'notes.read', 'notes.write'] },
  { clientId: 'sales-copilot', name: 'Sales Copilot', kind: 'ai_agent', description: 'Drafts account plans from CRM data', scopeCeiling: ['accounts.read', 'opportunities.read', 'opportunities.write'] },
  { clientId: 'finance-reconciler', name: 'Finance Reconciler', kind: 'ai_agent', description: 'Nightly ledger reconciliation bot', scopeCeiling: ['ledger.read', 'payroll.read'] },
  { clientId: 'slack', name: 'Slack', kind: 'requesting_app', description: 'Chat with link unfurling into internal tools', scopeCeiling: ['issues.read', 'pages.read'] },
] as const;

type Risk = 'low' | 'medium' | 'high';
const scope = (name: string, risk: Risk, description: string) => ({ name, risk, description });

const resources = [
  { slug: 'jira', name: 'Jira', kind: 'resource_app', scopes: [scope('issues.read', 'low', 'Read issues'), scope('comments.write', 'medium', 'Comment on issues'), scope('issues.delete', 'high', 'Delete issues')] },
  { slug: 'confluence', name: 'Confluence', kind: 'resource_app', scopes: [scope('pages.read', 'low', 'Read pages'), scope('pages.write', 'medium', 'Edit pages')] },
  { slug: 'github', name: 'GitHub Enterprise', kind: 'resource_app', scopes: [scope('repo.read', 'low', 'Read repositories'), scope('repo.write', 'high', 'Push to repositories')] },
  { slug: 'salesforce', name: 'Salesforce', kind: 'resource_app', scopes: [scope('accounts.read', 'low', 'Read accounts'), scope('opportunities.read', 'low', 'Read opportunities'), scope('opportunities.write', 'medium', 'Update opportunities')] },
  { slug: 'data-mcp', name: 'Internal data MCP server', kind: 'mcp_server', scopes: [scope('datasets.read', 'medium', 'Query curated datasets'), scope('datasets.export', 'high', 'Export datasets')] },
  // A third-party ticketing service: it must not correlate staff across vendors, but it provisions
  // agents just in time by email.
  { slug: 'tickets-mcp', name: 'Ticketing MCP server', kind: 'mcp_server', subjectType: 'pairwise', releaseEmail: true, scopes: [scope('tickets.read', 'low', 'Read tickets'), scope('tickets.write', 'medium', 'Update tickets'), scope('customers.read', 'medium', 'Read customer profiles')] },
  { slug: 'ledger-mcp', name: 'Ledger MCP server', kind: 'mcp_server', scopes: [scope('ledger.read', 'high', 'Read the general ledger')] },
  { slug: 'payroll-legacy', name: 'Legacy payroll API', kind: 'resource_app', scopes: [scope('payroll.read', 'high', 'Read payroll runs')] },
] as const;

/**
 * The demo MCP server `npm start` runs (apps/demo-mcp): protected by Crossgate's own authorization
 * server at `<PUBLIC_URL>/ras/demo-mcp`, its resource identifier the server's default public URL.
 */
const demoMcp = {
  slug: 'demo-mcp',
  name: 'Notes (the demo MCP server)',
  kind: 'mcp_server',
  scopes: [scope('notes.read', 'low', 'Read notes'), scope('notes.write', 'medium', 'Add notes')],
  indicator: 'http://localhost:3100/mcp',
  /** Its SSF push receiver (RFC 8935): a kill switch's session-revoked SETs reach it here. */
  securityEvents: 'http://localhost:3100/ssf/events',
} as const;

/**
 * The MCP gateway `npm start` runs (apps/mcp-gateway) and the demo MCP server behind it: a resource
 * protected by Crossgate at the gateway's default public URL, whose calls the gateway, as its own
 * client, forwards upstream over XAA (an ID-JAG for the demo MCP server, redeemed at its issuer).
 */
const demoGateway = {
  clientId: 'mcp-gateway',
  resource: {
    slug: 'notes-gateway',
    name: 'Notes through the MCP gateway',
    kind: 'mcp_server',
    scopes: demoMcp.scopes,
  },
  indicator: 'http://localhost:3200/mcp/notes-gateway',
  toolScopes: { whoami: 'notes.read', notes_list: 'notes.read', notes_add: 'notes.write' },
} as const;

const sessionRevoked = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';

const policies = [
  { name: 'Support agent reads and comments in Jira', client: 'support-agent', resource: 'jira', groups: ['support'], scopes: ['issues.read', 'comments.write'], status: 'active', conditions: { timeWindow: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '07:00', end: '20:00', timeZone: 'Europe/Zurich' }, requiredAmr: ['mfa'] } },
  { name: 'Support agent works tickets', client: 'support-agent', resource: 'tickets-mcp', groups: ['support'], scopes: ['tickets.read', 'tickets.write', 'customers.read'], status: 'active', conditions: { requiredAmr: ['mfa'] } },
  { name: 'Cursor reads and pushes code', client: 'cursor', resource: 'github', groups: ['engineering'], scopes: ['repo.read', 'repo.write'], status: 'active', conditions: { maxLifetimeSeconds: 120 } },
  { name: 'Cursor reads Jira issues', client: 'cursor', resource: 'jira', groups: ['engineering'], scopes: ['issues.read'], status: 'active', conditions: {} },
  { name: 'Claude Desktop reads the wiki', client: 'claude-desktop', resource: 'confluence', groups: ['engineering', 'support', 'sales'], scopes: ['pages.read'], status: 'active', conditions: {} },
  { name: 'Claude Desktop queries datasets', client: 'claude-desktop', resource: 'data-mcp', groups: ['engineering'], scopes: ['datasets.read'], status: 'draft', conditions: { requiredAcr: ['phr'] } },
  { name: 'Sales copilot reads the CRM', client: 'sales-copilot', resource: 'salesforce', groups: ['sales'], scopes: ['accounts.read', 'opportunities.read', 'opportunities.write'], status: 'active', conditions: {} },
  { name: 'Reconciler reads the ledger', client: 'finance-reconciler', resource: 'ledger-mcp', groups: ['finance'], scopes: ['ledger.read'], status: 'active', conditions: {} },
  { name: 'Claude Desktop takes notes', client: 'claude-desktop', resource: demoMcp.slug, groups: ['engineering'], scopes: ['notes.read', 'notes.write'], status: 'active', conditions: {} },
  { name: 'Claude Desktop takes notes through the gateway', client: 'claude-desktop', resource: demoGateway.resource.slug, groups: ['engineering'], scopes: ['notes.read', 'notes.write'], status: 'active', conditions: {} },
  // The gateway's own pair to its upstream: its ID-JAGs for the demo MCP server are decided for the same groups.
  { name: 'The MCP gateway reaches the demo MCP server', client: demoGateway.clientId, resource: demoMcp.slug, groups: ['engineering'], scopes: ['notes.read', 'notes.write'], status: 'active', conditions: {} },
  { name: 'Slack unfurls Jira and wiki links', client: 'slack', resource: 'jira', groups: ['engineering', 'support', 'sales', 'finance', 'security'], scopes: ['issues.read'], status: 'active', conditions: {} },
] as const;

/** Clients that GitHub knows under its own ids: Cursor is a GitHub App there. */
const clientRegistrations = [{ client: 'cursor', resource: 'github', remoteClientId: 'Iv23liCursorAcmeBank' }] as const;

const connections = [
  { name: 'Support agent → Jira (XAA)', client: 'support-agent', resource: 'jira', pattern: 'xaa' },
  { name: 'Support agent → Ticketing MCP (XAA)', client: 'support-agent', resource: 'tickets-mcp', pattern: 'xaa' },
  { name: 'Cursor → GitHub (XAA)', client: 'cursor', resource: 'github', pattern: 'xaa' },
  { name: 'Claude Desktop → Notes MCP (XAA, redeemed at Crossgate)', client: 'claude-desktop', resource: demoMcp.slug, pattern: 'xaa' },
  { name: 'MCP gateway → Notes through the gateway (XAA to the demo MCP server)', client: demoGateway.clientId, resource: demoGateway.resource.slug, pattern: 'xaa', description: 'The gateway forwards calls to the demo MCP server with an ID-JAG it redeems there' },
  { name: 'Sales copilot → Salesforce (STS)', client: 'sales-copilot', resource: 'salesforce', pattern: 'sts', description: 'Users consent once; refresh tokens are vaulted per user' },
  { name: 'Reconciler → Ledger MCP (vaulted key)', client: 'finance-reconciler', resource: 'ledger-mcp', pattern: 'vaulted_key', description: 'The ledger server only accepts API keys today' },
  { name: 'Reconciler → Legacy payroll (service account)', client: 'finance-reconciler', resource: 'payroll-legacy', pattern: 'service_account', justification: 'The payroll system only supports username and password; vendor upgrade to OAuth planned for next year.', sunsetDays: 180, accountName: 'svc-reconciler' },
] as const;

/**
 * The demo's vaulted key and service-account password, by connection name: published here, so they
 * protect nothing, and set through the vault like real ones.
 */
const demoCredentials: Record<string, string> = {
  'Reconciler → Ledger MCP (vaulted key)': 'demo-ledger-api-key-NOT-SECRET',
  'Reconciler → Legacy payroll (service account)': 'demo-payroll-password-NOT-SECRET',
};

/**
 * Colleagues of the bootstrap admin, one per role. They sign in through SSO later; until then each
 * gets a first-run password (see role-accounts.ts).
 */
const admins = [
  { email: `ravi@${domain}`, displayName: 'Ravi Shah (compliance)', role: 'compliance-reviewer' },
  { email: `mei@${domain}`, displayName: 'Mei Chen (incident response)', role: 'incident-responder' },
  { email: `audra@${domain}`, displayName: 'Audra Novak (external auditor)', role: 'auditor' },
] as const;

/** The demo's role accounts, for their first-run passwords. */
export const demoRoleAccountEmails: readonly string[] = admins.map((admin) => admin.email);

class Seeder {
  created = 0;

  constructor(
    private readonly crud: CrudService,
    private readonly repository: CrudRepository,
  ) {}

  /** The record with `naturalKey`, created from `body` only when it does not exist yet. */
  async ensure(resource: AdminResource, model: CrudModel, naturalKey: Where, body: StoredRecord): Promise<string> {
    const existing = await this.repository.findOne(model, naturalKey);
    if (existing) {
      return String(existing['id']);
    }
    const record = await this.crud.create(resource, body, seeder);
    this.created += 1;
    return String(record['id']);
  }
}

/**
 * Seeds Acme Bank; returns how many records this call created (0 when it was already there).
 * `publicUrl` is Crossgate's, the base of the demo MCP server's authorization server.
 * `gatewayClientSecret` (with `clientSecrets`) becomes the demo MCP gateway client's secret, set
 * again only when the stored hash does not match it.
 */
export async function seedDemoData(
  crud: CrudService,
  repository: CrudRepository,
  publicUrl: string,
  options: { now?: Date; credentials?: ConnectionCredentialService; ssfStreams?: SsfStreamsService; clientSecrets?: ClientSecretService; gatewayClientSecret?: string } = {},
): Promise<{ created: number }> {
  const now = options.now ?? new Date();
  const seed = new Seeder(crud, repository);
  const owner = `it-platform@${domain}`;

  const idpId = await seed.ensure(trustedIdpsResource, 'trustedIdp', { issuer: idpIssuer }, {
    name: 'Acme Bank Okta',
    issuer: idpIssuer,
    audiences: clients.map((client) => `0oa-${client.clientId}`),
    groupsClaim: 'groups',
  });

  const groupIds = new Map<string, string>();
  for (const [name, description] of groups) {
    groupIds.set(name, await seed.ensure(groupsResource, 'group', { name }, { name, description, idpId }));
  }

  for (const [index, [fullName, memberOf]] of people.entries()) {
    const email = `${fullName.split(' ')[0]!.toLowerCase()}@${domain}`;
    const subject = `00u${(1000 + index).toString(36)}acme${index}`;
    const userId = await seed.ensure(usersResource, 'user', { idpId, subject }, { idpId, subject, email, displayName: fullName });
    for (const group of memberOf) {
      const groupId = groupIds.get(group)!;
      await seed.ensure(membershipsResource, 'membership', { userId, groupId }, { userId, groupId, source: 'id_token' });
    }
  }

  const clientIds = new Map<string, string>();
  for (const client of clients) {
    clientIds.set(
      client.clientId,
      await seed.ensure(clientsResource, 'client', { clientId: client.clientId }, {
        ...client,
        scopeCeiling: [...client.scopeCeiling],
        authMethod: 'client_secret_basic',
        owner,
      }),
    );
  }

  const gatewayClientId = await seed.ensure(clientsResource, 'client', { clientId: demoGateway.clientId }, {
    clientId: demoGateway.clientId,
    name: 'Crossgate MCP gateway',
    kind: 'requesting_app',
    description: 'The MCP gateway npm start runs: fronts the demo MCP server',
    scopeCeiling: demoGateway.resource.scopes.map((entry) => entry.name),
    authMethod: 'client_secret_basic',
    owner,
  });
  clientIds.set(demoGateway.clientId, gatewayClientId);
  const { gatewayClientSecret, clientSecrets } = options;
  if (gatewayClientSecret !== undefined && clientSecrets !== undefined) {
    const stored = await repository.findOne('client', { id: gatewayClientId });
    if (!(await verifyPassword(stored?.['secretHash'] as string | null | undefined, gatewayClientSecret))) {
      await clientSecrets.set(gatewayClientId, gatewayClientSecret, seeder);
      seed.created += 1;
    }
  }

  const resourceIds = new Map<string, string>();
  for (const resource of resources) {
    const base = `https://${resource.slug}.${domain}`;
    resourceIds.set(
      resource.slug,
      await seed.ensure(resourcesResource, 'resource', { slug: resource.slug }, {
        ...resource,
        scopes: resource.scopes.map((entry) => ({ ...entry })),
        authorizationServer: `${base}/`,
        resourceIndicators: [resource.kind === 'mcp_server' ? `${base}/mcp` : `${base}/api`],
        owner,
      }),
    );
  }
  const { indicator, securityEvents, ...demoMcpResource } = demoMcp;
  resourceIds.set(
    demoMcp.slug,
    await seed.ensure(resourcesResource, 'resource', { slug: demoMcp.slug }, {
      ...demoMcpResource,
      scopes: demoMcp.scopes.map((entry) => ({ ...entry })),
      authorizationServer: rasIssuer(publicUrl, demoMcp.slug),
      resourceIndicators: [indicator],
      rasEnabled: true,
      owner,
    }),
  );

  resourceIds.set(
    demoGateway.resource.slug,
    await seed.ensure(resourcesResource, 'resource', { slug: demoGateway.resource.slug }, {
      ...demoGateway.resource,
      scopes: demoGateway.resource.scopes.map((entry) => ({ ...entry })),
      authorizationServer: rasIssuer(publicUrl, demoGateway.resource.slug),
      resourceIndicators: [demoGateway.indicator],
      rasEnabled: true,
      introspectionClientIds: [gatewayClientId],
      gatewayUpstreamUrl: indicator,
      gatewayToolScopes: { ...demoGateway.toolScopes },
      owner,
    }),
  );

  if (options.ssfStreams !== undefined) {
    const streams = await options.ssfStreams.read(undefined);
    if (!(Array.isArray(streams) ? streams : [streams]).some((stream) => stream.delivery.endpoint_url === securityEvents)) {
      await options.ssfStreams.create(
        {
          delivery: { method: pushDeliveryMethod, endpoint_url: securityEvents },
          events_requested: [sessionRevoked],
          aud: indicator,
          resource_id: resourceIds.get(demoMcp.slug),
          description: 'The demo MCP server: drops revoked sessions on receipt',
        },
        seeder,
      );
      seed.created += 1;
    }
  }

  for (const policy of policies) {
    const clientId = clientIds.get(policy.client)!;
    const resourceId = resourceIds.get(policy.resource)!;
    await seed.ensure(policiesResource, 'policy', { name: policy.name, clientId, deletedAt: null }, {
      name: policy.name,
      clientId,
      resourceId,
      subjectGroupIds: policy.groups.map((group) => groupIds.get(group)!),
      scopes: [...policy.scopes],
      conditions: policy.conditions,
      status: policy.status,
    });
  }

  for (const registration of clientRegistrations) {
    const clientId = clientIds.get(registration.client)!;
    const resourceId = resourceIds.get(registration.resource)!;
    await seed.ensure(clientRegistrationsResource, 'clientRegistration', { clientId, resourceId }, {
      clientId,
      resourceId,
      remoteClientId: registration.remoteClientId,
    });
  }

  await seed.ensure(groupMappingsResource, 'groupMapping', { idpId, externalGroup: 'okta-crossgate-admins' }, {
    idpId,
    externalGroup: 'okta-crossgate-admins',
    groupId: groupIds.get('crossgate-admins'),
    adminRole: 'it-admin',
  });
  await seed.ensure(groupMappingsResource, 'groupMapping', { idpId, externalGroup: 'okta-soc' }, {
    idpId,
    externalGroup: 'okta-soc',
    groupId: groupIds.get('security'),
    adminRole: 'incident-responder',
  });

  // The STS connection's third party; Crossgate's client secret there is set by an admin, never seeded.
  const salesforceId = await seed.ensure(oauthProvidersResource, 'oauthProvider', { issuer: 'https://login.salesforce.com' }, {
    name: 'Salesforce',
    issuer: 'https://login.salesforce.com',
    clientId: '3MVG9-acme-bank-crossgate',
    scopes: ['api', 'refresh_token'],
  });
  for (const connection of connections) {
    const clientId = clientIds.get(connection.client)!;
    const resourceId = resourceIds.get(connection.resource)!;
    const { client: _client, resource: _resource, ...fields } = connection;
    const { sunsetDays, ...rest } = { sunsetDays: undefined, ...fields } as typeof fields & { sunsetDays?: number };
    const connectionId = await seed.ensure(connectionsResource, 'connection', { clientId, resourceId, pattern: connection.pattern }, {
      ...rest,
      clientId,
      resourceId,
      owner,
      ...(connection.pattern === 'sts' ? { oauthProviderId: salesforceId } : {}),
      ...(sunsetDays ? { sunsetAt: new Date(now.getTime() + sunsetDays * 86_400_000).toISOString() } : {}),
    });
    const credential = demoCredentials[connection.name];
    if (credential !== undefined && options.credentials !== undefined && (await repository.findOne('connection', { id: connectionId, credentialSecretId: null })) !== null) {
      await options.credentials.set(connectionId, { value: credential }, seeder);
      seed.created += 1;
    }
  }

  for (const admin of admins) {
    await seed.ensure(adminUsersResource, 'adminUser', { email: admin.email }, { ...admin });
  }

  return { created: seed.created };
}
