import type { Config } from '@crossgate/config';
import { type CatalogueQueue, enqueue, jobId, JobName, QueueName } from '@crossgate/jobs';
import { SigningKeyRepository } from '@crossgate/store';
import { FixedClock, unique } from '@crossgate/testing';

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
let worker: TestWorker;
let keys: SigningKeyRepository;

beforeEach(async () => {
  config = testConfig();
  queues = openQueues(config);
  maintenance = queues[QueueName.Maintenance];
  worker = await startTestWorker(config, new CapturingLogger());
  keys = worker.app.get(SigningKeyRepository);
});

afterEach(async () => {
  await worker.close();
  await obliterateQueues(queues);
});

/** Runs `signing-keys.rotate` for `role` and returns the job's id and return value. */
async function rotate(role: string, force: boolean) {
  const id = jobId(JobName.SigningKeysRotate, unique('test'));
  await enqueue(maintenance, { name: JobName.SigningKeysRotate, data: { role, force } }, { jobId: id });
  expect(await jobFinished(maintenance, id)).toBe('completed');
  const job = await maintenance.getJob(id);
  return { id, result: job!.returnvalue as { rotated: boolean; activeKid: string; retiredKid: string | null; nextKid: string } };
}

describe('signing-keys.rotate', () => {
  it('should schedule the IdP role every SIGNING_KEY_ROTATE_DAYS', async () => {
    const schedulers = await maintenance.getJobSchedulers();

    expect(schedulers).toContainEqual(
      expect.objectContaining({ key: JobName.SigningKeysRotate, every: config.keys.rotateEveryDays * 24 * 3600 * 1000 }),
    );
  });

  it('should rotate on demand and audit the rotation as the worker', async () => {
    const role = `ras:${unique('worker')}`;
    const first = await keys.ensureActive(role, 'ES256', new Date());

    const { id, result } = await rotate(role, true);

    expect(result).toMatchObject({ rotated: true, retiredKid: first.kid });
    const active = await keys.findActive(role);
    expect(active!.kid).toBe(result.activeKid);
    const retired = await worker.prisma.signingKey.findUniqueOrThrow({ where: { kid: first.kid } });
    expect(retired.state).toBe('retired');
    expect(retired.publishUntil!.getTime()).toBeGreaterThan(Date.now());
    const event = await worker.prisma.auditEvent.findFirstOrThrow({ where: { requestId: id } });
    expect(event).toMatchObject({ action: 'signing_key.rotate', actorType: 'system', actorLabel: 'worker', targetType: 'signing_key' });
    expect(JSON.stringify(event.after)).not.toContain(retired.privateKeyJwe);
  });

  it('should leave a key that is not due yet alone on a scheduled run', async () => {
    const role = `ras:${unique('worker')}`;
    const active = await keys.ensureActive(role, 'ES256', new Date());

    const { id, result } = await rotate(role, false);

    expect(result).toMatchObject({ rotated: false, activeKid: active.kid });
    expect((await keys.findActive(role))!.kid).toBe(active.kid);
    expect(await worker.prisma.auditEvent.count({ where: { requestId: id } })).toBe(0);
  });

  it("should rotate a key on a scheduled run once the worker's clock says it is due", async () => {
    const role = `ras:${unique('worker')}`;
    const active = await keys.ensureActive(role, 'ES256', new Date());
    await worker.close();
    const later = new Date(Date.now() + (config.keys.rotateEveryDays + 1) * 24 * 3600 * 1000);
    worker = await startTestWorker(config, new CapturingLogger(), new FixedClock(later));

    const { result } = await rotate(role, false);

    expect(result).toMatchObject({ rotated: true, retiredKid: active.kid });
    const activated = await worker.prisma.signingKey.findUniqueOrThrow({ where: { kid: result.activeKid } });
    expect(activated.activatedAt?.getTime()).toBe(later.getTime());
  });
});
