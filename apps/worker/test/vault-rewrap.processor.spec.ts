/**
 * KEK rotation end to end: a vault secret and a signing key sealed under KEK A; the worker restarts
 * with KEK B current and A as previous, enqueues `vault.rewrap` by itself and runs it; afterwards
 * KEK B alone opens everything, and nothing is left under A.
 */
import { randomBytes } from 'node:crypto';

import { type CatalogueQueue, jobId, JobName, QueueName } from '@crossgate/jobs';
import { AuditLogRepository, type PrismaClient, PrivateKeySeal, SecretStore, SigningKeyRepository } from '@crossgate/store';
import { unique } from '@crossgate/testing';
import { KeyRing } from '@crossgate/vault';

import { PRISMA } from '../src/platform/platform.module.ts';
import { jobFinished, obliterateQueues, openQueues, startTestWorker, testConfig, type TestWorker } from './support/test-worker.ts';

const kek = () => ({ id: unique('kek').replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 40), key: new Uint8Array(randomBytes(32)) });
const b64 = (key: Uint8Array) => Buffer.from(key).toString('base64url');

let worker: TestWorker | undefined;
let queues: Record<QueueName, CatalogueQueue> | undefined;

afterEach(async () => {
  await worker?.close();
  if (queues) {
    await obliterateQueues(queues);
  }
});

describe('vault.rewrap', () => {
  it('should move every vault data key and signing key from the old KEK to the new one, so the new KEK alone opens them', async () => {
    const a = kek();
    const b = kek();
    const configB = testConfig({ KEY_ENCRYPTION_KEY: b64(b.key), KEY_ENCRYPTION_KEY_ID: b.id, PREVIOUS_KEY_ENCRYPTION_KEYS: `${a.id}:${b64(a.key)}` });
    queues = openQueues(configB);
    // Data written while A was the current KEK.
    const bootstrap = await startTestWorker(testConfig());
    const prisma = bootstrap.app.get<PrismaClient>(PRISMA);
    const underA = SecretStore.fromConfig(prisma, { encryptionKeyId: a.id, encryptionKey: a.key, previousEncryptionKeys: [] });
    const secretIds = [];
    for (let n = 0; n < 3; n++) {
      secretIds.push(await underA.create({ purpose: 'connection_credential', label: `rewrap test ${n}`, value: `value-${n}-${unique('v')}` }));
    }
    await underA.addVersion(secretIds[0]!, 'second version of the first secret', { state: 'active' });
    const role = `ras:${unique('rewrap').toLowerCase().replace(/[^a-z0-9]/g, '')}`;
    const keysUnderA = new SigningKeyRepository(prisma, new PrivateKeySeal(new KeyRing(a)), bootstrap.app.get(AuditLogRepository));
    await keysUnderA.ensureActive(role, 'ES256', new Date());
    const signingKeyIds = (await prisma.signingKey.findMany({ where: { role }, select: { id: true } })).map((row) => row.id);
    expect(signingKeyIds.length).toBeGreaterThan(0);
    await bootstrap.close();

    worker = await startTestWorker(configB);
    const id = jobId(JobName.VaultRewrap, b.id);
    expect(await jobFinished(queues[QueueName.Maintenance], id, 20_000)).toBe('completed');
    const job = await queues[QueueName.Maintenance].getJob(id);
    expect(job!.progress).toBe(100);
    expect(job!.returnvalue).toMatchObject({ rewrapped: 4, resealed: signingKeyIds.length });

    const prismaB = worker.app.get<PrismaClient>(PRISMA);
    expect(await prismaB.secretVersion.count({ where: { kekId: a.id } })).toBe(0);
    expect(await prismaB.signingKey.count({ where: { kekId: a.id } })).toBe(0);
    const onlyB = SecretStore.fromConfig(prismaB, { encryptionKeyId: b.id, encryptionKey: b.key, previousEncryptionKeys: [] });
    expect((await onlyB.current(secretIds[0]!)).value.toString()).toBe('second version of the first secret');
    expect((await onlyB.open(secretIds[0]!, 1)).value.toString()).toMatch(/^value-0-/);
    for (const secretId of secretIds.slice(1)) {
      expect((await onlyB.current(secretId)).value.toString()).toMatch(/^value-/);
    }
    const keysUnderB = new SigningKeyRepository(prismaB, new PrivateKeySeal(new KeyRing(b)), worker.app.get(AuditLogRepository));
    const signing = await keysUnderB.activeKey(role);
    expect(signing.privateKey.type).toBe('private');
  }, 60_000);
});
