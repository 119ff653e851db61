/**
 * The API's Prometheus endpoint over real HTTP, after real decisions: token exchanges issued and
 * refused, a kill switch fired (its fan-out job waits in the queue, no worker runs here), admin
 * requests with ids in their paths, and a recorded audit-chain verification. Then the same API
 * with METRICS_ENABLED=false has no /metrics.
 */
import { AuditLogRepository } from '@crossgate/store';
import { AdminHttp, type ConnectionPair, createAdmin, setUpConnectionPair, unique } from '@crossgate/testing';

import { startTestApi, type TestApi } from './support/test-api.ts';

let api: TestApi;
let admin: AdminHttp;
let pair: ConnectionPair;

beforeAll(async () => {
  api = await startTestApi();
  admin = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'it-admin')).token);
  pair = await setUpConnectionPair(admin, unique('metrics').toLowerCase().replace(/[^a-z0-9-]/g, '-'), AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'it-admin')).token));
});

afterAll(async () => {
  await api?.close();
});

/** The agent's exchange for an ID-JAG; `parameters` override the defaults. */
function exchange(parameters: Record<string, string | undefined> = {}) {
  return pair.exchange({ requested_token_type: 'urn:ietf:params:oauth:token-type:id-jag', ...parameters });
}

async function scrape(baseUrl = api.baseUrl): Promise<{ status: number; contentType: string | null; text: string }> {
  const response = await fetch(`${baseUrl}/metrics`);
  return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
}

/** The value of the sample `name{labels}` (labels in the order prom-client prints them), or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  it('should count token exchanges issued and refused, the refusals by OAuth error code', async () => {
    const before = await scrape();
    const issued = `crossgate_token_decisions_total{endpoint="token_exchange",outcome="issued",error=""}`;
    const refused = `crossgate_token_decisions_total{endpoint="token_exchange",outcome="denied",error="invalid_grant"}`;
    const badRequest = `crossgate_token_decisions_total{endpoint="token_exchange",outcome="denied",error="invalid_request"}`;

    expect((await exchange()).body).toMatchObject({ access_token: expect.any(String) });
    expect((await exchange()).body).toMatchObject({ access_token: expect.any(String) });
    expect((await exchange({ subject_token: 'not-a-jwt' })).body).toMatchObject({ error: 'invalid_grant' });
    expect((await exchange({ audience: undefined, resource: undefined, grant_type: undefined })).body).toMatchObject({ error: 'invalid_request' });

    const after = await scrape();
    expect(after.status).toBe(200);
    expect(after.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect((sample(after.text, issued) ?? 0) - (sample(before.text, issued) ?? 0)).toBe(2);
    expect((sample(after.text, refused) ?? 0) - (sample(before.text, refused) ?? 0)).toBe(1);
    expect((sample(after.text, badRequest) ?? 0) - (sample(before.text, badRequest) ?? 0)).toBe(1);
  });

  it('should count the decisions of a resource authorization server: redemption, introspection, revocation', async () => {
    const slug = unique('metrics-mcp').toLowerCase().replace(/[^a-z0-9-]/g, '-');
    const created = await admin.post('/api/resources', {
      slug,
      name: slug,
      kind: 'mcp_server',
      resourceIndicators: [`https://${slug}.example.test/mcp`],
      scopes: [{ name: 'notes.read' }],
      owner: 'tests@example.test',
      rasEnabled: true,
      introspectionClientIds: [pair.agent.id],
    });
    expect(created.status).toBe(201);
    await api.directoryChanged();
    const authorization = `Basic ${Buffer.from(`${encodeURIComponent(pair.agent.clientId)}:${encodeURIComponent(pair.agent.secret)}`).toString('base64')}`;
    const post = (endpoint: string, form: Record<string, string>) =>
      fetch(`${api.baseUrl}/ras/${slug}/${endpoint}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization }, body: new URLSearchParams(form).toString() });
    const series = {
      redemption: 'crossgate_token_decisions_total{endpoint="jwt_bearer",outcome="denied",error="invalid_grant"}',
      introspection: 'crossgate_token_decisions_total{endpoint="introspection",outcome="inactive",error=""}',
      revocation: 'crossgate_token_decisions_total{endpoint="revocation",outcome="ignored",error=""}',
    };
    const before = (await scrape()).text;

    expect(await (await post('token', { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: 'not-a-jwt' })).json()).toMatchObject({ error: 'invalid_grant' });
    expect(await (await post('introspect', { token: 'not-a-jwt' })).json()).toEqual({ active: false });
    expect((await post('revoke', { token: 'not-a-jwt' })).status).toBe(200);

    const after = (await scrape()).text;
    for (const name of Object.values(series)) {
      expect((sample(after, name) ?? 0) - (sample(before, name) ?? 0)).toBe(1);
    }
    expect(sample(after, 'crossgate_http_request_duration_seconds_count{method="POST",route="/ras/:slug/introspect",status_class="2xx"}')).toBeGreaterThanOrEqual(1);
    expect(after).not.toContain(slug);
  });

  it('should time requests by route template and status class, never by a path with ids', async () => {
    expect((await admin.get(`/api/clients/${pair.agent.id}`)).status).toBe(200);
    expect((await admin.get('/api/clients/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await fetch(`${api.baseUrl}/no/such/page/${pair.agent.id}`, { headers: { accept: 'application/json' } })).status).toBe(404);
    await exchange();

    const { text } = await scrape();
    expect(sample(text, 'crossgate_http_request_duration_seconds_count{method="GET",route="/api/clients/:id",status_class="2xx"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'crossgate_http_request_duration_seconds_count{method="GET",route="/api/clients/:id",status_class="4xx"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'crossgate_http_request_duration_seconds_count{method="GET",route="unmatched",status_class="4xx"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'crossgate_http_request_duration_seconds_count{method="POST",route="/oauth2/token",status_class="2xx"}')).toBeGreaterThanOrEqual(1);
    expect(text).toContain('crossgate_http_request_duration_seconds_bucket{le="0.005",method="POST",route="/oauth2/token",status_class="2xx"}');
    expect(text).not.toContain(pair.agent.id);
  });

  it('should count a fired kill switch and show its fan-out job waiting in the queue', async () => {
    const fired = 'crossgate_kill_switches_fired_total{scope="client"}';
    const before = sample((await scrape()).text, fired) ?? 0;

    const response = await admin.post('/api/kill-switches', { scope: 'client', clientId: pair.agent.id, reason: 'metrics test' });
    expect(response.status).toBe(201);

    const { text } = await scrape();
    expect(sample(text, fired)).toBe(before + 1);
    // No worker runs in this test, so the fan-out stays queued.
    expect(sample(text, 'crossgate_queue_jobs{queue="kill-switch",state="waiting"}')).toBeGreaterThanOrEqual(1);
    for (const queue of ['maintenance', 'rotation', 'kill-switch']) {
      for (const state of ['waiting', 'active', 'delayed', 'failed']) {
        expect(sample(text, `crossgate_queue_jobs{queue="${queue}",state="${state}"}`)).toEqual(expect.any(Number));
      }
    }
    // The switch covers the agent: its next exchange is refused, and counted as such.
    expect((await exchange()).status).toBe(400);
  });

  it('should report the latest audit-chain verification and the process metrics', async () => {
    const event = await api.app.get(AuditLogRepository).record({ actor: { type: 'system', label: 'worker' }, action: 'audit.chain_verified', target: { type: 'audit_log' }, decision: 'deny', reason: 'test: a broken chain' });
    // Reads are shared for a second between the gauges of one scrape.
    await new Promise((resolve) => setTimeout(resolve, 1_100));

    const { text } = await scrape();
    expect(sample(text, 'crossgate_audit_chain_intact')).toBe(0);
    expect(sample(text, 'crossgate_audit_chain_last_verified_timestamp_seconds')).toBe(event.at.getTime() / 1000);
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
  });

  it('should not exist when METRICS_ENABLED is false', async () => {
    const quiet = await startTestApi({ METRICS_ENABLED: 'false' });
    try {
      expect((await scrape(quiet.baseUrl)).status).toBe(404);
      expect((await fetch(`${quiet.baseUrl}/healthz`)).status).toBe(200);
    } finally {
      await quiet.close();
    }
  });
});
