import { JobName, QueueName } from '@crossgate/jobs';

import { eventually, obliterateQueues, openQueues, startTestWorker, testConfig, type TestWorker } from './support/test-worker.ts';

describe('job schedulers', () => {
  it('should register each scheduler once, with one run, however many workers start', async () => {
    const config = testConfig({ AUDIT_VERIFY_EVERY_MINUTES: '30' });
    const queues = openQueues(config);
    const maintenance = queues[QueueName.Maintenance];
    const workers: TestWorker[] = [];
    const intervals = {
      [JobName.AuditVerifyChain]: 30 * 60_000,
      [JobName.SigningKeysRotate]: config.keys.rotateEveryDays * 24 * 3600_000,
      [JobName.AccessReviewRemind]: config.accessReviews.scanEveryMs,
    };
    try {
      workers.push(...(await Promise.all([startTestWorker(config), startTestWorker(config)])));
      // Each scheduler's first run is added at once; wait for them before a third worker starts (a restart).
      await eventually('the first scheduled runs', () => maintenance.getJobCounts(), (counts) => counts['completed'] === Object.keys(intervals).length);
      workers.push(await startTestWorker(config));
      await new Promise((resolve) => setTimeout(resolve, 300));

      const schedulers = await maintenance.getJobSchedulers();
      expect(schedulers.map((scheduler) => [scheduler.key, scheduler.name, scheduler.every]).sort()).toEqual(
        Object.entries(intervals).map(([name, every]) => [name, name, every]).sort(),
      );
      // One run done and exactly one pending per scheduler, one interval after the first.
      expect(await maintenance.getJobCounts('completed', 'delayed', 'waiting', 'active', 'failed')).toEqual({
        completed: Object.keys(intervals).length,
        delayed: Object.keys(intervals).length,
        waiting: 0,
        active: 0,
        failed: 0,
      });
      // Scheduled job ids are `repeat:<scheduler>:<run time in ms>`.
      const runTime = (jobs: { id?: string }[], name: string) =>
        Number(jobs.find((job) => job.id?.split(':')[1] === name)?.id?.split(':')[2]);
      const [delayed, completed] = await Promise.all([maintenance.getDelayed(), maintenance.getCompleted()]);
      for (const [name, every] of Object.entries(intervals)) {
        expect(runTime(delayed, name) - runTime(completed, name)).toBe(every);
      }
    } finally {
      await Promise.all(workers.map((worker) => worker.close()));
      await obliterateQueues(queues);
    }
  }, 60_000);

  it('should move the schedule when the interval changes', async () => {
    const config = testConfig({ AUDIT_VERIFY_EVERY_MINUTES: '30' });
    const queues = openQueues(config);
    try {
      await (await startTestWorker(config)).close();
      const changed = { ...config, audit: { ...config.audit, verifyEveryMinutes: 5 } };
      await (await startTestWorker(changed)).close();

      const schedulers = await queues[QueueName.Maintenance].getJobSchedulers();
      expect(schedulers.find((scheduler) => scheduler.key === JobName.AuditVerifyChain)).toMatchObject({ every: 5 * 60_000 });
    } finally {
      await obliterateQueues(queues);
    }
  }, 60_000);
});
