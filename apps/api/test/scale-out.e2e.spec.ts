/**
 * The same deployment shape on each backend: two API instances and two worker processes sharing one
 * database, with Redis (queues, pub/sub, hot keys) or without it (all of it on PostgreSQL). On both,
 * a policy written on one instance decides on the other, a kill switch fired on one instance stops the
 * other within the gate's bound, and the fan-out job it causes runs once although two workers compete.
 *
 * @runsAlone its two API instances and two workers on PostgreSQL hold about 80 connections between them
 */
import { AdminHttp, createActivePolicy, createAdmin, describeWithRedis, eventually, SetReceiver, startWorkerProcess, stopWorkerProcess, type TestAdmin, unique, type WorkerProcess } from '@crossgate/testing';
import { grantTypes, tokenTypes } from '@crossgate/token';

// eslint-disable-next-line @nx/enforce-module-boundaries -- the stand-in IdP is test support of the token library
import { createLocalIdp, type LocalIdp } from '../../../libs/token/src/test-support/local-idp.ts';
import { Coordination } from '@crossgate/coordination';
import { describeQueueBackend, queueBackendOf } from '@crossgate/jobs';
import { hashPassword } from '../src/auth/index.ts';
import { killSwitchMaxAgeMs, type KillSwitchView } from '../src/kill-switches/index.ts';
import { PolicyEngineService } from '../src/policies/index.ts';
import { startTestApi, type TestApi } from './support/test-api.ts';

const secret = 'correct horse battery staple, 32+ chars';
const sessionRevoked = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';

function deployment(backend: 'redis' | 'postgres'): void {
  const withoutRedis = backend === 'postgres';
  let first: TestApi;
  let second: TestApi;
  let workers: WorkerProcess[] = [];
  let responder: TestAdmin;
  let asItAdmin: AdminHttp;
  let idp: LocalIdp;
  let groupName: string;
  let groupId: string;
  let client: { id: string; clientId: string; idpClientId: string };
  let resource: { id: string; audience: string };

  beforeAll(async () => {
    [first, second] = await Promise.all([startTestApi({}, { withoutRedis }), startTestApi({}, { withoutRedis })]);
    workers = [0, 1].map(() => startWorkerProcess(first.config, { KILL_SWITCH_RETRY_DELAY_MS: '100', KILL_SWITCH_RECONCILE_SECONDS: '2', LOG_LEVEL: 'log' }));
    asItAdmin = AdminHttp.withToken(first.baseUrl, (await createAdmin(first.prisma, 'it-admin')).token);
    responder = await createAdmin(first.prisma, 'incident-responder');
    idp = await createLocalIdp(`https://${unique('idp')}.example.test`);
    await first.prisma.trustedIdp.create({ data: { name: unique('IdP'), issuer: idp.issuer, jwks: idp.jwks as object, audiences: [] } });
    groupName = unique('support');
    groupId = (await first.prisma.group.create({ data: { name: groupName } })).id;
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
    // Rows written straight to the database: bump the version, so both instances load them.
    await first.directoryChanged();
    await Promise.all([first.app.get(PolicyEngineService).refresh(), second.app.get(PolicyEngineService).refresh()]);
  });

  afterAll(async () => {
    await first.prisma.killSwitch.updateMany({ where: { state: 'active' }, data: { state: 'lifted', liftedAt: new Date() } });
    await Promise.all(workers.map((worker) => stopWorkerProcess(worker)));
    await Promise.all([first.close(), second.close()]);
  });

  async function exchange(api: TestApi, subject: string): Promise<{ status: number; error?: string }> {
    const now = Math.floor(Date.now() / 1000);
    const idToken = await idp.idToken({ aud: client.idpClientId, sub: subject, iat: now, exp: now + 300, groups: [groupName] });
    const response = await fetch(`${api.baseUrl}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client.clientId}:${encodeURIComponent(secret)}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: grantTypes.tokenExchange, requested_token_type: tokenTypes.idJag, subject_token_type: tokenTypes.idToken, subject_token: idToken, audience: resource.audience }).toString(),
    });
    const body = (await response.json()) as { error?: string };
    return { status: response.status, ...(body.error === undefined ? {} : { error: body.error }) };
  }

  it('should run on the backend its configuration names', async () => {
    const expected = backend === 'redis' ? 'redis' : 'postgres';
    expect([first.app.get(Coordination).backend, second.app.get(Coordination).backend]).toEqual([expected, expected]);
    expect(queueBackendOf(first.config).kind).toBe(expected);
    expect((await AdminHttp.anonymous(second.baseUrl).get('/readyz')).body).toMatchObject({ status: 'ready', backends: { coordination: backend === 'redis' ? 'redis' : 'postgresql' } });
    // Both workers came up on the same queues.
    await Promise.all(workers.map((worker) => eventually('the worker to start', () => Promise.resolve(worker.output()), (lines) => lines.includes(describeQueueBackend(queueBackendOf(first.config))), 60_000)));
  });

  it('should decide on the other instance by a policy written on one, announced within two seconds', async () => {
    const subject = unique('alice');
    expect(await exchange(second, subject)).toMatchObject({ status: 400 });

    await createActivePolicy(asItAdmin, AdminHttp.withToken(first.baseUrl, (await createAdmin(first.prisma, 'it-admin')).token), { name: unique('policy'), clientId: client.id, resourceId: resource.id, subjectGroupIds: [groupId], scopes: ['issues.read'] });
    const started = Date.now();
    // The version check alone would take up to its interval; the announcement is faster.
    await eventually('the other instance to apply the policy', () => exchange(second, subject), (answer) => answer.status === 200, 2_000);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('should stop the other instance within the gate bound, and fan the switch out once across two workers', async () => {
    const receiver = await SetReceiver.start();
    const stream = await first.prisma.ssfStream.create({ data: { audience: [`https://${unique('rcv')}.example.test`], endpointUrl: receiver.url, eventsRequested: [sessionRevoked], createdBy: 'tests' } });
    try {
      const subject = unique('bob');
      expect((await exchange(first, subject)).status).toBe(200);
      const user = await first.prisma.user.findFirstOrThrow({ where: { subject } });
      expect((await exchange(second, subject)).status).toBe(200);

      const fired = await AdminHttp.withToken(first.baseUrl, responder.token).post<KillSwitchView>('/api/kill-switches', { scope: 'user', userId: user.id, reason: `Scale-out on ${backend}` });
      const answeredAt = performance.now();
      expect(fired.status).toBe(201);
      let elsewhere = await exchange(second, subject);
      while (elsewhere.status === 200 && performance.now() - answeredAt < 1000) {
        elsewhere = await exchange(second, subject);
      }
      expect(elsewhere).toMatchObject({ status: 400, error: 'invalid_grant' });
      expect(performance.now() - answeredAt).toBeLessThanOrEqual(killSwitchMaxAgeMs + 100);

      const line = await eventually(
        'the receipt line to end',
        () => first.prisma.killSwitchDelivery.findFirst({ where: { killSwitchId: fired.body.id, targetId: stream.id } }),
        (found) => found?.status === 'delivered' || found?.status === 'dead_lettered',
        60_000,
      );
      expect(line).toMatchObject({ status: 'delivered', attempts: 1 });
      // Let a duplicate, if any worker ran the job again, arrive before counting.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(receiver.pushesOf(fired.body.id)).toHaveLength(1);
      expect(receiver.accepted(fired.body.id).map((set) => set['jti'])).toEqual([line?.setJti]);
    } finally {
      await first.prisma.ssfStream.update({ where: { id: stream.id }, data: { deletedAt: new Date(), status: 'disabled' } });
      await receiver.close();
    }
  }, 90_000);
}

describeWithRedis('two API instances and two workers on redis', () => deployment('redis'));
describe('two API instances and two workers on postgres', () => deployment('postgres'));
