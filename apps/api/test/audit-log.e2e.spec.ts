/**
 * The audit log over real HTTP: one event per change with who, what, before/after and the request id;
 * secrets never in it; the hash chain exposes edits and deletions; exports are safe to open.
 * Tampering breaks a chain for good, so those tests run on a database of their own.
 */
import { randomUUID } from 'node:crypto';

import type { AuditEventView } from '@crossgate/domain';
import {
  AdminHttp,
  createAdmin,
  createFreshDatabase,
  type FreshDatabase,
  type HttpResult,
  listQuery,
  type TestAdmin,
  unique,
} from '@crossgate/testing';

import { startTestApi, type TestApi } from './support/test-api.ts';

type AuditView = AuditEventView;


let api: TestApi;
let itAdmin: TestAdmin;
let http: AdminHttp;
let auditor: AdminHttp;

beforeAll(async () => {
  api = await startTestApi();
  itAdmin = await createAdmin(api.prisma, 'it-admin');
  http = AdminHttp.withToken(api.baseUrl, itAdmin.token);
  auditor = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'auditor')).token);
});

afterAll(async () => {
  await api.close();
});

/** A request id the API keeps (8–100 of `[A-Za-z0-9._:-]`), unique to one test call. */
const newRequestId = () => `test-${randomUUID()}`;

function withRequestId<T>(client: AdminHttp, method: string, path: string, requestId: string, body?: unknown): Promise<HttpResult<T>> {
  return client.request<T>(method, path, body, { 'x-request-id': requestId });
}

/** A sign-in with a wrong password: the cheapest event anyone can cause. */
function signIn(email: string, requestId: string): Promise<HttpResult> {
  return AdminHttp.anonymous(api.baseUrl).request('POST', '/api/auth/sign-in', { email, password: 'x' }, { 'x-request-id': requestId });
}

async function eventsOf(requestId: string): Promise<AuditView[]> {
  const response = await http.get<AuditView[]>(`/api/audit${listQuery({ filter: { requestId } })}`);
  expect(response.status).toBe(200);
  return response.body;
}

/** Audit rows whose whole content (every column, JSON included) contains `text`. */
async function auditRowsContaining(text: string): Promise<number> {
  const [row] = await api.prisma.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM audit_events e WHERE e::text LIKE ${`%${text}%`}`;
  return row!.n;
}

/** RFC 4180: quoted cells, doubled quotes, line breaks inside quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"';
        index += 1;
      } else if (char === '"') {
        quoted = false;
      } else {
        cell += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else {
      cell += char;
    }
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

function exportPath(format: 'csv' | 'jsonl', filter: object): string {
  return `/api/audit/export?format=${format}&filter=${encodeURIComponent(JSON.stringify(filter))}`;
}

describe('one event per change', () => {
  it('should record create, update and delete with actor, action, target, before/after and request id', async () => {
    const [createId, updateId, deleteId] = [newRequestId(), newRequestId(), newRequestId()];

    const created = await withRequestId<{ id: string }>(http, 'POST', '/api/groups', createId, { name: unique('Finance') });
    const id = created.body.id;
    await withRequestId(http, 'PUT', `/api/groups/${id}`, updateId, { name: 'Finance (renamed)' });
    await withRequestId(http, 'DELETE', `/api/groups/${id}`, deleteId);

    const actor = { actorType: 'api_token', actorId: itAdmin.id, targetType: 'groups', targetId: id, decision: 'allow' };
    const [createEvents, updateEvents, deleteEvents] = [await eventsOf(createId), await eventsOf(updateId), await eventsOf(deleteId)];
    expect(createEvents).toHaveLength(1);
    expect(createEvents[0]).toMatchObject({ ...actor, action: 'group.create', requestId: createId, before: null });
    expect(createEvents[0]!.after).toMatchObject({ id, name: expect.stringMatching(/^Finance/) });
    expect(createEvents[0]!.actorLabel).toContain(itAdmin.email);
    expect(updateEvents).toHaveLength(1);
    expect(updateEvents[0]).toMatchObject({ ...actor, action: 'group.update', requestId: updateId });
    expect(updateEvents[0]!.before).toMatchObject({ name: createEvents[0]!.after!['name'] });
    expect(updateEvents[0]!.after).toMatchObject({ name: 'Finance (renamed)' });
    expect(deleteEvents).toHaveLength(1);
    expect(deleteEvents[0]).toMatchObject({ ...actor, action: 'group.delete', requestId: deleteId, after: null });
    expect(deleteEvents[0]!.before).toMatchObject({ name: 'Finance (renamed)' });
  });

  it('should record nothing for a write that is refused', async () => {
    const requestId = newRequestId();

    const response = await withRequestId(http, 'POST', '/api/groups', requestId, { name: '' });

    expect(response.status).toBe(422);
    expect(await eventsOf(requestId)).toEqual([]);
  });

  it('should record a refused sign-in of a known admin with that admin as the target', async () => {
    const requestId = newRequestId();
    const response = await signIn(itAdmin.email, requestId);
    expect(response.status).toBe(401);

    const [event] = await eventsOf(requestId);

    expect(event).toMatchObject({ action: 'admin.sign_in', decision: 'deny', targetType: 'admin-users', targetId: itAdmin.id });
  });
});

describe('secrets in the audit log', () => {
  it('should keep an admin user’s password and its hash out of the event', async () => {
    const password = `pw-${randomUUID()}`;
    const requestId = newRequestId();

    const created = await withRequestId<{ id: string }>(http, 'POST', '/api/admin-users', requestId, {
      email: `${unique('new-admin')}@example.test`,
      displayName: 'New admin',
      role: 'auditor',
      password,
    });

    expect(created.status).toBe(201);
    expect(created.body).not.toHaveProperty('password');
    expect(created.body).not.toHaveProperty('passwordHash');
    const [event] = await eventsOf(requestId);
    expect(event!.after).not.toHaveProperty('password');
    expect(event!.after).not.toHaveProperty('passwordHash');
    const { passwordHash } = await api.prisma.adminUser.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(passwordHash).toMatch(/^\$argon2id\$/);
    expect(await auditRowsContaining(password)).toBe(0);
    expect(await auditRowsContaining(passwordHash!.slice(-24))).toBe(0);
  });

  it('should keep a changed password and its hash out of the update event', async () => {
    const target = await createAdmin(api.prisma, 'auditor');
    const password = `pw-${randomUUID()}`;
    const requestId = newRequestId();

    expect((await withRequestId(http, 'PUT', `/api/admin-users/${target.id}`, requestId, { password })).status).toBe(200);

    const { passwordHash } = await api.prisma.adminUser.findUniqueOrThrow({ where: { id: target.id } });
    expect(await eventsOf(requestId)).toHaveLength(1);
    expect(await auditRowsContaining(password)).toBe(0);
    expect(await auditRowsContaining(passwordHash!.slice(-24))).toBe(0);
  });

  it('should never write an API token’s value into any audit row', async () => {
    const requestId = newRequestId();

    const created = await withRequestId<{ id: string; token: string }>(http, 'POST', '/api/api-tokens', requestId, {
      name: unique('ci'),
      expiresAt: new Date(Date.now() + 3600_000).toISOString(),
    });
    await AdminHttp.withToken(api.baseUrl, created.body.token).get('/api/auth/me');
    await http.delete(`/api/api-tokens/${created.body.id}`);

    expect(created.status).toBe(201);
    expect(await eventsOf(requestId)).toHaveLength(1);
    expect(await auditRowsContaining(created.body.token.slice(10))).toBe(0);
  });

  it('should refuse a JWKS holding private key material, so it never reaches the row or the audit log', async () => {
    const privateExponent = `d-${randomUUID()}`;
    const requestId = newRequestId();

    const response = await withRequestId<{ errors: Record<string, string> }>(http, 'POST', '/api/clients', requestId, {
      clientId: unique('client'),
      name: 'Leaky agent',
      owner: 'dana@example.test',
      authMethod: 'private_key_jwt',
      jwks: { keys: [{ kty: 'RSA', kid: 'k1', n: 'AQAB', e: 'AQAB', d: privateExponent }] },
    });

    expect(response.status).toBe(422);
    expect(Object.keys(response.body.errors)).toEqual(['jwks.keys.0']);
    expect(await auditRowsContaining(privateExponent)).toBe(0);
  });
});

describe('listing events', () => {
  async function groupWithHistory(): Promise<{ id: string; events: AuditView[] }> {
    const created = await http.post<{ id: string }>('/api/groups', { name: unique('Ops') });
    await http.put(`/api/groups/${created.body.id}`, { description: 'first change' });
    await http.put(`/api/groups/${created.body.id}`, { description: 'second change' });
    const listed = await auditor.get<AuditView[]>(`/api/audit${listQuery({ filter: { targetId: created.body.id } })}`);
    return { id: created.body.id, events: listed.body };
  }

  it('should list newest first by default', async () => {
    const { events } = await groupWithHistory();

    expect(events.map((event) => event.action)).toEqual(['group.update', 'group.update', 'group.create']);
    const seqs = events.map((event) => BigInt(event.seq));
    expect(seqs).toEqual([...seqs].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));
  });

  it('should filter by action and target id together', async () => {
    const { id } = await groupWithHistory();

    const response = await auditor.get<AuditView[]>(`/api/audit${listQuery({ filter: { action: 'group.create', targetId: id } })}`);

    expect(response.body.map((event) => [event.action, event.targetId])).toEqual([['group.create', id]]);
    expect(response.headers.get('content-range')).toBe('audit 0-0/1');
  });

  it('should filter by time with an inclusive from and an exclusive to', async () => {
    const { id, events } = await groupWithHistory();
    const [latest, middle, oldest] = events;
    expect(Date.parse(oldest!.at)).toBeLessThan(Date.parse(middle!.at));

    const fromMiddle = await auditor.get<AuditView[]>(`/api/audit${listQuery({ filter: { targetId: id, from: middle!.at } })}`);
    const beforeMiddle = await auditor.get<AuditView[]>(`/api/audit${listQuery({ filter: { targetId: id, to: middle!.at } })}`);

    expect(fromMiddle.body.map((event) => event.seq)).toEqual([latest!.seq, middle!.seq]);
    expect(beforeMiddle.body.map((event) => event.seq)).toEqual([oldest!.seq]);
  });

  it('should read one event by its sequence number', async () => {
    const { events } = await groupWithHistory();

    const response = await auditor.get<AuditView>(`/api/audit/${events[0]!.seq}`);

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: events[0]!.seq, seq: events[0]!.seq, action: 'group.update' });
  });
});

describe('exporting events', () => {
  it('should export CSV with a header row, every cell quoted and embedded quotes doubled', async () => {
    const requestId = newRequestId();
    const name = `=cmd() "quoted", ${unique('name')}`;
    await withRequestId(http, 'POST', '/api/groups', requestId, { name });

    const response = await auditor.get<string>(exportPath('csv', { requestId }));

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="crossgate-audit-.+\.csv"$/);
    const lines = response.body.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^"[^"]/);
    const [header, row] = parseCsv(response.body);
    expect(header).toEqual([
      'seq', 'at', 'actorType', 'actorId', 'actorLabel', 'action', 'targetType', 'targetId',
      'decision', 'reason', 'requestId', 'before', 'after', 'context', 'prevHash', 'hash',
    ]);
    const cells = Object.fromEntries(header!.map((column, index) => [column, row![index]]));
    expect(cells['requestId']).toBe(requestId);
    expect(cells['action']).toBe('group.create');
    expect(JSON.parse(cells['after']!)).toMatchObject({ name });
  });

  it('should defuse cells that a spreadsheet would run as a formula', async () => {
    // Email addresses may start with + or - and request ids with -; both reach the log as sent.
    const emails = [`+cmd-${randomUUID()}@example.test`, `-2+3-${randomUUID()}@example.test`];
    const requestIds = [newRequestId(), newRequestId(), `-${randomUUID()}`];
    for (const [index, email] of emails.entries()) {
      await signIn(email, requestIds[index]!);
    }
    await withRequestId(http, 'POST', '/api/groups', requestIds[2]!, { name: unique('Formula') });

    const rows: string[][] = [];
    for (const requestId of requestIds) {
      rows.push(...parseCsv((await auditor.get<string>(exportPath('csv', { requestId }))).body).slice(1));
    }

    expect(rows).toHaveLength(3);
    const cells = rows.flat();
    expect(cells.filter((cell) => /^[=+\-@\t\r]/.test(cell))).toEqual([]);
    expect(cells).toEqual(expect.arrayContaining([`'${emails[0]}`, `'${emails[1]}`, `'${requestIds[2]}`]));
  });

  it('should export JSON lines, one parseable event per line, respecting the filter', async () => {
    const created = await http.post<{ id: string }>('/api/groups', { name: unique('Legal') });
    await http.put(`/api/groups/${created.body.id}`, { description: 'changed' });

    const response = await auditor.get<string>(exportPath('jsonl', { targetId: created.body.id }));

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = response.body.split('\n').filter((line) => line !== '');
    const events = lines.map((line) => JSON.parse(line) as AuditView);
    expect(events.map((event) => [event.action, event.targetId])).toEqual([
      ['group.create', created.body.id],
      ['group.update', created.body.id],
    ]);
    expect(response.body.endsWith('\n')).toBe(true);
  });

  it('should answer 400, not a half-written file, when the export filter is invalid', async () => {
    const response = await auditor.get<{ message: string }>(exportPath('csv', { nope: 1 }));

    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(/Unknown filter "nope"/);
  });
});

describe('streaming from a cursor', () => {
  interface StreamPage {
    events: AuditView[];
    next: string;
  }
  const streamPath = (query: Record<string, string | number>) =>
    `/api/audit/stream?${new URLSearchParams(Object.entries(query).map(([key, value]): [string, string] => [key, String(value)]))}`;

  async function page(query: Record<string, string | number>): Promise<StreamPage> {
    const response = await auditor.get<StreamPage>(streamPath(query));
    expect(response.status).toBe(200);
    return response.body;
  }

  /** Reads to the end of the log and returns the cursor there. */
  async function head(): Promise<string> {
    let cursor = '0';
    for (;;) {
      const { events, next } = await page({ after: cursor, limit: 1000 });
      if (events.length === 0) {
        return cursor;
      }
      cursor = next;
    }
  }

  it('should page the log in sequence order, each page chained to the one before', async () => {
    for (let index = 0; index < 4; index += 1) {
      await signIn(itAdmin.email, newRequestId());
    }

    const first = await page({ after: 0, limit: 2 });
    const second = await page({ after: first.next, limit: 2 });

    const seqs = [...first.events, ...second.events].map((event) => Number(event.seq));
    expect(seqs).toEqual([1, 2, 3, 4]);
    expect(first.next).toBe('2');
    expect(second.events[0]!.prevHash).toBe(first.events[1]!.hash);
  });

  it('should resume from a stored cursor with exactly the events committed since', async () => {
    const cursor = await head();
    const requestIds = [newRequestId(), newRequestId()];
    for (const requestId of requestIds) {
      await signIn(itAdmin.email, requestId);
    }

    const { events, next } = await page({ after: cursor });

    expect(events.map((event) => event.requestId)).toEqual(requestIds);
    expect(events.map((event) => BigInt(event.seq))).toEqual([BigInt(cursor) + 1n, BigInt(cursor) + 2n]);
    expect(next).toBe(events[1]!.seq);
    expect(await page({ after: next })).toEqual({ events: [], next });
  });

  it('should hold an empty page open with wait, and answer as soon as an event commits', async () => {
    const cursor = await head();
    const requestId = newRequestId();
    const started = Date.now();

    const waiting = page({ after: cursor, wait: 10 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await signIn(itAdmin.email, requestId);
    const { events } = await waiting;

    expect(events.map((event) => event.requestId)).toEqual([requestId]);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it.each([
    [{ after: '-1' }, /after: must be a sequence number/],
    [{ after: 'abc' }, /after: must be a sequence number/],
    [{ limit: 0 }, /limit:/],
    [{ limit: 1001 }, /limit:/],
    [{ wait: 31 }, /wait:/],
    [{ from: 5 }, /from: unknown field/],
  ])('should answer 400 naming the parameter for %j', async (query, message) => {
    const response = await auditor.get<{ message: string }>(streamPath(query));

    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(message);
  });
});

describe('the hash chain', () => {
  it('should verify the shared log as intact, up to the newest event', async () => {
    const requestId = newRequestId();
    await withRequestId(http, 'POST', '/api/groups', requestId, { name: unique('Chain') });
    const [event] = await eventsOf(requestId);

    const response = await auditor.get<{ intact: boolean; lastSeq: string; checked: number }>('/api/audit/verify');

    expect(response.status).toBe(200);
    expect(response.body.intact).toBe(true);
    expect(BigInt(response.body.lastSeq)).toBeGreaterThanOrEqual(BigInt(event!.seq));
    expect(response.body.checked).toBe(Number(response.body.lastSeq));
  });

  describe('on a database of its own', () => {
    let database: FreshDatabase;
    let fresh: TestApi;
    let freshHttp: AdminHttp;

    beforeAll(async () => {
      database = await createFreshDatabase();
      fresh = await startTestApi({ DATABASE_URL: database.url });
      const admin = await createAdmin(fresh.prisma, 'it-admin');
      freshHttp = AdminHttp.withToken(fresh.baseUrl, admin.token);
      for (let index = 0; index < 5; index += 1) {
        expect((await freshHttp.post('/api/groups', { name: unique('Chained') })).status).toBe(201);
      }
    });

    afterAll(async () => {
      await fresh.close();
      await database.drop();
    });

    async function verify(): Promise<{ intact: boolean; firstBrokenSeq?: string; problem?: string }> {
      const response = await freshHttp.get<{ intact: boolean; firstBrokenSeq?: string }>('/api/audit/verify');
      expect(response.status).toBe(200);
      return response.body;
    }

    it('should report the exact sequence number of an event edited in the database', async () => {
      expect(await verify()).toMatchObject({ intact: true });
      const victim = await fresh.prisma.auditEvent.findUniqueOrThrow({ where: { seq: 3n } });
      await fresh.prisma.$executeRaw`UPDATE audit_events SET reason = 'tampered' WHERE seq = ${victim.seq}`;
      try {
        expect(await verify()).toMatchObject({ intact: false, firstBrokenSeq: '3' });
      } finally {
        await fresh.prisma.$executeRaw`UPDATE audit_events SET reason = ${victim.reason} WHERE seq = ${victim.seq}`;
      }
      expect(await verify()).toMatchObject({ intact: true });
    });

    it('should report an event deleted from the middle of the log', async () => {
      expect(await verify()).toMatchObject({ intact: true });
      const victim = await fresh.prisma.auditEvent.findUniqueOrThrow({ where: { seq: 2n } });
      await fresh.prisma.$executeRaw`DELETE FROM audit_events WHERE seq = ${victim.seq}`;
      try {
        expect(await verify()).toMatchObject({ intact: false, firstBrokenSeq: '2' });
      } finally {
        const { before, after, context } = victim;
        await fresh.prisma.auditEvent.create({
          data: { ...victim, before: before ?? undefined, after: after ?? undefined, context: context ?? undefined },
        });
      }
      expect(await verify()).toMatchObject({ intact: true });
    });
  });
});
