/**
 * `npm run bench:vault`: vaulted-key retrievals over real HTTP (`POST /oauth2/token`, token exchange
 * with `requested_token_type` api-key), against the built API as a child process on a database of
 * its own. Setup goes through the admin API (libs/testing connection-pair.ts): an IdP with pinned
 * keys, an agent, a resource, a policy, a vaulted_key connection and its credential. ID tokens of
 * BENCH_USERS users are pre-signed; each is sent once first (provisioning the user), then autocannon
 * drives the endpoint at maximum throughput. Every 2xx retrieval must leave exactly one durable
 * `secret_retrieval` allow row. Then it runs `bench/rotate.ts` (1,000 rotations against the local
 * legacy API, in a child process with a database of its own) and reports its time as
 * `rotate_1000_s`. The last line is one JSON object. BENCH_SECONDS, BENCH_WARMUP_SECONDS,
 * BENCH_CONNECTIONS and BENCH_USERS reshape a run; BENCH_SKIP_ROTATE=1 leaves the rotations out.
 */
import { spawn } from 'node:child_process';

import { connectionTokenTypes } from '@crossgate/domain';
import { AdminHttp, createAdmin, expectStatus, idTokenType, setUpConnectionPair, stopChild, tokenExchangeGrant, waitFor } from '@crossgate/testing';

import { buildServer, createBenchDatabase, numberFromEnv, repositoryRoot, settledCounts, startApi } from './support/bench-api.ts';
import { drive, type Load, post, type PreparedRequest, round } from './support/http-load.ts';

const seconds = numberFromEnv('BENCH_SECONDS', 15);
const warmupSeconds = numberFromEnv('BENCH_WARMUP_SECONDS', 3);
const connections = numberFromEnv('BENCH_CONNECTIONS', 64);
const userCount = numberFromEnv('BENCH_USERS', 200);
const adminPassword = 'bench admin password, not a secret';
const benchKey = 'sk_bench_vaulted_key_not_a_secret';

async function main(): Promise<void> {
  const build = buildServer();
  const database = await createBenchDatabase();
  const { prisma } = database;
  let api: Awaited<ReturnType<typeof startApi>> | undefined;
  let cleaning: Promise<void> | undefined;
  // Once: the retrievals' database goes before the rotation bench starts, or at the end on a failure.
  const cleanUp = () => (cleaning ??= database.cleanUp([api?.child]));
  process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));
  let failed = false;
  try {
    await build;
    api = await startApi(database.run, { adminPassword });
    const tokenUrl = `${api.baseUrl}/oauth2/token`;
    const admin = await AdminHttp.signIn(api.baseUrl, 'admin@crossgate.local', adminPassword);
    const pair = await setUpConnectionPair(admin, 'bench', AdminHttp.withToken(api.baseUrl, (await createAdmin(prisma, 'it-admin')).token));
    const connectionId = await pair.connect('vaulted_key');
    expectStatus(await admin.put(`/api/connections/${connectionId}/credential`, { value: benchKey }), 200, 'PUT /api/connections/:id/credential');
    const authorization = `Basic ${Buffer.from(`${encodeURIComponent(pair.agent.clientId)}:${encodeURIComponent(pair.agent.secret)}`).toString('base64')}`;
    const requests: PreparedRequest[] = [];
    for (let n = 0; n < userCount; n++) {
      const body = new URLSearchParams({
        grant_type: tokenExchangeGrant,
        requested_token_type: connectionTokenTypes.vaulted_key,
        subject_token_type: idTokenType,
        subject_token: await pair.idToken(`bench-user-${n}`),
        audience: pair.resource.audience,
        resource: pair.resource.indicator,
      });
      requests.push({ body: body.toString(), authorization });
    }
    // The directory reloads after the credential write; wait for a 200.
    await waitFor('a first retrieval', 30_000, async () => ((await post(tokenUrl, requests[0]!)).status === 200 ? true : undefined));
    let refused = 0;
    for (const request of requests) {
      const reply = await post(tokenUrl, request);
      refused += reply.status === 200 && reply.body.includes(benchKey) ? 0 : 1;
    }
    if (refused > 0) {
      throw new Error(`${refused} first retrievals did not answer the key`);
    }
    console.log(`first retrieval of each of ${requests.length} users: all 200`);

    const loads: Load[] = [];
    if (warmupSeconds > 0) {
      loads.push(await drive('retrieval warm-up', tokenUrl, requests, warmupSeconds, connections));
    }
    const maximum = await drive('retrieval, maximum throughput', tokenUrl, requests, seconds, connections);
    loads.push(maximum);

    const { audit } = await settledCounts(async () => ({ audit: await prisma.auditEvent.count({ where: { action: 'secret_retrieval', decision: 'allow' } }) }));
    const ok = 1 + requests.length + loads.reduce((sum, load) => sum + load.ok, 0);
    const unanswered = loads.reduce((sum, load) => sum + load.unanswered, 0);
    const durable = audit >= ok && audit <= ok + unanswered;
    console.log(`audit: ${audit} secret_retrieval allow rows for ${ok} 2xx answers${unanswered > 0 ? ` (+${unanswered} unanswered at a stop)` : ''} → ${durable ? 'consistent' : 'MISMATCH'}`);
    failed = !durable;
    await stopChild(api.child);
    await cleanUp();
    const rotation = process.env['BENCH_SKIP_ROTATE'] === '1' ? null : await rotateBench();
    failed ||= rotation !== null && rotation['met'] !== true;
    console.log(
      JSON.stringify({
        bench: 'vault',
        retrievals_per_s: round(maximum.reqPerSecond),
        p50_ms: maximum.p50,
        p99_ms: maximum.p99,
        non2xx: maximum.non2xx,
        errors: maximum.errors,
        connections,
        users: userCount,
        seconds,
        audit_rows_consistent: durable,
        rotate_1000_s: rotation === null ? null : rotation['seconds'],
        rotate_connections: rotation === null ? null : rotation['connections'],
        rotate_target_s: 30,
      }),
    );
  } catch (error) {
    failed = true;
    console.error(error);
  } finally {
    await stopChild(api?.child);
    await cleanUp();
  }
  process.exit(failed ? 1 : 0);
}

/** Runs bench/rotate.ts, relaying its lines, and returns its closing JSON object. */
async function rotateBench(): Promise<Record<string, unknown>> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'bench/rotate.ts'], { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    process.stdout.write(chunk.toString('utf8').replace(/^(?=.)/gm, '[rotate] '));
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const last = output.trim().split('\n').at(-1) ?? '';
  if (code !== 0 || !last.startsWith('{')) {
    throw new Error(`bench/rotate.ts failed (exit ${String(code)})`);
  }
  return JSON.parse(last) as Record<string, unknown>;
}

void main();
