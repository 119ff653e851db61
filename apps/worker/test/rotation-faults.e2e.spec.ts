/**
 * Rotation under faults, with the worker in processes of its own: killed outright (SIGKILL) while the
 * pending version is stored but not yet pushed, and while it is pushed but not yet verified; and a
 * private Redis restarted without persistence mid-rotation. Each time a new worker must finish the
 * rotation with exactly one new active version: none lost, none doubled.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

import { type Config, databaseUrlOf } from '@crossgate/config';
import { type CatalogueQueue, createQueue, enqueue, jobId, JobName, queueBackendOf, QueueName, workerSettings } from '@crossgate/jobs';
import { createPrismaClient, type PrismaClient, SecretStore } from '@crossgate/store';
import { createRotatableConnection, describeUnless, freePort, LegacyApi, onPath, startWorkerProcess, stopWorkerProcess, unique, type WorkerProcess } from '@crossgate/testing';

import { eventually, jobFinished, testConfig } from './support/test-worker.ts';

const hookCredential = `hook-${unique('credential')}`;
// The dead worker's lock lapses, then a stalled-job check frees the job (see workerSettings), plus start-up.
const recoveryLimit = workerSettings.lockDuration + 4 * workerSettings.stalledInterval + 10_000;

let config: Config;
let prisma: PrismaClient;
let secrets: SecretStore;
let target: LegacyApi;
const started: WorkerProcess[] = [];
const queues: CatalogueQueue[] = [];

beforeEach(async () => {
  config = testConfig();
  prisma = createPrismaClient(databaseUrlOf(config), { maxConnections: 2 });
  secrets = SecretStore.fromConfig(prisma, config.keys);
  target = await new LegacyApi({ hookCredential }).start();
});

afterEach(async () => {
  for (const worker of started.splice(0)) {
    await stopWorkerProcess(worker);
  }
  for (const queue of queues.splice(0)) {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
  await target.stop();
  await prisma.$disconnect();
});

function worker(environment: Record<string, string> = {}): WorkerProcess {
  const process = startWorkerProcess(config, { ROTATION_HOOK_TIMEOUT_MS: '120000', ROTATION_RETRY_DELAY_MS: '500', ...environment });
  started.push(process);
  return process;
}

function rotationQueue(): CatalogueQueue {
  const queue = createQueue(queueBackendOf(config), QueueName.Rotation);
  queues.push(queue);
  return queue;
}

async function versionStates(secretId: string) {
  return (await secrets.versions(secretId)).map(({ version, state }) => ({ version, state }));
}

async function rotationStep(connectionId: string) {
  return prisma.connection.findUniqueOrThrow({ where: { id: connectionId }, select: { rotationStep: true, rotationStatus: true } });
}

describe('a worker killed mid-rotation', () => {
  it.each([
    ['after storing the pending version, while the push hangs', 'rotate', 'push'],
    ['after the push, while the verification hangs', 'ping', 'verify'],
  ] as const)('should be resumed by another worker %s, with exactly one new active version', async (_when, hangingEndpoint, step) => {
    const { connectionId, credentialSecretId, initialKey } = await createRotatableConnection(prisma, secrets, { target, hookCredential });
    const queue = rotationQueue();
    const id = jobId(JobName.ConnectionCredentialRotate, connectionId, unique('killed'));
    await enqueue(queue, { name: JobName.ConnectionCredentialRotate, data: { connectionId, force: true } }, { jobId: id });
    target.fault = 'hang';
    target.faultScope = hangingEndpoint;

    const first = worker();
    await eventually(`the rotation to reach ${step}`, () => rotationStep(connectionId), (row) => row.rotationStep === step, 30_000).catch((error: Error) => {
      throw new Error(`${error.message}\nWorker output:\n${first.output().slice(-3000)}`);
    });
    expect(await versionStates(credentialSecretId)).toEqual([
      { version: 2, state: 'pending' },
      { version: 1, state: 'active' },
    ]);
    first.child.kill('SIGKILL');
    await first.exited;
    target.fault = 'none';

    const second = worker();
    expect(await jobFinished(queue, id, recoveryLimit)).toBe('completed');

    expect(await versionStates(credentialSecretId)).toEqual([
      { version: 2, state: 'active' },
      { version: 1, state: 'retiring' },
    ]);
    const active = (await secrets.current(credentialSecretId)).value.toString('utf8');
    expect(target.accepts(active)).toBe(true);
    expect(target.accepts(initialKey)).toBe(true);
    // Only version 2 ever reached the target; the resumed run pushed that same value again.
    expect(new Set(target.pushes.map((push) => push.version))).toEqual(new Set([2]));
    expect(await prisma.auditEvent.count({ where: { requestId: id, action: 'connection_rotated' } })).toBe(1);
    expect(second.output()).toContain(`job ${id} stalled`);
  }, 90_000);
});

describeUnless(!onPath('redis-server'), 'needs the redis-server binary on PATH', 'Redis restarted mid-rotation', () => {
  let redis: ChildProcess | undefined;

  async function startRedis(port: number): Promise<ChildProcess> {
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await eventually('the private Redis to accept connections', async () => output, (text) => text.includes('Ready to accept connections'), 10_000);
    return child;
  }

  async function stopRedis(): Promise<void> {
    if (redis && redis.exitCode === null && redis.signalCode === null) {
      redis.kill('SIGKILL');
      await once(redis, 'exit');
    }
  }

  afterEach(stopRedis);

  it('should resume the rotation from PostgreSQL once Redis is back empty, with the same pending version', async () => {
    const port = await freePort();
    const redisUrl = `redis://127.0.0.1:${port}`;
    redis = await startRedis(port);
    const { connectionId, credentialSecretId } = await createRotatableConnection(prisma, secrets, { target, hookCredential, intervalSeconds: 3600 });
    await target.stop();

    // A retry far away: the job is still waiting for it when Redis loses everything.
    worker({ REDIS_URL: redisUrl, ROTATION_RETRY_DELAY_MS: '3600000', ROTATION_RECONCILE_SECONDS: '1' });
    // On the private Redis, which goes away with this test: closed here, never obliterated.
    const queue = createQueue({ kind: 'redis', url: redisUrl, prefix: config.redis.prefix }, QueueName.Rotation);
    await enqueue(queue, { name: JobName.ConnectionCredentialRotate, data: { connectionId, force: true } }, { jobId: jobId(JobName.ConnectionCredentialRotate, connectionId, unique('lost')) });
    await eventually('the first attempt to fail', () => rotationStep(connectionId), (row) => row.rotationStatus === 'failed', 30_000);
    expect(await versionStates(credentialSecretId)).toEqual([
      { version: 2, state: 'pending' },
      { version: 1, state: 'active' },
    ]);

    await queue.close();
    await stopRedis();
    redis = await startRedis(port);
    await target.start();

    // The worker reconnects, re-creates its schedulers, and the connection's scheduler (first run at
    // once) finds a failed rotation: due, and resumed with the pending version already stored.
    await eventually('the rotation to finish', () => rotationStep(connectionId), (row) => row.rotationStatus === 'idle' && row.rotationStep === 'done', 60_000);
    expect(await versionStates(credentialSecretId)).toEqual([
      { version: 2, state: 'active' },
      { version: 1, state: 'retiring' },
    ]);
    expect(target.accepts((await secrets.current(credentialSecretId)).value.toString('utf8'))).toBe(true);
  }, 120_000);
});
