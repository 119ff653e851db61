/**
 * High-risk tools at the MCP gateway, end to end: a real IdP sign-in and XAA chain for the agent's
 * token, the MCP client SDK through the gateway to a legacy MCP server, and admins deciding the
 * waiting call through the admin API: approved (the upstream's answer comes back), rejected (an MCP
 * error with the reason), nobody deciding in time (the timeout error), a kill switch while it waits,
 * and an auditor, who may look but not decide.
 */

import { AdminHttp, createAdmin, eventually, freePort, listQuery, unique } from '@crossgate/testing';
import type { PrismaClient } from '@crossgate/store';

// eslint-disable-next-line @nx/enforce-module-boundaries -- test support kept out of the @crossgate/testing index so other suites do not load oidc-provider and the MCP SDK
import { startOidcProvider, type LocalOidcProvider, type OidcProviderClient } from '../../../libs/testing/src/oidc-provider.ts';
// eslint-disable-next-line @nx/enforce-module-boundaries -- as above
import { type ChainSetup, setUpChain } from '../../../libs/testing/src/xaa-chain.ts';
import { summaryMetaKey } from '../src/approval/tool-approval.ts';
import { type LegacyMcp, startLegacyMcp } from './support/legacy-mcp.ts';
import { agentToken, connectAgent, sha256, textOf } from './support/mcp-agent.ts';
import { startTestCrossgate } from './support/test-crossgate.ts';
import { startTestGateway, type TestGateway } from './support/test-gateway.ts';

const key = `lk_${unique('approval')}_0123456789abcdef`;
const toolScopes = { tickets_search: 'notes.read', tickets_close: 'notes.write' };

interface ApprovalView {
  id: string;
  status: string;
  tool: string;
  userId: string | null;
  resourceId: string;
  argumentsSha256: string;
  summary: string | null;
  reason: string | null;
  decidedBy: string | null;
}

let closeApi: () => Promise<void>;
let baseUrl: string;
let prisma: PrismaClient;
let admin: AdminHttp;
let responder: AdminHttp;
let auditor: AdminHttp;
let provider: LocalOidcProvider;
let legacy: LegacyMcp;
let gateway: TestGateway;
let setup: ChainSetup;
let gatewayResource: string;

const accessTokenFor = (sub: string) => agentToken({ setup, provider, prisma, resource: gatewayResource }, sub);

const connect = (token: string) => connectAgent(gatewayResource, token, 'gateway-approval-e2e');

/** The one approval request waiting for `userId`'s call, once the gateway has opened it. */
async function waitingFor(userId: string): Promise<ApprovalView> {
  const [pending] = await eventually(
    'the approval request in the inbox',
    async () => (await admin.get<ApprovalView[]>(`/api/tool-call-approvals${listQuery({ filter: { status: 'pending', userId } })}`)).body,
    (rows) => Array.isArray(rows) && rows.length === 1,
  );
  return pending!;
}

/** The route as the gateway's own client reads it, to see a settings change has reached Crossgate's serving snapshot. */
async function routeTimeout(): Promise<number> {
  const basic = Buffer.from(`${encodeURIComponent(setup.resourceServer.clientId)}:${encodeURIComponent(setup.resourceServer.secret)}`).toString('base64');
  const answer = await fetch(`${setup.resource.issuer}/gateway/route`, { method: 'POST', headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ resource: gatewayResource }) });
  return ((await answer.json()) as { approval_timeout_seconds: number }).approval_timeout_seconds;
}

/** How often the gateway sends progress while a call waits (short, so a test can outlast a client's timeout). */
const progressEveryMs = 250;

beforeAll(async () => {
  const crossgate = await startTestCrossgate();
  baseUrl = crossgate.baseUrl;
  closeApi = crossgate.close;
  prisma = crossgate.prisma;
  admin = await crossgate.newAdmin();
  responder = AdminHttp.withToken(baseUrl, (await createAdmin(prisma, 'incident-responder')).token);
  auditor = AdminHttp.withToken(baseUrl, (await createAdmin(prisma, 'auditor')).token);

  const idpClient: OidcProviderClient = { clientId: unique('agent-at-idp'), clientSecret: `${unique('rp')}-0123456789abcdef0123456789abcdef`, redirectUri: 'http://127.0.0.1/callback' };
  provider = await startOidcProvider([idpClient]);
  legacy = await startLegacyMcp(key);

  const gatewayPort = await freePort();
  const slug = unique('approved').toLowerCase();
  gatewayResource = `http://127.0.0.1:${gatewayPort}/mcp/${slug}`;
  const approver = await crossgate.newAdmin();
  setup = await setUpChain(admin, { crossgateUrl: baseUrl, idp: provider, idpClient, mcpUrl: gatewayResource, slug, label: unique('gwa').toLowerCase(), approver });
  const notPublished = await admin.put(`/api/resources/${setup.resource.id}`, { gatewayUpstreamUrl: legacy.url, gatewayToolScopes: { tickets_search: 'notes.read' }, gatewayApprovalTools: ['tickets_close'] });
  expect(notPublished.status).toBe(422);
  expect(JSON.stringify(notPublished.body)).toContain('names tools that are not in the tool → scope map: tickets_close');
  const fronted = await admin.put(`/api/resources/${setup.resource.id}`, {
    scopes: [
      { name: 'notes.read', description: 'Search tickets', risk: 'low' },
      { name: 'notes.write', description: 'Close tickets', risk: 'high' },
    ],
    gatewayUpstreamUrl: legacy.url,
    gatewayToolScopes: toolScopes,
    gatewayApprovalTools: ['tickets_close'],
    gatewayApprovalTimeoutSeconds: 60,
  });
  expect(fronted.status).toBe(200);
  const connection = await admin.post<{ id: string }>('/api/connections', { name: 'gateway → legacy tickets', clientId: setup.resourceServer.id, resourceId: setup.resource.id, pattern: 'vaulted_key', owner: 'demo@crossgate.example' });
  expect(connection.status).toBe(201);
  expect((await admin.put(`/api/connections/${connection.body.id}/credential`, { value: key })).status).toBe(200);

  gateway = await startTestGateway(gatewayPort, baseUrl, setup.resourceServer, { MCP_GATEWAY_TOKEN_CACHE_MS: '0', MCP_GATEWAY_ROUTE_CACHE_MS: '0', MCP_GATEWAY_APPROVAL_PROGRESS_MS: String(progressEveryMs) });
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await legacy?.close();
  await provider?.close();
  await closeApi?.();
});

describe('approval of high-risk tools at the MCP gateway', () => {
  afterEach(() => expect(gateway?.warnings.splice(0)).toEqual([]));

  it('should hold a high-risk call until an incident responder approves it, an auditor being refused, then return the upstream result', async () => {
    const { token, userId } = await accessTokenFor(unique('alice'));
    const client = await connect(token);
    try {
      // A tool that needs no approval goes straight through.
      expect(textOf(await client.callTool({ name: 'tickets_search', arguments: { query: 'printer' } }))).toBe('3 tickets match "printer"');
      const seenBefore = legacy.seen.length;
      const call = client.callTool({ name: 'tickets_close', arguments: { id: 'T-secret-9' }, _meta: { [summaryMetaKey]: 'Close the stale printer ticket' } });
      const pending = await waitingFor(userId);
      expect(pending).toMatchObject({ tool: 'tickets_close', resourceId: setup.resource.id, argumentsSha256: sha256({ id: 'T-secret-9' }), summary: 'Close the stale printer ticket' });
      expect(JSON.stringify(pending)).not.toContain('T-secret-9');
      // The upstream has not seen the call.
      expect(legacy.seen.length).toBe(seenBefore);

      const refused = await auditor.post(`/api/tool-call-approvals/${pending.id}/approve`, {});
      expect(refused.status).toBe(403);
      expect((await auditor.get(`/api/tool-call-approvals/${pending.id}`)).status).toBe(200);

      const approved = await responder.post<ApprovalView>(`/api/tool-call-approvals/${pending.id}/approve`, { reason: 'Checked with the ticket owner' });
      expect(approved.status).toBe(200);
      expect(approved.body.status).toBe('approved');
      expect(textOf(await call)).toBe('closed T-secret-9');

      const again = await admin.post(`/api/tool-call-approvals/${pending.id}/reject`, { reason: 'Too late' });
      expect(again.status).toBe(409);
      const events = await eventually(
        'the tool call audit event',
        () => prisma.auditEvent.findMany({ where: { action: 'gateway_tool_call', context: { path: ['approvalId'], equals: pending.id } } }),
        (rows) => rows.length === 1,
      );
      expect(events[0]).toMatchObject({ decision: 'allow' });
      expect(events[0]!.context).toMatchObject({ tool: 'tickets_close', downstreamStatus: 200 });
      const trail = await prisma.auditEvent.findMany({ where: { context: { path: ['approvalId'], equals: pending.id } }, orderBy: { seq: 'asc' } });
      expect(trail.map((event) => event.action)).toEqual(expect.arrayContaining(['gateway_approval_request', 'tool_call_approval.approved', 'gateway_tool_call']));
      expect(trail.find((event) => event.action === 'tool_call_approval.approved')).toMatchObject({ actorType: 'api_token', reason: 'Checked with the ticket owner', decision: 'allow' });
      expect(JSON.stringify(trail.map(({ reason, context }) => ({ reason, context })))).not.toContain('T-secret-9');
    } finally {
      await client.close();
    }
  }, 60_000);

  it('should keep a waiting call alive past the client\'s request timeout with progress notifications, then return the result', async () => {
    const { token, userId } = await accessTokenFor(unique('erin'));
    const client = await connect(token);
    try {
      const progress: { progress: number; message?: string }[] = [];
      // The client gives up after a request timeout of 4 progress intervals unless progress resets it.
      const call = client.callTool({ name: 'tickets_close', arguments: { id: 'T-5' } }, { timeout: progressEveryMs * 4, resetTimeoutOnProgress: true, onprogress: (update) => progress.push(update) });
      const pending = await waitingFor(userId);
      // Wait well past the client's request timeout before approving.
      await eventually('progress past the request timeout', () => Promise.resolve(progress.length), (count) => count >= 8, 20_000);
      expect((await responder.post(`/api/tool-call-approvals/${pending.id}/approve`, { reason: 'Fine' })).status).toBe(200);
      expect(textOf(await call)).toBe('closed T-5');
      expect(progress.map((update) => update.progress)).toEqual(progress.map((_, index) => index + 1));
      expect(progress[0]?.message).toBe('Tool "tickets_close" is waiting for an approver at Crossgate');
    } finally {
      await client.close();
    }
  }, 60_000);

  it('should refuse a rejected call with an MCP error carrying the reason, never reaching the upstream', async () => {
    const { token, userId } = await accessTokenFor(unique('bob'));
    const client = await connect(token);
    try {
      const call = client.callTool({ name: 'tickets_close', arguments: { id: 'T-2' } });
      const settled = call.then(
        () => 'answered',
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );
      const pending = await waitingFor(userId);
      const seenBefore = legacy.seen.length;
      const reasonless = await admin.post(`/api/tool-call-approvals/${pending.id}/reject`, {});
      expect(reasonless.status).toBe(422);
      expect((await admin.post(`/api/tool-call-approvals/${pending.id}/reject`, { reason: 'Not during the change freeze' })).status).toBe(200);
      const message = await settled;
      expect(message).toContain('Tool "tickets_close" was rejected by');
      expect(message).toContain('Not during the change freeze');
      expect(legacy.seen.length).toBe(seenBefore);
      const events = await eventually(
        'the refused tool call audit event',
        () => prisma.auditEvent.findMany({ where: { action: 'gateway_tool_call', context: { path: ['approvalId'], equals: pending.id } } }),
        (rows) => rows.length === 1,
      );
      expect(events[0]).toMatchObject({ decision: 'deny' });
      expect(events[0]!.reason).toContain('Not during the change freeze');
    } finally {
      await client.close();
    }
  }, 60_000);

  it('should refuse a call nobody decides within the timeout with a timeout error, and refuse a late approval', async () => {
    expect((await admin.put(`/api/resources/${setup.resource.id}`, { gatewayApprovalTimeoutSeconds: 5 })).status).toBe(200);
    try {
      await eventually('the shorter timeout served', routeTimeout, (seconds) => seconds === 5);
      const { token, userId } = await accessTokenFor(unique('carol'));
      const client = await connect(token);
      try {
        const call = client.callTool({ name: 'tickets_close', arguments: { id: 'T-3' } });
        const settled = call.then(
          () => 'answered',
          (error: unknown) => (error instanceof Error ? error.message : String(error)),
        );
        const pending = await waitingFor(userId);
        expect(await settled).toContain('Tool "tickets_close" needs an approval, and none came within 5 s: the call is refused');
        const late = await responder.post(`/api/tool-call-approvals/${pending.id}/approve`, {});
        expect(late.status).toBe(409);
        expect((await admin.get<ApprovalView>(`/api/tool-call-approvals/${pending.id}`)).body.status).toBe('expired');
        expect(await prisma.auditEvent.count({ where: { action: 'tool_call_approval.expired', context: { path: ['approvalId'], equals: pending.id } } })).toBe(1);
      } finally {
        await client.close();
      }
    } finally {
      expect((await admin.put(`/api/resources/${setup.resource.id}`, { gatewayApprovalTimeoutSeconds: 60 })).status).toBe(200);
    }
  }, 60_000);

  it('should refuse a waiting call once a kill switch covers its user, even if it is approved afterwards', async () => {
    const { token, userId } = await accessTokenFor(unique('dave'));
    const client = await connect(token);
    try {
      const call = client.callTool({ name: 'tickets_close', arguments: { id: 'T-4' } });
      const settled = call.then(
        () => 'answered',
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );
      const pending = await waitingFor(userId);
      const seenBefore = legacy.seen.length;
      expect((await admin.post('/api/kill-switches', { scope: 'user', userId, reason: 'Agent misbehaving' })).status).toBe(201);
      const message = await settled;
      expect(message).toContain('is no longer active (killed)');
      expect(legacy.seen.length).toBe(seenBefore);
      expect((await admin.get<ApprovalView>(`/api/tool-call-approvals/${pending.id}`)).body.status).toBe('cancelled');
      expect((await responder.post(`/api/tool-call-approvals/${pending.id}/approve`, {})).status).toBe(409);
    } finally {
      await client.close().catch(() => undefined);
    }
  }, 60_000);
});
