import { randomBytes } from 'node:crypto';

import { compactVerify, createLocalJWKSet, decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';

import { databaseUrlOf, loadConfig } from '@crossgate/config';
import { buildPublicJwks, generateSigningKey } from '@crossgate/token';
import { KeyRing } from '@crossgate/vault';

import { AuditLogRepository } from '../audit/audit-log.repository.ts';
import { createPrismaClient, type PrismaClient } from '../database.ts';
import { PrivateKeySeal } from './private-key-seal.ts';
import { SigningKeyRepository, type SigningKeyRecord } from './signing-key.repository.ts';

// A data-access lib may not import @crossgate/testing (module boundaries), so a local unique role.
const uniqueRole = () => `ras:test-${randomBytes(4).toString('hex')}`;
const kek = { id: 'kek-test', key: new Uint8Array(randomBytes(32)) };
const actor = { type: 'system', label: 'test' } as const;
const t0 = new Date('2026-11-23T12:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

let prisma: PrismaClient;
let auditLog: AuditLogRepository;
let keys: SigningKeyRepository;

beforeAll(() => {
  prisma = createPrismaClient(databaseUrlOf(loadConfig()));
  auditLog = new AuditLogRepository(prisma);
  keys = new SigningKeyRepository(prisma, new PrivateKeySeal(new KeyRing(kek)), auditLog);
});

afterAll(async () => {
  await prisma.$disconnect();
});

function jwksOf(records: SigningKeyRecord[], now: Date) {
  return createLocalJWKSet(
    buildPublicJwks(
      records.map((key) =>
        key.state === 'retired'
          ? { publicJwk: key.publicJwk, state: 'retired' as const, expiresAt: key.publishUntil! }
          : { publicJwk: key.publicJwk, state: key.state },
      ),
      now,
    ),
  );
}

async function signWith(role: string): Promise<string> {
  const key = await keys.activeKey(role);
  return new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: key.alg, kid: key.kid }).sign(key.privateKey);
}

describe('PrivateKeySeal', () => {
  it('should seal a private JWK as a dir/A256GCM JWE that names the KEK, and open it to a key that signs', async () => {
    const seal = new PrivateKeySeal(new KeyRing(kek));
    const key = await generateSigningKey({ extractable: true });

    const jwe = await seal.seal(key.privateKey);
    const opened = await seal.open(jwe, 'ES256');

    expect(jwe.split('.')).toHaveLength(5);
    expect(decodeProtectedHeader(jwe)).toMatchObject({ alg: 'dir', enc: 'A256GCM', kid: 'kek-test' });
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).sign(opened);
    await expect(compactVerify(token, key.publicJwk)).resolves.toBeDefined();
  });

  it('should refuse to open a key sealed under another KEK', async () => {
    const jwe = await new PrivateKeySeal(new KeyRing(kek)).seal((await generateSigningKey({ extractable: true })).privateKey);

    await expect(new PrivateKeySeal(new KeyRing({ id: 'kek-other', key: new Uint8Array(32) })).open(jwe, 'ES256')).rejects.toThrow(
      'sealed under key-encryption key "kek-test"',
    );
    await expect(new PrivateKeySeal(new KeyRing({ id: 'kek-test', key: new Uint8Array(32) })).open(jwe, 'ES256')).rejects.toThrow();
  });
});

describe('SigningKeyRepository', () => {
  it('should store the private key only as a JWE, and return records without it', async () => {
    const role = uniqueRole();
    const record = await keys.ensureActive(role, 'ES256', t0);

    const row = await prisma.signingKey.findUniqueOrThrow({ where: { id: record.id } });
    expect(row.privateKeyJwe).toMatch(/^[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(row.privateKeyJwe).not.toContain('"d"');
    expect(() => JSON.parse(row.privateKeyJwe) as unknown).toThrow();
    expect(row.kekId).toBe('kek-test');
    expect(JSON.stringify(record)).not.toMatch(/privateKeyJwe|"d":/);
    expect(Object.keys(record.publicJwk).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
  });

  it('should create exactly one active key when many instances ensure one at once', async () => {
    const role = uniqueRole();

    const results = await Promise.all(Array.from({ length: 8 }, () => keys.ensureActive(role, 'ES256', t0)));

    expect(new Set(results.map((record) => record.kid)).size).toBe(1);
    expect(await prisma.signingKey.count({ where: { role } })).toBe(1);
    expect(await prisma.signingKey.count({ where: { role, state: 'active' } })).toBe(1);
  });

  it('should create RS256 keys on request', async () => {
    const record = await keys.ensureActive(uniqueRole(), 'RS256', t0);

    expect(record).toMatchObject({ alg: 'RS256', publicJwk: { kty: 'RSA', alg: 'RS256' } });
  });

  it('should sign with the active key, opened from its JWE', async () => {
    const role = uniqueRole();
    const active = await keys.ensureActive(role, 'ES256', t0);

    const token = await signWith(role);

    expect(decodeProtectedHeader(token).kid).toBe(active.kid);
    await expect(jwtVerify(token, jwksOf(await keys.publishable(role, t0), t0))).resolves.toBeDefined();
  });

  it('should rotate in one step: next becomes active, active retires, a new next is published', async () => {
    const role = uniqueRole();
    const first = await keys.ensureActive(role, 'ES256', t0);

    const one = await keys.rotate(role, at(10), 300, { alg: 'ES256', actor });
    const two = await keys.rotate(role, at(20), 300, { alg: 'ES256', actor });

    expect(one.retired?.kid).toBe(first.kid);
    expect(one.retired).toMatchObject({ state: 'retired', retiredAt: at(10), publishUntil: at(10 + 300 + 60) });
    // The key published as `next` by the first rotation is the one the second rotation activates.
    expect(two.activated.kid).toBe(one.next.kid);
    expect(two.activated).toMatchObject({ state: 'active', activatedAt: at(20) });
    expect(two.retired?.kid).toBe(one.activated.kid);
    expect(await prisma.signingKey.count({ where: { role, state: 'active' } })).toBe(1);
    expect(await prisma.signingKey.count({ where: { role, state: 'next' } })).toBe(1);
    expect((await keys.activeKey(role)).kid).toBe(two.activated.kid);
  });

  it('should keep a token signed before rotation verifiable until publishUntil, and drop the key after', async () => {
    const role = uniqueRole();
    await keys.ensureActive(role, 'ES256', t0);
    const before = await signWith(role);

    const rotation = await keys.rotate(role, at(100), 300, { alg: 'ES256', actor });
    const publishUntil = rotation.retired!.publishUntil!;

    const justBefore = new Date(publishUntil.getTime() - 1000);
    expect((await keys.publishable(role, justBefore)).map((key) => key.kid)).toContain(rotation.retired!.kid);
    await expect(jwtVerify(before, jwksOf(await keys.publishable(role, justBefore), justBefore))).resolves.toBeDefined();

    const after = await keys.publishable(role, publishUntil);
    expect(after.map((key) => key.state).sort()).toEqual(['active', 'next']);
    await expect(jwtVerify(before, jwksOf(after, publishUntil))).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
    await expect(jwtVerify(await signWith(role), jwksOf(after, publishUntil))).resolves.toBeDefined();
  });

  it('should audit a rotation without any private material', async () => {
    const role = uniqueRole();
    await keys.ensureActive(role, 'ES256', t0);
    const requestId = `req-${randomBytes(4).toString('hex')}`;

    const rotation = await keys.rotate(role, at(5), 300, { alg: 'ES256', actor, requestId });

    const event = await prisma.auditEvent.findFirstOrThrow({ where: { requestId } });
    expect(event).toMatchObject({ action: 'signing_key.rotate', targetType: 'signing_key', targetId: rotation.activated.id, actorType: 'system' });
    expect(event.after).toMatchObject({ role, activeKid: rotation.activated.kid, nextKid: rotation.next.kid, retiredKid: rotation.retired!.kid });
    const stored = await prisma.signingKey.findMany({ where: { role } });
    const text = JSON.stringify({ ...event, seq: event.seq.toString() });
    for (const row of stored) {
      expect(text).not.toContain(row.privateKeyJwe);
    }
    expect(text).not.toMatch(/"d":/);
  });

  it('should make a new active key when a role without keys is rotated', async () => {
    const role = uniqueRole();

    const rotation = await keys.rotate(role, t0, 300, { alg: 'ES256', actor });

    expect(rotation.retired).toBeNull();
    expect(rotation.activated.state).toBe('active');
    expect(rotation.next.state).toBe('next');
  });
});
