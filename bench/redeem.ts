/**
 * `npm run bench:redeem`: the resource-side authorization server over real HTTP, against the built
 * API as a child process on a database of its own:
 * - seeds one trusted IdP (pinned JWKS), 1,000 users, 20 `client_secret_basic` agents, one resource
 *   server client, 10 resources protected by Crossgate (`/ras/rs-<n>`) and an `everyone` policy per pair,
 * - mints real ID-JAGs through Crossgate's own token exchange (one per redemption to come: each
 *   `jti` may be redeemed once),
 * - drives `POST /ras/<slug>/token` (JWT bearer grant) with autocannon at maximum throughput, then
 *   open-loop at a steady rate; every redemption records its `jti` durably, an IssuedToken row and
 *   an audit event,
 * - drives `POST /ras/<slug>/introspect` with autocannon at maximum throughput over 2,000 live
 *   access tokens (each introspection audited), next to Hydra's published 5,109 introspections/s
 *   (2 CPU, in-memory) as the reference,
 * - checks that every 2xx redemption left exactly one `allow` audit row and one access-token row.
 * The database and Redis keys are removed at the end, even on failure. The last line printed is one
 * JSON object. BENCH_SECONDS, BENCH_WARMUP_SECONDS, BENCH_CONNECTIONS, BENCH_RATE and
 * BENCH_MAX_REDEMPTIONS_PER_S (how many ID-JAGs to mint per second of the maximum-throughput run)
 * reshape a run.
 */
import { randomUUID } from 'node:crypto';

import { exportJWK, generateKeyPair, SignJWT } from 'jose';

import { type ApiProcess, waitFor } from '@crossgate/testing';
import { grantTypes, tokenTypes } from '@crossgate/token';

import { hashPassword } from '../apps/api/src/auth/credentials.ts';
import { type BenchDatabase, buildServer, cpuSecondsOf, createBenchDatabase, numberFromEnv, runBench, settledCounts, startApi, threadNiceOf } from './support/bench-api.ts';
import { drive, driveAtRate, type Load, post, type PreparedRequest, round } from './support/http-load.ts';

const seconds = numberFromEnv('BENCH_SECONDS', 10);
const warmupSeconds = numberFromEnv('BENCH_WARMUP_SECONDS', 2);
const connections = numberFromEnv('BENCH_CONNECTIONS', 64);
const fixedRate = numberFromEnv('BENCH_RATE', 2_000);
const mintPerSecond = numberFromEnv('BENCH_MAX_REDEMPTIONS_PER_S', 4_000);
const introspectedTokens = 2_000;
const hydraIntrospectionsPerSecond = 5_109;

const publicUrl = 'https://crossgate.bench.example';
const issuer = 'https://idp.bench.example';
const clientSecret = 'bench client secret, the same for every client';
const adminPassword = 'bench admin password, not a secret';
const userCount = 1_000;
const clientCount = 20;
const resourceCount = 10;
const scopes = ['notes.read', 'notes.write'];

interface Seeded {
  clients: { clientId: string; idpClientId: string }[];
  resources: { slug: string; issuer: string }[];
  resourceServer: string;
  sign: (subject: string, audience: string) => Promise<string>;
}

async function seed(database: BenchDatabase): Promise<Seeded> {
  const { prisma } = database;
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = 'bench-idp-es256';
  const idp = await prisma.trustedIdp.create({ data: { name: 'Bench IdP', issuer, jwks: { keys: [{ ...(await exportJWK(publicKey)), alg: 'ES256', use: 'sig', kid }] }, audiences: [] } });
  await prisma.user.createMany({ data: Array.from({ length: userCount }, (_, n) => ({ idpId: idp.id, subject: `bench-user-${n}` })) });
  const secretHash = await hashPassword(clientSecret);
  const clients = Array.from({ length: clientCount }, (_, n) => ({ id: randomUUID(), clientId: `bench-agent-${n}`, idpClientId: `bench-agent-${n}-at-idp` }));
  const resourceServer = { id: randomUUID(), clientId: 'bench-resource-server' };
  await prisma.client.createMany({
    data: [...clients, { ...resourceServer, idpClientId: null }].map((client) => ({ ...client, name: client.clientId, owner: 'bench@bench.example', authMethod: 'client_secret_basic' as const, secretHash, scopeCeiling: [], kind: 'ai_agent' as const })),
  });
  const resources = Array.from({ length: resourceCount }, (_, n) => ({ id: randomUUID(), slug: `rs-${n}`, issuer: `${publicUrl}/ras/rs-${n}` }));
  await prisma.resource.createMany({
    data: resources.map((resource) => ({
      id: resource.id,
      slug: resource.slug,
      name: resource.slug,
      kind: 'mcp_server' as const,
      authorizationServer: resource.issuer,
      resourceIndicators: [`https://${resource.slug}.bench.example/mcp`],
      scopes: scopes.map((name) => ({ name, risk: 'low' })),
      owner: 'bench@bench.example',
      rasEnabled: true,
      introspectionClientIds: [resourceServer.id],
    })),
  });
  await prisma.policy.createMany({
    data: clients.flatMap((client) =>
      resources.map((resource) => ({ name: `${client.clientId} → ${resource.slug}`, clientId: client.id, resourceId: resource.id, everyone: true, scopes, status: 'active' as const })),
    ),
  });
  const issuedAt = Math.floor(Date.now() / 1000);
  const idTokens = new Map<string, Promise<string>>();
  const sign = (subject: string, audience: string) => {
    const key = `${subject} ${audience}`;
    let token = idTokens.get(key);
    if (token === undefined) {
      token = new SignJWT({}).setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid }).setIssuer(issuer).setSubject(subject).setAudience(audience).setIssuedAt(issuedAt).setExpirationTime(issuedAt + 3600).sign(privateKey);
      idTokens.set(key, token);
    }
    return token;
  };
  console.log(`seeded ${userCount} users, ${clientCount} agents, ${resourceCount} protected resources, ${clientCount * resourceCount} policies`);
  return { clients, resources: resources.map(({ slug, issuer: resourceIssuer }) => ({ slug, issuer: resourceIssuer })), resourceServer: resourceServer.clientId, sign };
}

const basic = (clientId: string): string => `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;

/**
 * `count` redemption requests at `resource`, each with an ID-JAG of its own minted by Crossgate's
 * token exchange, 32 exchanges at a time; rotates users and agents.
 */
async function mintRedemptions(api: ApiProcess, seeded: Seeded, resource: Seeded['resources'][number], count: number, offset: number): Promise<PreparedRequest[]> {
  const redemptions: PreparedRequest[] = new Array<PreparedRequest>(count);
  let next = 0;
  let refused = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < count) {
        const n = next++;
        const turn = offset + n;
        const client = seeded.clients[turn % clientCount]!;
        const exchange = new URLSearchParams({
          grant_type: grantTypes.tokenExchange,
          requested_token_type: tokenTypes.idJag,
          subject_token_type: tokenTypes.idToken,
          subject_token: await seeded.sign(`bench-user-${turn % userCount}`, client.idpClientId),
          audience: resource.issuer,
        });
        const reply = await post(`${api.baseUrl}/oauth2/token`, { body: exchange.toString(), authorization: basic(client.clientId) });
        if (reply.status !== 200) {
          refused += 1;
          throw new Error(`An exchange answered ${reply.status}: ${reply.body}`);
        }
        const idJag = (JSON.parse(reply.body) as { access_token: string }).access_token;
        redemptions[n] = {
          body: new URLSearchParams({ grant_type: grantTypes.jwtBearer, assertion: idJag }).toString(),
          authorization: basic(client.clientId),
        };
      }
    }),
  );
  console.log(`minted ${count} ID-JAGs through the token exchange in ${((Date.now() - started) / 1000).toFixed(1)} s (${refused} refused)`);
  return redemptions;
}

async function main(): Promise<void> {
  const began = Date.now();
  const build = buildServer();
  const database = await createBenchDatabase();
  let api: ApiProcess | undefined;
  await runBench(async () => {
    const seeded = await seed(database);
    await build;
    console.log('built the server (npm run build:server)');
    api = await startApi(database.run, { adminPassword, publicUrl });
    const started = api;
    await Promise.race([
      started.exited,
      waitFor('a first exchange that is not 503', 120_000, async () => {
        const [probe] = await mintRedemptions(started, seeded, seeded.resources[0]!, 1, 0).catch(() => []);
        return probe;
      }),
    ]);
    console.log(`API up on ${started.baseUrl}`);

    // Redemptions go to one resource (autocannon drives one URL); the directory holds all of them.
    const target = seeded.resources[0]!;
    const slug = target.slug;
    const perPhase = (phaseSeconds: number, perSecond: number) => Math.ceil(phaseSeconds * perSecond);
    let minted = 0;
    const mint = async (count: number) => {
      minted += count;
      return mintRedemptions(started, seeded, target, count, minted);
    };

    const preflight = await mint(5);
    for (const redemption of preflight) {
      const reply = await post(`${started.baseUrl}/ras/${slug}/token`, redemption);
      if (reply.status !== 200) {
        throw new Error(`A pre-flight redemption answered ${reply.status}, not 200: ${reply.body}`);
      }
    }
    console.log(`pre-flight: ${preflight.length} redemptions answered 200`);

    const tokenUrl = `${started.baseUrl}/ras/${slug}/token`;
    const loads: Load[] = [];
    if (warmupSeconds > 0) {
      loads.push(await drive('redemption warm-up', tokenUrl, await mint(perPhase(warmupSeconds, mintPerSecond)), warmupSeconds, connections));
    }
    const maximumRequests = await mint(perPhase(seconds, mintPerSecond));
    const apiPid = started.child.pid!;
    const cpuBefore = cpuSecondsOf(apiPid);
    const maximum = await drive('redemption, maximum throughput', tokenUrl, maximumRequests, seconds, connections);
    const cpuAfter = cpuSecondsOf(apiPid);
    const cpuPerRedemptionMs = cpuBefore === null || cpuAfter === null || maximum.ok === 0 ? null : Math.round(((cpuAfter - cpuBefore) * 1e6) / maximum.ok) / 1000;
    const nice = threadNiceOf(apiPid);
    console.log(`API process: ${cpuPerRedemptionMs ?? '?'} ms of CPU per redemption at maximum throughput; helper threads at nice ${nice?.helpers.join('/') ?? '?'} beside the event loop at ${nice?.eventLoop ?? '?'}`);
    if (maximum.ok + maximum.non2xx >= maximumRequests.length) {
      console.log(`(the maximum-throughput run used up its ${maximumRequests.length} ID-JAGs: later requests were replays; raise BENCH_MAX_REDEMPTIONS_PER_S)`);
    }
    const fixed = await driveAtRate(`redemption, steady ${fixedRate} req/s`, tokenUrl, await mint(perPhase(seconds, fixedRate)), seconds, fixedRate, connections);
    loads.push(maximum, fixed);

    // Live access tokens for introspection, each redeemed once, rotating over the resource's tokens.
    const introspectionRequests: PreparedRequest[] = [];
    for (const redemption of await mint(Math.ceil(introspectedTokens))) {
      const reply = await post(tokenUrl, redemption);
      if (reply.status === 200) {
        const token = (JSON.parse(reply.body) as { access_token: string }).access_token;
        introspectionRequests.push({ body: new URLSearchParams({ token }).toString(), authorization: basic(seeded.resourceServer) });
      }
    }
    const introspectUrl = `${started.baseUrl}/ras/${slug}/introspect`;
    const probe = await post(introspectUrl, introspectionRequests[0]!);
    if (probe.status !== 200 || !(JSON.parse(probe.body) as { active: boolean }).active) {
      throw new Error(`A pre-flight introspection answered ${probe.status}: ${probe.body}`);
    }
    if (warmupSeconds > 0) {
      await drive('introspection warm-up', introspectUrl, introspectionRequests, warmupSeconds, connections);
    }
    const introspection = await drive('introspection, maximum throughput', introspectUrl, introspectionRequests, seconds, connections);

    const { prisma } = database;
    const counts = await settledCounts(async () => ({
      audit: await prisma.auditEvent.count({ where: { action: 'jwt_bearer_redemption', decision: 'allow' } }),
      issued: await prisma.issuedToken.count({ where: { kind: 'access_token' } }),
      redeemed: await prisma.redeemedAssertion.count(),
    }));
    const ok = preflight.length + introspectionRequests.length + loads.reduce((sum, load) => sum + load.ok, 0);
    const unanswered = loads.reduce((sum, load) => sum + load.unanswered, 0);
    const durable = counts.audit === counts.issued && counts.audit >= ok && counts.audit <= ok + unanswered && counts.redeemed >= counts.audit;
    console.log(`audit: ${counts.audit} allow redemptions, ${counts.issued} access tokens, ${counts.redeemed} redeemed ID-JAGs; ${ok} 2xx answers → ${durable ? 'consistent' : 'MISMATCH'}`);

    const summary = {
      bench: 'redeem',
      // 2xx answers over the run's actual length.
      redemptions_per_s: round(maximum.ok / maximum.seconds),
      p50_ms: maximum.p50,
      p99_ms: maximum.p99,
      non_2xx: maximum.non2xx,
      api_cpu_ms_per_redemption: cpuPerRedemptionMs,
      helper_thread_nice: nice?.helpers.length === 1 ? nice.helpers[0] : null,
      [`rate_${fixedRate}_redemptions_per_s`]: fixed.reqPerSecond,
      [`rate_${fixedRate}_p50_ms`]: fixed.p50,
      [`rate_${fixedRate}_p99_ms`]: fixed.p99,
      [`rate_${fixedRate}_non_2xx`]: fixed.non2xx,
      introspections_per_s: round(introspection.ok / introspection.seconds),
      introspection_p50_ms: introspection.p50,
      introspection_p99_ms: introspection.p99,
      introspection_non_2xx: introspection.non2xx,
      introspected_tokens: introspectionRequests.length,
      reference_hydra_introspections_per_s: hydraIntrospectionsPerSecond,
      audit_rows: counts.audit,
      issued_access_tokens: counts.issued,
      redeemed_id_jags: counts.redeemed,
      unanswered_at_stop: unanswered,
      connections,
      seconds,
      total_s: round((Date.now() - began) / 1000),
    };
    return { summary, failed: !durable };
  }, () => database.cleanUp([api?.child]));
}

await main();
