/**
 * `npm run bench:exchange`: the RFC 8693 token exchange (`POST /oauth2/token`, ID token → ID-JAG)
 * over real HTTP, against the built API as a child process on a database of its own:
 * - seeds one trusted IdP (pinned JWKS), 500 groups, 1,000 users in 3 groups each, 100 clients
 *   (client_secret_basic) × 100 resources with 10 policies per pair (100,000 Policy rows),
 * - pre-signs ID tokens and pre-builds exchange requests a policy allows, rotating users, clients and
 *   resources,
 * - sends every prepared request once (each user's first exchange provisions them),
 * - drives the endpoint with autocannon at maximum throughput, then open-loop at a steady 1,000 req/s,
 * - drives a plain `oidc-provider` client_credentials grant the same way, as the baseline,
 * - checks every 2xx exchange left exactly one durable `allow` audit row and one IssuedToken row.
 * The database and Redis keys are removed at the end, even on failure. The last line printed is one
 * JSON object with the numbers. BENCH_SECONDS, BENCH_WARMUP_SECONDS, BENCH_CONNECTIONS, BENCH_RATE
 * and BENCH_REQUESTS shorten or reshape a run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import Provider from 'oidc-provider';

import { type ClientRow, compilePolicies, decide, type PolicyConditions, type PolicyRow, type Weekday } from '@crossgate/policy';
import { createPrismaClient, joinEmbeddedPostgres, type PrismaClient } from '@crossgate/store';
import { type ApiProcess, relay, stopChild, waitFor } from '@crossgate/testing';
import { grantTypes, tokenTypes } from '@crossgate/token';

import { hashPassword } from '../apps/api/src/auth/credentials.ts';
import {
  buildServer,
  cpuSecondsOf,
  createBenchDatabase,
  embeddedStopGraceMs,
  numberFromEnv,
  repositoryRoot,
  settledCounts,
  startApi,
  startEmbeddedApi,
  temporaryDataDir,
} from './support/bench-api.ts';
import { drive, driveAtRate, type Load, post, type PreparedRequest, round } from './support/http-load.ts';
import { seededRandom } from './support/seeded-random.ts';

const seconds = numberFromEnv('BENCH_SECONDS', 15);
const warmupSeconds = numberFromEnv('BENCH_WARMUP_SECONDS', 3);
const connections = numberFromEnv('BENCH_CONNECTIONS', 64);
const fixedRate = numberFromEnv('BENCH_RATE', 1_000);
const requestCount = numberFromEnv('BENCH_REQUESTS', 2_000);

const clientCount = 100;
const resourceCount = 100;
const policiesPerPair = 10;
const groupCount = 500;
const userCount = 1_000;
const scopeCatalogue = ['issues.read', 'issues.write', 'comments.read', 'comments.write', 'files.read', 'files.write', 'admin.read', 'admin.write'];
const zones = ['Europe/Zurich', 'America/New_York', 'Asia/Tokyo', 'UTC'];
const issuer = 'https://idp.bench.example';
const clientSecret = 'bench client secret, the same for every client';
const adminPassword = 'bench admin password, not a secret';
/** The ID tokens satisfy every `requiredAcr`/`requiredAmr` the seeded policies set. */
const authentication = { acr: 'phr', amr: ['pwd', 'mfa'] };

// ── The baseline provider, in a process of its own like the API ─────────────────────────────────

/** An `oidc-provider` with one client_secret_basic client and the client_credentials grant; prints its port. */
async function serveOidcProvider(): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const provider = new Provider(`http://127.0.0.1:${port}`, {
    clients: [
      {
        client_id: 'bench-baseline',
        client_secret: clientSecret,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'ES256',
      },
    ],
    features: { clientCredentials: { enabled: true } },
    jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: 'bench-es256' }] },
    cookies: { keys: ['oidc-provider bench cookie key, not a secret'] },
  });
  server.on('request', provider.callback());
  process.stdout.write(`listening ${port}\n`);
}

// ── Data ─────────────────────────────────────────────────────────────────────────────────────────

const { next, pick, some } = seededRandom(8693);

interface BenchGroup {
  id: string;
  name: string;
  members: string[];
}
interface BenchUser {
  id: string;
  subject: string;
  groupIds: string[];
  groupNames: string[];
}
interface BenchClient {
  id: string;
  clientId: string;
  idpClientId: string;
  scopeCeiling: string[];
}
interface BenchResource {
  id: string;
  slug: string;
  audience: string;
  indicator: string;
}
interface Dataset {
  groups: BenchGroup[];
  users: BenchUser[];
  clients: BenchClient[];
  resources: BenchResource[];
  policies: PolicyRow[];
}

function dataset(): Dataset {
  const groups = Array.from({ length: groupCount }, (_, n): BenchGroup => ({ id: randomUUID(), name: `bench-group-${n}`, members: [] }));
  const users = Array.from({ length: userCount }, (_, n): BenchUser => ({ id: randomUUID(), subject: `bench-user-${n}`, groupIds: [], groupNames: [] }));
  for (const user of users) {
    const mine = new Set<BenchGroup>();
    while (mine.size < 3) {
      mine.add(pick(groups));
    }
    for (const group of mine) {
      user.groupIds.push(group.id);
      user.groupNames.push(group.name);
      group.members.push(user.id);
    }
  }
  const clients = Array.from({ length: clientCount }, (_, n): BenchClient => ({
    id: randomUUID(),
    clientId: `bench-client-${n}`,
    idpClientId: `bench-client-${n}-at-idp`,
    scopeCeiling: next() < 0.5 ? [] : some(scopeCatalogue, 6, 6),
  }));
  const resources = Array.from({ length: resourceCount }, (_, n): BenchResource => ({
    id: randomUUID(),
    slug: `rs-${n}`,
    audience: `https://rs-${n}.bench.example`,
    indicator: `https://rs-${n}.bench.example/mcp`,
  }));
  const policies: PolicyRow[] = [];
  for (const client of clients) {
    for (const resource of resources) {
      for (let k = 0; k < policiesPerPair; k++) {
        const kind = next();
        const deny = next() < 0.03;
        policies.push({
          id: randomUUID(),
          clientId: client.id,
          resourceId: resource.id,
          effect: deny ? 'deny' : 'allow',
          everyone: kind < 0.05,
          subjectGroupIds: kind >= 0.05 && kind < 0.85 ? some(groups, 1, 2).map((group) => group.id) : [],
          subjectUserIds: kind >= 0.85 ? some(users, 1, 3).map((user) => user.id) : [],
          scopes: deny ? [pick(scopeCatalogue)] : some(scopeCatalogue, 1, 4),
          conditions: conditions(),
          status: 'active',
          expiresAt: next() < 0.03 ? new Date(Date.now() + 30 * 86_400_000) : null,
        });
      }
    }
  }
  return { groups, users, clients, resources, policies };
}

function conditions(): PolicyConditions {
  const weekdays: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];
  return {
    ...(next() < 0.1 ? { timeWindow: { days: weekdays, start: '07:00', end: '20:00', timeZone: pick(zones) } } : {}),
    ...(next() < 0.1 ? { requiredAmr: ['mfa'] } : {}),
    ...(next() < 0.05 ? { requiredAcr: ['phr', 'phrh'] } : {}),
    ...(next() < 0.1 ? { maxLifetimeSeconds: 120 } : {}),
  };
}

async function seed(prisma: PrismaClient, data: Dataset, jwks: { keys: JWK[] }): Promise<void> {
  const idp = await prisma.trustedIdp.create({ data: { name: 'Bench IdP', issuer, jwks, audiences: [], groupsClaim: 'groups' } });
  await prisma.group.createMany({ data: data.groups.map((group) => ({ id: group.id, name: group.name, idpId: idp.id })) });
  await prisma.user.createMany({ data: data.users.map((user) => ({ id: user.id, idpId: idp.id, subject: user.subject, email: `${user.subject}@bench.example` })) });
  await prisma.membership.createMany({
    data: data.users.flatMap((user) => user.groupIds.map((groupId) => ({ userId: user.id, groupId, source: 'id_token' as const }))),
  });
  // One argon2id hash for every client: verification costs the same, and hashing 100 would only slow the seed.
  const secretHash = await hashPassword(clientSecret);
  await prisma.client.createMany({
    data: data.clients.map((client) => ({
      id: client.id,
      clientId: client.clientId,
      name: client.clientId,
      owner: 'bench@bench.example',
      authMethod: 'client_secret_basic' as const,
      secretHash,
      idpClientId: client.idpClientId,
      scopeCeiling: client.scopeCeiling,
    })),
  });
  await prisma.resource.createMany({
    data: data.resources.map((resource) => ({
      id: resource.id,
      slug: resource.slug,
      name: resource.slug,
      authorizationServer: resource.audience,
      resourceIndicators: [resource.indicator],
      scopes: scopeCatalogue.map((name) => ({ name, risk: name.startsWith('admin') ? 'high' : 'low' })),
      owner: 'bench@bench.example',
    })),
  });
  const chunk = 5_000;
  for (let start = 0; start < data.policies.length; start += chunk) {
    await prisma.policy.createMany({
      data: data.policies.slice(start, start + chunk).map((row, n) => ({
        id: row.id,
        name: `bench-policy-${start + n}`,
        clientId: row.clientId,
        resourceId: row.resourceId,
        effect: row.effect,
        everyone: row.everyone,
        subjectGroupIds: [...row.subjectGroupIds],
        subjectUserIds: [...row.subjectUserIds],
        scopes: [...row.scopes],
        conditions: row.conditions as object,
        status: row.status,
        expiresAt: row.expiresAt,
      })),
    });
  }
}

// ── Requests ─────────────────────────────────────────────────────────────────────────────────────

type Exchange = PreparedRequest;

const basic = (clientId: string, secret: string): string => `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/**
 * Requests a policy allows, judged by `@crossgate/policy` on the seeded rows now and in an hour (so a
 * time window cannot close during the run): a member of a group a random allow policy names (or a
 * user it names), for that policy's pair, asking for some of the scopes they would get.
 */
async function exchanges(data: Dataset, privateKey: CryptoKey, kid: string): Promise<Exchange[]> {
  const clientRows: ClientRow[] = data.clients.map((client) => ({ id: client.id, scopeCeiling: client.scopeCeiling }));
  const now = new Date();
  const index = compilePolicies(data.policies, clientRows, { now });
  const usersById = new Map(data.users.map((user) => [user.id, user]));
  const groupsById = new Map(data.groups.map((group) => [group.id, group]));
  const clientsById = new Map(data.clients.map((client) => [client.id, client]));
  const resourcesById = new Map(data.resources.map((resource) => [resource.id, resource]));
  const allows = data.policies.filter((row) => row.effect === 'allow');
  const tokens = new Map<string, Promise<string>>();
  const issuedAt = Math.floor(Date.now() / 1000);
  const idToken = (user: BenchUser, client: BenchClient): Promise<string> => {
    const key = `${user.id} ${client.id}`;
    let token = tokens.get(key);
    if (token === undefined) {
      token = new SignJWT({ groups: user.groupNames, email: `${user.subject}@bench.example`, auth_time: issuedAt - 60, ...authentication })
        .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid })
        .setIssuer(issuer)
        .setSubject(user.subject)
        .setAudience(client.idpClientId)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + 3600)
        .sign(privateKey);
      tokens.set(key, token);
    }
    return token;
  };

  const built: Exchange[] = [];
  let attempts = 0;
  while (built.length < requestCount) {
    if (++attempts > requestCount * 50) {
      throw new Error(`Only ${built.length} of ${requestCount} sampled requests are allowed by the seeded policies`);
    }
    const row = pick(allows);
    const group = row.subjectGroupIds.length > 0 ? groupsById.get(pick(row.subjectGroupIds)) : undefined;
    const user = usersById.get((group ? pick(group.members) : row.subjectUserIds.length > 0 ? pick(row.subjectUserIds) : pick(data.users).id) ?? '');
    if (user === undefined) {
      continue; // a group nobody is in
    }
    const ask = (requestedScopes: string[] | undefined, at: Date) =>
      decide(index, { clientId: row.clientId, resourceId: row.resourceId, user: { id: user.id, groupIds: user.groupIds }, now: at, authentication, ...(requestedScopes ? { requestedScopes } : {}) });
    const offered = ask(undefined, now);
    if (!offered.allowed) {
      continue;
    }
    const scopes = some(offered.grantedScopes, 1, 2);
    if (!ask(scopes, now).allowed || !ask(scopes, new Date(now.getTime() + 3_600_000)).allowed) {
      continue;
    }
    const client = clientsById.get(row.clientId) as BenchClient;
    const resource = resourcesById.get(row.resourceId) as BenchResource;
    const form = new URLSearchParams({
      grant_type: grantTypes.tokenExchange,
      requested_token_type: tokenTypes.idJag,
      subject_token: await idToken(user, client),
      subject_token_type: tokenTypes.idToken,
      audience: resource.audience,
      scope: scopes.join(' '),
    });
    built.push({ body: form.toString(), authorization: basic(client.clientId, clientSecret) });
  }
  console.log(`built ${built.length} exchange requests over ${tokens.size} ID tokens (${attempts - built.length} sampled requests refused by policy, skipped)`);
  return built;
}


// ── Run ──────────────────────────────────────────────────────────────────────────────────────────

/** What one API under load gave: the load phases, its CPU, and the audit it left. */
interface Exercise {
  maximum: Load;
  fixed: Load;
  cpuPerExchangeMs: number | null;
  firstSightPerSecond: number;
  counts: { audit: number; issued: number };
  ok: number;
  unanswered: number;
  /** Every 2xx exchange left one durable allow row and one IssuedToken row. */
  durable: boolean;
}

/**
 * The same phases on either database: the first exchange that is not 503 (the policy index is
 * loaded), six pre-flight exchanges, every prepared request once, then the warm-up, maximum
 * throughput and the steady rate; the audit rows once their counts hold still.
 */
async function exercise(mode: string, started: ApiProcess, apiStart: number, requests: Exchange[], prisma: PrismaClient): Promise<Exercise> {
  const tokenUrl = `${started.baseUrl}/oauth2/token`;
  // Until the policy index is loaded the endpoint answers 503 temporarily_unavailable.
  const first = await Promise.race([
    started.exited,
    waitFor('a first exchange that is not 503', 120_000, async () => {
      const reply = await post(tokenUrl, requests[0] as Exchange);
      return reply.status === 503 ? undefined : reply;
    }),
  ]);
  console.log(`${mode}: API up on ${started.baseUrl} in ${((Date.now() - apiStart) / 1000).toFixed(1)} s`);
  let preflightOk = 0;
  for (const reply of [first, ...(await Promise.all(requests.slice(1, 6).map((exchange) => post(tokenUrl, exchange))))]) {
    if (reply.status !== 200) {
      throw new Error(`A pre-flight exchange answered ${reply.status}, not 200: ${reply.body}`);
    }
    preflightOk += 1;
  }
  console.log(`${mode}: pre-flight: ${preflightOk} exchanges answered 200`);

  // Each user's first exchange provisions them (a write transaction); later ones find them known.
  // The load phases measure the steady state, so every prepared request is sent once first.
  const firstSightStart = Date.now();
  let nextFirst = 0;
  let firstSightRefused = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (nextFirst < requests.length) {
        const reply = await post(tokenUrl, requests[nextFirst++] as Exchange);
        firstSightRefused += reply.status === 200 ? 0 : 1;
      }
    }),
  );
  const firstSightPerSecond = round(requests.length / ((Date.now() - firstSightStart) / 1000));
  console.log(`${mode}: first exchange of each of ${requests.length} prepared requests (16 at a time): ${firstSightPerSecond} req/s, ${firstSightRefused} not 200`);
  if (firstSightRefused > 0) {
    throw new Error(`${firstSightRefused} first exchanges were refused`);
  }

  const loads: Load[] = [];
  if (warmupSeconds > 0) {
    loads.push(await drive(`${mode}: exchange warm-up`, tokenUrl, requests, warmupSeconds, connections));
  }
  const apiPid = started.child.pid!;
  const cpuBefore = cpuSecondsOf(apiPid);
  const maximum = await drive(`${mode}: exchange, maximum throughput`, tokenUrl, requests, seconds, connections);
  const cpuAfter = cpuSecondsOf(apiPid);
  const cpuPerExchangeMs = cpuBefore === null || cpuAfter === null || maximum.ok === 0 ? null : Math.round(((cpuAfter - cpuBefore) * 1e6) / maximum.ok) / 1000;
  console.log(`${mode}: API process: ${cpuPerExchangeMs ?? '?'} ms of CPU per exchange at maximum throughput`);
  const fixed = await driveAtRate(`${mode}: exchange, steady ${fixedRate} req/s`, tokenUrl, requests, seconds, fixedRate, connections);
  loads.push(maximum, fixed);

  const counts = await settledCounts(async () => ({
    audit: await prisma.auditEvent.count({ where: { action: 'token_exchange', decision: 'allow' } }),
    issued: await prisma.issuedToken.count({ where: { kind: 'id_jag' } }),
  }));
  const denied = await prisma.auditEvent.count({ where: { action: 'token_exchange', decision: { not: 'allow' } } });

  const ok = preflightOk + requests.length + loads.reduce((sum, load) => sum + load.ok, 0);
  const unanswered = loads.reduce((sum, load) => sum + load.unanswered, 0);
  // Exact when nothing was in flight at a stop; otherwise each unanswered request may have completed.
  const durable = counts.audit === counts.issued && counts.audit >= ok && counts.audit <= ok + unanswered;
  console.log(
    `${mode}: audit: ${counts.audit} allow rows, ${denied} deny rows, ${counts.issued} issued ID-JAGs; ${ok} 2xx answers` +
      `${unanswered > 0 ? ` and ${unanswered} requests unanswered at a stop (may have completed)` : ''} → ${durable ? 'consistent' : 'MISMATCH'}`,
  );
  return { maximum, fixed, cpuPerExchangeMs, firstSightPerSecond, counts, ok, unanswered, durable };
}

/** The embedded default's children and data directories, for the clean-up. */
interface EmbeddedRuns {
  api: ChildProcess | undefined;
  dataDirs: { remove(): Promise<void> }[];
}

/** Starts the API on the embedded default in `dataDir` and returns it once `/readyz` answers, with the time that took. */
async function startEmbedded(runs: EmbeddedRuns, dataDir: string): Promise<{ started: ApiProcess; startedAt: number; readyMs: number }> {
  const startedAt = Date.now();
  const started = await startEmbeddedApi(dataDir, { adminPassword });
  runs.api = started.child;
  return { started, startedAt, readyMs: Date.now() - startedAt };
}

async function stopEmbedded(runs: EmbeddedRuns): Promise<void> {
  await stopChild(runs.api, { graceMs: embeddedStopGraceMs });
  runs.api = undefined;
}

/**
 * The embedded default under the same load: the API without DATABASE_URL and REDIS_URL on a fresh
 * data directory; once it is up, the same rows seeded through its database's URL (read from the data
 * directory, as a worker of its own would join it); restarted, so it loads the seeded policies as at
 * any start; then the same phases. Last, start-up to `/readyz` on another fresh data directory,
 * twice: the first creates the cluster, the second reuses it.
 */
async function embeddedMode(runs: EmbeddedRuns, requests: Exchange[], seedInto: (prisma: PrismaClient) => Promise<void>) {
  const dataDir = await temporaryDataDir();
  runs.dataDirs.push(dataDir);
  await startEmbedded(runs, dataDir.path);
  const seedTarget = createPrismaClient((await joinEmbeddedPostgres(dataDir.path)).url);
  const seedStart = Date.now();
  try {
    await seedInto(seedTarget);
  } finally {
    await seedTarget.$disconnect();
  }
  console.log(`embedded: seeded in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`);
  await stopEmbedded(runs);

  const { started, startedAt } = await startEmbedded(runs, dataDir.path);
  const prisma = createPrismaClient((await joinEmbeddedPostgres(dataDir.path)).url);
  let result: Exercise;
  try {
    result = await exercise('embedded', started, startedAt, requests, prisma);
  } finally {
    await prisma.$disconnect();
    await stopEmbedded(runs);
  }

  const startupDir = await temporaryDataDir();
  runs.dataDirs.push(startupDir);
  const startupFirstMs = (await startEmbedded(runs, startupDir.path)).readyMs;
  await stopEmbedded(runs);
  const startupSecondMs = (await startEmbedded(runs, startupDir.path)).readyMs;
  await stopEmbedded(runs);
  console.log(`embedded: start-up to /readyz ${startupFirstMs} ms on a fresh data directory, ${startupSecondMs} ms on the same one again`);
  return { ...result, startupFirstMs, startupSecondMs };
}

/** The fields both modes report. */
function figures(result: Exercise): Record<string, unknown> {
  return {
    req_per_s: result.maximum.reqPerSecond,
    p50_ms: result.maximum.p50,
    p99_ms: result.maximum.p99,
    non_2xx: result.maximum.non2xx,
    api_cpu_ms_per_exchange: result.cpuPerExchangeMs,
    rate_1000_p50_ms: result.fixed.p50,
    rate_1000_p99_ms: result.fixed.p99,
    rate_1000_req_per_s: result.fixed.reqPerSecond,
    rate_1000_non_2xx: result.fixed.non2xx,
    rate_1000_driver_delay_max_ms: result.fixed.driverLoopDelay?.max ?? null,
  };
}

/** `embedded_ratio` must reach this: the embedded default at least half the server mode's throughput. */
const embeddedRatioTarget = 0.5;

async function main(): Promise<void> {
  const began = Date.now();
  const withEmbedded = process.argv.includes('--embedded');
  const build = buildServer();
  const database = await createBenchDatabase();
  const { prisma } = database;
  let api: ChildProcess | undefined;
  let baseline: ChildProcess | undefined;
  const embeddedRuns: EmbeddedRuns = { api: undefined, dataDirs: [] };
  let cleaned: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaned ??= (async () => {
      await stopEmbedded(embeddedRuns);
      await Promise.all(embeddedRuns.dataDirs.map((dataDir) => dataDir.remove()));
      await database.cleanUp([api, baseline]);
    })());
  const interrupted = () => {
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  let summary: Record<string, unknown> | undefined;
  let failed = false;
  try {
    // In a function of its own, so the dataset (100k policies and their index) is garbage once the
    // requests are built: a heap of gigabytes would slow the load generator that shares this process.
    // With --embedded the rows (not the index) stay, to seed the embedded database the same way.
    const { policyRows, requests, seedAgain } = await (async () => {
      const data = dataset();
      const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
      const kid = 'bench-idp-es256';
      const jwks = { keys: [{ ...(await exportJWK(publicKey)), alg: 'ES256', use: 'sig', kid }] };
      const seedStart = Date.now();
      await seed(prisma, data, jwks);
      const rows = await prisma.policy.count();
      console.log(`seeded ${rows} policies, ${data.clients.length} clients, ${data.resources.length} resources, ${data.groups.length} groups, ${data.users.length} users in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`);
      return { policyRows: rows, requests: await exchanges(data, privateKey, kid), seedAgain: withEmbedded ? (target: PrismaClient) => seed(target, data, jwks) : undefined };
    })();

    await build;
    console.log('built the server (npm run build:server)');
    const apiStart = Date.now();
    const started = await startApi(database.run, { adminPassword });
    api = started.child;
    const server = await exercise('server', started, apiStart, requests, prisma);
    await stopChild(api);

    baseline = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', fileURLToPath(import.meta.url), '--oidc-provider'], { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    const baselineOutput = relay(baseline, 'oidc-provider');
    const baselinePort = await waitFor('the oidc-provider baseline', 60_000, async () => {
      const line = baselineOutput.find((text) => text.startsWith('listening '));
      return line === undefined ? undefined : Number(line.slice('listening '.length));
    });
    const baselineUrl = `http://127.0.0.1:${baselinePort}/token`;
    const credentials: Exchange = { body: new URLSearchParams({ grant_type: 'client_credentials' }).toString(), authorization: basic('bench-baseline', clientSecret) };
    const baselineReply = await post(baselineUrl, credentials);
    if (baselineReply.status !== 200) {
      throw new Error(`The oidc-provider baseline answered ${baselineReply.status}: ${baselineReply.body}`);
    }
    if (warmupSeconds > 0) {
      await drive('oidc-provider client_credentials warm-up', baselineUrl, [credentials], warmupSeconds, connections);
    }
    const reference = await drive('oidc-provider client_credentials, maximum throughput', baselineUrl, [credentials], seconds, connections);
    await stopChild(baseline);

    summary = {
      bench: 'exchange',
      policy_rows: policyRows,
      ...figures(server),
      baseline_req_per_s: reference.reqPerSecond,
      baseline_p99_ms: reference.p99,
      ratio: reference.reqPerSecond > 0 ? round(server.maximum.reqPerSecond / reference.reqPerSecond) : null,
      audit_rows: server.counts.audit,
      issued_tokens: server.counts.issued,
      exchange_2xx: server.ok,
      first_exchanges_per_s: server.firstSightPerSecond,
      unanswered_at_stop: server.unanswered,
    };
    failed = !server.durable;

    if (seedAgain !== undefined) {
      const embedded = await embeddedMode(embeddedRuns, requests, seedAgain);
      const embeddedRatio = server.maximum.reqPerSecond > 0 ? round(embedded.maximum.reqPerSecond / server.maximum.reqPerSecond) : null;
      summary = {
        ...summary,
        embedded: {
          ...figures(embedded),
          audit_rows: embedded.counts.audit,
          issued_tokens: embedded.counts.issued,
          first_exchanges_per_s: embedded.firstSightPerSecond,
          startup_first_ms: embedded.startupFirstMs,
          startup_second_ms: embedded.startupSecondMs,
        },
        embedded_ratio: embeddedRatio,
        embedded_ratio_met: embeddedRatio !== null && embeddedRatio >= embeddedRatioTarget,
      };
      console.log(`embedded / server req_per_s: ${embeddedRatio ?? '?'} (at least ${embeddedRatioTarget} required)`);
      failed ||= !embedded.durable || summary['embedded_ratio_met'] !== true;
    }
    summary = { ...summary, connections, seconds, total_s: round((Date.now() - began) / 1000) };
  } catch (error) {
    failed = true;
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  } finally {
    await cleanUp();
  }
  if (summary) {
    console.log(JSON.stringify(summary));
  }
  // Stray pool and timer handles must not keep the run alive once the numbers are out.
  process.exit(failed ? 1 : 0);
}

// The same file serves the baseline provider's child process.
if (process.argv.includes('--oidc-provider')) {
  await serveOidcProvider();
} else {
  await main();
}
