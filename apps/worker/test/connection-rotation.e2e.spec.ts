/**
 * Credential rotation through the real worker (in this process) against real PostgreSQL, Redis under a
 * per-test prefix, and a real legacy API on loopback: the happy path with its overlap window, a target
 * that is down and comes back, a hook that answers garbage or not at all, and the schedulers.
 */
import { Redis } from 'ioredis';

import { type Config } from '@crossgate/config';
import { type CatalogueQueue, enqueue, jobId, JobName, QueueName } from '@crossgate/jobs';
import { SecretStore } from '@crossgate/store';
import { createRotatableConnection, LegacyApi, type LegacyApiFault, unique } from '@crossgate/testing';

import { failureCounterKey, schedulerIdOf } from '../src/rotation/connection-rotation.processor.ts';
import { eventually, jobFinished, obliterateQueues, openQueues, startTestWorker, testConfig, type TestWorker } from './support/test-worker.ts';

const hookCredential = `hook-${unique('credential')}`;

let config: Config;
let queues: ReturnType<typeof openQueues>;
let rotation: CatalogueQueue;
let worker: TestWorker;
let secrets: SecretStore;
let target: LegacyApi;

beforeEach(async () => {
  config = testConfig({ ROTATION_RETRY_DELAY_MS: '400', ROTATION_HOOK_TIMEOUT_MS: '1000', ROTATION_RECONCILE_SECONDS: '3600' });
  queues = openQueues(config);
  rotation = queues[QueueName.Rotation];
  worker = await startTestWorker(config);
  secrets = worker.app.get(SecretStore);
  target = await new LegacyApi({ hookCredential }).start();
});

afterEach(async () => {
  await worker.close();
  await obliterateQueues(queues);
  await target.stop();
});

async function rotateNow(connectionId: string): Promise<string> {
  const id = jobId(JobName.ConnectionCredentialRotate, connectionId, unique('now'));
  await enqueue(rotation, { name: JobName.ConnectionCredentialRotate, data: { connectionId, force: true } }, { jobId: id, backoff: { type: 'exponential', delay: 400 } });
  return id;
}

function connectionRow(connectionId: string) {
  return worker.prisma.connection.findUniqueOrThrow({ where: { id: connectionId } });
}

async function versionStates(secretId: string) {
  return (await secrets.versions(secretId)).map(({ version, state }) => ({ version, state }));
}

describe('connection-credential.rotate', () => {
  it('should push, verify and activate a new key, keeping the old one valid through the overlap, then retire it', async () => {
    const { connectionId, credentialSecretId, initialKey } = await createRotatableConnection(worker.prisma, secrets, { target, hookCredential, overlapSeconds: 2 });

    const id = await rotateNow(connectionId);
    expect(await jobFinished(rotation, id, 15_000)).toBe('completed');

    const current = await secrets.current(credentialSecretId);
    const newKey = current.value.toString('utf8');
    expect(current.version).toBe(2);
    expect(newKey).not.toBe(initialKey);
    expect(target.accepts(newKey)).toBe(true);
    expect(target.accepts(initialKey)).toBe(true);
    expect(await versionStates(credentialSecretId)).toEqual([
      { version: 2, state: 'active' },
      { version: 1, state: 'retiring' },
    ]);
    const row = await connectionRow(connectionId);
    expect(row).toMatchObject({ rotationStatus: 'idle', rotationStep: 'done', rotationError: null });
    expect(row.lastRotatedAt).not.toBeNull();
    const event = await worker.prisma.auditEvent.findFirstOrThrow({ where: { requestId: id, action: 'connection_rotated' } });
    expect(event).toMatchObject({ targetId: connectionId, decision: 'allow' });
    expect(JSON.stringify({ ...event, seq: String(event.seq) })).not.toContain(newKey);

    // After the overlap window the sweep retires the old version; the target is told to drop it too.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const sweep = jobId(JobName.ConnectionCredentialRetireDue, unique('sweep'));
    await enqueue(rotation, { name: JobName.ConnectionCredentialRetireDue, data: {} }, { jobId: sweep });
    expect(await jobFinished(rotation, sweep)).toBe('completed');
    expect(await versionStates(credentialSecretId)).toEqual([
      { version: 2, state: 'active' },
      { version: 1, state: 'retired' },
    ]);
    target.retirePrevious(connectionId);
    expect(target.accepts(initialKey)).toBe(false);
    expect(target.accepts(newKey)).toBe(true);
  });

  it('should keep the old key active and raise the alert while the target is down, then finish on a retry with the same pending version', async () => {
    const { connectionId, credentialSecretId, initialKey } = await createRotatableConnection(worker.prisma, secrets, { target, hookCredential });
    // The failure counter is kept in Redis, when the worker has one.
    const counter = config.redis.url === undefined ? undefined : new Redis(config.redis.url);
    const failuresBefore = Number((await counter?.get(failureCounterKey(config.redis.prefix))) ?? 0);
    await target.stop();

    const id = await rotateNow(connectionId);
    const failed = await eventually('the alert', () => connectionRow(connectionId), (row) => row.rotationStatus === 'failed', 10_000);
    expect(failed.rotationError).toMatch(/The rotation hook at 127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\)/);
    expect((await secrets.current(credentialSecretId)).value.toString('utf8')).toBe(initialKey);
    expect(await versionStates(credentialSecretId)).toEqual([
      { version: 2, state: 'pending' },
      { version: 1, state: 'active' },
    ]);
    const alert = await worker.prisma.auditEvent.findFirstOrThrow({ where: { requestId: id, action: 'connection_rotation_failed' } });
    expect(alert).toMatchObject({ targetId: connectionId, decision: 'deny' });
    if (counter !== undefined) {
      expect(Number(await counter.get(failureCounterKey(config.redis.prefix)))).toBeGreaterThan(failuresBefore);
      counter.disconnect();
    }

    await target.start();
    expect(await jobFinished(rotation, id, 20_000)).toBe('completed');
    expect(await versionStates(credentialSecretId)).toEqual([
      { version: 2, state: 'active' },
      { version: 1, state: 'retiring' },
    ]);
    expect(await connectionRow(connectionId)).toMatchObject({ rotationStatus: 'idle', rotationError: null });
    expect(target.accepts((await secrets.current(credentialSecretId)).value.toString('utf8'))).toBe(true);
  });

  it.each<[LegacyApiFault, RegExp]>([
    ['garbage', /did not answer with JSON/],
    ['wrong-shape', /does not confirm version 2/],
    ['refuse', /answered HTTP 503/],
    ['hang', /did not answer within 1000 ms/],
  ])('should fail the rotation with a clear reason when the hook answers %s, changing nothing', async (fault, reason) => {
    const { connectionId, credentialSecretId, initialKey } = await createRotatableConnection(worker.prisma, secrets, { target, hookCredential });
    target.fault = fault;

    await rotateNow(connectionId);

    const failed = await eventually('the alert', () => connectionRow(connectionId), (row) => row.rotationStatus === 'failed', 10_000);
    expect(failed.rotationError).toMatch(reason);
    expect(failed.rotationStep).toBe('push');
    expect((await secrets.current(credentialSecretId)).version).toBe(1);
    expect(target.accepts(initialKey)).toBe(true);
    const pending = await secrets.open(credentialSecretId, 2);
    expect(failed.rotationError).not.toContain(pending.value.toString('utf8'));
  });

  it('should refuse a new key the target does not accept at the verify URL', async () => {
    const { connectionId, credentialSecretId } = await createRotatableConnection(worker.prisma, secrets, { target, hookCredential });
    target.fault = 'refuse';
    target.faultScope = 'ping';

    await rotateNow(connectionId);

    const failed = await eventually('the alert', () => connectionRow(connectionId), (row) => row.rotationStatus === 'failed', 10_000);
    expect(failed).toMatchObject({ rotationStep: 'verify', rotationError: 'The target refused the new credential at the verify URL (HTTP 503)' });
    expect((await secrets.current(credentialSecretId)).version).toBe(1);
  });
});

describe('connection-rotation.reconcile', () => {
  async function reconcile() {
    const id = jobId(JobName.ConnectionRotationReconcile, unique('reconcile'));
    await enqueue(rotation, { name: JobName.ConnectionRotationReconcile, data: {} }, { jobId: id });
    expect(await jobFinished(rotation, id)).toBe('completed');
  }

  it('should add a scheduler per scheduled connection, follow a changed schedule, and remove it with the schedule', async () => {
    const { connectionId } = await createRotatableConnection(worker.prisma, secrets, { target, hookCredential, intervalSeconds: 3600 });

    await reconcile();
    const scheduler = await rotation.getJobScheduler(schedulerIdOf(connectionId));
    expect(scheduler).toMatchObject({ every: 3_600_000, template: { data: { connectionId } } });
    // The scheduler's first run comes at once and finds the fresh key not due: the next rotation is an interval away.
    const scheduled = await connectionRow(connectionId);
    expect(scheduled.nextRotationAt!.getTime()).toBeGreaterThanOrEqual(scheduled.createdAt.getTime() + 0.9 * 3_600_000);
    expect(scheduled.nextRotationAt!.getTime() % 3_600_000).toBe(0);

    await worker.prisma.connection.update({ where: { id: connectionId }, data: { rotationIntervalSeconds: null, rotationCron: '0 3 * * *' } });
    await reconcile();
    expect(await rotation.getJobScheduler(schedulerIdOf(connectionId))).toMatchObject({ pattern: '0 3 * * *' });
    const next = (await connectionRow(connectionId)).nextRotationAt!;
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect([next.getUTCHours(), next.getUTCMinutes()]).toEqual([3, 0]);

    await worker.prisma.connection.update({ where: { id: connectionId }, data: { rotationCron: null } });
    await reconcile();
    expect(await rotation.getJobScheduler(schedulerIdOf(connectionId))).toBeUndefined();
    expect((await connectionRow(connectionId)).nextRotationAt).toBeNull();
  });

  it('should not rotate a key on the scheduler first run when it is not due yet', async () => {
    const { connectionId, credentialSecretId } = await createRotatableConnection(worker.prisma, secrets, { target, hookCredential, intervalSeconds: 3600 });
    const id = jobId(JobName.ConnectionCredentialRotate, connectionId, unique('scheduled'));
    await enqueue(rotation, { name: JobName.ConnectionCredentialRotate, data: { connectionId } }, { jobId: id });

    expect(await jobFinished(rotation, id)).toBe('completed');
    expect((await rotation.getJob(id))?.returnvalue).toMatchObject({ rotated: false, reason: 'not due yet' });
    expect(await versionStates(credentialSecretId)).toEqual([{ version: 1, state: 'active' }]);
  });
});
