import { randomBytes } from 'node:crypto';

import { databaseUrlOf, loadConfig } from '@crossgate/config';
import { EnvelopeCipher, KeyRing, VaultIntegrityError } from '@crossgate/vault';

import { createPrismaClient, type PrismaClient } from '../database.ts';
import { SecretNotFoundError, SecretStore, VaultInputError } from './secret-store.ts';

const kek = (id: string) => ({ id, key: new Uint8Array(randomBytes(32)) });
// Long past, so no other test's versions fall due at these moments (retireDue sweeps the whole table).
const t0 = new Date('2001-02-03T09:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

let prisma: PrismaClient;
const first = kek(`kek-${randomBytes(3).toString('hex')}`);
let store: SecretStore;

beforeAll(() => {
  prisma = createPrismaClient(databaseUrlOf(loadConfig()));
  store = new SecretStore(prisma, new EnvelopeCipher(new KeyRing(first)));
});

afterAll(async () => {
  await prisma.$disconnect();
});

describe('SecretStore', () => {
  it('keeps only ciphertext in PostgreSQL and opens the active version', async () => {
    const planted = `planted-${randomBytes(8).toString('hex')}`;
    const id = await store.create({ purpose: 'connection_credential', label: 'Jira API key', value: planted }, undefined, t0);
    const raw = await prisma.$queryRaw<{ row: string }[]>`SELECT row_to_json(v)::text AS row FROM secret_versions v WHERE secret_id = ${id}::uuid`;
    expect(raw).toHaveLength(1);
    expect(raw[0]!.row).not.toContain(planted);
    expect(raw[0]!.row).not.toContain(Buffer.from(planted).toString('hex'));
    const current = await store.current(id);
    expect(current).toMatchObject({ secretId: id, version: 1 });
    expect(current.value.toString()).toBe(planted);
  });

  it('replaces the active version, keeping the old one valid through the overlap window, then retiring it', async () => {
    const id = await store.create({ purpose: 'connection_credential', label: 'k', value: 'v1' }, undefined, t0);
    expect(await store.addVersion(id, 'v2', { state: 'active', previous: { retireAt: at(3600) } }, at(10))).toBe(2);
    expect((await store.current(id)).value.toString()).toBe('v2');
    expect((await store.versions(id)).map((version) => [version.version, version.state])).toEqual([[2, 'active'], [1, 'retiring']]);
    expect(await store.retireDue(at(3599))).toBe(0);
    expect(await store.retireDue(at(3600))).toBeGreaterThanOrEqual(1);
    expect((await store.versions(id)).map((version) => version.state)).toEqual(['active', 'retired']);
  });

  it('holds a pending version back until it is activated, and lists versions without values', async () => {
    const id = await store.create({ purpose: 'connection_credential', label: 'k', value: 'old' }, undefined, t0);
    const version = await store.addVersion(id, 'new', { state: 'pending' }, at(1));
    expect((await store.current(id)).value.toString()).toBe('old');
    expect((await store.open(id, version)).value.toString()).toBe('new');
    await store.activate(id, version, 'retire-now', at(2));
    expect((await store.current(id)).value.toString()).toBe('new');
    await expect(store.activate(id, version, 'retire-now', at(3))).rejects.toThrow(SecretNotFoundError);
    const listed = JSON.stringify(await store.versions(id));
    expect(listed).not.toMatch(/"(old|new)"/);
    expect(Object.keys((await store.versions(id))[0]!).sort()).toEqual(['activatedAt', 'createdAt', 'expiresAt', 'kekId', 'retireAt', 'retiredAt', 'state', 'version']);
  });

  it('never has two active versions, even when two writers add one at once', async () => {
    const id = await store.create({ purpose: 'connection_credential', label: 'k', value: 'v1' }, undefined, t0);
    const results = await Promise.allSettled([store.addVersion(id, 'a', { state: 'active' }), store.addVersion(id, 'b', { state: 'active' })]);
    expect(results.filter((result) => result.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
    const active = (await store.versions(id)).filter((version) => version.state === 'active');
    expect(active).toHaveLength(1);
  });

  it('refuses oversized values and unknown secrets without writing anything', async () => {
    const id = await store.create({ purpose: 'connection_credential', label: 'k', value: 'v1' }, undefined, t0);
    await expect(store.addVersion(id, Buffer.alloc(20_000, 1), { state: 'active' })).rejects.toThrow(VaultInputError);
    expect(await store.versions(id)).toHaveLength(1);
    await expect(store.current('00000000-0000-4000-8000-000000000000')).rejects.toThrow(SecretNotFoundError);
    await expect(store.create({ purpose: 'connection_credential', label: 'k', value: '' })).rejects.toThrow(VaultInputError);
  });

  it('re-wraps every data key under a new KEK in batches, after which the old KEK is no longer needed', async () => {
    const id = await store.create({ purpose: 'connection_credential', label: 'k', value: 'before rotation' }, undefined, t0);
    const second = kek(`kek-${randomBytes(3).toString('hex')}`);
    const rotated = new SecretStore(prisma, new EnvelopeCipher(new KeyRing(second, [first])));
    let remaining = Infinity;
    while (remaining > 0) {
      ({ remaining } = await rotated.rewrapBatch(50));
    }
    const onlyNew = new SecretStore(prisma, new EnvelopeCipher(new KeyRing(second)));
    expect((await onlyNew.current(id)).value.toString()).toBe('before rotation');
    expect((await onlyNew.versions(id))[0]!.kekId).toBe(second.id);
    await expect(store.current(id)).rejects.toThrow(`"${second.id}" is not configured`);
    const sealedUnderFirst = await prisma.secretVersion.findFirstOrThrow({ where: { secretId: id } });
    await prisma.secretVersion.update({ where: { id: sealedUnderFirst.id }, data: { kekId: first.id } });
    await expect(store.current(id)).rejects.toThrow(VaultIntegrityError);
  });
});
