/**
 * `npm run bench:rotate`: the time to rotate 1,000 vaulted-key connections against the local legacy
 * API (target ≤ 30 s), on a database and Redis prefix of its own:
 * - seeds BENCH_ROTATIONS connections (default 1,000), each with its key and hook credential vaulted
 *   and enrolled at one legacy API on loopback,
 * - starts one worker process (as `apps/worker/src/main.ts` runs), waits until it is up,
 * - enqueues one `connection-credential.rotate` per connection and measures until every rotation is
 *   done (a new active version, pushed and verified at the target, audited),
 * - checks every connection has exactly one new active version the target accepts.
 * The database and Redis keys are removed at the end, even on failure. The last line printed is one
 * JSON object.
 */
import { spawn } from 'node:child_process';

import { loadConfig, requireRedis } from '@crossgate/config';
import { createQueue, enqueue, jobId, JobName, QueueName } from '@crossgate/jobs';
import { SecretStore } from '@crossgate/store';
import { createRotatableConnection, LegacyApi, relay, waitFor } from '@crossgate/testing';

import { createBenchDatabase, numberFromEnv, repositoryRoot } from './support/bench-api.ts';

const rotations = numberFromEnv('BENCH_ROTATIONS', 1_000);
const hookCredential = 'bench-hook-credential';

const bench = await createBenchDatabase();
const target = await new LegacyApi({ hookCredential }).start();
const worker = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'apps/worker/src/main.ts'], {
  cwd: repositoryRoot,
  env: {
    ...process.env,
    TSX_TSCONFIG_PATH: 'apps/worker/tsconfig.json',
    DATABASE_URL: bench.run.databaseUrl,
    REDIS_URL: bench.run.redisUrl,
    REDIS_PREFIX: bench.run.redisPrefix,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
  },
  stdio: ['ignore', 'pipe', 'pipe'],
});
const workerTail = relay(worker, 'worker', { quiet: true });
const queue = createQueue({ kind: 'redis', ...requireRedis({ url: bench.run.redisUrl, prefix: bench.run.redisPrefix }, 'bench:rotate') }, QueueName.Rotation);

/** Printed after the clean-up, so the closing JSON line is the last line on stdout. */
let summary: Record<string, unknown> | undefined;
try {
  // The worker reads the same environment, so both seal and open under the same KEK.
  const secrets = SecretStore.fromConfig(bench.prisma, loadConfig().keys);
  const seedStart = performance.now();
  const connections: { connectionId: string; credentialSecretId: string }[] = [];
  for (let index = 0; index < rotations; index += 20) {
    const batch = Array.from({ length: Math.min(20, rotations - index) }, () => createRotatableConnection(bench.prisma, secrets, { target, hookCredential }));
    connections.push(...(await Promise.all(batch)));
  }
  process.stdout.write(`seeded ${connections.length} connections in ${((performance.now() - seedStart) / 1000).toFixed(1)} s\n`);

  // The worker is up once its first scheduled reconcile has run.
  await waitFor('the worker to start', 60_000, async () => (((await queue.getJobCounts('completed'))['completed'] ?? 0) > 0 ? true : undefined)).catch((error: Error) => {
    throw new Error(`${error.message}\n${workerTail.join('\n')}`);
  });

  const start = performance.now();
  for (const { connectionId } of connections) {
    await enqueue(queue, { name: JobName.ConnectionCredentialRotate, data: { connectionId, force: true } }, { jobId: jobId(JobName.ConnectionCredentialRotate, connectionId, 'bench') });
  }
  const enqueuedMs = performance.now() - start;
  let done = 0;
  await waitFor('every rotation to finish', 600_000, async () => {
    done = await bench.prisma.connection.count({ where: { rotationStep: 'done', rotationStatus: 'idle' } });
    const failed = await bench.prisma.connection.count({ where: { rotationStatus: 'failed' } });
    if (failed > 0) {
      throw new Error(`${failed} rotations failed`);
    }
    return done === connections.length ? true : undefined;
  });
  const seconds = (performance.now() - start) / 1000;

  const versions = await bench.prisma.secretVersion.groupBy({ by: ['state'], where: { secretId: { in: connections.map((c) => c.credentialSecretId) } }, _count: true });
  const byState = Object.fromEntries(versions.map((row) => [row.state, row._count]));
  const accepted = (await Promise.all(connections.slice(0, 50).map(async (c) => target.accepts((await secrets.current(c.credentialSecretId)).value.toString('utf8'))))).every(Boolean);
  if (byState['active'] !== connections.length || byState['retiring'] !== connections.length || !accepted) {
    throw new Error(`Unexpected versions after the run: ${JSON.stringify(byState)}, sampled keys accepted: ${accepted}`);
  }
  summary = {
    bench: 'rotate',
    connections: connections.length,
    seconds: Math.round(seconds * 100) / 100,
    perSecond: Math.round(connections.length / seconds),
    enqueueSeconds: Math.round(enqueuedMs / 10) / 100,
    pushes: target.pushes.length,
    versions: byState,
    targetSeconds: 30,
    met: seconds <= 30,
  };
} finally {
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  await target.stop();
  await bench.cleanUp([worker]);
}
if (summary !== undefined) {
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}
