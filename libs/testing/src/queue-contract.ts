/**
 * @overview The contract of the queue port (`@crossgate/jobs`: `createQueue`, `createWorker`,
 * `createQueueEvents`, `enqueue`, `upsertSchedule`), the same cases on every backend: what the worker's processors rely on.
 * A backend that passes runs the kill-switch fan-out, the rotations and the maintenance jobs.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

import {
  type CatalogueJob,
  type CatalogueQueue,
  type CatalogueWorker,
  type CatalogueWorkerOptions,
  createQueue,
  createQueueEvents,
  createWorker,
  enqueue,
  jobId,
  JobName,
  type QueueBackend,
  QueueName,
  upsertSchedule,
} from '@crossgate/jobs';

import { eventually } from './eventually.ts';
import { unique } from './factories.ts';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
/** Short locks, so a dead worker's job comes back within seconds instead of the production 7.5–25 s. */
const locks = { lockDuration: 2_000, stalledInterval: 500 } as const;
const item = { name: JobName.AuditVerifyChain, data: {} } as const;

/**
 * Runs the queue contract against backends from `newBackend`, which gives every test a namespace of
 * its own (a Redis prefix, a PostgreSQL schema) that the test run's teardown removes; `suite` is
 * `describeWithRedis` for a backend the machine may lack.
 */
export function queueContract(label: string, newBackend: () => QueueBackend, suite: (name: string, fn: () => void) => void = describe): void {
  suite(`the queue port on ${label}`, () => {
    let backend: QueueBackend;
    let queue: CatalogueQueue;
    const workers: CatalogueWorker[] = [];

    beforeEach(() => {
      backend = newBackend();
      queue = createQueue(backend, QueueName.Maintenance);
    });

    afterEach(async () => {
      await Promise.all(workers.splice(0).map((worker) => worker.close()));
      await queue.obliterate({ force: true });
      await queue.close();
    });

    /** A worker on the test's queue that records each job it runs (id, attempt, time) and then calls `run`. */
    function work(run: (job: CatalogueJob) => Promise<unknown> = async () => 'done', options: CatalogueWorkerOptions = {}) {
      const runs: { id: string; attempt: number; at: number }[] = [];
      const worker = createWorker(
        backend,
        QueueName.Maintenance,
        (job) => {
          runs.push({ id: job.id ?? '', attempt: job.attemptsMade + 1, at: Date.now() });
          return run(job);
        },
        { ...locks, ...options },
      );
      worker.on('error', () => undefined);
      workers.push(worker);
      return { worker, runs };
    }

    const completed = (id: string) => eventually(`job ${id} to complete`, () => queue.getJobState(id), (state) => state === 'completed', 15_000);

    it('should run an enqueued job once and keep its return value', async () => {
      const { runs } = work(async () => 'verified');
      const job = await enqueue(queue, item, { jobId: jobId(JobName.AuditVerifyChain, unique('once')) });

      await completed(job.id!);
      expect((await queue.getJob(job.id!))?.returnvalue).toBe('verified');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(runs.map((run) => run.id)).toEqual([job.id]);
    });

    it('should tell a queue-events listener when a job has completed, with its return value', async () => {
      const events = createQueueEvents(backend, QueueName.Maintenance);
      try {
        await events.waitUntilReady();
        work(async () => 'heard');
        const job = await enqueue(queue, item, { jobId: jobId(JobName.AuditVerifyChain, unique('events')) });

        await expect(job.waitUntilFinished(events, 15_000)).resolves.toBe('heard');
      } finally {
        await events.close();
      }
    });

    it('should ignore an add whose job id is already taken, waiting or finished', async () => {
      const id = jobId(JobName.KillSwitchDeliver, unique('line'));
      const killSwitches = createQueue(backend, QueueName.KillSwitch);
      try {
        const first = await enqueue(killSwitches, { name: JobName.KillSwitchDeliver, data: { deliveryId: 'first' } }, { jobId: id });
        const again = await enqueue(killSwitches, { name: JobName.KillSwitchDeliver, data: { deliveryId: 'second' } }, { jobId: id });
        const bulk = await killSwitches.addBulk([
          { name: JobName.KillSwitchDeliver, data: { deliveryId: 'third' }, opts: { jobId: id } },
          { name: JobName.KillSwitchDeliver, data: { deliveryId: 'other' }, opts: { jobId: `${id}-other` } },
        ]);

        expect([again.id, bulk[0]?.id]).toEqual([first.id, first.id]);
        expect(await killSwitches.getJobCounts('waiting')).toEqual({ waiting: 2 });
        expect((await killSwitches.getJob(id))?.data).toEqual({ deliveryId: 'first' });

        const runs: string[] = [];
        const worker = createWorker(backend, QueueName.KillSwitch, async (job) => runs.push(job.id ?? ''), locks);
        workers.push(worker);
        await eventually('both jobs to complete', () => killSwitches.getJobCounts('completed'), (counts) => counts['completed'] === 2, 15_000);
        await enqueue(killSwitches, { name: JobName.KillSwitchDeliver, data: { deliveryId: 'after' } }, { jobId: id });
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        expect(runs.sort()).toEqual([id, `${id}-other`].sort());
      } finally {
        await killSwitches.obliterate({ force: true });
        await killSwitches.close();
      }
    });

    it('should retry a failing job with backoff until it succeeds', async () => {
      const { runs } = work(async (job) => {
        if (job.attemptsMade < 2) {
          throw new Error(`transient failure ${job.attemptsMade + 1}`);
        }
        return 'third time lucky';
      });
      const job = await enqueue(queue, item, { jobId: jobId(JobName.AuditVerifyChain, unique('retry')), backoff: { type: 'exponential', delay: 300 } });

      await completed(job.id!);
      expect(runs.map((run) => run.attempt)).toEqual([1, 2, 3]);
      // Exponential: 300 ms after the first failure, 600 ms after the second.
      expect(runs[1]!.at - runs[0]!.at).toBeGreaterThanOrEqual(280);
      expect(runs[2]!.at - runs[1]!.at).toBeGreaterThanOrEqual(580);
      expect((await queue.getJob(job.id!))?.attemptsMade).toBe(3);
    });

    it('should fail a job for good after its last attempt, keeping it in the failed set', async () => {
      work(async () => {
        throw new Error('always');
      });
      const job = await queue.add(JobName.AuditVerifyChain, {}, { jobId: jobId(JobName.AuditVerifyChain, unique('dead')), attempts: 2, backoff: { type: 'fixed', delay: 100 } });

      await eventually('the job to fail', () => queue.getJobState(job.id!), (state) => state === 'failed', 15_000);
      const failed = await queue.getJob(job.id!);
      expect([failed?.attemptsMade, failed?.failedReason]).toEqual([2, 'always']);
    });

    it('should not run a delayed job before its delay has passed', async () => {
      const { runs } = work();
      const addedAt = Date.now();
      const job = await enqueue(queue, item, { jobId: jobId(JobName.AuditVerifyChain, unique('delayed')), delay: 1_500 });

      expect(await queue.getJobState(job.id!)).toBe('delayed');
      await completed(job.id!);
      expect(runs[0]!.at - addedAt).toBeGreaterThanOrEqual(1_450);
    });

    it('should keep only the last finished jobs that removeOnComplete and removeOnFail allow', async () => {
      work(async (job) => {
        if (job.name === JobName.VaultRewrap) {
          throw new Error('no');
        }
        return 'ok';
      });
      const keep = { removeOnComplete: { count: 2 }, removeOnFail: { count: 1 }, attempts: 1 };
      for (let index = 0; index < 4; index += 1) {
        await queue.add(JobName.AuditVerifyChain, {}, { ...keep, jobId: `ok-${index}` });
        await queue.add(JobName.VaultRewrap, {}, { ...keep, jobId: `fail-${index}` });
      }

      await eventually('every job to finish', () => queue.getJobCounts('waiting', 'active', 'delayed'), (counts) => Object.values(counts).every((n) => n === 0), 15_000);
      await eventually('the trimmed sets', () => queue.getJobCounts('completed', 'failed'), (counts) => counts['completed'] === 2 && counts['failed'] === 1, 5_000);
    });

    it('should keep one scheduler and one pending run when the same schedule is upserted again', async () => {
      const schedule = { item, every: 60_000 };
      await upsertSchedule(queue, schedule);
      const first = await queue.getJobScheduler(JobName.AuditVerifyChain);
      await upsertSchedule(queue, schedule);
      await upsertSchedule(queue, schedule);

      const schedulers = await queue.getJobSchedulers(0, -1);
      expect(schedulers.map((scheduler) => [scheduler.key, scheduler.next])).toEqual([[JobName.AuditVerifyChain, first?.next]]);
      const pending = await queue.getJobCounts('waiting', 'delayed');
      expect((pending['waiting'] ?? 0) + (pending['delayed'] ?? 0)).toBe(1);
    });

    it('should change, list and remove a cron scheduler', async () => {
      const id = `${JobName.ConnectionCredentialRotate}/${unique('connection')}`;
      const rotations = createQueue(backend, QueueName.Rotation);
      try {
        const template = { name: JobName.ConnectionCredentialRotate, data: { connectionId: 'c1' }, opts: { attempts: 5, backoff: { type: 'exponential' as const, delay: 1_000 } } };
        // The id is a scheduler id, not a job name; BullMQ's type for it is the queue's name type.
        await rotations.upsertJobScheduler(id as JobName, { every: 3_600_000 }, template);
        await rotations.upsertJobScheduler(id as JobName, { pattern: '0 3 * * *' }, template);

        const listed = await rotations.getJobSchedulers(0, -1);
        expect(listed.map((scheduler) => [scheduler.key, scheduler.pattern])).toEqual([[id, '0 3 * * *']]);
        expect((await rotations.getJobScheduler(id))?.next).toBeGreaterThan(Date.now());
        await rotations.removeJobScheduler(id);
        expect(await rotations.getJobSchedulers(0, -1)).toEqual([]);
      } finally {
        await rotations.obliterate({ force: true });
        await rotations.close();
      }
    });

    it('should run a job again when the worker process running it was killed (SIGKILL)', async () => {
      const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'libs/testing/src/queue-worker-child.ts'], {
        cwd: repositoryRoot,
        env: { ...process.env, QUEUE_BACKEND: JSON.stringify(backend), QUEUE_NAME: QueueName.Maintenance, LOCK_DURATION_MS: String(locks.lockDuration), STALLED_INTERVAL_MS: String(locks.stalledInterval) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = once(child, 'exit');
      try {
        await eventually('the child worker to be ready', async () => output, (text) => text.includes('ready'), 20_000);
        const job = await enqueue(queue, item, { jobId: jobId(JobName.AuditVerifyChain, unique('killed')) });
        await eventually('the child to start the job', async () => output, (text) => text.includes(`started ${job.id}`), 10_000);
        child.kill('SIGKILL');
        await exited;

        const { runs } = work(async () => 'recovered');
        await completed(job.id!);
        const done = await queue.getJob(job.id!);
        expect(runs.map((run) => run.id)).toEqual([job.id]);
        expect(done?.returnvalue).toBe('recovered');
        expect(done?.attemptsStarted).toBe(2);
      } finally {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          await exited;
        }
      }
    }, 45_000);

    it('should run each job once when two workers compete for the queue', async () => {
      const runs: string[] = [];
      const slowly = async (job: CatalogueJob) => {
        runs.push(job.id ?? '');
        await new Promise((resolve) => setTimeout(resolve, 20));
      };
      work(slowly, { concurrency: 4 });
      work(slowly, { concurrency: 4 });
      const ids = Array.from({ length: 40 }, (_, index) => jobId(JobName.AuditVerifyChain, `competing-${index}`));
      await queue.addBulk(ids.map((id) => ({ name: JobName.AuditVerifyChain, data: {}, opts: { jobId: id } })));

      await eventually('every job to complete', () => queue.getJobCounts('completed'), (counts) => counts['completed'] === ids.length, 20_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(runs.sort()).toEqual([...ids].sort());
    });
  });
}
