import { JobName, QueueName } from '@crossgate/jobs';

import { eventually, obliterateQueues, openQueues, startTestWorker, testConfig, type TestWorker } from './support/test-worker.ts';

describe('job schedulers', () => {
  it('should register the audit-chain scheduler once, with one run, however many workers start', async () => {
    const config = testConfig({ AUDIT_VERIFY_EVERY_MINUTES: '30' });
    const queues = openQueues(config.redis);
    const maintenance = queues[QueueName.Maintenance];
    const workers: TestWorker[] = [];
    try {
      workers.push(...(await Promise.all([startTestWorker(config), startTestWorker(config)])));
      // The first run is added at once; wait for it before a third worker starts (a restart).
      await eventually('the first scheduled run', () => maintenance.getJobCounts(), (counts) => counts['completed'] === 1);
      workers.push(await startTestWorker(config));
      await new Promise((resolve) => setTimeout(resolve, 300));

      const schedulers = await maintenance.getJobSchedulers();
      expect(schedulers).toEqual([expect.objectContaining({ key: JobName.AuditVerifyChain, name: JobName.AuditVerifyChain, every: 30 * 60_000 })]);
      // One run done and exactly one pending, about 30 minutes after the first.
      expect(await maintenance.getJobCounts('completed', 'delayed', 'waiting', 'active', 'failed')).toEqual({
        completed: 1,
        delayed: 1,
        waiting: 0,
        active: 0,
        failed: 0,
      });
      // Scheduled job ids are `repeat:<scheduler>:<run time in ms>`.
      const runTime = (job: { id?: string } | undefined) => Number(job?.id?.split(':')[2]);
      const [next] = await maintenance.getDelayed();
      const [first] = await maintenance.getCompleted();
      expect(runTime(next) - runTime(first)).toBe(30 * 60_000);
    } finally {
      await Promise.all(workers.map((worker) => worker.close()));
      await obliterateQueues(queues);
    }
  });

  it('should move the schedule when the interval changes', async () => {
    const config = testConfig({ AUDIT_VERIFY_EVERY_MINUTES: '30' });
    const queues = openQueues(config.redis);
    try {
      await (await startTestWorker(config)).close();
      const changed = { ...config, audit: { verifyEveryMinutes: 5 } };
      await (await startTestWorker(changed)).close();

      const schedulers = await queues[QueueName.Maintenance].getJobSchedulers();
      expect(schedulers).toEqual([expect.objectContaining({ key: JobName.AuditVerifyChain, every: 5 * 60_000 })]);
    } finally {
      await obliterateQueues(queues);
    }
  });
});
