/**
 * `npm run bench:gateway`: what the MCP gateway adds to a tool call. The built API runs as a child
 * process on a database of its own, the built gateway (apps/mcp-gateway/dist/main.js) as another,
 * and an upstream MCP server that only takes an API key as a third (support/upstream-mcp.ts: a
 * minimal one on node:http, or with BENCH_UPSTREAM=sdk the tests' one on the MCP server SDK).
 * Setup goes through the admin API (libs/testing xaa-chain.ts): an IdP (oidc-provider), an agent,
 * the gateway's client, a gateway-fronted resource with a tool → scope map and a vaulted_key
 * connection. The agent's access token comes from the real chain (sign-in, token exchange,
 * redemption).
 *
 * The same `tools/call` requests (JSON-RPC over Streamable HTTP, varying arguments) go straight to
 * the server with the key, then through the gateway with the access token, each open-loop at
 * BENCH_RATE calls/s (default 500) for BENCH_SECONDS, each after BENCH_WARMUP_SECONDS on the same
 * connections, from the load generator's own process; the gateway introspects (cached per
 * MCP_GATEWAY_TOKEN_CACHE_MS), applies the tool policy, adds the vaulted key and records an audit
 * event per call. Every gateway call must leave one `gateway_tool_call` row. The last line printed
 * is one JSON object; targets: added_p50_ms ≤ 2, added_p99_ms ≤ 10.
 */
import { spawn } from 'node:child_process';

import { AdminHttp, createAdmin, expectStatus, freePort, stopChild, waitFor } from '@crossgate/testing';

import { startOidcProvider, type LocalOidcProvider } from '../libs/testing/src/oidc-provider.ts';
import { accessTokenThroughChain, setUpChain } from '../libs/testing/src/xaa-chain.ts';
import { buildServer, createBenchDatabase, numberFromEnv, repositoryRoot, runBench, settledCounts, startApi } from './support/bench-api.ts';
import { driveRequestsAtRate, type RawRequest, round } from './support/http-load.ts';
import { startUpstreamMcp, type UpstreamMcp } from './support/upstream-mcp.ts';

const seconds = numberFromEnv('BENCH_SECONDS', 10);
const warmupSeconds = numberFromEnv('BENCH_WARMUP_SECONDS', 2);
const rate = numberFromEnv('BENCH_RATE', 500);
const connections = numberFromEnv('BENCH_CONNECTIONS', 64);
const adminPassword = 'bench admin password, not a secret';
const apiKey = 'lk_bench_legacy_key_not_a_secret';
const targets = { added_p50_ms: 2, added_p99_ms: 10 };
const upstreamKind = process.env['BENCH_UPSTREAM'] === 'sdk' ? 'sdk' : 'minimal';

function toolCalls(count: number, headers: Record<string, string>): RawRequest[] {
  return Array.from({ length: count }, (_, n) => ({
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: n + 1, method: 'tools/call', params: { name: 'tickets_search', arguments: { query: `ticket ${n}` } } }),
  }));
}

async function preflight(url: string, request: RawRequest, what: string): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers: request.headers, body: request.body });
  const text = await response.text();
  if (response.status !== 200 || !text.includes('tickets match')) {
    throw new Error(`A pre-flight call ${what} answered ${response.status}: ${text.slice(0, 300)}`);
  }
}

async function main(): Promise<void> {
  const began = Date.now();
  const build = buildServer();
  const database = await createBenchDatabase();
  let api: Awaited<ReturnType<typeof startApi>> | undefined;
  let gateway: ReturnType<typeof spawn> | undefined;
  let provider: LocalOidcProvider | undefined;
  let legacy: UpstreamMcp | undefined;
  const cleanUp = async () => {
    await stopChild(gateway);
    await legacy?.close();
    await provider?.close();
    await database.cleanUp([api?.child]);
  };
  await runBench(async () => {
    await build;
    console.log('built the server (npm run build:server)');
    api = await startApi(database.run, { adminPassword });
    const admin = await AdminHttp.signIn(api.baseUrl, 'admin@crossgate.local', adminPassword);
    const idpClient = { clientId: 'bench-agent-at-idp', clientSecret: 'bench-rp-secret-0123456789abcdef0123456789abcdef', redirectUri: 'http://127.0.0.1/callback' };
    provider = await startOidcProvider([idpClient]);
    legacy = await startUpstreamMcp(apiKey, upstreamKind);

    const gatewayPort = await freePort();
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    const slug = 'bench-tickets';
    const resource = `${gatewayUrl}/mcp/${slug}`;
    const approver = AdminHttp.withToken(api.baseUrl, (await createAdmin(database.prisma, 'it-admin')).token);
    const setup = await setUpChain(admin, { crossgateUrl: api.baseUrl, idp: provider, idpClient, mcpUrl: resource, slug, label: 'bench', approver });
    expectStatus(await admin.put(`/api/resources/${setup.resource.id}`, { gatewayUpstreamUrl: legacy.url, gatewayToolScopes: { tickets_search: 'notes.read', tickets_close: 'notes.write' } }), 200, 'PUT /api/resources/:id');
    const connection = expectStatus(
      await admin.post<{ id: string }>('/api/connections', { name: 'gateway → legacy tickets', clientId: setup.resourceServer.id, resourceId: setup.resource.id, pattern: 'vaulted_key', owner: 'bench@bench.example' }),
      201,
      'POST /api/connections',
    );
    expectStatus(await admin.put(`/api/connections/${connection.id}/credential`, { value: apiKey }), 200, 'PUT /api/connections/:id/credential');

    // Flags for profiling the gateway (BENCH_GATEWAY_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"), as BENCH_API_NODE_ARGS for the API.
    const gatewayNodeFlags = process.env['BENCH_GATEWAY_NODE_ARGS']?.split(' ').filter(Boolean) ?? [];
    gateway = spawn(process.execPath, [...gatewayNodeFlags, 'apps/mcp-gateway/dist/main.js'], {
      cwd: repositoryRoot,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env,
        MCP_GATEWAY_HOST: '127.0.0.1',
        MCP_GATEWAY_PORT: String(gatewayPort),
        MCP_GATEWAY_PUBLIC_URL: gatewayUrl,
        CROSSGATE_URL: api.baseUrl,
        MCP_GATEWAY_CLIENT_ID: setup.resourceServer.clientId,
        MCP_GATEWAY_CLIENT_SECRET: setup.resourceServer.secret,
        LOG_LEVEL: 'warn',
      },
    });
    await waitFor('the MCP gateway', 30_000, async () => ((await fetch(`${gatewayUrl}/healthz`).catch(() => null))?.ok ? true : undefined));
    const token = await accessTokenThroughChain(setup, provider, 'bench-alice', { resource, scope: 'notes.read notes.write' });
    console.log(`gateway up on ${gatewayUrl}; ${resource} fronts ${legacy.url}`);

    const calls = Math.max(1_000, Math.ceil(rate * seconds));
    const direct = toolCalls(calls, { 'x-api-key': apiKey });
    const governed = toolCalls(calls, { authorization: `Bearer ${token}` });
    await preflight(legacy.url, direct[0]!, 'straight to the server');
    // The directory reloads after the setup writes; the first call through the gateway may wait for it.
    await waitFor('a first call through the gateway', 30_000, async () => ((await preflight(resource, governed[0]!, 'through the gateway').then(() => true, () => undefined))));
    // Each measured run follows its own warm-up on the same connections (http-load.ts `warmupSeconds`).
    const straight = await driveRequestsAtRate(`direct, ${rate} calls/s`, legacy.url, direct, seconds, rate, connections, { warmupSeconds });
    const before = await database.prisma.auditEvent.count({ where: { action: 'gateway_tool_call' } });
    const through = await driveRequestsAtRate(`through the gateway, ${rate} calls/s`, resource, governed, seconds, rate, connections, { warmupSeconds });
    const warmupCalls = Math.round(rate * warmupSeconds);
    const { audited } = await settledCounts(async () => ({ audited: (await database.prisma.auditEvent.count({ where: { action: 'gateway_tool_call', decision: 'allow' } })) - before - warmupCalls }));
    const consistent = audited >= through.load.ok;
    console.log(`audit: ${audited} gateway_tool_call rows for ${through.load.ok} 2xx calls through the gateway → ${consistent ? 'consistent' : 'MISMATCH'}`);

    const added = { p50: round(through.load.p50 - straight.load.p50), p99: round(through.load.p99 - straight.load.p99) };
    const met = added.p50 <= targets.added_p50_ms && added.p99 <= targets.added_p99_ms && through.load.non2xx === 0 && through.load.errors === 0;
    const failed = !consistent || straight.load.non2xx + straight.load.errors > 0 || through.load.non2xx + through.load.errors > 0;
    const summary = {
      bench: 'gateway',
      calls_per_s: through.load.reqPerSecond,
      added_p50_ms: added.p50,
      added_p99_ms: added.p99,
      direct_calls_per_s: straight.load.reqPerSecond,
      rate,
      upstream: upstreamKind,
      gateway_p50_ms: through.load.p50,
      gateway_p99_ms: through.load.p99,
      direct_p50_ms: straight.load.p50,
      direct_p99_ms: straight.load.p99,
      gateway_non_2xx: through.load.non2xx,
      gateway_errors: through.load.errors,
      audit_rows_consistent: consistent,
      targets_met: met,
      seconds,
      total_s: round((Date.now() - began) / 1000),
    };
    return { summary, failed };
  }, cleanUp);
}

await main();
