import { randomBytes } from 'node:crypto';

import { databaseUrlOf, loadConfig } from '@crossgate/config';

import { createPrismaClient, type PrismaClient } from '../database.ts';
import { PolicySourceRepository } from './policy-source.repository.ts';

// A data-access lib may not import @crossgate/testing (module boundaries), so a local unique name.
const uniqueName = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

let prisma: PrismaClient;
let source: PolicySourceRepository;

beforeAll(() => {
  prisma = createPrismaClient(databaseUrlOf(loadConfig()));
  source = new PolicySourceRepository(prisma);
});

afterAll(async () => {
  await prisma.$disconnect();
});

async function world() {
  const idp = await prisma.trustedIdp.create({ data: { name: uniqueName('idp'), issuer: `https://${uniqueName('idp')}.example.test`, audiences: ['a'] } });
  const client = await prisma.client.create({ data: { clientId: uniqueName('c'), name: 'c', owner: 'o@example.test', scopeCeiling: ['read'] } });
  const disabledClient = await prisma.client.create({ data: { clientId: uniqueName('c'), name: 'c', owner: 'o@example.test', status: 'disabled' } });
  const slug = uniqueName('r');
  const resource = await prisma.resource.create({
    data: { slug, name: 'r', authorizationServer: `https://${slug}.example.test`, resourceIndicators: [`https://${slug}.example.test`], owner: 'o@example.test' },
  });
  const group = await prisma.group.create({ data: { name: uniqueName('g') } });
  const deletedGroup = await prisma.group.create({ data: { name: uniqueName('g'), deletedAt: new Date() } });
  const user = await prisma.user.create({ data: { idpId: idp.id, subject: uniqueName('u'), email: 'u@example.test' } });
  const suspended = await prisma.user.create({ data: { idpId: idp.id, subject: uniqueName('u'), status: 'suspended' } });
  await prisma.membership.createMany({ data: [{ userId: user.id, groupId: group.id }, { userId: user.id, groupId: deletedGroup.id }] });
  const policy = (status: 'active' | 'draft', deletedAt: Date | null = null) =>
    prisma.policy.create({
      data: { name: 'p', clientId: client.id, resourceId: resource.id, subjectGroupIds: [group.id], scopes: ['read'], status, deletedAt, conditions: { requiredAcr: ['phr'] } },
    });
  return { client, disabledClient, group, user, suspended, active: await policy('active'), draft: await policy('draft'), deleted: await policy('active', new Date()) };
}

describe('PolicySourceRepository', () => {
  it('should load only active, non-deleted policies and active clients, as plain policy rows', async () => {
    const { client, disabledClient, active, draft, deleted } = await world();

    const policies = await source.activePolicies();
    const clients = await source.activeClients();

    const ids = policies.map((policy) => policy.id);
    expect(ids).toContain(active.id);
    expect(ids).not.toContain(draft.id);
    expect(ids).not.toContain(deleted.id);
    expect(policies.find((policy) => policy.id === active.id)).toEqual({
      id: active.id,
      clientId: client.id,
      resourceId: active.resourceId,
      effect: 'allow',
      everyone: false,
      subjectGroupIds: active.subjectGroupIds,
      subjectUserIds: [],
      scopes: ['read'],
      conditions: { requiredAcr: ['phr'] },
      status: 'active',
      expiresAt: null,
    });
    expect(clients).toContainEqual({ id: client.id, scopeCeiling: ['read'] });
    expect(clients.map((row) => row.id)).not.toContain(disabledClient.id);
    expect((await source.policy(draft.id))?.status).toBe('draft');
    expect(await source.policy(deleted.id)).toBeNull();
  });

  it("should read a user's groups without deleted ones, and list only active users", async () => {
    const { group, user, suspended } = await world();

    expect(await source.groupIdsOf(user.id)).toEqual([group.id]);
    expect(await source.groupIdsOf('00000000-0000-4000-8000-000000000000')).toBeNull();
    const users = await source.activeUsers();
    expect(users).toContainEqual({ id: user.id, email: 'u@example.test', displayName: null, groupIds: [group.id] });
    expect(users.map((row) => row.id)).not.toContain(suspended.id);
  });

  it('should read the policy version as a bigint', async () => {
    expect(typeof (await source.version())).toBe('bigint');
  });
});
