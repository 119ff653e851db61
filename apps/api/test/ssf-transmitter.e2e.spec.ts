/**
 * Crossgate as an SSF 1.0 transmitter over real HTTP, with a real worker process pushing: its
 * configuration metadata and key set, the stream management endpoints a receiver registers through,
 * a verification SET that reaches the receiver, and the demo MCP server registered as a receiver,
 * which refuses a user's access tokens once a kill switch on that user has been pushed to it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { AdminHttp, createAdmin, eventually, SetReceiver, startWorkerProcess, stopWorkerProcess, unique, type WorkerProcess } from '@crossgate/testing';
import { createLocalJWKSet, decodeJwt, type JSONWebKeySet, jwtVerify } from 'jose';

// eslint-disable-next-line @nx/enforce-module-boundaries -- the demo MCP server is the receiver under test, a separate app wired by URL only
import { createDemoMcpApp, type DemoMcpApp } from '../../demo-mcp/src/demo-mcp.app.ts';
// eslint-disable-next-line @nx/enforce-module-boundaries -- its configuration, as its process would load it
import { loadDemoMcpConfig } from '../../demo-mcp/src/config/demo-mcp.config.ts';
import type { StreamConfiguration } from '../src/ssf/index.ts';
import type { KillSwitchView } from '../src/kill-switches/index.ts';
import { freePort, startTestApi, type TestApi } from './support/test-api.ts';

const push = 'urn:ietf:rfc:8935';
const sessionRevoked = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
const verification = 'https://schemas.openid.net/secevent/ssf/event-type/verification';
const pushCredential = 'Bearer receiver-push-credential-5a7b9c';

let api: TestApi;
let worker: WorkerProcess;
let asItAdmin: AdminHttp;
let asAuditor: AdminHttp;
let asResponder: AdminHttp;
let receiver: SetReceiver;
const created: string[] = [];

beforeAll(async () => {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  api = await startTestApi({ PORT: String(port), PUBLIC_URL: publicUrl });
  // Started first: the worker boots under tsx while the suite sets up.
  worker = startWorkerProcess(api.config, { PUBLIC_URL: publicUrl, KILL_SWITCH_RETRY_DELAY_MS: '50', KILL_SWITCH_RECONCILE_SECONDS: '3600', LOG_LEVEL: 'warn' });
  asItAdmin = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'it-admin')).token);
  asAuditor = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'auditor')).token);
  asResponder = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'incident-responder')).token);
  receiver = await SetReceiver.start();
}, 60_000);

afterAll(async () => {
  // Other suites share the database: their switches must not be pushed to these receivers.
  await api.prisma.ssfStream.updateMany({ where: { id: { in: created } }, data: { deletedAt: new Date(), status: 'disabled' } });
  await api.prisma.killSwitch.updateMany({ where: { state: 'active', reason: { startsWith: 'SSF suite:' } }, data: { state: 'lifted', liftedAt: new Date() } });
  await stopWorkerProcess(worker);
  await receiver.close();
  await api.close();
});

async function createStream(body: Record<string, unknown>): Promise<StreamConfiguration> {
  const answer = await asItAdmin.post<StreamConfiguration>('/ssf/streams', body);
  expect(answer.status).toBe(201);
  created.push(answer.body.stream_id);
  return answer.body;
}

async function transmitterKeys(): Promise<JSONWebKeySet> {
  const metadata = (await (await fetch(`${api.baseUrl}/.well-known/ssf-configuration`)).json()) as { jwks_uri: string };
  return (await (await fetch(metadata.jwks_uri)).json()) as JSONWebKeySet;
}

describe('transmitter metadata (SSF 1.0 §7.1)', () => {
  it('should publish its issuer, push delivery, endpoints and an RS256 public key, without authentication', async () => {
    const answer = await fetch(`${api.baseUrl}/.well-known/ssf-configuration`);

    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({
      spec_version: '1_0',
      issuer: api.config.http.publicUrl,
      jwks_uri: `${api.config.http.publicUrl}/ssf/jwks`,
      delivery_methods_supported: [push],
      configuration_endpoint: `${api.config.http.publicUrl}/ssf/streams`,
      status_endpoint: `${api.config.http.publicUrl}/ssf/status`,
      verification_endpoint: `${api.config.http.publicUrl}/ssf/verify`,
      authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6749' }],
      default_subjects: 'ALL',
    });
    const { keys } = await transmitterKeys();
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((key) => key.kty === 'RSA' && key.alg === 'RS256' && key.d === undefined && typeof key.kid === 'string')).toBe(true);
  });
});

describe('stream management (SSF 1.0 §8.1)', () => {
  it('should create, read, update, replace, pause, verify and delete a push stream, never echoing its authorization header', async () => {
    const stream = await createStream({
      delivery: { method: push, endpoint_url: receiver.url, authorization_header: pushCredential },
      events_requested: [sessionRevoked, 'https://example.test/unsupported-event'],
      description: 'SOC SIEM',
    });

    expect(stream).toMatchObject({
      iss: api.config.http.publicUrl,
      aud: new URL(receiver.url).origin,
      events_requested: [sessionRevoked, 'https://example.test/unsupported-event'],
      events_delivered: [sessionRevoked],
      delivery: { method: push, endpoint_url: receiver.url, authorization_header_set: true },
      description: 'SOC SIEM',
      resource_id: null,
    });
    expect(stream.events_supported).toContain(sessionRevoked);
    const read = await asAuditor.get<StreamConfiguration>(`/ssf/streams?stream_id=${stream.stream_id}`);
    expect(read).toMatchObject({ status: 200, body: stream });
    const all = await asAuditor.get<StreamConfiguration[]>('/ssf/streams');
    expect(all.body.map((each) => each.stream_id)).toContain(stream.stream_id);

    const updated = await asItAdmin.request<StreamConfiguration>('PATCH', '/ssf/streams', { stream_id: stream.stream_id, description: 'SOC SIEM (primary)' });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ description: 'SOC SIEM (primary)', delivery: { authorization_header_set: true } });

    const paused = await asItAdmin.post('/ssf/status', { stream_id: stream.stream_id, status: 'paused', reason: 'SIEM maintenance' });
    expect(paused.body).toEqual({ stream_id: stream.stream_id, status: 'paused', reason: 'SIEM maintenance' });
    expect((await asAuditor.get(`/ssf/status?stream_id=${stream.stream_id}`)).body).toMatchObject({ status: 'paused' });
    const refused = await asItAdmin.post<{ message: string }>('/ssf/verify', { stream_id: stream.stream_id, state: 'while-paused' });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain('paused');
    await asItAdmin.post('/ssf/status', { stream_id: stream.stream_id, status: 'enabled' });

    expect((await asItAdmin.post('/ssf/verify', { stream_id: stream.stream_id, state: 'state-3f9a' })).status).toBe(204);
    await eventually('the verification SET', () => Promise.resolve(receiver.accepted().filter((set) => verification in (set['events'] as object))), (sets) => sets.length === 1, 30_000);
    const keys = createLocalJWKSet(await transmitterKeys());
    const pushed = receiver.received.find((each) => verification in (decodeJwt(each.set)['events'] as object))!;
    const { payload, protectedHeader } = await jwtVerify(pushed.set, keys, { typ: 'secevent+jwt', algorithms: ['RS256'], issuer: api.config.http.publicUrl, audience: stream.aud as string });
    expect(protectedHeader.typ).toBe('secevent+jwt');
    expect(payload).toMatchObject({ sub_id: { format: 'opaque', id: stream.stream_id }, events: { [verification]: { state: 'state-3f9a' } } });
    expect(pushed.authorization).toBe(pushCredential);

    const replaced = await asItAdmin.put<StreamConfiguration>('/ssf/streams', {
      stream_id: stream.stream_id,
      delivery: { method: push, endpoint_url: `${receiver.url}?v=2` },
      events_requested: [sessionRevoked],
      aud: 'https://siem.example.test',
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ aud: 'https://siem.example.test', description: null, delivery: { endpoint_url: `${receiver.url}?v=2` } });

    expect((await asItAdmin.delete(`/ssf/streams?stream_id=${stream.stream_id}`)).status).toBe(204);
    expect((await asAuditor.get(`/ssf/streams?stream_id=${stream.stream_id}`)).status).toBe(404);

    const audits = await api.prisma.auditEvent.findMany({ where: { targetId: stream.stream_id }, orderBy: { seq: 'asc' } });
    expect(audits.map((event) => event.action)).toEqual(
      expect.arrayContaining(['ssf_stream.created', 'ssf_stream.updated', 'ssf_stream.status_changed', 'ssf_stream.verification_requested', 'ssf_stream.deleted']),
    );
    const everything = JSON.stringify([stream, read.body, all.body, updated.body, replaced.body, audits.map((event) => ({ ...event, seq: String(event.seq) }))]);
    expect(everything).not.toContain('receiver-push-credential');
  }, 60_000);

  it('should refuse bad input with the field named, unknown streams with 404, and readers who write with 403', async () => {
    const streamsBefore = await api.prisma.ssfStream.count();
    const invalid = async (body: unknown, field: string) => {
      const answer = await asItAdmin.post<{ errors?: Record<string, string> }>('/ssf/streams', body);
      expect(answer.status).toBe(422);
      expect(Object.keys(answer.body.errors ?? {})).toContain(field);
    };
    await invalid({}, 'delivery');
    await invalid({ delivery: { method: 'urn:ietf:rfc:8936', endpoint_url: receiver.url } }, 'delivery.method');
    await invalid({ delivery: { method: push, endpoint_url: 'http://siem.example.test/events' } }, 'delivery.endpoint_url');
    await invalid({ delivery: { method: push, endpoint_url: 'not a url' } }, 'delivery.endpoint_url');
    await invalid({ delivery: { method: push, endpoint_url: receiver.url }, resource_id: '00000000-0000-4000-8000-000000000000' }, 'resource_id');

    expect((await asAuditor.get('/ssf/streams?stream_id=00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await asAuditor.get('/ssf/status')).status).toBe(422);
    expect((await asAuditor.post('/ssf/streams', { delivery: { method: push, endpoint_url: receiver.url } })).status).toBe(403);
    expect((await asResponder.post('/ssf/streams', { delivery: { method: push, endpoint_url: receiver.url } })).status).toBe(403);
    expect((await AdminHttp.anonymous(api.baseUrl).get('/ssf/streams')).status).toBe(401);
    expect(await api.prisma.ssfStream.count()).toBe(streamsBefore);
  });
});

describe('the demo MCP server as a receiver', () => {
  let demo: DemoMcpApp;
  let demoUrl: string;
  let server: ReturnType<typeof createServer>;

  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    demoUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const config = loadDemoMcpConfig({ DEMO_MCP_PUBLIC_URL: demoUrl, CROSSGATE_URL: api.config.http.publicUrl, DEMO_MCP_SSF_AUTHORIZATION: pushCredential });
    demo = createDemoMcpApp(config, { log: () => undefined, warn: () => undefined, error: () => undefined });
    server.on('request', (request, response) => void demo.nodeHandler(request, response));
  });

  afterAll(async () => {
    await demo.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("should refuse a user's access tokens once the kill switch on that user is pushed to it", async () => {
    const stream = await createStream({
      delivery: { method: push, endpoint_url: `${demoUrl}/ssf/events`, authorization_header: pushCredential },
      events_requested: [sessionRevoked],
      aud: `${demoUrl}/mcp`,
    });
    const idp = await api.prisma.trustedIdp.create({ data: { name: unique('IdP'), issuer: `https://${unique('idp')}.example.test`, audiences: [] } });
    const user = await api.prisma.user.create({ data: { idpId: idp.id, subject: unique('alice') } });
    const tokenOf = (sub: string) => ({ token: 'opaque', clientId: 'any-agent', scopes: [], extra: { sub, iat: Math.floor(Date.now() / 1000) - 60 } });
    expect(demo.securityEvents.revocations.refusal(tokenOf(user.subject))).toBeNull();

    const fired = await asResponder.post<KillSwitchView>('/api/kill-switches', { scope: 'user', userId: user.id, reason: 'SSF suite: agent exfiltrating notes' });
    expect(fired.status).toBe(201);

    const line = await eventually(
      'the push to the demo MCP server',
      () => api.prisma.killSwitchDelivery.findFirst({ where: { killSwitchId: fired.body.id, targetId: stream.stream_id } }),
      (found) => found?.status === 'delivered' || found?.status === 'dead_lettered',
      30_000,
    );
    expect(line).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(demo.securityEvents.revocations.refusal(tokenOf(user.subject))).toContain('revoked by a security event');
    expect(demo.securityEvents.revocations.refusal(tokenOf(unique('bob')))).toBeNull();
  }, 60_000);
});
