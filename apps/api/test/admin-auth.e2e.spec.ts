/**
 * Signing in, sessions, CSRF, API tokens and the first admin, over real HTTP against real PostgreSQL.
 * Tests that need an empty admin table or exactly one it-admin use a database of their own.
 */
import { createHash, randomUUID } from 'node:crypto';

import type { AdminRole } from '@crossgate/domain';
import { AuditLogRepository } from '@crossgate/store';
import {
  AdminHttp,
  createAdmin,
  createFreshDatabase,
  type FreshDatabase,
  type HttpResult,
  type TestAdmin,
  unique,
} from '@crossgate/testing';

import { hashPassword } from '../src/auth/index.ts';
import { ensureBootstrapAdmin } from '../src/seed/index.ts';
import { startTestApi, type TestApi } from './support/test-api.ts';

let api: TestApi;
let itAdmin: AdminHttp;

beforeAll(async () => {
  api = await startTestApi();
  itAdmin = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'it-admin')).token);
});

afterAll(async () => {
  await api.close();
});

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** An admin who can sign in with a password (stored as an argon2id hash). */
async function adminWithPassword(role: AdminRole, target: TestApi = api): Promise<TestAdmin & { password: string }> {
  const password = `pw-${randomUUID()}`;
  const admin = await createAdmin(target.prisma, role, await hashPassword(password));
  return { ...admin, password };
}

function signInRaw(email: string, password: string, requestId = randomUUID()): Promise<Response> {
  return fetch(`${api.baseUrl}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': requestId },
    body: JSON.stringify({ email, password }),
  });
}

/** Audit rows whose whole content (every column, JSON included) contains `text`. */
async function auditRowsContaining(text: string, target: TestApi = api): Promise<number> {
  const [row] = await target.prisma.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM audit_events e WHERE e::text LIKE ${`%${text}%`}`;
  return row!.n;
}

function newClient() {
  return {
    clientId: unique('client'),
    name: unique('Agent'),
    kind: 'ai_agent',
    authMethod: 'client_secret_basic',
    owner: 'dana@example.test',
  };
}

describe('signing in', () => {
  it('should set the session cookie HttpOnly, SameSite=Strict, and store only its SHA-256 digest', async () => {
    const admin = await adminWithPassword('auditor');

    const response = await signInRaw(admin.email, admin.password);

    expect(response.status).toBe(200);
    const session = response.headers.getSetCookie().find((line) => line.startsWith('cg_session='));
    expect(session).toBeDefined();
    expect(session).toMatch(/;\s*HttpOnly/i);
    expect(session).toMatch(/;\s*SameSite=Strict/i);
    expect(session).toMatch(/;\s*Path=\//i);
    const value = decodeURIComponent(session!.split(';')[0]!.slice('cg_session='.length));
    const stored = await api.prisma.adminSession.findMany({ where: { adminUserId: admin.id } });
    expect(stored.map((row) => row.tokenHash)).toEqual([sha256(value)]);
  });

  it('should accept the email in any letter case', async () => {
    const admin = await adminWithPassword('auditor');

    const response = await signInRaw(admin.email.toUpperCase(), admin.password);

    expect(response.status).toBe(200);
  });

  it('should answer a wrong password exactly as an unknown email, and audit both as denied', async () => {
    const admin = await adminWithPassword('auditor');
    const wrongPassword = `wrong-${randomUUID()}`;
    const unknownEmail = `${unique('nobody')}@example.test`;
    const [wrongRequest, unknownRequest] = [randomUUID(), randomUUID()];

    const wrong = await signInRaw(admin.email, wrongPassword, wrongRequest);
    const unknown = await signInRaw(unknownEmail, wrongPassword, unknownRequest);

    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const [wrongBody, unknownBody] = [(await wrong.json()) as { message: string }, (await unknown.json()) as { message: string }];
    expect(wrongBody.message).toBe(unknownBody.message);
    expect(wrong.headers.getSetCookie()).toEqual([]);
    for (const [requestId, label] of [[wrongRequest, admin.email], [unknownRequest, unknownEmail]] as const) {
      const events = await api.prisma.auditEvent.findMany({ where: { requestId } });
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ action: 'admin.sign_in', decision: 'deny', actorType: 'anonymous', actorLabel: label });
    }
    expect(await auditRowsContaining(wrongPassword)).toBe(0);
  });

  it('should never write a correct password into the audit log', async () => {
    const admin = await adminWithPassword('auditor');

    expect((await signInRaw(admin.email, admin.password)).status).toBe(200);

    expect(await api.prisma.auditEvent.count({ where: { action: 'admin.sign_in', actorId: admin.id, decision: 'allow' } })).toBe(1);
    expect(await auditRowsContaining(admin.password)).toBe(0);
  });

  it('should refuse a disabled admin with the same 401 as a wrong password', async () => {
    const admin = await adminWithPassword('auditor');
    await api.prisma.adminUser.update({ where: { id: admin.id }, data: { status: 'disabled' } });

    const response = await signInRaw(admin.email, admin.password);

    expect(response.status).toBe(401);
    expect(((await response.json()) as { message: string }).message).toBe('Email or password is incorrect');
  });
});

describe('password guessing', () => {
  it('should refuse an account with 429 after ten failed sign-ins, even with the right password, and audit it', async () => {
    const admin = await adminWithPassword('auditor');
    for (let attempt = 0; attempt < 10; attempt += 1) {
      expect((await signInRaw(admin.email, 'not-the-password')).status).toBe(401);
    }
    const locked = await signInRaw(admin.email, admin.password);
    expect(locked.status).toBe(429);
    expect(((await locked.json()) as { message: string }).message).toMatch(/try again in \d+ minutes/);
    const refusal = await api.prisma.auditEvent.findFirst({
      where: { action: 'admin.sign_in', actorLabel: admin.email, reason: 'too many failed attempts' },
    });
    expect(refusal?.decision).toBe('deny');
  });

  it('should forget earlier failures after a successful sign-in', async () => {
    const admin = await adminWithPassword('auditor');
    for (let attempt = 0; attempt < 9; attempt += 1) {
      await signInRaw(admin.email, 'not-the-password');
    }
    expect((await signInRaw(admin.email, admin.password)).status).toBe(200);
    for (let attempt = 0; attempt < 9; attempt += 1) {
      await signInRaw(admin.email, 'not-the-password');
    }
    expect((await signInRaw(admin.email, admin.password)).status).toBe(200);
  });
});

describe('UI sessions', () => {
  it('should refuse a cookie-authenticated write without the x-csrf-token header, writing nothing', async () => {
    const admin = await adminWithPassword('it-admin');
    const session = await AdminHttp.signIn(api.baseUrl, admin.email, admin.password);
    const body = newClient();
    const eventsBefore = await api.prisma.auditEvent.count();

    const response = await session.withoutCsrf().post('/api/clients', body);

    expect(response.status).toBe(403);
    expect(await api.prisma.client.count({ where: { clientId: body.clientId } })).toBe(0);
    expect(await api.prisma.auditEvent.count()).toBe(eventsBefore);
  });

  it('should refuse a cookie-authenticated write with a wrong x-csrf-token, writing nothing', async () => {
    const admin = await adminWithPassword('it-admin');
    const session = await AdminHttp.signIn(api.baseUrl, admin.email, admin.password);
    const body = newClient();

    const response = await session.request('POST', '/api/clients', body, { 'x-csrf-token': 'not-the-token' });

    expect(response.status).toBe(403);
    expect(await api.prisma.client.count({ where: { clientId: body.clientId } })).toBe(0);
  });

  it('should accept a cookie-authenticated write that carries the session’s CSRF token', async () => {
    const admin = await adminWithPassword('it-admin');
    const session = await AdminHttp.signIn(api.baseUrl, admin.email, admin.password);

    const response = await session.post('/api/clients', newClient());

    expect(response.status).toBe(201);
  });

  it('should not accept one session’s CSRF token for another session', async () => {
    const admin = await adminWithPassword('it-admin');
    const first = await signInRaw(admin.email, admin.password);
    const { csrfToken: firstCsrf } = (await first.json()) as { csrfToken: string };
    const second = await AdminHttp.signIn(api.baseUrl, admin.email, admin.password);

    const response = await second.request('POST', '/api/clients', newClient(), { 'x-csrf-token': firstCsrf });

    expect(response.status).toBe(403);
  });

  it('should end the session on sign-out, so the old cookie gets 401', async () => {
    const admin = await adminWithPassword('auditor');
    const session = await AdminHttp.signIn(api.baseUrl, admin.email, admin.password);
    expect((await session.get('/api/auth/me')).status).toBe(200);

    expect((await session.post('/api/auth/sign-out')).status).toBe(204);

    expect((await session.get('/api/auth/me')).status).toBe(401);
    const stored = await api.prisma.adminSession.findFirstOrThrow({ where: { adminUserId: admin.id } });
    expect(stored.revokedAt).toBeInstanceOf(Date);
  });

  it('should refuse an expired session with 401', async () => {
    const admin = await adminWithPassword('auditor');
    const session = await AdminHttp.signIn(api.baseUrl, admin.email, admin.password);
    await api.prisma.adminSession.updateMany({ where: { adminUserId: admin.id }, data: { expiresAt: new Date(Date.now() - 1000) } });

    expect((await session.get('/api/auth/me')).status).toBe(401);
  });

  it('should end the sessions of an admin who is disabled', async () => {
    const admin = await adminWithPassword('auditor');
    const session = await AdminHttp.signIn(api.baseUrl, admin.email, admin.password);

    expect((await itAdmin.put(`/api/admin-users/${admin.id}`, { status: 'disabled' })).status).toBe(200);

    expect((await session.get('/api/auth/me')).status).toBe(401);
  });

  it('should end the sessions signed in with the old password when the password changes', async () => {
    const admin = await adminWithPassword('auditor');
    const session = await AdminHttp.signIn(api.baseUrl, admin.email, admin.password);
    const newPassword = `pw-${randomUUID()}`;

    expect((await itAdmin.put(`/api/admin-users/${admin.id}`, { password: newPassword })).status).toBe(200);

    expect((await session.get('/api/auth/me')).status).toBe(401);
    expect((await signInRaw(admin.email, admin.password)).status).toBe(401);
    expect((await signInRaw(admin.email, newPassword)).status).toBe(200);
  });
});

describe('API tokens', () => {
  async function createToken(owner?: string): Promise<HttpResult<{ id: string; token: string; prefix: string }>> {
    return itAdmin.post('/api/api-tokens', {
      name: unique('automation'),
      expiresAt: new Date(Date.now() + 24 * 3600_000).toISOString(),
      ...(owner ? { adminUserId: owner } : {}),
    });
  }

  it('should return the token value once, on creation, and never on read or list', async () => {
    const created = await createToken();
    expect(created.status).toBe(201);
    const { id, token } = created.body;
    expect(token).toMatch(/^cg_[A-Za-z0-9_-]{40,}$/);

    const read = await itAdmin.get<Record<string, unknown>>(`/api/api-tokens/${id}`);
    const listed = await itAdmin.get<Record<string, unknown>[]>(`/api/api-tokens?filter=${encodeURIComponent(JSON.stringify({ id }))}`);

    expect(read.status).toBe(200);
    expect(listed.body).toHaveLength(1);
    for (const record of [read.body, listed.body[0]!]) {
      expect(record).not.toHaveProperty('token');
      expect(record).not.toHaveProperty('tokenHash');
      expect(JSON.stringify(record)).not.toContain(token.slice(10));
    }
  });

  it('should store only the SHA-256 digest of the token value', async () => {
    const { id, token } = (await createToken()).body;

    const stored = await api.prisma.apiToken.findUniqueOrThrow({ where: { id } });
    const [row] = await api.prisma.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM api_tokens t WHERE t::text LIKE ${`%${token.slice(10)}%`}`;

    expect(stored.tokenHash).toBe(sha256(token));
    expect(row!.n).toBe(0);
  });

  it('should authenticate as its admin when sent as a Bearer token', async () => {
    const owner = await createAdmin(api.prisma, 'auditor');
    const { token } = (await createToken(owner.id)).body;

    const me = await AdminHttp.withToken(api.baseUrl, token).get<{ email: string; role: string }>('/api/auth/me');

    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email: owner.email, role: 'auditor' });
  });

  it('should stop working once revoked with DELETE', async () => {
    const { id, token } = (await createToken()).body;
    const http = AdminHttp.withToken(api.baseUrl, token);
    expect((await http.get('/api/auth/me')).status).toBe(200);

    expect((await itAdmin.delete(`/api/api-tokens/${id}`)).status).toBe(200);

    expect((await http.get('/api/auth/me')).status).toBe(401);
    expect((await itAdmin.get<{ revokedAt: string | null }>(`/api/api-tokens/${id}`)).body.revokedAt).not.toBeNull();
  });

  it('should stop working once expired', async () => {
    const { id, token } = (await createToken()).body;
    await api.prisma.apiToken.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1000) } });

    expect((await AdminHttp.withToken(api.baseUrl, token).get('/api/auth/me')).status).toBe(401);
  });

  it('should stop working when its admin is disabled', async () => {
    const owner = await createAdmin(api.prisma, 'auditor');

    expect((await itAdmin.put(`/api/admin-users/${owner.id}`, { status: 'disabled' })).status).toBe(200);

    expect((await AdminHttp.withToken(api.baseUrl, owner.token).get('/api/auth/me')).status).toBe(401);
  });

  it('should be revoked when its admin is deleted', async () => {
    const owner = await createAdmin(api.prisma, 'auditor');

    expect((await itAdmin.delete(`/api/admin-users/${owner.id}`)).status).toBe(200);

    expect((await AdminHttp.withToken(api.baseUrl, owner.token).get('/api/auth/me')).status).toBe(401);
    expect(await api.prisma.apiToken.count({ where: { adminUserId: owner.id, revokedAt: null } })).toBe(0);
  });

  it('should refuse a token that is not a cg_ token, or a malformed Authorization header', async () => {
    for (const authorization of ['Bearer not-a-crossgate-token', 'Bearer', 'Basic dXNlcjpwYXNz', `Bearer cg_${'x'.repeat(300)}`]) {
      const response = await AdminHttp.anonymous(api.baseUrl).request('GET', '/api/auth/me', undefined, { authorization });
      expect([authorization, response.status]).toEqual([authorization, 401]);
    }
  });
});

describe('protecting the admin accounts', () => {
  it('should refuse to let an admin delete their own account with 409', async () => {
    const self = await createAdmin(api.prisma, 'it-admin');

    const response = await AdminHttp.withToken(api.baseUrl, self.token).delete(`/api/admin-users/${self.id}`);

    expect(response.status).toBe(409);
    expect((response.body as { message: string }).message).toMatch(/your own/);
    expect(await api.prisma.adminUser.count({ where: { id: self.id, deletedAt: null } })).toBe(1);
  });
});

describe('on a database of its own', () => {
  let database: FreshDatabase;
  let fresh: TestApi;

  beforeAll(async () => {
    database = await createFreshDatabase();
    fresh = await startTestApi({ DATABASE_URL: database.url });
  });

  afterAll(async () => {
    await fresh.close();
    await database.drop();
  });

  /** Leaves `keep` as the only active it-admin of the fresh database. */
  async function onlyActiveItAdmins(...keep: string[]): Promise<void> {
    await fresh.prisma.adminUser.updateMany({ where: { role: 'it-admin', id: { notIn: keep } }, data: { status: 'disabled' } });
  }

  it('should create exactly one it-admin on an empty admin table, with a generated password shown once', async () => {
    expect(await fresh.prisma.adminUser.count()).toBe(0);
    const config = { ...fresh.config, bootstrapAdmin: { email: 'First.Admin@Example.test', password: undefined } };

    const first = await ensureBootstrapAdmin(fresh.prisma, fresh.app.get(AuditLogRepository), config);
    const second = await ensureBootstrapAdmin(fresh.prisma, fresh.app.get(AuditLogRepository), config);

    expect(first).toMatchObject({ created: true, email: 'first.admin@example.test' });
    expect(first.generatedPassword).toMatch(/^\S{12,}$/);
    expect(second).toEqual({ created: false, email: 'first.admin@example.test' });
    const admins = await fresh.prisma.adminUser.findMany();
    expect(admins).toHaveLength(1);
    expect(admins[0]).toMatchObject({ email: 'first.admin@example.test', role: 'it-admin', status: 'active' });
    expect(admins[0]!.passwordHash).toMatch(/^\$argon2id\$/);
    const signIn = await AdminHttp.signIn(fresh.baseUrl, 'first.admin@example.test', first.generatedPassword!);
    expect((await signIn.get<{ role: string }>('/api/auth/me')).body.role).toBe('it-admin');
    expect(await auditRowsContaining(first.generatedPassword!, fresh)).toBe(0);
    expect(await fresh.prisma.auditEvent.count({ where: { action: 'admin_user.create', actorType: 'system' } })).toBe(1);
  });

  it('should refuse to demote the last active it-admin with 409', async () => {
    const last = await createAdmin(fresh.prisma, 'it-admin');
    await onlyActiveItAdmins(last.id);

    const response = await AdminHttp.withToken(fresh.baseUrl, last.token).put(`/api/admin-users/${last.id}`, { role: 'auditor' });

    expect(response.status).toBe(409);
    expect((await fresh.prisma.adminUser.findUniqueOrThrow({ where: { id: last.id } })).role).toBe('it-admin');
  });

  it('should refuse to disable the last active it-admin with 409', async () => {
    const last = await createAdmin(fresh.prisma, 'it-admin');
    await onlyActiveItAdmins(last.id);

    const response = await AdminHttp.withToken(fresh.baseUrl, last.token).put(`/api/admin-users/${last.id}`, { status: 'disabled' });

    expect(response.status).toBe(409);
    expect((await fresh.prisma.adminUser.findUniqueOrThrow({ where: { id: last.id } })).status).toBe('active');
  });

  it('should refuse to delete the last active it-admin with 409', async () => {
    const last = await createAdmin(fresh.prisma, 'it-admin');
    await onlyActiveItAdmins(last.id);

    const response = await AdminHttp.withToken(fresh.baseUrl, last.token).delete(`/api/admin-users/${last.id}`);

    expect(response.status).toBe(409);
    expect((await fresh.prisma.adminUser.findUniqueOrThrow({ where: { id: last.id } })).deletedAt).toBeNull();
  });

  it('should keep an it-admin when the last two demote each other at the same time', async () => {
    const [first, second] = [await createAdmin(fresh.prisma, 'it-admin'), await createAdmin(fresh.prisma, 'it-admin')];
    await onlyActiveItAdmins(first.id, second.id);

    const responses = await Promise.all([
      AdminHttp.withToken(fresh.baseUrl, first.token).put(`/api/admin-users/${second.id}`, { role: 'auditor' }),
      AdminHttp.withToken(fresh.baseUrl, second.token).put(`/api/admin-users/${first.id}`, { role: 'auditor' }),
    ]);

    // The loser is refused by the last-it-admin rule (409), or, if it arrives after the winner's
    // commit, as the auditor it has just become (403).
    const statuses = responses.map((response) => response.status).sort();
    expect([[200, 403], [200, 409]]).toContainEqual(statuses);
    expect(await fresh.prisma.adminUser.count({ where: { role: 'it-admin', status: 'active', deletedAt: null } })).toBe(1);
  });
});
