/**
 * The MCP gateway end to end: a real `oidc-provider` sign-in, the token exchange and redemption at
 * Crossgate for an access token whose audience is the gateway-fronted resource, then the MCP client
 * SDK through the gateway to a legacy MCP server (started here) that only takes an API key, which
 * the gateway gets from Crossgate's vault. Tool-level policy, bad input, a key rotation mid-session,
 * a kill switch, and the audit trail of every tool call.
 */
import { SignJWT } from 'jose';

import { type AdminHttp, eventually, freePort, unique } from '@crossgate/testing';
import type { PrismaClient } from '@crossgate/store';

// eslint-disable-next-line @nx/enforce-module-boundaries -- test support kept out of the @crossgate/testing index so other suites do not load oidc-provider and the MCP SDK
import { startOidcProvider, type LocalOidcProvider, type OidcProviderClient } from '../../../libs/testing/src/oidc-provider.ts';
// eslint-disable-next-line @nx/enforce-module-boundaries -- as above
import { type ChainSetup, setUpChain } from '../../../libs/testing/src/xaa-chain.ts';
import { type LegacyMcp, startLegacyMcp } from './support/legacy-mcp.ts';
import { agentToken, connectAgent, sha256, textOf } from './support/mcp-agent.ts';
import { clientSecretBasic } from '../src/crossgate/crossgate.client.ts';
import { startTestCrossgate } from './support/test-crossgate.ts';
import { startTestGateway, type TestGateway } from './support/test-gateway.ts';

const tokenCacheMs = 200;
const maxMessageBytes = 16 * 1024;
const firstKey = `lk_${unique('first')}_0123456789abcdef`;
const toolScopes = { tickets_search: 'notes.read', tickets_close: 'notes.write', tickets_purge: 'tickets.admin' };

let closeApi: () => Promise<void>;
let prisma: PrismaClient;
let admin: AdminHttp;
let provider: LocalOidcProvider;
let legacy: LegacyMcp;
let gateway: TestGateway;
let setup: ChainSetup;
let gatewayResource: string;
let connectionId: string;
let warnings: string[] = [];

const accessTokenFor = (sub: string) => agentToken({ setup, provider, prisma, resource: gatewayResource }, sub);

const connect = (token: string) => connectAgent(gatewayResource, token, 'gateway-e2e');

beforeAll(async () => {
  const crossgate = await startTestCrossgate();
  const { baseUrl } = crossgate;
  closeApi = crossgate.close;
  prisma = crossgate.prisma;
  admin = await crossgate.newAdmin();

  const idpClient: OidcProviderClient = { clientId: unique('agent-at-idp'), clientSecret: `${unique('rp')}-0123456789abcdef0123456789abcdef`, redirectUri: 'http://127.0.0.1/callback' };
  provider = await startOidcProvider([idpClient]);
  legacy = await startLegacyMcp(firstKey);

  const gatewayPort = await freePort();
  const slug = unique('tickets').toLowerCase();
  gatewayResource = `http://127.0.0.1:${gatewayPort}/mcp/${slug}`;
  // The gateway is the fronted resource's resource server: setUpChain's "MCP server" client is the gateway's client.
  const approver = await crossgate.newAdmin();
  setup = await setUpChain(admin, { crossgateUrl: baseUrl, idp: provider, idpClient, mcpUrl: gatewayResource, slug, label: unique('gw').toLowerCase(), approver });
  const fronted = await admin.put(`/api/resources/${setup.resource.id}`, {
    scopes: [
      { name: 'notes.read', description: 'Search tickets', risk: 'low' },
      { name: 'notes.write', description: 'Close tickets', risk: 'medium' },
      { name: 'tickets.admin', description: 'Purge tickets', risk: 'high' },
    ],
    gatewayUpstreamUrl: legacy.url,
    gatewayToolScopes: toolScopes,
  });
  expect(fronted.status).toBe(200);
  const connection = await admin.post<{ id: string }>('/api/connections', { name: 'gateway → legacy tickets', clientId: setup.resourceServer.id, resourceId: setup.resource.id, pattern: 'vaulted_key', owner: 'demo@crossgate.example' });
  expect(connection.status).toBe(201);
  connectionId = connection.body.id;
  expect((await admin.put(`/api/connections/${connectionId}/credential`, { value: firstKey })).status).toBe(200);

  gateway = await startTestGateway(gatewayPort, baseUrl, setup.resourceServer, { MCP_GATEWAY_TOKEN_CACHE_MS: String(tokenCacheMs), MCP_GATEWAY_MAX_MESSAGE_BYTES: String(maxMessageBytes) });
  warnings = gateway.warnings;
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await legacy?.close();
  await provider?.close();
  await closeApi?.();
});

describe('the MCP gateway', () => {
  afterEach(() => expect(warnings.splice(0)).toEqual([]));

  it('should publish RFC 9728 metadata naming Crossgate and challenge a request without a token', async () => {
    const metadataUrl = gatewayResource.replace('/mcp/', '/.well-known/oauth-protected-resource/mcp/');
    const metadata = await fetch(metadataUrl);
    expect(metadata.status).toBe(200);
    expect(await metadata.json()).toMatchObject({ resource: gatewayResource, authorization_servers: [setup.resource.issuer], scopes_supported: ['notes.read', 'notes.write', 'tickets.admin'] });

    const bare = await fetch(gatewayResource, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' });
    expect(bare.status).toBe(401);
    expect(bare.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${metadataUrl}"`);

    expect((await fetch(gatewayResource.replace(/\/mcp\/.*/, '/mcp/no-such-resource'), { method: 'POST', headers: { authorization: 'Bearer x' } })).status).toBe(404);
  });

  it('should refuse a forged token with 401 invalid_token and an OAuth error body', async () => {
    const forged = await new SignJWT({ sub: 'mallory', client_id: setup.agentAtResource.clientId, scope: 'notes.read notes.write tickets.admin' })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
      .setIssuer(setup.resource.issuer)
      .setAudience(gatewayResource)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('not-crossgate-0123456789abcdef0123456789'));
    const answer = await fetch(gatewayResource, { method: 'POST', headers: { authorization: `Bearer ${forged}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token", error_description="[^"]+", resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp\//);
    expect(await answer.json()).toEqual({ error: 'invalid_token', error_description: 'The access token is not active for this resource' });
  });

  it('should list only the tools the granted scopes allow, refuse the others naming the scope, and audit each call without its arguments', async () => {
    const { token, userId } = await accessTokenFor(unique('alice'));
    const client = await connect(token);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual(['tickets_close', 'tickets_search']);

      const searched = await client.callTool({ name: 'tickets_search', arguments: { query: 'printer on fire' } });
      expect(textOf(searched)).toBe('3 tickets match "printer on fire"');
      expect(textOf(searched)).not.toContain(firstKey);

      await expect(client.callTool({ name: 'tickets_purge', arguments: {} })).rejects.toThrow('Tool "tickets_purge" needs scope "tickets.admin", which the access token does not grant');
      await expect(client.callTool({ name: 'debug_dump', arguments: {} })).rejects.toThrow('Tool "debug_dump" is not published through the gateway');
    } finally {
      await client.close();
    }
    // The upstream saw the gateway's key header and never the agent's token.
    expect(legacy.seen.length).toBeGreaterThan(0);
    expect(legacy.seen.every(({ headers }) => headers.includes('x-api-key') && !headers.includes('authorization'))).toBe(true);
    // tickets_purge and debug_dump never reached it: only initialize, tools/list and one tools/call did (plus notifications).
    expect(legacy.seen.filter(({ status }) => status === 401)).toHaveLength(0);

    const events = await eventually(
      'the tool-call audit events',
      () => prisma.auditEvent.findMany({ where: { action: 'gateway_tool_call', context: { path: ['userId'], equals: userId } }, orderBy: { seq: 'asc' } }),
      (rows) => rows.length === 3,
    );
    const contexts = events.map((event) => event.context as Record<string, unknown>);
    expect(events.map((event) => [event.decision, contexts[events.indexOf(event)]!['tool']])).toEqual([
      ['allow', 'tickets_search'],
      ['deny', 'tickets_purge'],
      ['deny', 'debug_dump'],
    ]);
    expect(events[0]).toMatchObject({ actorId: setup.resourceServer.id, targetType: 'resource', targetId: setup.resource.id });
    expect(contexts[0]).toMatchObject({ agentClientId: setup.agentAtResource.clientId, resourceId: setup.resource.id, pattern: 'vaulted_key', downstreamStatus: 200, argumentsSha256: sha256({ query: 'printer on fire' }) });
    expect(typeof contexts[0]!['latencyMs']).toBe('number');
    expect(events[1]!.reason).toContain('needs scope "tickets.admin"');
    expect(JSON.stringify(contexts)).not.toContain('printer on fire');
    // The key was retrieved through Crossgate's audited path, by the gateway, for this user.
    const retrievals = await prisma.auditEvent.findMany({ where: { action: 'secret_retrieval', actorId: setup.resourceServer.id } });
    expect(retrievals.length).toBeGreaterThanOrEqual(1);
    expect(retrievals[0]).toMatchObject({ decision: 'allow' });
    expect(retrievals[0]!.context).toMatchObject({ connectionId, keyVersion: 1, userId });
    expect(JSON.stringify(await prisma.auditEvent.findMany({ where: { actorId: setup.resourceServer.id }, select: { action: true, reason: true, context: true } }))).not.toContain(firstKey);
  }, 60_000);

  it('should answer bad input with a 4xx, never a 5xx: an oversized message (413), a batch, and not JSON', async () => {
    const { token } = await accessTokenFor(unique('bob'));
    const post = (body: string) => fetch(gatewayResource, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body });
    const oversized = await post(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'tickets_search', arguments: { query: 'x'.repeat(maxMessageBytes) } } }));
    expect(oversized.status).toBe(413);
    expect(await oversized.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32600, message: `The message is larger than ${maxMessageBytes} bytes` } });
    const batch = await post(JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'tools/list' }]));
    expect(batch.status).toBe(400);
    expect((await batch.json()) as unknown).toMatchObject({ error: { code: -32600 } });
    const garbage = await post('{not json');
    expect(garbage.status).toBe(400);
    expect((await garbage.json()) as unknown).toMatchObject({ error: { code: -32700 } });
    const nameless = await post(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: {} }));
    expect(nameless.status).toBe(200);
    expect((await nameless.json()) as unknown).toMatchObject({ id: 2, error: { code: -32602 } });
  });

  it('should relay an upstream JSON answer with its length, and give a filtered tools/list the length of what it sends', async () => {
    const { token } = await accessTokenFor(unique('judy'));
    const post = (body: unknown) =>
      fetch(gatewayResource, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify(body) });
    legacy.answerAsJson = true;
    try {
      const called = await post({ jsonrpc: '2.0', id: 11, method: 'tools/call', params: { name: 'tickets_search', arguments: { query: 'toner' } } });
      expect(called.status).toBe(200);
      expect(called.headers.get('content-type')).toContain('application/json');
      const calledBody = await called.text();
      expect(called.headers.get('content-length')).toBe(String(Buffer.byteLength(calledBody)));
      expect(JSON.parse(calledBody)).toMatchObject({ id: 11, result: { content: [{ type: 'text', text: '3 tickets match "toner"' }] } });

      // The gateway rewrites this answer (tickets_purge and debug_dump are not shown), so the upstream's length would be wrong.
      const listed = await post({ jsonrpc: '2.0', id: 12, method: 'tools/list' });
      expect(listed.status).toBe(200);
      const listedBody = await listed.text();
      const length = listed.headers.get('content-length');
      expect(length === null || length === String(Buffer.byteLength(listedBody))).toBe(true);
      const tools = (JSON.parse(listedBody) as { id: number; result: { tools: { name: string }[] } }).result.tools.map((tool) => tool.name);
      expect(tools.sort()).toEqual(['tickets_close', 'tickets_search']);
    } finally {
      legacy.answerAsJson = false;
    }
  });

  it('should record a burst of concurrent calls in fewer requests than calls, one event per call, in the order they were made', async () => {
    const { token, userId } = await accessTokenFor(unique('frank'));
    const client = await connect(token);
    try {
      const queries = Array.from({ length: 12 }, (_, n) => `burst ${n}`);
      const answers = await Promise.all(queries.map((query) => client.callTool({ name: 'tickets_search', arguments: { query } })));
      expect(answers.map(textOf)).toEqual(queries.map((query) => `3 tickets match "${query}"`));
    } finally {
      await client.close();
    }
    const events = await eventually(
      'the burst audit events',
      () => prisma.auditEvent.findMany({ where: { action: 'gateway_tool_call', context: { path: ['userId'], equals: userId } }, orderBy: { seq: 'asc' } }),
      (rows) => rows.length === 12,
    );
    expect(events.every((event) => event.decision === 'allow' && event.actorId === setup.resourceServer.id)).toBe(true);
    expect(new Set(events.map((event) => (event.context as Record<string, unknown>)['argumentsSha256']))).toEqual(new Set(Array.from({ length: 12 }, (_, n) => sha256({ query: `burst ${n}` }))));
    // Batched: the twelve events came in fewer requests than twelve.
    expect(new Set(events.map((event) => event.requestId)).size).toBeLessThan(12);
  }, 60_000);

  describe('the tool-call audit endpoint (<issuer>/gateway/tool-calls)', () => {
    const asGateway = () => clientSecretBasic(setup.resourceServer.clientId, setup.resourceServer.secret);
    const call = (token: string, overrides: Record<string, string> = {}) => ({
      token,
      tool: 'tickets_search',
      decision: 'allow',
      pattern: 'vaulted_key',
      latency_ms: '1.250',
      arguments_sha256: sha256({ query: 'direct' }),
      downstream_status: '200',
      ...overrides,
    });
    const post = (form: Record<string, string>, authorization = asGateway()) =>
      fetch(`${setup.resource.issuer}/gateway/tool-calls`, { method: 'POST', headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
    const eventsOf = (requestId: string | null) => prisma.auditEvent.findMany({ where: { action: 'gateway_tool_call', requestId: requestId ?? '-' }, orderBy: { seq: 'asc' } });

    it("should record each call of a batch as its own event, attributed from that call's own token", async () => {
      const alice = await accessTokenFor(unique('gina'));
      const bob = await accessTokenFor(unique('hank'));
      const answer = await post({ calls: JSON.stringify([call(alice.token), call(bob.token, { tool: 'tickets_close', decision: 'deny', reason: 'Tool "tickets_close" needs scope "notes.write"', downstream_status: '' }), call(alice.token, { latency_ms: '7' })]) });
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ recorded: 3, refused: [] });
      const events = await eventsOf(answer.headers.get('x-request-id'));
      expect(events.map((event) => [event.decision, (event.context as Record<string, unknown>)['userId'], (event.context as Record<string, unknown>)['tool']])).toEqual([
        ['allow', alice.userId, 'tickets_search'],
        ['deny', bob.userId, 'tickets_close'],
        ['allow', alice.userId, 'tickets_search'],
      ]);
      expect(events[1]!.reason).toBe('Tool "tickets_close" needs scope "notes.write"');
      expect(events[0]).toMatchObject({ actorId: setup.resourceServer.id, targetType: 'resource', targetId: setup.resource.id });
      expect(events[2]!.context).toMatchObject({ agentClientId: setup.agentAtResource.clientId, resourceId: setup.resource.id, pattern: 'vaulted_key', downstreamStatus: 200, latencyMs: 7, argumentsSha256: sha256({ query: 'direct' }) });
      expect(JSON.stringify(events.map(({ reason, context }) => ({ reason, context })))).not.toContain(alice.token);
    });

    it('should record a call with a revoked token as revoked, and one whose token names nobody as a refusal naming nobody, beside the others', async () => {
      const revoked = await accessTokenFor(unique('ivy'));
      const live = await accessTokenFor(unique('jack'));
      const revocation = await fetch(`${setup.resource.issuer}/revoke`, {
        method: 'POST',
        headers: { authorization: clientSecretBasic(setup.agentAtResource.clientId, setup.agentAtResource.secret), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: revoked.token }),
      });
      expect(revocation.status).toBe(200);
      const forged = `${live.token.slice(0, -4)}AAAA`;
      const answer = await post({ calls: JSON.stringify([call(revoked.token), call(forged), call(live.token)]) });
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ recorded: 2, refused: [{ index: 1, error: 'invalid_request', error_description: 'The token does not name a caller of this resource (invalid)' }] });
      const events = await eventsOf(answer.headers.get('x-request-id'));
      expect(events).toHaveLength(3);
      const contexts = events.map((event) => event.context as Record<string, unknown>);
      // Revoked: still named by its claims, with no user, and the gateway's decision as reported.
      expect(events[0]!.decision).toBe('allow');
      expect(contexts[0]).toMatchObject({ userId: null, outcome: 'revoked', agentClientId: setup.agentAtResource.clientId, tool: 'tickets_search' });
      expect(typeof contexts[0]!['sub']).toBe('string');
      // Forged: a refusal attributed to nobody, whatever the gateway said.
      expect(events[1]!.decision).toBe('deny');
      expect(events[1]!.reason).toBe('token: invalid_request: The token does not name a caller of this resource (invalid)');
      expect(contexts[1]).toMatchObject({ userId: null, jti: null });
      expect(contexts[1]!['tool']).toBeUndefined();
      expect(contexts[2]).toMatchObject({ userId: live.userId, outcome: 'active' });
    });

    it('should answer hostile input with a 4xx OAuth error and record no call of it', async () => {
      const { token } = await accessTokenFor(unique('kate'));
      const refusals: [Record<string, string>, string?][] = [
        [{}],
        [{ calls: '{not json' }],
        [{ calls: '[]' }],
        [{ calls: '{"token":"x"}' }],
        [{ calls: JSON.stringify([null]) }],
        [{ calls: JSON.stringify([[call(token)]]) }],
        [{ calls: JSON.stringify(Array.from({ length: 101 }, () => call(token))) }],
        [{ calls: JSON.stringify([{ ...call(token), extra: 'x' }]) }],
        [{ calls: JSON.stringify([{ ...call(token), latency_ms: 5 }]) }],
        [{ calls: JSON.stringify([call(token, { decision: 'maybe' })]) }],
        [{ calls: JSON.stringify([call(token, { arguments_sha256: 'not a digest' })]) }],
        [{ calls: JSON.stringify([call(token, { latency_ms: '-1' })]) }],
        [{ calls: JSON.stringify([call(token, { downstream_status: '2.5' })]) }],
        [{ calls: JSON.stringify([call(token, { token: '' })]) }],
        [{ calls: JSON.stringify([call(token, { tool: 'x'.repeat(129) })]) }],
        [{ calls: JSON.stringify([call(token)]) }, clientSecretBasic(setup.resourceServer.clientId, 'not-the-secret')],
        [{ calls: JSON.stringify([call(token)]) }, clientSecretBasic(setup.agentAtResource.clientId, setup.agentAtResource.secret)],
      ];
      for (const [form, authorization] of refusals) {
        const answer = await post(form, authorization);
        const body = (await answer.json()) as { error?: unknown; error_description?: unknown };
        expect([answer.status, typeof body.error, typeof body.error_description]).toEqual([expect.any(Number), 'string', 'string']);
        expect(answer.status >= 400 && answer.status < 500).toBe(true);
        const events = await eventsOf(answer.headers.get('x-request-id'));
        // The request itself is refused, once: none of its calls is recorded.
        expect(events.map((event) => event.decision)).toEqual(['deny']);
      }
      const notForm = await fetch(`${setup.resource.issuer}/gateway/tool-calls`, { method: 'POST', headers: { authorization: asGateway(), 'content-type': 'application/json' }, body: JSON.stringify({ calls: [call(token)] }) });
      expect(notForm.status).toBe(400);
      expect(await notForm.json()).toMatchObject({ error: 'invalid_request' });
    }, 30_000);
  });

  it('should keep a session working across a key rotation, with the new key retrieved from the vault', async () => {
    const { token } = await accessTokenFor(unique('carol'));
    const client = await connect(token);
    try {
      expect(textOf(await client.callTool({ name: 'tickets_close', arguments: { id: 'T-1' } }))).toBe('closed T-1');
      const secondKey = `lk_${unique('second')}_fedcba9876543210`;
      expect((await admin.put(`/api/connections/${connectionId}/credential`, { value: secondKey })).status).toBe(200);
      legacy.acceptedKeys.clear();
      legacy.acceptedKeys.add(secondKey);

      expect(textOf(await client.callTool({ name: 'tickets_close', arguments: { id: 'T-2' } }))).toBe('closed T-2');
    } finally {
      await client.close();
    }
    const retrievals = await prisma.auditEvent.findMany({ where: { action: 'secret_retrieval', actorId: setup.resourceServer.id }, orderBy: { seq: 'asc' } });
    expect(retrievals.at(-1)!.context).toMatchObject({ connectionId, keyVersion: 2 });
  }, 60_000);

  it('should stop a live session once a kill switch covers its user', async () => {
    const { token, userId } = await accessTokenFor(unique('dave'));
    const client = await connect(token);
    try {
      expect(textOf(await client.callTool({ name: 'tickets_search', arguments: { query: 'before' } }))).toContain('before');
      const fired = await admin.post<{ id: string }>('/api/kill-switches', { scope: 'user', userId, reason: 'Agent misbehaving' });
      expect(fired.status).toBe(201);
      // The gateway reuses an introspection answer for at most tokenCacheMs; the gate reads switches at most 100 ms old.
      await new Promise((resolve) => setTimeout(resolve, tokenCacheMs + 150));
      await expect(client.callTool({ name: 'tickets_search', arguments: { query: 'after' } })).rejects.toThrow();
      const raw = await fetch(gatewayResource, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' }) });
      expect(raw.status).toBe(401);
      expect(await raw.json()).toMatchObject({ error: 'invalid_token' });
    } finally {
      await client.close().catch(() => undefined);
    }
    expect(warnings).toEqual([]);
  }, 60_000);

  it('should fail closed with 503, never 5xx from a crash, once Crossgate no longer lets the gateway introspect', async () => {
    const { token } = await accessTokenFor(unique('erin'));
    expect((await admin.put(`/api/resources/${setup.resource.id}`, { introspectionClientIds: [] })).status).toBe(200);
    try {
      const status = await eventually(
        'the gateway refused by Crossgate',
        async () => (await fetch(gatewayResource, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) })).status,
        (answered) => answered !== 200,
      );
      expect(status).toBe(503);
    } finally {
      expect((await admin.put(`/api/resources/${setup.resource.id}`, { introspectionClientIds: [setup.resourceServer.id] })).status).toBe(200);
    }
    expect(warnings.splice(0).every((warning) => /refused the gateway|does not let this gateway/.test(warning))).toBe(true);
  }, 30_000);
});
