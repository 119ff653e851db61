import { randomUUID } from 'node:crypto';

import pg from 'pg';

import { databaseUrlOf, loadConfig } from '@crossgate/config';

import { createPrismaClient, type PrismaClient } from '../database.ts';
import { type AssertionRedemption, RedeemedAssertionWriter } from './redeemed-assertions.ts';

let prisma: PrismaClient;
let pools: pg.Pool[];
let writers: RedeemedAssertionWriter[];
let resourceId: string;
let clientId: string;

beforeAll(async () => {
  const url = databaseUrlOf(loadConfig());
  prisma = createPrismaClient(url);
  // Two writers: two API instances, each with connections of its own.
  pools = [new pg.Pool({ connectionString: url, max: 2 }), new pg.Pool({ connectionString: url, max: 2 })];
  writers = pools.map((pool) => new RedeemedAssertionWriter(pool));
  const slug = `r-${randomUUID()}`;
  resourceId = (await prisma.resource.create({ data: { slug, name: slug, authorizationServer: 'https://as.example.test', resourceIndicators: [], owner: 'o@example.test' } })).id;
  clientId = (await prisma.client.create({ data: { clientId: `c-${randomUUID()}`, name: 'c', owner: 'o@example.test' } })).id;
});

afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  await prisma.$disconnect();
});

function redemption(overrides: Partial<AssertionRedemption> = {}): AssertionRedemption {
  return { issuer: 'https://idp.example.test', jti: randomUUID(), subject: 'nobody', recordedHere: false, resourceId, redeemedAt: new Date(), expiresAt: new Date(Date.now() + 60_000), ...overrides };
}

describe('RedeemedAssertionWriter', () => {
  it('should let exactly one of many concurrent redemptions of one (iss, jti) win, across writers and within a group', async () => {
    const contested = redemption();
    const outcomes = (
      await Promise.all([
        writers[0]!.redeem([contested, { ...contested }]),
        writers[1]!.redeem([{ ...contested }]),
        writers[0]!.redeem([{ ...contested }, redemption()]),
        writers[1]!.redeem([{ ...contested }]),
      ])
    ).flat();
    // Five redemptions of the contested key, one of another.
    expect(outcomes.filter((outcome) => outcome.first)).toHaveLength(2);
    expect(await prisma.redeemedAssertion.count({ where: { jti: contested.jti } })).toBe(1);
  });

  it('should keep one jti apart per issuer', async () => {
    const jti = randomUUID();
    const [first, second] = await writers[0]!.redeem([redemption({ jti }), redemption({ jti, issuer: 'https://other.example.test' })]);
    expect([first?.first, second?.first]).toEqual([true, true]);
  });

  it("should name the user an IdP-role ID-JAG's record names, and whether it was revoked", async () => {
    const idp = await prisma.trustedIdp.create({ data: { name: 'i', issuer: `https://${randomUUID()}.example.test`, audiences: [] } });
    const user = await prisma.user.create({ data: { idpId: idp.id, subject: 'alice' } });
    const [live, revoked] = [randomUUID(), randomUUID()];
    const expiresAt = new Date(Date.now() + 60_000);
    for (const jti of [live, revoked]) {
      await prisma.issuedToken.create({ data: { jti, kind: 'id_jag', clientId, resourceId, userId: user.id, scopes: [], policyIds: [], issuedAt: new Date(), expiresAt, revokedAt: jti === revoked ? new Date() : null } });
    }

    const outcomes = await writers[0]!.redeem([redemption({ jti: live, recordedHere: true }), redemption({ jti: revoked, recordedHere: true }), redemption({ recordedHere: true })]);

    expect(outcomes).toEqual([
      { first: true, user: { id: user.id, idpId: idp.id, active: true }, revoked: false },
      { first: true, user: { id: user.id, idpId: idp.id, active: true }, revoked: true },
      { first: true, user: null, revoked: false },
    ]);
  });

  it("should name another issuer's user by iss and sub at the trusted IdP, and say when they are not active", async () => {
    const issuer = `https://${randomUUID()}.example.test`;
    const idp = await prisma.trustedIdp.create({ data: { name: 'i', issuer, audiences: [] } });
    const user = await prisma.user.create({ data: { idpId: idp.id, subject: 'bob', status: 'suspended' } });

    const [known, unknown] = await writers[1]!.redeem([redemption({ issuer, subject: 'bob' }), redemption({ issuer, subject: 'carol' })]);

    expect(known).toEqual({ first: true, user: { id: user.id, idpId: idp.id, active: false }, revoked: false });
    expect(unknown?.user).toBeNull();
  });

  it('should drop only expired records', async () => {
    const expired = redemption({ expiresAt: new Date(Date.now() - 1000) });
    const live = redemption();
    await writers[0]!.redeem([expired, live]);

    expect(await writers[0]!.pruneExpired(new Date())).toBeGreaterThanOrEqual(1);

    expect(await prisma.redeemedAssertion.count({ where: { jti: { in: [expired.jti, live.jti] } } })).toBe(1);
  });
});
