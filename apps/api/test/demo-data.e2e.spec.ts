import type { Config } from '@crossgate/config';
import { AuditLogRepository, CrudRepository } from '@crossgate/store';
import { AdminHttp, eventually } from '@crossgate/testing';

import { ClientSecretService } from '../src/clients/index.ts';
import { ConnectionCredentialService } from '../src/connections/index.ts';
import { SsfStreamsService } from '../src/ssf/index.ts';
import { CrudService } from '../src/crud/index.ts';
import { CONFIG } from '../src/platform/index.ts';
import { demoRoleAccountEmails, issueFirstRunPasswords, seedDemoData } from '../src/seed/index.ts';
import { startTestApi, type TestApi } from './support/test-api.ts';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});

afterAll(async () => {
  await api.close();
});

describe('demo data', () => {
  it('should seed a living inventory once, through the audited write path, and change nothing the second time', async () => {
    const crud = api.app.get(CrudService);
    const repository = api.app.get(CrudRepository);
    const { publicUrl } = api.app.get<Config>(CONFIG).http;

    const credentials = api.app.get(ConnectionCredentialService);
    const ssfStreams = api.app.get(SsfStreamsService);
    const clientSecrets = api.app.get(ClientSecretService);
    const gatewayClientSecret = 'demo-gateway-secret-0123456789abcdef0123456789';

    const first = await seedDemoData(crud, repository, publicUrl, { credentials, ssfStreams, clientSecrets, gatewayClientSecret });
    expect(first.created).toBeGreaterThan(60);

    const idp = await api.prisma.trustedIdp.findUniqueOrThrow({ where: { issuer: 'https://acme-bank.okta.example/oauth2/default' } });
    const users = await api.prisma.user.count({ where: { idpId: idp.id } });
    const groups = await api.prisma.group.count({ where: { idpId: idp.id } });
    expect(users).toBe(20);
    expect(groups).toBe(6);
    const patterns = await api.prisma.connection.groupBy({ by: ['pattern'], _count: true });
    expect(patterns.map((row) => row.pattern).sort()).toEqual(['service_account', 'sts', 'vaulted_key', 'xaa']);
    // The weaker patterns carry a vaulted demo credential, and the service account its account name.
    const vaulted = await api.prisma.connection.findMany({ where: { pattern: { in: ['vaulted_key', 'service_account'] }, client: { clientId: 'finance-reconciler' } }, include: { credentialSecret: { include: { versions: true } } } });
    expect(vaulted.map((row) => [row.pattern, row.credentialSecret?.versions.map((version) => version.state)]).sort()).toEqual([
      ['service_account', ['active']],
      ['vaulted_key', ['active']],
    ]);
    expect(vaulted.find((row) => row.pattern === 'service_account')).toMatchObject({ accountName: 'svc-reconciler', owner: expect.any(String), sunsetAt: expect.any(Date), justification: expect.any(String) });
    const mcpServers = await api.prisma.resource.count({ where: { kind: 'mcp_server', slug: { endsWith: '-mcp' } } });
    expect(mcpServers).toBeGreaterThanOrEqual(3);
    const tickets = await api.prisma.resource.findUniqueOrThrow({ where: { slug: 'tickets-mcp' } });
    expect(tickets).toMatchObject({ subjectType: 'pairwise', releaseEmail: true });
    // The demo MCP server's resource is protected by Crossgate, at this instance's issuer.
    const notes = await api.prisma.resource.findUniqueOrThrow({ where: { slug: 'demo-mcp' } });
    expect(notes).toMatchObject({ rasEnabled: true, authorizationServer: `${publicUrl}/ras/demo-mcp`, resourceIndicators: ['http://localhost:3100/mcp'] });
    const metadata = await fetch(`${api.baseUrl}/.well-known/oauth-authorization-server/ras/demo-mcp`);
    expect(metadata.status).toBe(200);
    const registrations = await api.prisma.clientRegistration.findMany({ select: { client: { select: { clientId: true } }, resource: { select: { slug: true } } } });
    expect(registrations).toContainEqual({ client: { clientId: 'cursor' }, resource: { slug: 'github' } });
    const seededEvents = await api.prisma.auditEvent.count({ where: { actorLabel: 'demo-data' } });
    expect(seededEvents).toBe(first.created);

    // The demo MCP server hears of kill switches: one push stream, its aud the server's resource.
    const streams = await api.prisma.ssfStream.findMany({ where: { endpointUrl: 'http://localhost:3100/ssf/events', deletedAt: null } });
    expect(streams).toEqual([expect.objectContaining({ audience: ['http://localhost:3100/mcp'], resourceId: notes.id, status: 'enabled', eventsRequested: ['https://schemas.openid.net/secevent/caep/event-type/session-revoked'] })]);

    // The MCP gateway fronts the demo MCP server: its client (with the secret npm start generated),
    // the fronted resource, its XAA connection upstream and the policies of both pairs.
    const gatewayClient = await api.prisma.client.findUniqueOrThrow({ where: { clientId: 'mcp-gateway' } });
    expect(gatewayClient).toMatchObject({ authMethod: 'client_secret_basic', secretHash: expect.stringMatching(/^\$argon2id\$/) });
    const fronted = await api.prisma.resource.findUniqueOrThrow({ where: { slug: 'notes-gateway' } });
    expect(fronted).toMatchObject({
      rasEnabled: true,
      authorizationServer: `${publicUrl}/ras/notes-gateway`,
      resourceIndicators: ['http://localhost:3200/mcp/notes-gateway'],
      introspectionClientIds: [gatewayClient.id],
      gatewayUpstreamUrl: 'http://localhost:3100/mcp',
      gatewayToolScopes: { whoami: 'notes.read', notes_list: 'notes.read', notes_add: 'notes.write' },
    });
    expect(await api.prisma.connection.findMany({ where: { clientId: gatewayClient.id }, select: { resourceId: true, pattern: true, status: true } })).toEqual([{ resourceId: fronted.id, pattern: 'xaa', status: 'active' }]);
    const pairs = await api.prisma.policy.findMany({ where: { status: 'active', deletedAt: null, resourceId: { in: [fronted.id, notes.id] } }, select: { client: { select: { clientId: true } }, resource: { select: { slug: true } } } });
    expect(pairs).toEqual(expect.arrayContaining([
      { client: { clientId: 'claude-desktop' }, resource: { slug: 'notes-gateway' } },
      { client: { clientId: 'mcp-gateway' }, resource: { slug: 'demo-mcp' } },
    ]));
    // What the gateway asks first, as that client: the route, over XAA to the demo MCP server's issuer.
    const route = () =>
      fetch(`${api.baseUrl}/ras/notes-gateway/gateway/route`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`mcp-gateway:${gatewayClientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ resource: 'http://localhost:3200/mcp/notes-gateway' }),
      });
    const routed = await eventually('the gateway route', route, (response) => response.status === 200);
    expect(await routed.json()).toMatchObject({ upstream_url: 'http://localhost:3100/mcp', pattern: 'xaa', upstream_issuer: `${publicUrl}/ras/demo-mcp` });

    const second = await seedDemoData(crud, repository, publicUrl, { credentials, ssfStreams, clientSecrets, gatewayClientSecret });
    expect(second.created).toBe(0);
    expect(await api.prisma.auditEvent.count({ where: { actorLabel: 'demo-data' } })).toBe(seededEvents);
    // A new secret (its file deleted) replaces the old one, which stops working.
    expect((await seedDemoData(crud, repository, publicUrl, { credentials, ssfStreams, clientSecrets, gatewayClientSecret: `${gatewayClientSecret}-new` })).created).toBe(1);
    await eventually('the old secret refused', route, (response) => response.status === 401);
    // Other suites share the database: their kill switches are not for a server that is not running.
    await api.prisma.ssfStream.updateMany({ where: { id: { in: streams.map((stream) => stream.id) } }, data: { deletedAt: new Date(), status: 'disabled' } });
  });

  it('should give each role account a first-run password once, which signs in, and never write the password to the audit log', async () => {
    const audit = api.app.get(AuditLogRepository);
    const { publicUrl } = api.app.get<Config>(CONFIG).http;
    await seedDemoData(api.app.get(CrudService), api.app.get(CrudRepository), publicUrl);

    const first = await issueFirstRunPasswords(api.prisma, audit, demoRoleAccountEmails);
    const again = await issueFirstRunPasswords(api.prisma, audit, demoRoleAccountEmails);

    expect(first.map((account) => account.role).sort()).toEqual(['auditor', 'compliance-reviewer', 'incident-responder']);
    expect(again).toEqual([]);
    const responder = first.find((account) => account.role === 'incident-responder')!;
    const signIn = await AdminHttp.anonymous(api.baseUrl).post('/api/auth/sign-in', { email: responder.email, password: responder.password });
    expect(signIn.status).toBe(200);
    const events = await api.prisma.auditEvent.findMany({ where: { action: 'admin_user.password_reset', actorLabel: 'demo data' } });
    expect(events).toHaveLength(3);
    expect(JSON.stringify(events, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))).not.toContain(responder.password);
  });
});
