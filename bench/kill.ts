/**
 * `npm run bench:kill`: a user kill switch at scale, over real HTTP, against two built API processes
 * and the built worker on a database of their own:
 * - seeds one trusted IdP (pinned JWKS), the user, an agent, a resource protected by Crossgate, its
 *   resource server (the introspection client) and a policy;
 * - mints BENCH_KILL_TOKENS (10,000) live access tokens for the user through the real chain (token
 *   exchange at one instance, JWT-bearer redemption at the resource's authorization server) and
 *   checks that introspection calls every one active;
 * - registers BENCH_KILL_RECEIVERS (10,000) SSF streams whose push endpoints are local HTTP servers
 *   in this process, one in ten answering 500 to its first push;
 * - fires a user kill switch through the admin API of instance A, then measures
 *   `deny_other_instance_ms` (from A's answer until instance B refuses the user's next exchange),
 *   `introspection_inactive_ms` (from A's answer until B has answered `active: false` for all the
 *   tokens) and `deliveries_s` (from the switch taking effect to the receipt's last acknowledgement,
 *   as the receipt records it), with the receipt's delivered and dead-lettered counts and how many
 *   distinct SETs the receivers accepted.
 * The database and Redis keys are removed at the end, even on failure. The last line printed is one
 * JSON object; the run exits 1 when a check fails.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { exportJWK, generateKeyPair, SignJWT } from 'jose';

import { AdminHttp, type ApiProcess, startBuiltWorker, waitFor } from '@crossgate/testing';
import { grantTypes, tokenTypes } from '@crossgate/token';

import { hashPassword } from '../apps/api/src/auth/credentials.ts';
import { type BenchDatabase, buildServer, createBenchDatabase, numberFromEnv, repositoryRoot, runBench, startApi } from './support/bench-api.ts';
import { post, type PreparedRequest, round } from './support/http-load.ts';

const tokenCount = numberFromEnv('BENCH_KILL_TOKENS', 10_000);
const receiverCount = numberFromEnv('BENCH_KILL_RECEIVERS', 10_000);
const receiverServers = numberFromEnv('BENCH_KILL_RECEIVER_SERVERS', 8);
const concurrency = numberFromEnv('BENCH_CONNECTIONS', 64);
const targets = { denyOtherInstanceMs: 100, introspectionInactiveMs: 1000, deliveriesS: 10 };

const publicUrl = 'https://crossgate.bench.example';
const issuer = 'https://idp.bench.example';
const clientSecret = 'bench client secret, the same for every client';
const adminPassword = 'bench admin password, not a secret';
const adminEmail = 'admin@crossgate.local';
const slug = 'kill-bench';

interface Seeded {
  userId: string;
  agent: string;
  resourceServer: string;
  idToken: () => Promise<string>;
}

async function seed(database: BenchDatabase): Promise<Seeded> {
  const { prisma } = database;
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = 'bench-idp-es256';
  const idp = await prisma.trustedIdp.create({ data: { name: 'Bench IdP', issuer, jwks: { keys: [{ ...(await exportJWK(publicKey)), alg: 'ES256', use: 'sig', kid }] }, audiences: [] } });
  const user = await prisma.user.create({ data: { idpId: idp.id, subject: 'mallory', email: 'mallory@bench.example' } });
  const secretHash = await hashPassword(clientSecret);
  const agent = { id: randomUUID(), clientId: 'bench-agent', idpClientId: 'bench-agent-at-idp' };
  const resourceServer = { id: randomUUID(), clientId: 'bench-resource-server', idpClientId: null };
  await prisma.client.createMany({
    data: [agent, resourceServer].map((client) => ({ ...client, name: client.clientId, owner: 'bench@bench.example', authMethod: 'client_secret_basic' as const, secretHash, scopeCeiling: [], kind: 'ai_agent' as const })),
  });
  const resource = await prisma.resource.create({
    data: {
      slug,
      name: 'Kill bench MCP server',
      kind: 'mcp_server',
      authorizationServer: `${publicUrl}/ras/${slug}`,
      resourceIndicators: [`https://${slug}.bench.example/mcp`],
      scopes: [{ name: 'notes.read', risk: 'low' }],
      owner: 'bench@bench.example',
      rasEnabled: true,
      // One hour: every token stays live for the whole run.
      accessTokenLifetimeSeconds: 3600,
      introspectionClientIds: [resourceServer.id],
    },
  });
  await prisma.policy.create({ data: { name: 'bench-agent → kill-bench', clientId: agent.id, resourceId: resource.id, everyone: true, scopes: ['notes.read'], status: 'active' } });
  const idToken = () => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({}).setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid }).setIssuer(issuer).setSubject(user.subject).setAudience(agent.idpClientId).setIssuedAt(now).setExpirationTime(now + 3600).sign(privateKey);
  };
  return { userId: user.id, agent: agent.clientId, resourceServer: resourceServer.clientId, idToken };
}

const basic = (clientId: string): string => `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;

function exchangeRequest(seeded: Seeded, idToken: string): PreparedRequest {
  const form = new URLSearchParams({ grant_type: grantTypes.tokenExchange, requested_token_type: tokenTypes.idJag, subject_token_type: tokenTypes.idToken, subject_token: idToken, audience: `${publicUrl}/ras/${slug}` });
  return { body: form.toString(), authorization: basic(seeded.agent) };
}

/** Runs `work(n)` for n in [0, count) with `concurrency` in flight. */
async function inParallel(count: number, work: (n: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        await work(next++);
      }
    }),
  );
}

/** `tokenCount` access tokens for the user: an exchange and a redemption each. */
async function mintAccessTokens(api: ApiProcess, seeded: Seeded): Promise<string[]> {
  const tokens: string[] = new Array<string>(tokenCount);
  const idToken = await seeded.idToken();
  const started = Date.now();
  await inParallel(tokenCount, async (n) => {
    const exchanged = await post(`${api.baseUrl}/oauth2/token`, exchangeRequest(seeded, idToken));
    if (exchanged.status !== 200) {
      throw new Error(`An exchange answered ${exchanged.status}: ${exchanged.body}`);
    }
    const assertion = (JSON.parse(exchanged.body) as { access_token: string }).access_token;
    const redeemed = await post(`${api.baseUrl}/ras/${slug}/token`, { body: new URLSearchParams({ grant_type: grantTypes.jwtBearer, assertion }).toString(), authorization: basic(seeded.agent) });
    if (redeemed.status !== 200) {
      throw new Error(`A redemption answered ${redeemed.status}: ${redeemed.body}`);
    }
    tokens[n] = (JSON.parse(redeemed.body) as { access_token: string }).access_token;
  });
  console.log(`minted ${tokenCount} access tokens through the exchange and the redemption in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return tokens;
}

/** Introspects every token at `api`; returns how many were active. */
async function introspectAll(api: ApiProcess, seeded: Seeded, tokens: readonly string[]): Promise<number> {
  let active = 0;
  await inParallel(tokens.length, async (n) => {
    const reply = await post(`${api.baseUrl}/ras/${slug}/introspect`, { body: new URLSearchParams({ token: tokens[n]! }).toString(), authorization: basic(seeded.resourceServer) });
    if (reply.status !== 200) {
      throw new Error(`An introspection answered ${reply.status}: ${reply.body}`);
    }
    if ((JSON.parse(reply.body) as { active: boolean }).active) {
      active += 1;
    }
  });
  return active;
}

interface Receivers {
  urls: string[];
  /** Distinct SET `jti`s accepted (202), and every push received. */
  accepted: Set<string>;
  pushes: () => number;
  close: () => Promise<void>;
}

/** `receiverCount` push endpoints over `receiverServers` local servers; every tenth refuses its first push with 500. */
async function startReceivers(): Promise<Receivers> {
  const accepted = new Set<string>();
  const refusedOnce = new Set<number>();
  let pushes = 0;
  const servers: Server[] = [];
  for (let s = 0; s < receiverServers; s += 1) {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        pushes += 1;
        const receiver = Number(request.url?.split('/')[2]);
        if (receiver % 10 === 0 && !refusedOnce.has(receiver)) {
          refusedOnce.add(receiver);
          response.writeHead(500).end();
          return;
        }
        const set = Buffer.concat(chunks).toString('utf8');
        const payload = JSON.parse(Buffer.from(set.split('.')[1] ?? '', 'base64url').toString('utf8')) as { jti?: string };
        if (request.headers['content-type'] !== 'application/secevent+jwt' || typeof payload.jti !== 'string') {
          response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ err: 'invalid_request', description: 'not a SET' }));
          return;
        }
        accepted.add(payload.jti);
        response.writeHead(202).end();
      });
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
  }
  const urls = Array.from({ length: receiverCount }, (_, n) => `http://127.0.0.1:${(servers[n % servers.length]!.address() as AddressInfo).port}/r/${n}`);
  return {
    urls,
    accepted,
    pushes: () => pushes,
    close: () => Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())))).then(() => undefined),
  };
}

interface Progress {
  total: number;
  delivered: number;
  deadLettered: number;
  failed: number;
  pending: number;
  done: boolean;
  firstAckMs: number | null;
  lastAckMs: number | null;
}

/** Flags for the worker's Node.js, for profiling (BENCH_WORKER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"). */
function workerNodeFlags(): string[] {
  return process.env['BENCH_WORKER_NODE_ARGS']?.split(' ').filter(Boolean) ?? [];
}

async function main(): Promise<void> {
  const began = Date.now();
  const build = buildServer();
  const database = await createBenchDatabase();
  const receivers = await startReceivers();
  const children: ApiProcess['child'][] = [];
  const cleanUp = async () => {
    await receivers.close().catch(() => undefined);
    await database.cleanUp(children);
  };
  await runBench(async () => {
    const seeded = await seed(database);
    await database.prisma.ssfStream.createMany({
      data: receivers.urls.map((endpointUrl, n) => ({ audience: [`https://receiver-${n}.bench.example`], endpointUrl, eventsRequested: ['https://schemas.openid.net/secevent/caep/event-type/session-revoked'], createdBy: 'bench' })),
    });
    console.log(`seeded the user, the agent, the protected resource and ${receiverCount} SSF streams on ${receiverServers} local servers`);
    await build;
    console.log('built the server (npm run build:server)');
    const [first, second] = await Promise.all([startApi(database.run, { adminPassword, publicUrl }), startApi(database.run, { adminPassword, publicUrl })]);
    children.push(first.child, second.child);
    const worker = startBuiltWorker({ repositoryRoot, env: { DATABASE_URL: database.run.databaseUrl, REDIS_URL: database.run.redisUrl, REDIS_PREFIX: database.run.redisPrefix, NODE_ENV: 'development' }, nodeFlags: workerNodeFlags() });
    children.push(worker.child);
    const probe = exchangeRequest(seeded, await seeded.idToken());
    await waitFor('a first exchange at both instances', 120_000, async () => {
      const replies = await Promise.all([first, second].map((api) => post(`${api.baseUrl}/oauth2/token`, probe)));
      return replies.every((reply) => reply.status === 200) ? true : undefined;
    });
    console.log(`APIs up on ${first.baseUrl} and ${second.baseUrl}, worker started`);

    const tokens = await mintAccessTokens(first, seeded);
    const sweepBegan = performance.now();
    const activeBefore = await introspectAll(second, seeded, tokens);
    const sweepMs = round(performance.now() - sweepBegan);
    console.log(`introspection at the other instance: ${activeBefore} of ${tokens.length} active before the switch, in ${sweepMs} ms`);
    const admin = await AdminHttp.signIn(first.baseUrl, adminEmail, adminPassword);
    const preview = await admin.post<{ tokens: { accessToken: number }; receivers: number; deliveries: { total: number } }>('/api/kill-switches/preview', { scope: 'user', userId: seeded.userId });
    console.log(`preview: ${preview.body.tokens.accessToken} live access tokens, ${preview.body.receivers} receivers, ${preview.body.deliveries.total} deliveries`);
    const denyRequest = exchangeRequest(seeded, await seeded.idToken());

    const fired = await admin.post<{ id: string }>('/api/kill-switches', { scope: 'user', userId: seeded.userId, reason: 'bench: user compromised' });
    const answeredAt = performance.now();
    if (fired.status !== 201) {
      throw new Error(`Firing answered ${fired.status}: ${JSON.stringify(fired.body)}`);
    }
    let deniedAt: number | undefined;
    while (deniedAt === undefined && performance.now() - answeredAt < 5_000) {
      const reply = await post(`${second.baseUrl}/oauth2/token`, denyRequest);
      if (reply.status === 400 && reply.body.includes('invalid_grant')) {
        deniedAt = performance.now();
      }
    }
    const denyOtherInstanceMs = deniedAt === undefined ? null : round(deniedAt - answeredAt);
    const activeAfter = await introspectAll(second, seeded, tokens);
    const introspectionInactiveMs = round(performance.now() - answeredAt);
    console.log(`the other instance refused the user ${denyOtherInstanceMs ?? 'never'} ms after the answer; ${activeAfter} tokens still active after ${introspectionInactiveMs} ms`);

    const finished = await waitFor('the receipt to finish', 120_000, async () => {
      const view = await admin.get<{ progress: Progress; activatedAt: string; fannedOutAt: string | null }>(`/api/kill-switches/${fired.body.id}`);
      return view.body.progress.done ? view.body : undefined;
    });
    const { progress } = finished;
    // From the switch taking effect to the worker having planned every line and revoked the tokens.
    const plannedS = finished.fannedOutAt === null ? null : round((Date.parse(finished.fannedOutAt) - Date.parse(finished.activatedAt)) / 1000);
    const deliveriesS = progress.lastAckMs === null ? null : round(progress.lastAckMs / 1000);
    console.log(`receipt: ${progress.delivered} delivered, ${progress.deadLettered} dead-lettered of ${progress.total}, the last after ${deliveriesS ?? '?'} s; receivers accepted ${receivers.accepted.size} distinct SETs in ${receivers.pushes()} pushes`);

    const summary = {
      bench: 'kill',
      tokens: tokens.length,
      receivers: receiverCount,
      deny_other_instance_ms: denyOtherInstanceMs,
      introspection_inactive_ms: introspectionInactiveMs,
      deliveries_s: deliveriesS,
      fan_out_planned_s: plannedS,
      first_ack_s: progress.firstAckMs === null ? null : round(progress.firstAckMs / 1000),
      delivered: progress.delivered,
      dead_lettered: progress.deadLettered,
      receipt_lines: progress.total,
      receiver_sets_accepted: receivers.accepted.size,
      receiver_pushes: receivers.pushes(),
      active_before: activeBefore,
      introspection_sweep_before_ms: sweepMs,
      active_after: activeAfter,
      total_s: round((Date.now() - began) / 1000),
    };
    const failed =
      activeBefore !== tokens.length ||
      activeAfter !== 0 ||
      denyOtherInstanceMs === null ||
      denyOtherInstanceMs > targets.denyOtherInstanceMs ||
      introspectionInactiveMs > targets.introspectionInactiveMs ||
      deliveriesS === null ||
      deliveriesS > targets.deliveriesS ||
      progress.delivered !== receiverCount ||
      progress.deadLettered !== 0;
    return { summary, failed };
  }, cleanUp);
}

await main();
