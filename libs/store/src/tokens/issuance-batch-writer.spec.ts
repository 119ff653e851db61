import { randomUUID } from 'node:crypto';

import pg from 'pg';

import { databaseUrlOf, loadConfig } from '@crossgate/config';

import { AuditLogRepository } from '../audit/audit-log.repository.ts';
import { createPrismaClient, type PrismaClient } from '../database.ts';
import { IssuanceBatchWriter } from './issuance-batch-writer.ts';

let prisma: PrismaClient;
let pool: pg.Pool;
let writer: IssuanceBatchWriter;
let auditLog: AuditLogRepository;

beforeAll(() => {
  const url = databaseUrlOf(loadConfig());
  prisma = createPrismaClient(url);
  pool = new pg.Pool({ connectionString: url, max: 1 });
  writer = new IssuanceBatchWriter(pool);
  auditLog = new AuditLogRepository(prisma);
});

afterAll(async () => {
  await pool.end();
  await prisma.$disconnect();
});

/** Text a request can put into an audit reason: quotes, backslashes, dollar quotes, SQL, non-ASCII. */
const hostile = `'; DROP TABLE audit_events; -- \\ \\' " $$ $j0123456789ab$ $tag$ é 🔑 \u0000`.replace('\u0000', '');

describe('IssuanceBatchWriter', () => {
  it('should store issued tokens and events exactly as given, hostile text included, on an intact chain', async () => {
    const client = await prisma.client.create({ data: { clientId: `c-${randomUUID()}`, name: 'c', owner: 'o@example.test' } });
    const jti = randomUUID();
    const requestId = `req-${randomUUID()}`;

    await writer.write(
      [{ jti, kind: 'id_jag', clientId: client.id, resourceId: null, userId: null, scopes: ['a', hostile], policyIds: [], issuedAt: new Date(), expiresAt: new Date(Date.now() + 60_000) }],
      [
        { entry: { actor: { type: 'client', id: client.id, label: hostile }, action: 'token_exchange', decision: 'deny', reason: hostile, requestId, context: { note: hostile } }, at: new Date() },
        { entry: { actor: { type: 'anonymous' }, action: 'token_exchange', decision: 'allow', requestId, context: null }, at: new Date() },
      ],
    );

    expect(await prisma.issuedToken.findUniqueOrThrow({ where: { jti } })).toMatchObject({ scopes: ['a', hostile] });
    const events = await prisma.auditEvent.findMany({ where: { requestId }, orderBy: { seq: 'asc' } });
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ actorLabel: hostile, reason: hostile, context: { note: hostile } });
    expect(events[1]).toMatchObject({ actorType: 'anonymous', context: null, prevHash: events[0]!.hash });
    expect(await auditLog.verifyChain()).toMatchObject({ intact: true });
  });

  it('should write nothing of a group when part of it fails', async () => {
    const requestId = `req-${randomUUID()}`;
    const duplicate = randomUUID();
    const token = { jti: duplicate, kind: 'id_jag', clientId: randomUUID(), resourceId: null, userId: null, scopes: [], policyIds: [], issuedAt: new Date(), expiresAt: new Date() };

    await writer.write([token], []);
    // The same jti again: the token insert fails (primary key), and the group's event must not stay.
    await expect(writer.write([token], [{ entry: { actor: { type: 'anonymous' }, action: 'token_exchange', requestId }, at: new Date() }])).rejects.toThrow();

    expect(await prisma.auditEvent.count({ where: { requestId } })).toBe(0);
    // The connection went back to the pool usable.
    await writer.write([], [{ entry: { actor: { type: 'anonymous' }, action: 'token_exchange', requestId }, at: new Date() }]);
    expect(await prisma.auditEvent.count({ where: { requestId } })).toBe(1);
  });

  it('should link each group after an append by another writer, not after the head it remembered', async () => {
    const requestId = `req-${randomUUID()}`;
    const event = (label: string) => ({ entry: { actor: { type: 'anonymous' as const, label }, action: 'token_exchange', requestId }, at: new Date() });
    // A fresh writer: its first group reads the head, the second is linked to the first without reading.
    const ownPool = new pg.Pool({ connectionString: databaseUrlOf(loadConfig()), max: 1 });
    const own = new IssuanceBatchWriter(ownPool);
    try {
      await own.write([], [event('first')]);
      await own.write([], [event('second')]);
      // Another writer appends: the head `own` remembers is no longer the last event.
      await prisma.$transaction((tx) => auditLog.append(tx, { actor: { type: 'anonymous', label: 'admin' }, action: 'admin_write', requestId }));
      await own.write([], [event('third')]);
      await own.write([], [event('fourth')]);
    } finally {
      await ownPool.end();
    }

    const events = await prisma.auditEvent.findMany({ where: { requestId }, orderBy: { seq: 'asc' } });
    expect(events.map((stored) => stored.actorLabel)).toEqual(['first', 'second', 'admin', 'third', 'fourth']);
    events.slice(1).forEach((stored, index) => expect(stored.prevHash).toBe(events[index]!.hash));
    expect(await auditLog.verifyChain()).toMatchObject({ intact: true });
  });
});
