/**
 * The MCP gateway's outbound patterns end to end, with real `oidc-provider` IdPs, the API in
 * process and the MCP client SDK as the agent:
 *
 * - XAA: the gateway fronts the demo MCP server (in a process of its own, validating tokens by
 *   introspection at its own Crossgate issuer). For each user it gets an ID-JAG through the
 *   token-exchange policy path as its own client, redeems it at the demo's authorization server
 *   (RFC 7523) and reuses the access token; the demo server sees the user and the gateway's client.
 * - service account: a legacy server that takes only HTTP Basic; every call is audited as legacy.
 * - STS: an upstream that takes only a third-party provider's access token (a real `oidc-provider`);
 *   the user consents once through the URI the gateway relays, then the brokered token goes upstream.
 * - a kill switch stops a live XAA session's next call; hostile input gets OAuth/MCP errors.
 */
import { fileURLToPath } from 'node:url';

import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

import { type AdminHttp, createActivePolicy, eventually, freePort, unique } from '@crossgate/testing';
import type { PrismaClient } from '@crossgate/store';

// eslint-disable-next-line @nx/enforce-module-boundaries -- test support kept out of the @crossgate/testing index so other suites do not load oidc-provider and the MCP SDK
import { startOidcProvider, type LocalOidcProvider, type OidcProviderClient } from '../../../libs/testing/src/oidc-provider.ts';
// eslint-disable-next-line @nx/enforce-module-boundaries -- as above
import { driveLogin, type LocalOAuthProvider, startOAuthProvider } from '../../../libs/testing/src/oauth-provider.ts';
// eslint-disable-next-line @nx/enforce-module-boundaries -- as above
import { accessTokenThroughChain, type ChainSetup, type DemoMcpProcess, setUpChain, startDemoMcp } from '../../../libs/testing/src/xaa-chain.ts';
import { type LegacyMcp, startLegacyMcp } from './support/legacy-mcp.ts';
import { startTestCrossgate } from './support/test-crossgate.ts';
import { startTestGateway, type TestGateway } from './support/test-gateway.ts';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
const tokenCacheMs = 200;
const owner = 'demo@crossgate.example';
const serviceAccount = { name: `svc-${unique('tickets')}`, password: `pw-${unique('sa')}-0123456789abcdef` };

let closeApi: () => Promise<void>;
let prisma: PrismaClient;
let admin: AdminHttp;
let approver: AdminHttp;
const providers: LocalOidcProvider[] = [];
let demo: DemoMcpProcess;
let legacy: LegacyMcp;
let stsUpstream: LegacyMcp;
let thirdParty: LocalOAuthProvider;
/** The agent's chain to the STS-fronted resource. */
let stsChain: ChainSetup;
let gateway: TestGateway;
/** The agent's chain to the XAA-fronted resource; its "MCP server" client is the gateway's client. */
let xaa: ChainSetup;
/** The agent's chain to the service-account-fronted resource. */
let legacyChain: ChainSetup;
let demoResourceId: string;
let serviceAccountConnectionId: string;
let gatewayUrl: string;
let warnings: string[] = [];

const textOf = (result: unknown) => ((result as { content?: { text?: string }[] }).content ?? []).map((part) => part.text).join('\n');

async function connect(resource: string, token: string): Promise<Client> {
  const client = new Client({ name: 'gateway-outbound-e2e', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(resource), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

/** A fresh IdP sign-in and the agent's access token for `chain`'s gateway-fronted resource. */
async function agentToken(chain: ChainSetup, idp: LocalOidcProvider, sub: string, scope = 'notes.read notes.write'): Promise<{ token: string; userId: string }> {
  const token = await accessTokenThroughChain(chain, idp, sub, { resource: chain.resource.indicator, scope });
  return { token, userId: (await prisma.user.findFirstOrThrow({ where: { subject: sub } })).id };
}

const groupIdOf = async (name: string) => (await prisma.group.findFirstOrThrow({ where: { name } })).id;

async function newIdp(): Promise<{ idp: LocalOidcProvider; idpClient: OidcProviderClient }> {
  const idpClient: OidcProviderClient = { clientId: unique('agent-at-idp'), clientSecret: `${unique('rp')}-0123456789abcdef0123456789abcdef`, redirectUri: 'http://127.0.0.1/callback' };
  const idp = await startOidcProvider([idpClient]);
  providers.push(idp);
  return { idp, idpClient };
}

beforeAll(async () => {
  const crossgate = await startTestCrossgate();
  const { baseUrl } = crossgate;
  closeApi = crossgate.close;
  prisma = crossgate.prisma;
  admin = await crossgate.newAdmin();
  approver = await crossgate.newAdmin();

  const gatewayPort = await freePort();
  gatewayUrl = `http://127.0.0.1:${gatewayPort}`;

  // XAA: the agent's chain to the fronted resource, whose resource server is the gateway.
  const first = await newIdp();
  const xaaSlug = unique('notes-gw').toLowerCase();
  xaa = await setUpChain(admin, { crossgateUrl: baseUrl, idp: first.idp, idpClient: first.idpClient, mcpUrl: `${gatewayUrl}/mcp/${xaaSlug}`, slug: xaaSlug, label: unique('gx').toLowerCase(), approver });
  const gatewayClient = xaa.resourceServer;

  // The demo MCP server as a resource of its own at Crossgate, with its own issuer and introspecting client.
  const demoPort = await freePort();
  const demoUrl = `http://127.0.0.1:${demoPort}/mcp`;
  const demoSlug = unique('demo-notes').toLowerCase();
  const demoClient = (await admin.post<{ id: string; clientId: string }>('/api/clients', { clientId: unique('demo-mcp'), name: 'demo MCP server', kind: 'requesting_app', authMethod: 'client_secret_basic', owner })).body;
  const demoSecret = (await admin.post<{ clientSecret: string }>(`/api/clients/${demoClient.id}/secret`, {})).body.clientSecret;
  const demoResource = await admin.post<{ id: string }>('/api/resources', {
    slug: demoSlug,
    name: 'demo notes (upstream of the gateway)',
    kind: 'mcp_server',
    authorizationServer: `${baseUrl}/ras/${demoSlug}`,
    resourceIndicators: [demoUrl],
    scopes: [
      { name: 'notes.read', description: 'Read notes', risk: 'low' },
      { name: 'notes.write', description: 'Add notes', risk: 'medium' },
    ],
    rasEnabled: true,
    introspectionClientIds: [demoClient.id],
    owner,
  });
  expect(demoResource.status).toBe(201);
  demoResourceId = demoResource.body.id;
  // The gateway's own app-pair policy to the upstream: the same groups decide there as for the agent.
  await createActivePolicy(admin, approver, { name: 'gateway may use the demo notes', clientId: gatewayClient.id, resourceId: demoResourceId, subjectGroupIds: [await groupIdOf(xaa.groupName)], scopes: ['notes.read', 'notes.write'] });
  expect((await admin.put(`/api/resources/${xaa.resource.id}`, { gatewayUpstreamUrl: demoUrl, gatewayToolScopes: { whoami: 'notes.read', notes_list: 'notes.read', notes_add: 'notes.write' } })).status).toBe(200);
  expect((await admin.post('/api/connections', { name: 'gateway → demo notes (XAA)', clientId: gatewayClient.id, resourceId: xaa.resource.id, pattern: 'xaa', owner })).status).toBe(201);
  demo = await startDemoMcp({ crossgateUrl: baseUrl, resource: { id: demoResourceId, slug: demoSlug, issuer: `${baseUrl}/ras/${demoSlug}`, indicator: demoUrl }, resourceServer: { id: demoClient.id, clientId: demoClient.clientId, secret: demoSecret } }, demoPort, repositoryRoot);

  // Service account: another fronted resource (through another IdP), behind the same gateway.
  const second = await newIdp();
  const legacySlug = unique('tickets-gw').toLowerCase();
  legacyChain = await setUpChain(admin, { crossgateUrl: baseUrl, idp: second.idp, idpClient: second.idpClient, mcpUrl: `${gatewayUrl}/mcp/${legacySlug}`, slug: legacySlug, label: unique('gs').toLowerCase(), approver });
  legacy = await startLegacyMcp(`Basic ${Buffer.from(`${serviceAccount.name}:${serviceAccount.password}`).toString('base64')}`, { credentialHeader: 'authorization' });
  expect((await admin.put(`/api/resources/${legacyChain.resource.id}`, { introspectionClientIds: [gatewayClient.id], gatewayUpstreamUrl: legacy.url, gatewayToolScopes: { tickets_search: 'notes.read', tickets_close: 'notes.write' } })).status).toBe(200);
  const connection = await admin.post<{ id: string }>('/api/connections', {
    name: 'gateway → legacy tickets (shared account)',
    clientId: gatewayClient.id,
    resourceId: legacyChain.resource.id,
    pattern: 'service_account',
    owner,
    accountName: serviceAccount.name,
    justification: 'The ticket system only knows one shared account.',
    sunsetAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
  });
  expect(connection.status).toBe(201);
  serviceAccountConnectionId = connection.body.id;
  expect((await admin.put(`/api/connections/${serviceAccountConnectionId}/credential`, { value: serviceAccount.password })).status).toBe(200);
  await createActivePolicy(admin, approver, { name: 'gateway may use the tickets account', clientId: gatewayClient.id, resourceId: legacyChain.resource.id, subjectGroupIds: [await groupIdOf(legacyChain.groupName)], scopes: ['notes.read', 'notes.write'] });

  // STS: a third fronted resource whose upstream takes only the third-party provider's access tokens.
  thirdParty = await startOAuthProvider({ redirectUri: `${baseUrl}/sts/callback` });
  stsUpstream = await startLegacyMcp('', { credentialHeader: 'authorization', accept: async (value) => value.startsWith('Bearer ') && (await thirdParty.userinfo(value.slice(7))).status === 200 });
  const third = await newIdp();
  const stsSlug = unique('files-gw').toLowerCase();
  stsChain = await setUpChain(admin, { crossgateUrl: baseUrl, idp: third.idp, idpClient: third.idpClient, mcpUrl: `${gatewayUrl}/mcp/${stsSlug}`, slug: stsSlug, label: unique('gt').toLowerCase(), approver });
  expect((await admin.put(`/api/resources/${stsChain.resource.id}`, { introspectionClientIds: [gatewayClient.id], gatewayUpstreamUrl: stsUpstream.url, gatewayToolScopes: { tickets_search: 'notes.read' } })).status).toBe(200);
  const oauthProvider = await admin.post<{ id: string }>('/api/oauth-providers', { name: unique('Files'), issuer: thirdParty.issuer, clientId: thirdParty.clientId, clientSecret: thirdParty.clientSecret, scopes: thirdParty.scopes });
  expect(oauthProvider.status).toBe(201);
  expect((await admin.post('/api/connections', { name: 'gateway → files (STS)', clientId: gatewayClient.id, resourceId: stsChain.resource.id, pattern: 'sts', owner, oauthProviderId: oauthProvider.body.id })).status).toBe(201);
  await createActivePolicy(admin, approver, { name: 'gateway may use the files', clientId: gatewayClient.id, resourceId: stsChain.resource.id, subjectGroupIds: [await groupIdOf(stsChain.groupName)], scopes: ['notes.read', 'notes.write'] });

  gateway = await startTestGateway(gatewayPort, baseUrl, gatewayClient, { MCP_GATEWAY_TOKEN_CACHE_MS: String(tokenCacheMs) });
  warnings = gateway.warnings;
}, 90_000);

afterAll(async () => {
  await gateway?.close();
  await legacy?.close();
  await stsUpstream?.close();
  await thirdParty?.close();
  await demo?.close();
  await Promise.all(providers.map((provider) => provider.close()));
  await closeApi?.();
});

describe('the MCP gateway, outbound', () => {
  afterEach(() => expect(warnings.splice(0)).toEqual([]));

  it('should reach the demo MCP server over XAA as the gateway, for the user, and reuse the access token', async () => {
    const sub = unique('alice');
    const { token, userId } = await agentToken(xaa, providers[0]!, sub);
    const client = await connect(xaa.resource.indicator, token);
    const note = `through the gateway ${unique('note')}`;
    try {
      expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual(['notes_add', 'notes_list', 'whoami']);
      const who = JSON.parse(textOf(await client.callTool({ name: 'whoami', arguments: {} }))) as { caller: { sub: string; client_id: string }; scopes: string[] };
      // The upstream sees the user, and the gateway's client as the agent: the agent's own token never reaches it.
      expect(who.caller).toEqual({ sub, client_id: xaa.resourceServer.clientId });
      expect(who.scopes.sort()).toEqual(['notes.read', 'notes.write']);
      expect(textOf(await client.callTool({ name: 'notes_add', arguments: { text: note } }))).toContain(note);
      expect(textOf(await client.callTool({ name: 'notes_list', arguments: {} }))).toContain(note);
    } finally {
      await client.close();
    }

    // One ID-JAG for the whole session: issued by the token-exchange path to the gateway's client, for the upstream resource.
    const exchanges = await prisma.auditEvent.findMany({ where: { action: 'token_exchange', actorId: xaa.resourceServer.id, context: { path: ['userId'], equals: userId } } });
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]).toMatchObject({ decision: 'allow', targetType: 'resource', targetId: demoResourceId });
    const idJags = await prisma.issuedToken.findMany({ where: { userId, clientId: xaa.resourceServer.id, kind: 'id_jag' } });
    expect(idJags.map((row) => row.resourceId)).toEqual([demoResourceId]);
    const redemptions = await prisma.auditEvent.findMany({ where: { action: 'jwt_bearer_redemption', actorId: xaa.resourceServer.id, targetId: demoResourceId, decision: 'allow', context: { path: ['userId'], equals: userId } } });
    expect(redemptions).toHaveLength(1);
    const calls = await eventually(
      'the tool-call audit events',
      () => prisma.auditEvent.findMany({ where: { action: 'gateway_tool_call', context: { path: ['userId'], equals: userId } } }),
      (rows) => rows.length === 3,
    );
    expect(calls.every((event) => event.decision === 'allow' && (event.context as Record<string, unknown>)['pattern'] === 'xaa' && (event.context as Record<string, unknown>)['legacy'] === undefined)).toBe(true);
  }, 60_000);

  it('should not get the upstream token for a user the gateway policy does not cover, answering an MCP error, not a 5xx', async () => {
    // The agent may reach the fronted resource, but the gateway's own policy to the upstream names only the chain's group.
    // The user leaves the group after the agent got its token; the gateway's exchange reads the user's groups afresh.
    const { token, userId } = await agentToken(xaa, providers[0]!, unique('leaver'));
    await prisma.membership.deleteMany({ where: { userId } });
    const response = await fetch(xaa.resource.indicator, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'whoami', arguments: {} } }) });
    expect(response.status).toBe(403);
    const body = (await response.json()) as { error?: { code: number; message: string } };
    expect(body.error).toMatchObject({ code: -32003 });
    expect(body.error!.message).toContain('No policy allows this user');
    const refused = await prisma.auditEvent.findMany({ where: { action: 'gateway_exchange', decision: 'deny', context: { path: ['userId'], equals: userId } } });
    expect(refused).toHaveLength(1);
    expect(refused[0]!.reason).toContain('No policy allows this user');
  }, 60_000);

  it('should refuse hostile input on the XAA route with OAuth and MCP errors, never a 5xx', async () => {
    const { token } = await agentToken(xaa, providers[0]!, unique('reader'), 'notes.read');
    const post = (body: string, authorization = `Bearer ${token}`) => fetch(xaa.resource.indicator, { method: 'POST', headers: { authorization, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body });
    const outside = await post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'notes_add', arguments: { text: 'x' } } }));
    expect(outside.status).toBe(200);
    expect(await outside.json()).toMatchObject({ id: 1, error: { code: -32003, data: { tool: 'notes_add', requiredScope: 'notes.write' } } });
    const forged = await post(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }), `Bearer ${token.slice(0, -4)}AAAA`);
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ error: 'invalid_token' });
    const oversized = await post(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'notes_list', arguments: { pad: 'x'.repeat(2 * 1024 * 1024) } } }));
    expect(oversized.status).toBe(413);
  }, 60_000);

  it("should answer bad requests at Crossgate's gateway/exchange with OAuth errors, never a 5xx", async () => {
    const endpoint = `${xaa.resource.issuer}/gateway/exchange`;
    const basic = (clientId: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
    const post = async (authorization: string, form: Record<string, string>) => {
      const response = await fetch(endpoint, { method: 'POST', headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
      return { status: response.status, body: (await response.json()) as { error?: string; access_token?: string } };
    };
    const gatewayAuth = basic(xaa.resourceServer.clientId, xaa.resourceServer.secret);
    expect(await post(gatewayAuth, {})).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(await post(gatewayAuth, { token: 'not-a-token' })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    // The agent itself is not the resource's resource server: it cannot get the gateway's ID-JAG with its own token.
    const { token } = await agentToken(xaa, providers[0]!, unique('mallory'));
    const asAgent = await post(basic(xaa.agentAtResource.clientId, xaa.agentAtResource.secret), { token });
    expect(asAgent).toMatchObject({ status: 400, body: { error: 'unauthorized_client' } });
    expect(asAgent.body.access_token).toBeUndefined();
    expect(await post(basic(xaa.resourceServer.clientId, 'wrong-secret'), { token })).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  }, 60_000);

  it('should stop a live XAA session once a kill switch covers its user, though its upstream token is cached', async () => {
    const { token, userId } = await agentToken(xaa, providers[0]!, unique('dave'));
    const client = await connect(xaa.resource.indicator, token);
    try {
      expect(textOf(await client.callTool({ name: 'whoami', arguments: {} }))).toContain('notes.read');
      expect((await admin.post('/api/kill-switches', { scope: 'user', userId, reason: 'Agent misbehaving' })).status).toBe(201);
      const call = async () => (await fetch(xaa.resource.indicator, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'whoami', arguments: {} } }) })).status;
      // Whichever notices first, the upstream's own introspection (then the gateway's exchange is refused: 403) or the gateway's (401).
      expect([401, 403]).toContain(await eventually('the session stopped', call, (answered) => answered !== 200));
      expect(await eventually('the agent token refused at the gateway', call, (answered) => answered === 401)).toBe(401);
      await expect(client.callTool({ name: 'whoami', arguments: {} })).rejects.toThrow();
    } finally {
      await client.close().catch(() => undefined);
    }
  }, 60_000);

  it("should take the user's ID token with the agent's client credentials, exchanging as that client, so its policy and kill switches apply", async () => {
    // An agent that is its own client at the fronted resource (no client registration), allowed only notes.read there.
    const agent = (await admin.post<{ id: string; clientId: string }>('/api/clients', { clientId: unique('id-token-agent'), name: 'agent with ID tokens', kind: 'ai_agent', authMethod: 'client_secret_basic', idpClientId: xaa.idpClient.clientId, owner })).body;
    const secret = (await admin.post<{ clientSecret: string }>(`/api/clients/${agent.id}/secret`, {})).body.clientSecret;
    await createActivePolicy(admin, approver, { name: 'ID-token agent may read notes', clientId: agent.id, resourceId: xaa.resource.id, subjectGroupIds: [await groupIdOf(xaa.groupName)], scopes: ['notes.read'] });
    const basic = (clientSecret: string) => `Basic ${Buffer.from(`${encodeURIComponent(agent.clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
    const sub = unique('frank');
    const idToken = await providers[0]!.signIn(xaa.idpClient, { sub, email: `${sub}@example.com`, groups: [xaa.groupName] });

    const metadata = (await (await fetch(xaa.resource.indicator.replace('/mcp/', '/.well-known/oauth-protected-resource/mcp/'))).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({ crossgate_id_token_header: 'crossgate-id-token', crossgate_id_token_client_authentication: ['client_secret_basic'] });

    const client = new Client({ name: 'gateway-id-token-e2e', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(xaa.resource.indicator), { requestInit: { headers: { authorization: basic(secret), 'crossgate-id-token': idToken } } }));
    try {
      expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual(['notes_list', 'whoami']);
      const who = JSON.parse(textOf(await client.callTool({ name: 'whoami', arguments: {} }))) as { caller: { sub: string; client_id: string } };
      expect(who.caller).toEqual({ sub, client_id: xaa.resourceServer.clientId });
      await expect(client.callTool({ name: 'notes_add', arguments: { text: 'not allowed' } })).rejects.toThrow('needs scope "notes.write"');
    } finally {
      await client.close();
    }
    const userId = (await prisma.user.findFirstOrThrow({ where: { subject: sub } })).id;
    // The exchange ran at the token endpoint as the agent's client, once for the session.
    const exchanges = await prisma.auditEvent.findMany({ where: { action: 'token_exchange', actorId: agent.id, context: { path: ['userId'], equals: userId } } });
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]).toMatchObject({ decision: 'allow', targetId: xaa.resource.id });

    const post = (authorization: string, token: string) =>
      fetch(xaa.resource.indicator, { method: 'POST', headers: { authorization, 'crossgate-id-token': token, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
    const wrongSecret = await post(basic(`${secret}-not`), idToken);
    expect(wrongSecret.status).toBe(401);
    expect(await wrongSecret.json()).toMatchObject({ error: 'invalid_client' });
    const forged = await post(basic(secret), `${idToken.slice(0, -4)}AAAA`);
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ error: 'invalid_token' });
    expect((await post(`Bearer ${idToken}`, idToken)).status).toBe(401);

    expect((await admin.post('/api/kill-switches', { scope: 'user', userId, reason: 'Lost laptop' })).status).toBe(201);
    // As for a bearer token: the upstream's introspection (403 from the gateway's refused exchange) or the gateway's own (401) notices first.
    expect([401, 403]).toContain(await eventually('the ID-token session stopped', async () => (await post(basic(secret), idToken)).status, (status) => status !== 200));
    // A new exchange is refused at the token endpoint too (its gate reads switches at most 100 ms old), with the endpoint's reason.
    const refused = await eventually(
      'a fresh exchange refused',
      async () => {
        const fresh = await providers[0]!.signIn(xaa.idpClient, { sub, email: `${sub}@example.com`, groups: [xaa.groupName] });
        const answer = await post(basic(secret), fresh);
        return { status: answer.status, body: (await answer.json()) as { error?: string; error_description?: string } };
      },
      ({ body }) => body.error_description?.includes('kill switch') === true,
    );
    expect(refused).toMatchObject({ status: 401, body: { error: 'invalid_token' } });
    expect(refused.body.error_description).toMatch(/^Crossgate refused the token exchange: invalid_grant: Access is suspended by kill switch /);
  }, 60_000);

  it('should call a legacy server with the service account over HTTP Basic, audited as legacy, the password never leaving the gateway', async () => {
    const { token, userId } = await agentToken(legacyChain, providers[1]!, unique('erin'));
    const client = await connect(legacyChain.resource.indicator, token);
    try {
      expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual(['tickets_close', 'tickets_search']);
      const searched = textOf(await client.callTool({ name: 'tickets_search', arguments: { query: 'stapler' } }));
      expect(searched).toBe('3 tickets match "stapler"');
    } finally {
      await client.close();
    }
    expect(legacy.seen.filter(({ status }) => status === 401)).toEqual([]);
    const calls = await eventually(
      'the tool-call audit event',
      () => prisma.auditEvent.findMany({ where: { action: 'gateway_tool_call', context: { path: ['userId'], equals: userId } } }),
      (rows) => rows.length === 1,
    );
    expect(calls[0]!.context).toMatchObject({ pattern: 'service_account', legacy: true, downstreamStatus: 200 });
    const retrievals = await prisma.auditEvent.findMany({ where: { action: 'secret_retrieval', actorId: xaa.resourceServer.id, context: { path: ['userId'], equals: userId } } });
    expect(retrievals.length).toBeGreaterThanOrEqual(1);
    expect(retrievals[0]).toMatchObject({ decision: 'allow' });
    expect(retrievals[0]!.context).toMatchObject({ connectionId: serviceAccountConnectionId, pattern: 'service_account', keyVersion: 1 });
    expect(JSON.stringify(await prisma.auditEvent.findMany({ where: { actorId: xaa.resourceServer.id }, select: { reason: true, context: true } }))).not.toContain(serviceAccount.password);
  }, 60_000);

  it("should relay the STS consent URI, then send the user's brokered upstream token, which never reaches the agent", async () => {
    const sub = unique('gina');
    const { token, userId } = await agentToken(stsChain, providers[2]!, sub, 'notes.read');
    const call = async () => {
      const response = await fetch(stsChain.resource.indicator, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'tickets_search', arguments: { query: 'q3 report' } } }) });
      return { status: response.status, text: await response.text() };
    };
    const before = await call();
    expect(before.status).toBe(403);
    const refusal = JSON.parse(before.text) as { error: { code: number; message: string; data: { consentUri: string } } };
    expect(refusal.error.code).toBe(-32003);
    expect(refusal.error.message).toContain('has not consented');
    // The user consents at the provider through Crossgate's consent URI.
    const callback = await driveLogin(new URL(refusal.error.data.consentUri), `${stsChain.crossgateUrl}/sts/callback`, sub);
    expect((await fetch(callback)).status).toBe(200);

    const client = await connect(stsChain.resource.indicator, token);
    try {
      expect(textOf(await client.callTool({ name: 'tickets_search', arguments: { query: 'q3 report' } }))).toBe('3 tickets match "q3 report"');
    } finally {
      await client.close();
    }
    const after = await call();
    expect(after.status).toBe(200);
    expect(after.text).not.toMatch(/Bearer/);
    // Every upstream request was accepted after the consent: the provider's own userinfo vouched for the token.
    expect(stsUpstream.seen.filter(({ status }) => status === 401)).toEqual([]);
    const calls = await eventually(
      'the STS tool-call audit events',
      () => prisma.auditEvent.findMany({ where: { action: 'gateway_tool_call', context: { path: ['userId'], equals: userId } }, orderBy: { seq: 'asc' } }),
      (rows) => rows.length === 3,
    );
    expect(calls.map((event) => [event.decision, (event.context as Record<string, unknown>)['pattern']])).toEqual([
      ['deny', 'sts'],
      ['allow', 'sts'],
      ['allow', 'sts'],
    ]);
  }, 60_000);
});
