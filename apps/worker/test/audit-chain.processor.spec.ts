import type { Config } from '@crossgate/config';
import { type CatalogueQueue, enqueue, jobId, JobName, QueueName } from '@crossgate/jobs';
import { unique } from '@crossgate/testing';

import {
  CapturingLogger,
  jobFinished,
  obliterateQueues,
  openQueues,
  startTestWorker,
  testConfig,
  type TestWorker,
} from './support/test-worker.ts';

let config: Config;
let queues: ReturnType<typeof openQueues>;
let maintenance: CatalogueQueue;
let logger: CapturingLogger;
let worker: TestWorker;

beforeEach(async () => {
  // A long interval: only the scheduler's first run and the jobs a test adds will execute.
  config = testConfig({ AUDIT_VERIFY_EVERY_MINUTES: '1440' });
  queues = openQueues(config);
  maintenance = queues[QueueName.Maintenance];
  logger = new CapturingLogger();
  worker = await startTestWorker(config, logger);
});

afterEach(async () => {
  await worker.close();
  await obliterateQueues(queues);
});

async function verifyNow(): Promise<string> {
  const id = jobId(JobName.AuditVerifyChain, unique('test'));
  await enqueue(maintenance, { name: JobName.AuditVerifyChain, data: {} }, { jobId: id });
  expect(await jobFinished(maintenance, id)).toBe('completed');
  return id;
}

function seedEvent(worker: TestWorker) {
  return worker.auditLog.record({ actor: { type: 'system', label: 'test' }, action: 'test.seeded', reason: unique('reason') });
}

describe('audit.verify-chain', () => {
  it('should record an allowed audit.chain_verified event when the chain is intact', async () => {
    const seeded = await seedEvent(worker);

    const id = await verifyNow();

    const event = await worker.prisma.auditEvent.findFirstOrThrow({ where: { requestId: id } });
    expect(event).toMatchObject({
      actorType: 'system',
      actorLabel: 'worker',
      action: 'audit.chain_verified',
      targetType: 'audit_log',
      decision: 'allow',
      reason: null,
    });
    const context = event.context as { intact: boolean; checked: number; lastSeq: string; chainHead: string };
    expect(context.intact).toBe(true);
    expect(BigInt(context.lastSeq)).toBeGreaterThanOrEqual(seeded.seq);
    expect(context.checked).toBe(Number(context.lastSeq));
    expect(context.chainHead).toMatch(/^[0-9a-f]{64}$/);
    expect(logger.messages('error')).toEqual([]);
  });

  it('should record a denied event naming the first broken event, and log an error, when a row was altered', async () => {
    expect(await worker.auditLog.verifyChain()).toMatchObject({ intact: true });
    const victim = await seedEvent(worker);
    await seedEvent(worker);
    await worker.prisma.$executeRaw`UPDATE audit_events SET reason = 'x' WHERE seq = ${victim.seq}`;
    try {
      const id = await verifyNow();

      const event = await worker.prisma.auditEvent.findFirstOrThrow({ where: { requestId: id } });
      expect(event).toMatchObject({
        action: 'audit.chain_verified',
        decision: 'deny',
        reason: `event ${victim.seq} was altered after it was written`,
      });
      expect(event.context).toMatchObject({ intact: false, firstBrokenSeq: victim.seq.toString(), checked: Number(victim.seq) - 1 });
      expect(logger.messages('error')).toContainEqual(expect.stringContaining(`AUDIT CHAIN BROKEN at event ${victim.seq}`));
    } finally {
      // The run's database is shared with every other suite: put the row back as it was.
      await worker.prisma.$executeRaw`UPDATE audit_events SET reason = ${victim.reason} WHERE seq = ${victim.seq}`;
    }
    expect(await worker.auditLog.verifyChain()).toMatchObject({ intact: true });
  });
});
