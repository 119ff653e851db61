/**
 * The worker as an operator runs it: its own process, started from `src/main.ts` under tsx (the
 * providers use explicit injection tokens, so no emitted decorator metadata is needed), stopped with
 * signals, and killed outright.
 */
import pg from 'pg';

import { type Config, databaseUrlOf } from '@crossgate/config';
import { enqueue, jobId, JobName, QueueName, workerSettings } from '@crossgate/jobs';
import { createPrismaClient, type PrismaClient } from '@crossgate/store';
import { freePort, startWorkerProcess, stopWorkerProcess as stop, unique, type WorkerProcess } from '@crossgate/testing';

import { eventually, obliterateQueues, openQueues, testConfig } from './support/test-worker.ts';

/**
 * Holds verification mid-run: it reads audit_events, which this transaction locks until released.
 * The worker's process is then demonstrably busy with the job, whatever the size of the chain.
 */
async function holdAuditTable(config: Config): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: config.database.url });
  await client.connect();
  await client.query('BEGIN');
  await client.query('LOCK TABLE audit_events IN ACCESS EXCLUSIVE MODE');
  let released = false;
  return {
    async release() {
      if (!released) {
        released = true;
        await client.query('ROLLBACK');
        await client.end();
      }
    },
  };
}

describe('the worker process', () => {
  let config: Config;
  let queues: ReturnType<typeof openQueues>;
  let prisma: PrismaClient;
  const started: WorkerProcess[] = [];

  beforeEach(() => {
    config = testConfig({ AUDIT_VERIFY_EVERY_MINUTES: '1440' });
    queues = openQueues(config);
    prisma = createPrismaClient(databaseUrlOf(config), { maxConnections: 2 });
  });

  afterEach(async () => {
    for (const worker of started.splice(0)) {
      await stop(worker);
    }
    await obliterateQueues(queues);
    await prisma.$disconnect();
  });

  it('should finish its active job, then exit 0, on SIGTERM', async () => {
    const maintenance = queues[QueueName.Maintenance];
    const id = jobId(JobName.AuditVerifyChain, unique('drained'));
    await enqueue(maintenance, { name: JobName.AuditVerifyChain, data: {} }, { jobId: id });
    const hold = await holdAuditTable(config);
    try {
      const worker = startWorkerProcess(config);
      started.push(worker);
      await eventually(`job ${id} to be active`, () => maintenance.getJobState(id), (state) => state === 'active', 20_000);

      worker.child.kill('SIGTERM');
      await eventually('the stop to begin', async () => worker.output(), (text) => text.includes('SIGTERM: finishing active jobs'));
      expect(worker.child.exitCode).toBeNull();
      await hold.release();

      expect(await worker.exited).toEqual({ code: 0, signal: null });
      expect(await maintenance.getJobState(id)).toBe('completed');
      expect(worker.output()).toContain('Stopped');
    } finally {
      await hold.release();
    }
  });

  it('should exit 1 naming the bad variable when the configuration is invalid', async () => {
    const worker = startWorkerProcess(config, { REDIS_URL: 'http://127.0.0.1:6379' });
    started.push(worker);

    expect(await worker.exited).toEqual({ code: 1, signal: null });
    expect(worker.output()).toContain('Invalid configuration:\n  - REDIS_URL: must be a redis:// URL');
  });

  it('should exit 1 saying how to start Redis when Redis does not answer', async () => {
    const worker = startWorkerProcess(config, { REDIS_URL: 'redis://127.0.0.1:1' });
    started.push(worker);

    expect(await worker.exited).toEqual({ code: 1, signal: null });
    expect(worker.output()).toContain('Crossgate cannot start: a service it needs does not answer.');
    expect(worker.output()).toContain('Redis at redis://127.0.0.1:1');
  });

  it('should run a job again on another worker when its worker is killed mid-job', async () => {
    const maintenance = queues[QueueName.Maintenance];
    const id = jobId(JobName.AuditVerifyChain, unique('killed'));
    await enqueue(maintenance, { name: JobName.AuditVerifyChain, data: {} }, { jobId: id });

    const hold = await holdAuditTable(config);
    try {
      const first = startWorkerProcess(config);
      started.push(first);
      await eventually(`job ${id} to be active`, () => maintenance.getJobState(id), (state) => state === 'active', 20_000);

      first.child.kill('SIGKILL');
      await first.exited;
      const killedAt = Date.now();
      const second = startWorkerProcess(config);
      started.push(second);
      await hold.release();

      // The dead worker's lock lapses (≤ lockDuration), then a stalled-job check frees the job. Checks are
      // due every stalledInterval but can skip one (see workerSettings), hence two, plus one for start-up.
      const limit = workerSettings.lockDuration + 3 * workerSettings.stalledInterval;
      await eventually(`job ${id} to complete`, () => maintenance.getJobState(id), (state) => state === 'completed', limit);
      expect(Date.now() - killedAt).toBeLessThan(limit);

      const job = await maintenance.getJob(id);
      expect(job?.stalledCounter).toBe(1);
      // Started twice, failed never: it came back through the stalled check, not a retry.
      expect(job?.attemptsStarted).toBe(2);
      expect(await maintenance.getJobCounts('failed')).toEqual({ failed: 0 });
      const event = await prisma.auditEvent.findFirstOrThrow({ where: { requestId: id } });
      expect(event).toMatchObject({ action: 'audit.chain_verified', decision: 'allow' });
      expect(second.output()).toContain(`job ${id} stalled`);
    } finally {
      await hold.release();
    }
  }, 60_000);

  it('should serve its metrics on WORKER_METRICS_PORT: job counts, queue depth, the audit chain and the process', async () => {
    const port = await freePort();
    const maintenance = queues[QueueName.Maintenance];
    const id = jobId(JobName.AuditVerifyChain, unique('metrics'));
    const worker = startWorkerProcess(config, { WORKER_METRICS_PORT: String(port) });
    started.push(worker);
    await enqueue(maintenance, { name: JobName.AuditVerifyChain, data: {} }, { jobId: id });
    await eventually(`job ${id} to complete`, () => maintenance.getJobState(id), (state) => state === 'completed', 20_000);

    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    const text = await response.text();

    expect(response.status).toBe(200);
    expect(text).toMatch(/^crossgate_jobs_completed_total\{queue="maintenance",job="audit.verify-chain"\} [1-9]/m);
    expect(text).toMatch(/^crossgate_queue_jobs\{queue="rotation",state="waiting"\} \d+$/m);
    expect(text).toMatch(/^crossgate_audit_chain_intact 1$/m);
    expect(text).toMatch(/^crossgate_audit_chain_last_verified_timestamp_seconds \d/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d/m);
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
  });
});
