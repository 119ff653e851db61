import { randomBytes } from 'node:crypto';

import { UnrecoverableError } from 'bullmq';
import { Redis } from 'ioredis';

import { loadConfig, requireRedis } from '@crossgate/config';

import { type CatalogueJob, type JobHandlers, JobName, QueueName } from './catalogue.ts';
import { type CatalogueQueue, createQueue, enqueue, jobId, queueBackendOf, runJob, type RedisQueueBackend } from './queues.ts';
// eslint-disable-next-line @nx/enforce-module-boundaries -- skipping a suite on a machine without Redis is test support, imported by path (it imports no Crossgate library)
import { describeWithRedis } from '../../testing/src/test-server.ts';

// A util lib may not import @crossgate/testing (module boundaries), so a local unique value.
const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

describe('jobId', () => {
  it('should join the name and the keys with / and encode what BullMQ reserves', () => {
    expect(jobId(JobName.AuditVerifyChain, 'ks_1', 'https://rs.example/a b')).toBe(
      'audit.verify-chain/ks_1/https%3A%2F%2Frs.example%2Fa%20b',
    );
  });

  it('should give the same id for the same keys', () => {
    expect(jobId(JobName.AuditVerifyChain, 'a', 'b')).toBe(jobId(JobName.AuditVerifyChain, 'a', 'b'));
    expect(jobId(JobName.AuditVerifyChain, 'a/b')).not.toBe(jobId(JobName.AuditVerifyChain, 'a', 'b'));
  });
});

describe('runJob', () => {
  const handlers: JobHandlers = {
    [JobName.AuditVerifyChain]: async (job) => `ran ${job.id}`,
    [JobName.AuditStreamDeliver]: async () => 'streamed',
    [JobName.SigningKeysRotate]: async (job) => `rotated ${job.data.role}`,
    [JobName.VaultRewrap]: async () => "rewrapped",
    [JobName.ConnectionCredentialRotate]: async (job) => `rotated ${job.data.connectionId}`,
    [JobName.ConnectionRotationReconcile]: async () => 'reconciled',
    [JobName.ConnectionCredentialRetireDue]: async () => 'retired',
    [JobName.KillSwitchFanOut]: async (job) => `planned ${job.data.killSwitchId}`,
    [JobName.KillSwitchDeliver]: async (job) => `delivered ${job.data.deliveryId}`,
    [JobName.KillSwitchExpireDue]: async () => 'expired',
    [JobName.KillSwitchReconcile]: async () => 'reconciled',
    [JobName.SsfVerify]: async (job) => `verified ${job.data.streamId}`,
    [JobName.AccessReviewRemind]: async () => 'reminded',
    [JobName.AccessReviewNotify]: async (job) => `notified ${job.data.notificationId}`,
  };

  it('should hand a job to the handler for its name', async () => {
    await expect(runJob(handlers, { name: JobName.AuditVerifyChain, id: '7' } as CatalogueJob)).resolves.toBe('ran 7');
  });

  it('should fail a job with an unknown name without retries', async () => {
    await expect(runJob(handlers, { name: 'nobody.knows' } as unknown as CatalogueJob)).rejects.toBeInstanceOf(UnrecoverableError);
  });
});

describe('queueBackendOf', () => {
  const database = { url: 'postgresql://postgres@127.0.0.1:5432/crossgate', queueSchema: 'crossgate_queues' };

  it('should keep the queues in Redis when REDIS_URL is set', () => {
    expect(queueBackendOf({ database, redis: { url: 'redis://127.0.0.1:6379', prefix: 'cg' } })).toEqual({ kind: 'redis', url: 'redis://127.0.0.1:6379', prefix: 'cg' });
  });

  it('should keep the queues in their own schema of the Crossgate database without REDIS_URL', () => {
    expect(queueBackendOf({ database, redis: { url: undefined, prefix: 'cg' } })).toEqual({ kind: 'postgres', databaseUrl: database.url, schema: 'crossgate_queues' });
  });
});

describeWithRedis('enqueue', () => {
  let redis: RedisQueueBackend;
  let queue: CatalogueQueue;

  beforeEach(() => {
    const run = requireRedis(loadConfig().redis, 'the queue tests');
    redis = { kind: 'redis', url: run.url, prefix: `${run.prefix}:${unique('jobs')}` };
    queue = createQueue(redis, QueueName.Maintenance);
  });

  afterEach(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it('should keep the queue under the configured Redis prefix', async () => {
    await enqueue(queue, { name: JobName.AuditVerifyChain, data: {} });
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys(`${redis.prefix}:*`);
      expect(keys).toContain(`${redis.prefix}:bull:maintenance:wait`);
      expect(keys.every((key) => key.startsWith(`${redis.prefix}:bull:maintenance:`))).toBe(true);
    } finally {
      client.disconnect();
    }
  });

  it('should apply the catalogue defaults for retries and retention', async () => {
    const job = await enqueue(queue, { name: JobName.AuditVerifyChain, data: {} });
    expect(job.opts).toMatchObject({
      attempts: 5,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 10000 },
    });
  });

  it('should add a job with a deterministic id once, however often it is enqueued', async () => {
    const id = jobId(JobName.AuditVerifyChain, unique('fan-out'));
    const first = await enqueue(queue, { name: JobName.AuditVerifyChain, data: {} }, { jobId: id });
    const again = await enqueue(queue, { name: JobName.AuditVerifyChain, data: {} }, { jobId: id });

    expect(again.id).toBe(first.id);
    expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 1 });
  });

  it('should refuse a job on a queue the catalogue does not assign it to', async () => {
    // A name outside the catalogue, as an older or newer producer might use.
    const elsewhere = createQueue(redis, 'elsewhere' as QueueName);
    try {
      await expect(enqueue(elsewhere, { name: JobName.AuditVerifyChain, data: {} })).rejects.toThrow(
        'Job audit.verify-chain runs on queue "maintenance", not "elsewhere"',
      );
      expect(await elsewhere.count()).toBe(0);
    } finally {
      await elsewhere.obliterate({ force: true });
      await elsewhere.close();
    }
  });
});
