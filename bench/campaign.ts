/**
 * `npm run bench:campaign`: an access-review campaign at scale, over real HTTP against the built API
 * on a database of its own:
 * - seeds BENCH_CAMPAIGN_CLIENTS (20) agents × BENCH_CAMPAIGN_RESOURCES (10) resources, one active
 *   policy per pair naming BENCH_CAMPAIGN_USERS_PER_POLICY (500) of 5,000 users, so 100,000 items; a
 *   service-account connection on one pair in ten; and BENCH_CAMPAIGN_TOKENS (20,000) issuance records
 *   over the last 60 days (a few still live), so the usage evidence has rows to join;
 * - creates and launches a campaign over everything (`launch_s`: snapshot with evidence);
 * - revokes every item of one agent in ten with two bulk decisions (10% of the items);
 * - exports the evidence pack as CSV (`export_s`, the whole body read) and checks its digest is the
 *   one the audit log recorded;
 * - closes the campaign (`close_s`: outcomes, policies changed through the policy service, the
 *   orphaned connections disabled, the live tokens ended through kill switches).
 * Targets: launch_s ≤ 10, export_s ≤ 10, close_s ≤ 30. The database and Redis keys are removed at the
 * end, even on failure. The last line printed is one JSON object; the run exits 1 when a check fails.
 */
import { createHash, randomUUID } from 'node:crypto';

import { AdminHttp, type ApiProcess } from '@crossgate/testing';

import { type BenchDatabase, buildServer, createBenchDatabase, numberFromEnv, runBench, startApi } from './support/bench-api.ts';
import { round } from './support/http-load.ts';
import { seededRandom } from './support/seeded-random.ts';

const clientCount = numberFromEnv('BENCH_CAMPAIGN_CLIENTS', 20);
const resourceCount = numberFromEnv('BENCH_CAMPAIGN_RESOURCES', 10);
const usersPerPolicy = numberFromEnv('BENCH_CAMPAIGN_USERS_PER_POLICY', 500);
const userCount = numberFromEnv('BENCH_CAMPAIGN_USER_POOL', 5_000);
const tokenCount = numberFromEnv('BENCH_CAMPAIGN_TOKENS', 20_000);
const targets = { launchS: 10, exportS: 10, closeS: 30 };
const adminPassword = 'bench admin password, not a secret';
const adminEmail = 'admin@crossgate.local';
const scopes = [
  { name: 'notes.read', risk: 'low' },
  { name: 'notes.write', risk: 'medium' },
  { name: 'notes.delete', risk: 'high' },
];

interface Seeded {
  clientIds: string[];
  items: number;
}

async function seed(database: BenchDatabase): Promise<Seeded> {
  const { prisma } = database;
  const random = seededRandom(7);
  const idp = await prisma.trustedIdp.create({ data: { name: 'Bench IdP', issuer: 'https://idp.bench.example', jwks: { keys: [] }, audiences: [] } });
  const userIds = Array.from({ length: userCount }, () => randomUUID());
  await prisma.user.createMany({ data: userIds.map((id, n) => ({ id, idpId: idp.id, subject: `user-${n}`, email: `user-${n}@bench.example` })) });
  const clientIds = Array.from({ length: clientCount }, () => randomUUID());
  await prisma.client.createMany({ data: clientIds.map((id, n) => ({ id, clientId: `bench-agent-${n}`, name: `Bench agent ${n}`, kind: 'ai_agent' as const, owner: `owner-${n}@bench.example` })) });
  const resourceIds = Array.from({ length: resourceCount }, () => randomUUID());
  await prisma.resource.createMany({
    data: resourceIds.map((id, n) => ({ id, slug: `bench-resource-${n}`, name: `Bench resource ${n}`, authorizationServer: `https://as-${n}.bench.example`, resourceIndicators: [], scopes, owner: adminEmail })),
  });
  const pairs = clientIds.flatMap((clientId) => resourceIds.map((resourceId) => ({ clientId, resourceId })));
  const subjects = pairs.map(() => {
    const start = Math.floor(random.next() * userCount);
    return Array.from({ length: usersPerPolicy }, (_, k) => userIds[(start + k) % userCount] as string);
  });
  await prisma.policy.createMany({
    data: pairs.map((pair, n) => ({
      name: `bench policy ${n}`,
      ...pair,
      subjectUserIds: subjects[n] as string[],
      scopes: scopes.map((scope) => scope.name),
      status: 'active' as const,
      approvedBy: adminEmail,
      approvedAt: new Date(),
    })),
  });
  await prisma.connection.createMany({
    data: pairs
      .filter((_, n) => n % 10 === 0)
      .map((pair, n) => ({ name: `bench service account ${n}`, ...pair, pattern: 'service_account' as const, owner: adminEmail, accountName: `svc-${n}`, justification: 'bench: a legacy share without OAuth', sunsetAt: new Date(Date.now() + 90 * 86_400_000) })),
  });
  const now = Date.now();
  const tokens = Array.from({ length: tokenCount }, (_, n) => {
    const pairIndex = Math.floor(random.next() * pairs.length);
    const issuedAt = new Date(now - Math.floor(random.next() * 60 * 86_400_000));
    // One token in a thousand is still live: the close ends those of revoked users through kill switches.
    const live = n % 1000 === 0;
    return {
      jti: randomUUID(),
      kind: 'access_token',
      ...(pairs[pairIndex] as { clientId: string; resourceId: string }),
      userId: random.pick(subjects[pairIndex] as string[]),
      scopes: ['notes.read'],
      policyIds: [],
      issuedAt: live ? new Date(now - 60_000) : issuedAt,
      expiresAt: live ? new Date(now + 3_600_000) : new Date(issuedAt.getTime() + 300_000),
    };
  });
  for (let offset = 0; offset < tokens.length; offset += 5_000) {
    await prisma.issuedToken.createMany({ data: tokens.slice(offset, offset + 5_000) });
  }
  return { clientIds, items: pairs.length * usersPerPolicy };
}

/** Runs `call` and answers its result with the seconds it took, failing on any status but `expected`. */
async function timed<T>(what: string, expected: number, call: () => Promise<{ status: number; body: T }>): Promise<{ body: T; seconds: number }> {
  const began = performance.now();
  const answer = await call();
  const seconds = round((performance.now() - began) / 1000);
  if (answer.status !== expected) {
    throw new Error(`${what} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 500)}`);
  }
  return { body: answer.body, seconds };
}

async function main(): Promise<void> {
  const began = Date.now();
  const build = buildServer();
  const database = await createBenchDatabase();
  const children: ApiProcess['child'][] = [];
  await runBench(async () => {
    const seeded = await seed(database);
    console.log(`seeded ${clientCount} agents × ${resourceCount} resources, ${seeded.items} policy subjects, ${tokenCount} issuance records`);
    await build;
    console.log('built the server (npm run build:server)');
    const api = await startApi(database.run, { adminPassword });
    children.push(api.child);
    const admin = await AdminHttp.signIn(api.baseUrl, adminEmail, adminPassword);

    const created = await timed('creating the campaign', 201, () =>
      admin.post<{ id: string }>('/api/access-reviews/campaigns', {
        name: 'Bench quarterly review',
        scope: { kind: 'all' },
        dueAt: new Date(Date.now() + 14 * 86_400_000).toISOString(),
        reviewerRule: 'resource_owner',
        fallbackReviewer: adminEmail,
        undecidedOutcome: 'keep',
      }),
    );
    const id = created.body.id;
    const launch = await timed('launching', 200, () => admin.post<{ itemCount: number }>(`/api/access-reviews/campaigns/${id}/launch`, {}));
    console.log(`launched ${launch.body.itemCount} items in ${launch.seconds} s`);

    const revokedClients = seeded.clientIds.filter((_, n) => n % 10 === 0);
    const decideBegan = performance.now();
    let revoked = 0;
    for (const clientId of revokedClients) {
      const bulk = await timed('a bulk revoke', 200, () => admin.post<{ decided: number }>(`/api/access-reviews/campaigns/${id}/decisions`, { decision: 'revoke', justification: 'bench: agent retired', filter: { clientId } }));
      revoked += bulk.body.decided;
    }
    const decideS = round((performance.now() - decideBegan) / 1000);
    console.log(`revoked ${revoked} items in ${revokedClients.length} bulk decisions in ${decideS} s`);

    const exportBegan = performance.now();
    const response = await fetch(`${api.baseUrl}/api/access-reviews/campaigns/${id}/export?format=csv`, { headers: admin.authHeaders() });
    const digest = createHash('sha256');
    let bytes = 0;
    let lines = 0;
    for await (const chunk of response.body ?? []) {
      const buffer = Buffer.from(chunk as Uint8Array);
      digest.update(buffer);
      bytes += buffer.length;
      for (let at = buffer.indexOf(10); at !== -1; at = buffer.indexOf(10, at + 1)) {
        lines += 1;
      }
    }
    const exportS = round((performance.now() - exportBegan) / 1000);
    const sha256 = digest.digest('hex');
    const recorded = await admin.get<{ sha256: string }[]>(`/api/access-reviews/campaigns/${id}/exports`);
    const digestRecorded = recorded.body.some((entry) => entry.sha256 === sha256);
    console.log(`exported ${lines - 1} rows (${round(bytes / 1_048_576)} MiB) in ${exportS} s; digest recorded: ${digestRecorded}`);

    const close = await timed('closing', 200, () => admin.post<{ remediation: { items: number; policiesChanged: number; connectionsDisabled: number; killSwitches: number } }>(`/api/access-reviews/campaigns/${id}/close`, {}));
    const { remediation } = close.body;
    console.log(`closed in ${close.seconds} s: ${remediation.items} items applied, ${remediation.policiesChanged} policies changed, ${remediation.connectionsDisabled} connections disabled, ${remediation.killSwitches} kill switches`);
    const disabledPolicies = await database.prisma.policy.count({ where: { clientId: { in: revokedClients }, status: 'disabled' } });

    const summary = {
      bench: 'campaign',
      items: launch.body.itemCount,
      launch_s: launch.seconds,
      export_s: exportS,
      close_s: close.seconds,
      revoked,
      decide_s: decideS,
      export_rows: lines - 1,
      export_mib: round(bytes / 1_048_576),
      digest_recorded: digestRecorded,
      policies_changed: remediation.policiesChanged,
      connections_disabled: remediation.connectionsDisabled,
      kill_switches: remediation.killSwitches,
      total_s: round((Date.now() - began) / 1000),
    };
    const failed =
      launch.body.itemCount !== seeded.items ||
      revoked !== revokedClients.length * resourceCount * usersPerPolicy ||
      lines - 1 !== seeded.items ||
      !digestRecorded ||
      remediation.items !== revoked ||
      disabledPolicies !== revokedClients.length * resourceCount ||
      launch.seconds > targets.launchS ||
      exportS > targets.exportS ||
      close.seconds > targets.closeS;
    return { summary, failed };
  }, () => database.cleanUp(children));
}

await main();
