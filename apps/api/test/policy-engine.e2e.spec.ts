/**
 * Policy changes reach every API instance without a restart: over the coordination channel at once, through the
 * version check when the message is missed, and an instance that cannot read the version refuses to
 * decide rather than decide on stale policies.
 */
import { randomUUID } from 'node:crypto';

import { Coordination, RedisCoordination } from '@crossgate/coordination';

import { databaseUrlOf, requireRedis } from '@crossgate/config';
import { PolicyUnavailableError } from '@crossgate/policy';
import { createPrismaClient, PolicySourceRepository } from '@crossgate/store';
import { AdminHttp, createAdmin, createFreshDatabase, describeWithRedis } from '@crossgate/testing';

import { CrudService } from '../src/crud/index.ts';
import { Clock } from '../src/platform/index.ts';

import { policyChannel, PolicyEngineService } from '../src/policies/index.ts';
import { createPolicy, createPolicyFixture, type PolicyFixture } from './support/policy-fixtures.ts';
import { startTestApi, type TestApi } from './support/test-api.ts';

let first: TestApi;
let second: TestApi;
let admin: AdminHttp;
/** A second it-admin, who approves the policies `admin` writes (the two-person rule). */
let approver: AdminHttp;
let fixture: PolicyFixture;

beforeAll(async () => {
  [first, second] = await Promise.all([startTestApi(), startTestApi()]);
  admin = AdminHttp.withToken(first.baseUrl, (await createAdmin(first.prisma, 'it-admin')).token);
  approver = AdminHttp.withToken(first.baseUrl, (await createAdmin(first.prisma, 'it-admin')).token);
  fixture = await createPolicyFixture(admin);
});

afterAll(async () => {
  await Promise.all([first.close(), second.close()]);
});

function decisionOn(api: TestApi, userId: string) {
  return api.app.get(PolicyEngineService).decide({
    clientId: fixture.clientId,
    resourceId: fixture.resourceId,
    user: { id: userId, groupIds: [] },
    now: new Date(),
  });
}

/** Polls until `check` holds, and returns how long it took; fails after `limitMs`. */
async function within(limitMs: number, check: () => boolean): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > limitMs) {
      throw new Error(`not within ${limitMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return Date.now() - started;
}

describeWithRedis('policy engine across instances', () => {
  it('should apply a policy created on one instance on another within two seconds, announced over Redis', async () => {
    const listener = new RedisCoordination(requireRedis(first.config.redis, 'this test').url, { prefix: first.config.redis.prefix, logger: { log: () => undefined, warn: () => undefined } });
    const messages: string[] = [];
    await listener.subscribe(policyChannel, (message) => messages.push(message));
    try {
      const user = randomUUID();
      expect(decisionOn(second, user).code).toBe('no_policy');

      await createPolicy(admin, fixture, { subjectUserIds: [], everyone: false, subjectGroupIds: [fixture.groupId], scopes: ['issues.read'] }, approver);
      await createPolicy(admin, fixture, { everyone: false, subjectUserIds: [fixture.bob], scopes: ['issues.read'] }, approver);

      await within(2000, () => decisionOn(second, fixture.bob).allowed);
      await within(2000, () => messages.length >= 2);
      expect(messages).toContain('changed');
      expect(decisionOn(first, fixture.bob).grantedScopes).toEqual(['issues.read']);
    } finally {
      await listener.close();
    }
  });

  it('should notice a change whose message was missed through the version check', async () => {
    const user = randomUUID();
    expect(decisionOn(second, user).allowed).toBe(false);

    // Written behind the API's back: no message is published, only the version moves.
    await second.prisma.$transaction([
      second.prisma.policy.create({
        data: {
          name: 'written directly',
          clientId: fixture.clientId,
          resourceId: fixture.resourceId,
          subjectUserIds: [user],
          scopes: ['issues.write'],
          status: 'active',
        },
      }),
      second.prisma.policyVersion.upsert({ where: { id: 1 }, create: { id: 1, version: 1 }, update: { version: { increment: 1 } } }),
    ]);

    const took = await within(2500, () => decisionOn(second, user).allowed && decisionOn(first, user).allowed);
    expect(took).toBeLessThan(2500);
    expect(decisionOn(second, user).grantedScopes).toEqual(['issues.write']);
  });
});

describe('policy engine without a readable version', () => {
  it('should refuse to decide before it could ever load the policies', async () => {
    // The whole app no longer starts without its database (signing keys are ensured at boot), so the
    // engine is built by hand over a database that does not exist, with the app's real other parts.
    const url = new URL(databaseUrlOf(first.config));
    url.pathname = `/crossgate_missing_${randomUUID().replaceAll('-', '')}`;
    const prisma = createPrismaClient(url.toString());
    const engine = new PolicyEngineService(new PolicySourceRepository(prisma), first.app.get(Coordination), first.app.get(Clock), first.app.get(CrudService));
    try {
      await engine.onApplicationBootstrap();

      expect(() => engine.decide({ clientId: randomUUID(), resourceId: randomUUID(), user: { id: 'u', groupIds: [] }, now: new Date() })).toThrow(
        PolicyUnavailableError,
      );
    } finally {
      await engine.onApplicationShutdown();
      await prisma.$disconnect();
    }
  });

  it('should refuse to decide a few seconds after its database became unreadable', async () => {
    const database = await createFreshDatabase();
    const isolated = await startTestApi({ DATABASE_URL: database.url });
    try {
      const engine = isolated.app.get(PolicyEngineService);
      const request = { clientId: randomUUID(), resourceId: randomUUID(), user: { id: 'u', groupIds: [] }, now: new Date() };
      expect(engine.decide(request).code).toBe('no_policy');

      await database.drop();

      // Still answering from the last confirmed index for a moment, then refusing.
      const took = await within(12_000, () => {
        try {
          engine.decide(request);
          return false;
        } catch (error) {
          return error instanceof PolicyUnavailableError;
        }
      });
      expect(took).toBeGreaterThan(2000);
    } finally {
      await isolated.close();
      await database.drop().catch(() => undefined);
    }
  }, 30_000);
});
