/**
 * Kill switches through the admin API over real HTTP, on two API instances sharing one database:
 * the blast radius is what the fan-out then plans, a switch fired on one instance stops the token
 * endpoint on the other within the gate's bound, wide switches obey the two-person rule, expiry and
 * lifting end a switch on time, and bad input is refused with a message.
 */
import { requireRedis } from '@crossgate/config';
import { AdminHttp, createActivePolicy, createAdmin, describeWithRedis, eventually, SetReceiver, startWorkerProcess, stopWorkerProcess, TcpProxy, type TestAdmin, unique } from '@crossgate/testing';
import { grantTypes, tokenTypes } from '@crossgate/token';

// eslint-disable-next-line @nx/enforce-module-boundaries -- the stand-in IdP is test support of the token library
import { createLocalIdp, type LocalIdp } from '../../../libs/token/src/test-support/local-idp.ts';
import { KillSwitchRepository } from '@crossgate/store';
import { hashPassword } from '../src/auth/index.ts';
import { type BlastRadiusView, killSwitchMaxAgeMs, type KillSwitchView } from '../src/kill-switches/index.ts';
import { PolicyEngineService } from '../src/policies/index.ts';
import { startTestApi, type TestApi } from './support/test-api.ts';

const secret = 'correct horse battery staple, 32+ chars';
let first: TestApi;
let second: TestApi;
let itAdmin: TestAdmin;
let responder: TestAdmin;
let asItAdmin: AdminHttp;
let asResponder: AdminHttp;
let asAuditor: AdminHttp;
let idp: LocalIdp;
let idpId: string;
let groupName: string;
let client: { id: string; clientId: string; idpClientId: string };
let resource: { id: string; audience: string };

beforeAll(async () => {
  [first, second] = await Promise.all([startTestApi(), startTestApi()]);
  itAdmin = await createAdmin(first.prisma, 'it-admin');
  responder = await createAdmin(first.prisma, 'incident-responder');
  asItAdmin = AdminHttp.withToken(first.baseUrl, itAdmin.token);
  asResponder = AdminHttp.withToken(first.baseUrl, responder.token);
  asAuditor = AdminHttp.withToken(first.baseUrl, (await createAdmin(first.prisma, 'auditor')).token);
  idp = await createLocalIdp(`https://${unique('idp')}.example.test`);
  idpId = (await first.prisma.trustedIdp.create({ data: { name: unique('IdP'), issuer: idp.issuer, jwks: idp.jwks as object, audiences: [] } })).id;
  groupName = unique('support');
  const groupId = (await first.prisma.group.create({ data: { name: groupName } })).id;
  const clientId = unique('agent');
  const row = await first.prisma.client.create({
    data: { clientId, name: unique('Support agent'), kind: 'ai_agent', owner: 'dana@example.test', authMethod: 'client_secret_basic', secretHash: await hashPassword(secret), idpClientId: `${clientId}-at-idp` },
  });
  client = { id: row.id, clientId, idpClientId: `${clientId}-at-idp` };
  const slug = unique('jira').toLowerCase();
  const audience = `https://${slug}.example.test`;
  resource = {
    id: (await first.prisma.resource.create({ data: { slug, name: unique('Jira'), authorizationServer: audience, resourceIndicators: [`${audience}/api`], scopes: [{ name: 'issues.read' }], owner: 'dana@example.test' } })).id,
    audience,
  };
  await createActivePolicy(asItAdmin, AdminHttp.withToken(first.baseUrl, (await createAdmin(first.prisma, 'it-admin')).token), { name: unique('policy'), clientId: client.id, resourceId: resource.id, subjectGroupIds: [groupId], scopes: ['issues.read'] });
  await Promise.all([first.app.get(PolicyEngineService).refresh(), second.app.get(PolicyEngineService).refresh()]);
});

afterAll(async () => {
  // Leave no switch in force for other suites sharing the database.
  await first.prisma.killSwitch.updateMany({ where: { state: 'active' }, data: { state: 'lifted', liftedAt: new Date() } });
  await Promise.all([first.close(), second.close()]);
});

/** A token exchange for `subject` at `api`: the HTTP status and OAuth error. */
async function exchange(api: TestApi, subject: string): Promise<{ status: number; error?: string; description?: string }> {
  const now = Math.floor(Date.now() / 1000);
  const idToken = await idp.idToken({ aud: client.idpClientId, sub: subject, iat: now, exp: now + 300, groups: [groupName] });
  const response = await fetch(`${api.baseUrl}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client.clientId}:${encodeURIComponent(secret)}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: grantTypes.tokenExchange, requested_token_type: tokenTypes.idJag, subject_token_type: tokenTypes.idToken, subject_token: idToken, audience: resource.audience }).toString(),
  });
  const body = (await response.json()) as { error?: string; error_description?: string };
  return { status: response.status, ...(body.error === undefined ? {} : { error: body.error, description: body.error_description }) };
}

/** A user who has exchanged once, so Crossgate knows them. */
async function knownUser(): Promise<{ id: string; subject: string; label: string }> {
  const subject = unique('alice');
  expect(await exchange(first, subject)).toEqual({ status: 200 });
  const user = await first.prisma.user.findFirstOrThrow({ where: { idpId, subject } });
  return { id: user.id, subject, label: user.email ?? user.subject };
}

describe('kill switches', () => {
  it('should stop the firing instance at once and the other instance within 100 ms, and start again when lifted', async () => {
    const user = await knownUser();
    expect((await exchange(second, user.subject)).status).toBe(200);

    const fired = await asResponder.post<KillSwitchView>('/api/kill-switches', { scope: 'user', userId: user.id, reason: 'Agent exfiltrating tickets' });
    const answeredAt = performance.now();

    expect(fired.status).toBe(201);
    expect(fired.body).toMatchObject({ scope: 'user', state: 'active', userId: user.id, createdBy: responder.email, requiresApproval: false, targetLabel: user.label });
    const refused = await exchange(first, user.subject);
    expect(refused).toMatchObject({ status: 400, error: 'invalid_grant' });
    expect(refused.description).toContain(fired.body.id);
    let elsewhere = await exchange(second, user.subject);
    while (elsewhere.status === 200 && performance.now() - answeredAt < 1000) {
      elsewhere = await exchange(second, user.subject);
    }
    const deniedAfterMs = performance.now() - answeredAt;
    expect(elsewhere).toMatchObject({ status: 400, error: 'invalid_grant' });
    // The gate's bound plus one exchange's own time (an ID token verified, a policy decided).
    expect(deniedAfterMs).toBeLessThanOrEqual(killSwitchMaxAgeMs + 50);
    // Another user is not touched.
    expect((await exchange(second, unique('bob'))).status).toBe(200);

    const lifted = await asResponder.post<KillSwitchView>(`/api/kill-switches/${fired.body.id}/lift`, { reason: 'Agent contained' });
    expect(lifted.body).toMatchObject({ state: 'lifted', liftedBy: responder.email, liftReason: 'Agent contained' });
    expect((await exchange(first, user.subject)).status).toBe(200);
    const actions = await first.prisma.auditEvent.findMany({ where: { targetType: 'kill-switches', targetId: fired.body.id }, orderBy: { seq: 'asc' } });
    expect(actions.map((event) => [event.action, event.actorId])).toEqual([
      ['kill_switch.fired', responder.id],
      ['kill_switch.lifted', responder.id],
    ]);
  });

  it('should show the blast radius the fan-out then plans, line for line', async () => {
    const user = await knownUser();
    await exchange(first, user.subject);
    const streams = await Promise.all(
      [null, resource.id].map((resourceId) =>
        first.prisma.ssfStream.create({ data: { audience: [`https://${unique('rcv')}.example.test`], endpointUrl: `http://127.0.0.1:9/${unique('rcv')}`, eventsRequested: ['https://schemas.openid.net/secevent/caep/event-type/session-revoked'], resourceId, createdBy: 'tests' } }),
      ),
    );
    try {
      const preview = await asAuditor.post<BlastRadiusView>('/api/kill-switches/preview', { scope: 'user', userId: user.id });

      expect(preview.status).toBe(200);
      expect(preview.body).toMatchObject({ scope: 'user', requiresApproval: false, users: 1, agents: 1, tokens: { idJag: 2, accessToken: 0, total: 2 } });
      // Every enabled receiver hears of the user; the one bound to the resource also of each of the two ID-JAGs there.
      expect(preview.body.receivers).toBeGreaterThanOrEqual(2);
      expect(preview.body.deliveries.ssf_set).toBe(preview.body.receivers + 2);

      const fired = await asItAdmin.post<KillSwitchView>('/api/kill-switches', { scope: 'user', userId: user.id, reason: 'Preview matches the receipt' });
      const planned = await new KillSwitchRepository(first.prisma).planFanOut(fired.body.id, new Date());
      expect(planned).toEqual({ deliveries: { ssf_set: preview.body.deliveries.ssf_set, sts_revocation: 0, credential_rotation: 0 }, tokensRevoked: 2 });
      // Planned twice (a worker that crashed after planning), nothing is added.
      expect(await new KillSwitchRepository(first.prisma).planFanOut(fired.body.id, new Date())).toEqual({ deliveries: { ssf_set: 0, sts_revocation: 0, credential_rotation: 0 }, tokensRevoked: 0 });
      const view = await asAuditor.get<KillSwitchView>(`/api/kill-switches/${fired.body.id}`);
      expect(view.body).toMatchObject({ tokensRevoked: 2, progress: { total: preview.body.deliveries.ssf_set, pending: preview.body.deliveries.ssf_set, done: false } });
      const lines = await asAuditor.get<{ kind: string; subjectKey: string; status: string }[]>(`/api/kill-switches/${fired.body.id}/deliveries?filter=${encodeURIComponent(JSON.stringify({ kind: 'ssf_set' }))}`);
      expect(lines.headers.get('content-range')).toBe(`deliveries 0-${preview.body.deliveries.ssf_set - 1}/${preview.body.deliveries.ssf_set}`);
      expect(lines.body.filter((line) => line.subjectKey.startsWith('jti:'))).toHaveLength(2);
      const receipt = await asAuditor.get<{ deliveries: unknown[]; summary: { total: number } }>(`/api/kill-switches/${fired.body.id}/receipt`);
      expect(receipt.headers.get('content-disposition')).toContain('attachment');
      expect(receipt.body.summary.total).toBe(receipt.body.deliveries.length);
      await asItAdmin.post(`/api/kill-switches/${fired.body.id}/lift`, { reason: 'done' });
    } finally {
      await first.prisma.ssfStream.updateMany({ where: { id: { in: streams.map((stream) => stream.id) } }, data: { deletedAt: new Date(), status: 'disabled' } });
    }
  });

  it('should hold a global switch until a second admin approves it, and its lift too', async () => {
    const user = await knownUser();
    const asked = await asItAdmin.post<KillSwitchView>('/api/kill-switches', { scope: 'everything', reason: 'Suspected IdP compromise' });
    expect(asked.body).toMatchObject({ state: 'pending_approval', requiresApproval: true, activatedAt: null, targetLabel: 'Everything' });
    await new Promise((resolve) => setTimeout(resolve, killSwitchMaxAgeMs + 1));
    // Waiting for approval stops nothing.
    expect((await exchange(second, user.subject)).status).toBe(200);
    const self = await asItAdmin.post(`/api/kill-switches/${asked.body.id}/approve`);
    expect(self.status).toBe(403);
    expect(JSON.stringify(self.body)).toContain('two-person rule');
    expect((await asAuditor.post(`/api/kill-switches/${asked.body.id}/approve`)).status).toBe(403);
    const pending = await asAuditor.get<KillSwitchView[]>(`/api/kill-switches?filter=${encodeURIComponent(JSON.stringify({ state: 'pending_approval' }))}`);
    expect(pending.body.map((row) => row.id)).toContain(asked.body.id);

    const approved = await asResponder.post<KillSwitchView>(`/api/kill-switches/${asked.body.id}/approve`);
    expect(approved.body).toMatchObject({ state: 'active', approvedBy: responder.email });
    expect(await exchange(first, user.subject)).toMatchObject({ status: 400, error: 'invalid_grant' });

    const liftAsked = await asResponder.post<KillSwitchView>(`/api/kill-switches/${asked.body.id}/lift`, { reason: 'IdP cleared' });
    expect(liftAsked.body).toMatchObject({ state: 'active', liftRequestedBy: responder.email });
    expect((await asResponder.post(`/api/kill-switches/${asked.body.id}/approve`)).status).toBe(403);
    expect(await exchange(first, user.subject)).toMatchObject({ status: 400 });
    const lifted = await asItAdmin.post<KillSwitchView>(`/api/kill-switches/${asked.body.id}/approve`);
    expect(lifted.body).toMatchObject({ state: 'lifted', liftedBy: responder.email, liftReason: 'IdP cleared' });
    expect((await exchange(first, user.subject)).status).toBe(200);
    const actions = await first.prisma.auditEvent.findMany({ where: { targetType: 'kill-switches', targetId: asked.body.id }, orderBy: { seq: 'asc' } });
    expect(actions.map((event) => event.action)).toEqual(['kill_switch.requested', 'kill_switch.approved', 'kill_switch.lift_requested', 'kill_switch.lifted']);
  });

  it('should let the requester withdraw a pending switch, which then can no longer be approved', async () => {
    const asked = await asItAdmin.post<KillSwitchView>('/api/kill-switches', { scope: 'idp', idpId, reason: 'Wrong IdP, withdrawn' });
    const withdrawn = await asItAdmin.post<KillSwitchView>(`/api/kill-switches/${asked.body.id}/reject`, { reason: 'mistake' });
    expect(withdrawn.body).toMatchObject({ state: 'rejected', liftedBy: itAdmin.email });
    expect((await asResponder.post(`/api/kill-switches/${asked.body.id}/approve`)).status).toBe(409);
  });

  it('should end a switch at its expiry without anyone lifting it', async () => {
    const user = await knownUser();
    const fired = await asResponder.post<KillSwitchView>('/api/kill-switches', { scope: 'client', clientId: client.id, reason: 'Cool-off', expiresAt: new Date(Date.now() + 1500).toISOString() });
    expect(fired.body.expiresAt).not.toBeNull();
    expect(await exchange(first, user.subject)).toMatchObject({ status: 400, error: 'invalid_grant' });
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect((await exchange(first, user.subject)).status).toBe(200);
  });

  it('should refuse bad input with a message, and firing to roles that may only read', async () => {
    const user = await knownUser();
    const cases: [unknown, number, string][] = [
      [{ scope: 'user', reason: 'no id' }, 422, 'userId'],
      [{ scope: 'user', userId: user.id, clientId: client.id, reason: 'two ids' }, 422, 'clientId'],
      [{ scope: 'user', userId: '00000000-0000-4000-8000-000000000000', reason: 'nobody' }, 422, 'names no existing user'],
      [{ scope: 'planet', reason: 'what' }, 422, 'scope'],
      [{ scope: 'user', userId: user.id }, 422, 'reason'],
      [{ scope: 'user', userId: user.id, reason: 'past', expiresAt: '2020-01-01T00:00:00Z' }, 422, 'expiresAt'],
      [{ scope: 'everything', reason: 'extra', colour: 'red' }, 422, 'colour'],
    ];
    for (const [body, status, mentions] of cases) {
      const response = await asItAdmin.post('/api/kill-switches', body);
      expect({ status: response.status, body: JSON.stringify(response.body).includes(mentions) }).toEqual({ status, body: true });
    }
    expect((await asAuditor.post('/api/kill-switches', { scope: 'user', userId: user.id, reason: 'not mine to pull' })).status).toBe(403);
    expect((await asAuditor.get('/api/kill-switches/not-a-uuid')).status).toBe(404);
    const lifted = await asResponder.post<KillSwitchView>('/api/kill-switches', { scope: 'user', userId: user.id, reason: 'lift twice' });
    await asResponder.post(`/api/kill-switches/${lifted.body.id}/lift`, { reason: 'once' });
    expect((await asResponder.post(`/api/kill-switches/${lifted.body.id}/lift`, { reason: 'twice' })).status).toBe(409);
    expect(await first.prisma.killSwitch.count({ where: { reason: { in: ['no id', 'two ids', 'nobody', 'past', 'extra', 'not mine to pull'] } } })).toBe(0);
  });
});

describeWithRedis('kill switches while Redis restarts', () => {
  it('should issue nothing the switch covers while Redis is away, and finish the fan-out once it is back', async () => {
    // This instance and its worker reach Redis through a proxy, so only they lose it.
    const redis = new URL(requireRedis(first.config.redis, 'this test').url);
    const proxy = await TcpProxy.start({ host: redis.hostname, port: Number(redis.port || 6379) });
    const redisUrl = `redis://127.0.0.1:${proxy.port}`;
    const third = await startTestApi({ REDIS_URL: redisUrl });
    const worker = startWorkerProcess(third.config, { REDIS_URL: redisUrl, KILL_SWITCH_RETRY_DELAY_MS: '100', KILL_SWITCH_RECONCILE_SECONDS: '2', LOG_LEVEL: 'warn' });
    // Slow enough to be holding a push when Redis goes.
    const receiver = await SetReceiver.start(() => ({ status: 202, delayMs: 500 }));
    const stream = await first.prisma.ssfStream.create({ data: { audience: [`https://${unique('rcv')}.example.test`], endpointUrl: receiver.url, eventsRequested: ['https://schemas.openid.net/secevent/caep/event-type/session-revoked'], createdBy: 'tests' } });
    try {
      await third.app.get(PolicyEngineService).refresh();
      const user = await knownUser();
      expect((await exchange(third, user.subject)).status).toBe(200);

      const fired = await AdminHttp.withToken(third.baseUrl, responder.token).post<KillSwitchView>('/api/kill-switches', { scope: 'user', userId: user.id, reason: 'Agent exfiltrating tickets during a Redis restart' });
      expect(fired.status).toBe(201);
      await eventually('the worker to hold the push', () => Promise.resolve(receiver.inFlight), (held) => held >= 1, 30_000);
      await proxy.cut();

      // Asked while Redis is away (answered whenever they can be): never a token for the covered user.
      const during = [...Array.from({ length: 3 }, () => exchange(third, user.subject)), ...Array.from({ length: 3 }, () => exchange(first, user.subject))];
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await proxy.restore();
      const answers = await Promise.all(during);
      expect(answers.filter((answer) => answer.status === 200)).toEqual([]);

      const line = await eventually(
        'the receipt line to end',
        () => first.prisma.killSwitchDelivery.findFirst({ where: { killSwitchId: fired.body.id, targetId: stream.id } }),
        (found) => found?.status === 'delivered' || found?.status === 'dead_lettered',
        60_000,
      );
      expect(line?.status).toBe('delivered');
      // Each SET acknowledged once by its jti, however often a retry pushed it.
      expect(receiver.accepted(fired.body.id).map((set) => set['jti'])).toEqual([line?.setJti]);
      expect(await exchange(third, user.subject)).toMatchObject({ status: 400, error: 'invalid_grant' });
      expect((await eventually('the instance to issue again', () => exchange(third, unique('bob')), (answer) => answer.status === 200, 30_000)).status).toBe(200);
    } finally {
      await first.prisma.ssfStream.update({ where: { id: stream.id }, data: { deletedAt: new Date(), status: 'disabled' } });
      await stopWorkerProcess(worker);
      await receiver.close();
      await third.close();
      await proxy.close();
    }
  }, 120_000);
});
