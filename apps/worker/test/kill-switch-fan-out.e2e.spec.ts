/**
 * The kill switch's fan-out through the real worker against real PostgreSQL, Redis under a per-test
 * prefix and real downstream systems on loopback: SSF receivers (RFC 8935 push) that verify what they
 * are sent, an OAuth provider that revokes refresh tokens (RFC 7009), and a legacy API whose keys are
 * rotated. The switches are written as the admin API writes them; the worker is what is under test.
 */
import { randomUUID } from 'node:crypto';

import { decodeJwt } from 'jose';

import type { Config } from '@crossgate/config';
import { enqueue, jobId, JobName, killSwitchDeliveryJob, QueueName, workerSettings } from '@crossgate/jobs';
import { type DeliveryRecord, KillSwitchRepository, type KillSwitchRecord, type NewKillSwitch, SecretStore, SigningKeyRepository } from '@crossgate/store';
import { createRotatableConnection, LegacyApi, SetReceiver, startWorkerProcess, stopWorkerProcess, unique, workerProcessCanRunWithoutRedis, type WorkerProcess } from '@crossgate/testing';

// eslint-disable-next-line @nx/enforce-module-boundaries -- the local third-party provider is test support, imported by path like oidc-provider.ts
import { type LocalOAuthProvider, startOAuthProvider } from '../../../libs/testing/src/oauth-provider.ts';
import { ssfRole } from '../src/kill-switches/kill-switch.processor.ts';
import { eventually, obliterateQueues, openQueues, queuesRunOnPostgres, startTestWorker, testConfig, type TestWorker } from './support/test-worker.ts';

const sessionRevoked = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
const hookCredential = `hook-${unique('credential')}`;

let config: Config;
let queues: ReturnType<typeof openQueues>;
let worker: TestWorker;
let killSwitches: KillSwitchRepository;
let secrets: SecretStore;
const receivers: SetReceiver[] = [];
const streamIds: string[] = [];

/** Few, fast retries; no periodic reconcile (a test asks for one when it wants it). */
const workerEnvironment = { KILL_SWITCH_RETRY_DELAY_MS: '50', KILL_SWITCH_DELIVERY_ATTEMPTS: '3', KILL_SWITCH_RECONCILE_SECONDS: '3600', KILL_SWITCH_DELIVERY_TIMEOUT_MS: '2000' };

beforeEach(async () => {
  config = testConfig(workerEnvironment);
  queues = openQueues(config);
  worker = await startTestWorker(config);
  killSwitches = worker.app.get(KillSwitchRepository);
  secrets = worker.app.get(SecretStore);
});

afterEach(async () => {
  // Other suites' switches reach every enabled stream: leave none of ours behind.
  await worker.prisma.ssfStream.updateMany({ where: { id: { in: streamIds.splice(0) } }, data: { deletedAt: new Date(), status: 'disabled' } });
  await worker.close();
  await obliterateQueues(queues);
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
});

interface World {
  idpIssuer: string;
  userId: string;
  subject: string;
  clientId: string;
  resourceId: string;
  /** The user's live access tokens at the resource. */
  liveJtis: string[];
  /** Tokens the switch must leave alone: the user's expired one, another user's live one. */
  expiredJti: string;
  otherUsersJti: string;
}

async function seedWorld(): Promise<World> {
  const { prisma } = worker;
  const name = unique('ks');
  const idpIssuer = `https://${name}.idp.example`;
  const idp = await prisma.trustedIdp.create({ data: { name, issuer: idpIssuer, audiences: [] } });
  const subject = `${name}-alice`;
  const user = await prisma.user.create({ data: { idpId: idp.id, subject, email: `${name}@bank.example` } });
  const other = await prisma.user.create({ data: { idpId: idp.id, subject: `${name}-bob` } });
  const client = await prisma.client.create({ data: { clientId: name, name, owner: 'tests' } });
  const resource = await prisma.resource.create({ data: { slug: name, name, authorizationServer: `https://as.example/${name}`, resourceIndicators: [`https://${name}.mcp.example/`], owner: 'tests' } });
  const issuedAt = new Date(Date.now() - 1_000);
  const token = (userId: string, expiresAt: Date) => ({ jti: randomUUID(), kind: 'access_token', clientId: client.id, resourceId: resource.id, userId, scopes: ['notes.read'], policyIds: [], issuedAt, expiresAt });
  const soon = new Date(Date.now() + 300_000);
  const live = [token(user.id, soon), token(user.id, soon), token(user.id, soon)];
  const expired = token(user.id, new Date(Date.now() - 500));
  const othersToken = token(other.id, soon);
  await prisma.issuedToken.createMany({ data: [...live, expired, othersToken] });
  return { idpIssuer, userId: user.id, subject, clientId: client.id, resourceId: resource.id, liveJtis: live.map((t) => t.jti), expiredJti: expired.jti, otherUsersJti: othersToken.jti };
}

async function receiver(): Promise<SetReceiver> {
  const started = await SetReceiver.start();
  receivers.push(started);
  return started;
}

async function stream(at: SetReceiver, options: { resourceId?: string; authorization?: string; status?: 'enabled' | 'paused' } = {}): Promise<{ id: string; audience: string }> {
  const audience = `https://${unique('receiver')}.example.test`;
  const authorizationSecretId =
    options.authorization === undefined ? null : await secrets.create({ purpose: 'ssf_authorization_header', label: `${audience} push authorization`, value: options.authorization });
  const row = await worker.prisma.ssfStream.create({
    data: { audience: [audience], endpointUrl: at.url, eventsRequested: [sessionRevoked], createdBy: 'tests', resourceId: options.resourceId ?? null, authorizationSecretId, status: options.status ?? 'enabled' },
  });
  streamIds.push(row.id);
  return { id: row.id, audience };
}

type Target = Omit<NewKillSwitch, 'state' | 'reason' | 'createdBy' | 'createdById' | 'expiresAt'>;

/** Writes an active switch as the admin API does: the row and its audit event in one transaction. */
function createSwitch(target: Target, expiresAt: Date | null = null): Promise<KillSwitchRecord> {
  return killSwitches.create(
    { ...target, state: 'active', reason: 'Agent exfiltrating notes', createdBy: 'responder@bank.example', createdById: null, expiresAt },
    (created) => ({ actor: { type: 'admin', label: 'responder@bank.example' }, action: 'kill_switch.fired', target: { type: 'kill-switches', id: created.id }, decision: 'allow', reason: created.reason, context: { scope: created.scope } }),
    new Date(),
  );
}

async function enqueueFanOut(killSwitchId: string): Promise<void> {
  await enqueue(queues[QueueName.KillSwitch], { name: JobName.KillSwitchFanOut, data: { killSwitchId } }, { jobId: jobId(JobName.KillSwitchFanOut, killSwitchId) });
}

/** Fires a switch as the admin API does: the switch, then its fan-out job. */
async function fire(target: Target, expiresAt: Date | null = null): Promise<KillSwitchRecord> {
  const record = await createSwitch(target, expiresAt);
  await enqueueFanOut(record.id);
  return record;
}

/** The switch's receipt lines to `targets` (other suites' streams may hold lines too), once all have ended. */
function settledLines(killSwitchId: string, targets: readonly string[], expected: number, timeoutMs = 15_000): Promise<DeliveryRecord[]> {
  return eventually(
    `${expected} settled receipt lines of ${killSwitchId}`,
    async () => (await worker.prisma.killSwitchDelivery.findMany({ where: { killSwitchId, targetId: { in: [...targets] } } })) as DeliveryRecord[],
    (lines) => lines.length === expected && lines.every((line) => line.status === 'delivered' || line.status === 'dead_lettered'),
    timeoutMs,
  );
}

async function ssfJwks() {
  const keys = await worker.app.get(SigningKeyRepository).publishable(ssfRole, new Date());
  return { keys: keys.map((key) => ({ ...key.publicJwk })) };
}

describe('kill-switch fan-out: SSF receivers', () => {
  it('should push one verifiable session-revoked SET per receiver and covered token, revoke exactly the covered live tokens and audit each line', async () => {
    const world = await seedWorld();
    const everywhere = await receiver();
    const atResource = await receiver();
    const paused = await receiver();
    const unbound = await stream(everywhere);
    const bound = await stream(atResource, { resourceId: world.resourceId, authorization: 'Bearer receiver-push-credential-0123456789' });
    await stream(paused, { status: 'paused' });

    const record = await fire({ scope: 'user', userId: world.userId });
    const lines = await settledLines(record.id, [unbound.id, bound.id], 1 + 1 + world.liveJtis.length);

    expect(lines.every((line) => line.status === 'delivered' && line.attempts === 1)).toBe(true);
    expect(paused.received).toHaveLength(0);
    // RFC 8935 §2: the SET as the body, typed, with the receiver's own Authorization header from the vault.
    expect(atResource.received.every((push) => push.contentType === 'application/secevent+jwt' && push.authorization === 'Bearer receiver-push-credential-0123456789')).toBe(true);
    expect(everywhere.received.every((push) => push.authorization === undefined)).toBe(true);

    const jwks = await ssfJwks();
    const [principal] = await everywhere.verifyAll(jwks, { issuer: config.http.publicUrl, audience: unbound.audience, txn: record.id });
    expect(principal!.header).toMatchObject({ alg: 'RS256', typ: 'secevent+jwt' });
    expect(principal!.payload).toMatchObject({
      txn: record.id,
      sub_id: { format: 'iss_sub', iss: world.idpIssuer, sub: world.subject },
      events: { [sessionRevoked]: { initiating_entity: 'admin', reason_admin: { en: 'Agent exfiltrating notes' } } },
    });
    // SSF 1.0: no `sub`, no `exp` in a SET.
    expect(principal!.payload['sub']).toBeUndefined();
    expect(principal!.payload['exp']).toBeUndefined();

    const atResourceSets = await atResource.verifyAll(jwks, { issuer: config.http.publicUrl, audience: bound.audience, txn: record.id });
    const tokenSubjects = atResourceSets.map((set) => set.payload['sub_id'] as { format: string; jti?: string }).filter((subject) => subject.format === 'jwt_id');
    expect(tokenSubjects.map((subject) => subject.jti).sort()).toEqual([...world.liveJtis].sort());
    expect(new Set(atResourceSets.map((set) => set.payload['txn']))).toEqual(new Set([record.id]));
    // Each line's SET carries the line's own jti.
    expect(new Set([...everywhere.accepted(record.id), ...atResource.accepted(record.id)].map((claims) => claims['jti']))).toEqual(new Set(lines.map((line) => line.setJti)));

    const tokens = await worker.prisma.issuedToken.findMany({ where: { jti: { in: [...world.liveJtis, world.expiredJti, world.otherUsersJti] } } });
    const revoked = new Set(tokens.filter((token) => token.revokedAt !== null).map((token) => token.jti));
    expect(revoked).toEqual(new Set(world.liveJtis));

    const audits = await worker.prisma.auditEvent.findMany({ where: { action: 'kill_switch.delivery', targetId: record.id } });
    const audited = audits.map((event) => (event.context as { deliveryId: string; status: string })).filter((context) => lines.some((line) => line.id === context.deliveryId));
    expect(audited).toHaveLength(lines.length);
    expect(audited.every((context) => context.status === 'delivered')).toBe(true);
    expect(JSON.stringify(audits.map((event) => ({ ...event, seq: String(event.seq) })))).not.toContain('receiver-push-credential');
  });

  it('should send nothing twice when the fan-out and its deliveries are queued again', async () => {
    const world = await seedWorld();
    const at = await receiver();
    const registered = await stream(at, { resourceId: world.resourceId });
    const record = await fire({ scope: 'user', userId: world.userId });
    const lines = await settledLines(record.id, [registered.id], 1 + world.liveJtis.length);
    const pushes = at.pushesOf(record.id).length;

    // A second fan-out (a re-run after a lost acknowledgement) and a reconcile find nothing left to do.
    await enqueue(queues[QueueName.KillSwitch], { name: JobName.KillSwitchFanOut, data: { killSwitchId: record.id } }, { jobId: jobId(JobName.KillSwitchFanOut, record.id, 'again') });
    await enqueue(queues[QueueName.KillSwitch], { name: JobName.KillSwitchReconcile, data: {} }, { jobId: jobId(JobName.KillSwitchReconcile, unique('now')) });
    // (Only the schedulers' next runs stay delayed.)
    await eventually('the queue to drain', () => queues[QueueName.KillSwitch].getJobCounts('waiting', 'active', 'prioritized'), (counts) => Object.values(counts).every((n) => n === 0));
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(at.pushesOf(record.id)).toHaveLength(pushes);
    expect(pushes).toBe(lines.length);
    const again = await worker.prisma.killSwitchDelivery.count({ where: { killSwitchId: record.id, targetId: registered.id } });
    expect(again).toBe(lines.length);
  });

  it('should retry a receiver that fails, dead-letter one that stays down, and deliver it on a re-drive once it is back', async () => {
    const world = await seedWorld();
    const flaky = await receiver();
    flaky.behaviour = (n) => ({ status: n === 0 ? 500 : 202 });
    const down = await receiver();
    down.behaviour = () => ({ status: 503 });
    const flakyStream = await stream(flaky);
    const downStream = await stream(down);

    const record = await fire({ scope: 'client', clientId: world.clientId });
    const lines = await settledLines(record.id, [flakyStream.id, downStream.id], 2);
    const byTarget = new Map(lines.map((line) => [line.targetId, line]));
    expect(byTarget.get(flakyStream.id)).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(byTarget.get(downStream.id)).toMatchObject({ status: 'dead_lettered', attempts: 3, lastError: 'The receiver answered HTTP 503' });
    // Every retry carries the line's jti (RFC 8935 §2: the receiver dedupes by it).
    expect(down.pushesOf(record.id)).toHaveLength(3);
    expect(new Set(down.pushesOf(record.id).map((push) => decodeJwt(push.set)['jti']))).toEqual(new Set([byTarget.get(downStream.id)!.setJti]));
    expect(flaky.accepted(record.id)).toHaveLength(1);

    down.behaviour = () => ({ status: 202 });
    const redriven = await killSwitches.redrive(record.id);
    expect(redriven.map((line) => line.id)).toContain(byTarget.get(downStream.id)!.id);
    await queues[QueueName.KillSwitch].addBulk(redriven.map((line) => killSwitchDeliveryJob(line.id, line.redrives, config.killSwitch)));
    const after = await eventually(
      'the re-driven line to be delivered',
      () => worker.prisma.killSwitchDelivery.findUniqueOrThrow({ where: { id: byTarget.get(downStream.id)!.id } }),
      (line) => line.status === 'delivered',
    );
    expect(after.redrives).toBe(1);
    expect(down.accepted(record.id)).toHaveLength(1);
    expect(down.accepted(record.id)[0]!['jti']).toBe(byTarget.get(downStream.id)!.setJti);
  });

  // A worker process keeps its queues in PostgreSQL only if the configuration lets REDIS_URL be unset.
  const itWithWorkerProcess = queuesRunOnPostgres() && !workerProcessCanRunWithoutRedis() ? it.skip : it;

  itWithWorkerProcess('should finish every line, each acknowledged once by jti, when the worker is killed in the middle of the fan-out', async () => {
    const world = await seedWorld();
    const slow = await receiver();
    // The first pushes hang long enough for the worker to die holding them.
    slow.behaviour = (n) => ({ status: 202, delayMs: n < 4 ? 4_000 : 0 });
    const slowStream = await stream(slow, { resourceId: world.resourceId });
    const record = await createSwitch({ scope: 'user', userId: world.userId });
    // Only the worker process below works until it is killed.
    await worker.close();
    const crashing: WorkerProcess = startWorkerProcess(config, { ...workerEnvironment, KILL_SWITCH_DELIVERY_TIMEOUT_MS: '10000', LOG_LEVEL: 'warn' });
    try {
      await enqueueFanOut(record.id);
      await eventually('the worker process to hold pushes open', () => Promise.resolve(slow.inFlight), (held) => held >= 1, 30_000);
      crashing.child.kill('SIGKILL');
      await crashing.exited;

      worker = await startTestWorker(config);
      // The dead worker's locks lapse, then a stalled-job check gives its jobs to this one.
      const lines = await settledLines(record.id, [slowStream.id], 1 + world.liveJtis.length, workerSettings.lockDuration + 4 * workerSettings.stalledInterval);
      expect(lines.every((line) => line.status === 'delivered')).toBe(true);
      expect(new Set(slow.accepted(record.id).map((claims) => claims['jti']))).toEqual(new Set(lines.map((line) => line.setJti)));
    } finally {
      await stopWorkerProcess(crashing);
    }
  }, 90_000);
});

/** Restarts the worker under its own Redis prefix with `environment` on top of the suite's. */
async function restartWorker(environment: Record<string, string>): Promise<void> {
  await worker.close();
  await obliterateQueues(queues);
  config = testConfig({ ...workerEnvironment, ...environment });
  queues = openQueues(config);
  worker = await startTestWorker(config);
  killSwitches = worker.app.get(KillSwitchRepository);
  secrets = worker.app.get(SecretStore);
}

describe('kill-switch fan-out: vaulted credentials', () => {
  let provider: LocalOAuthProvider | undefined;
  let target: LegacyApi | undefined;

  afterEach(async () => {
    await provider?.close();
    await target?.stop();
    provider = undefined;
    target = undefined;
  });

  async function stsConsent(world: World): Promise<{ consentId: string; refreshToken: string }> {
    provider = await startOAuthProvider({ redirectUri: 'http://127.0.0.1:9/sts/callback' });
    const refreshToken = await provider.grantRefreshToken(world.subject);
    const name = unique('provider');
    const clientSecretId = await secrets.create({ purpose: 'oauth_client_secret', label: `${name} client secret`, value: provider.clientSecret });
    const oauthProvider = await worker.prisma.oauthProvider.create({ data: { name, issuer: provider.issuer, clientId: provider.clientId, clientSecretId, scopes: provider.scopes } });
    const connection = await worker.prisma.connection.create({ data: { name, clientId: world.clientId, resourceId: world.resourceId, pattern: 'sts', owner: 'tests', oauthProviderId: oauthProvider.id } });
    const refreshTokenSecretId = await secrets.create({ purpose: 'sts_refresh_token', label: `${name} refresh token`, value: refreshToken });
    const consent = await worker.prisma.stsConsent.create({ data: { connectionId: connection.id, userId: world.userId, scopes: ['repo.read'], refreshTokenSecretId, grantedAt: new Date() } });
    return { consentId: consent.id, refreshToken };
  }

  it("should revoke the user's STS refresh token at its provider (RFC 7009) and end the consent", async () => {
    const world = await seedWorld();
    const { consentId, refreshToken } = await stsConsent(world);

    const record = await fire({ scope: 'user', userId: world.userId });
    const [line] = await settledLines(record.id, [consentId], 1);

    expect(line).toMatchObject({ kind: 'sts_revocation', status: 'delivered', attempts: 1 });
    expect(await provider!.tryRefresh(refreshToken)).toBe('invalid_grant');
    const consent = await worker.prisma.stsConsent.findUniqueOrThrow({ where: { id: consentId } });
    expect(consent).toMatchObject({ status: 'revoked', revokedBy: `kill-switch:${record.id}`, upstreamRevocation: 'revoked' });
    const events = await worker.prisma.auditEvent.findMany({ where: { targetId: { in: [record.id, consentId] } } });
    expect(JSON.stringify(events.map((event) => ({ ...event, seq: String(event.seq) })))).not.toContain(refreshToken);
  });

  it('should retry a provider that is down, then end the consent here anyway and dead-letter the line saying the provider never confirmed', async () => {
    const world = await seedWorld();
    const { consentId } = await stsConsent(world);
    provider!.setDown(true);

    const record = await fire({ scope: 'user', userId: world.userId });
    const [line] = await settledLines(record.id, [consentId], 1);

    expect(line).toMatchObject({ kind: 'sts_revocation', status: 'dead_lettered', attempts: 3 });
    expect(line!.lastError).toMatch(/^The consent was ended here, but the provider never revoked its refresh token/);
    // The consent cannot be used again, whatever the provider says later.
    expect(await worker.prisma.stsConsent.findUniqueOrThrow({ where: { id: consentId } })).toMatchObject({ status: 'revoked', upstreamRevocation: 'failed' });
  });

  it("should rotate a vaulted key through its rotation hook, so the leaked key no longer works at the target", async () => {
    // A rotation takes a few round trips: give the line enough retries to wait for it.
    await restartWorker({ KILL_SWITCH_DELIVERY_ATTEMPTS: '10', KILL_SWITCH_RETRY_DELAY_MS: '100' });
    target = await new LegacyApi({ hookCredential }).start();
    const { connectionId, credentialSecretId, initialKey } = await createRotatableConnection(worker.prisma, secrets, { target, hookCredential, overlapSeconds: 3600 });

    const record = await fire({ scope: 'connection', connectionId });
    const [line] = await settledLines(record.id, [connectionId], 1, 30_000);

    expect(line).toMatchObject({ kind: 'credential_rotation', status: 'delivered' });
    const current = await secrets.current(credentialSecretId);
    expect(current.version).toBe(2);
    expect(target.accepts(current.value.toString('utf8'))).toBe(true);
    expect(await worker.prisma.connection.findUniqueOrThrow({ where: { id: connectionId } })).toMatchObject({ status: 'active', rotationStatus: 'idle' });
    // The old key is compromised: no overlap window, neither at the target nor in the vault.
    expect(target.accepts(initialKey)).toBe(false);
    expect((await secrets.versions(credentialSecretId)).map(({ version, state }) => ({ version, state }))).toEqual([
      { version: 2, state: 'active' },
      { version: 1, state: 'retired' },
    ]);
  }, 60_000);

  it('should disable a vaulted connection that has no rotation hook', async () => {
    const world = await seedWorld();
    const credentialSecretId = await secrets.create({ purpose: 'connection_credential', label: 'a key with no hook', value: 'a-key-nobody-can-rotate-0123456789' });
    const connection = await worker.prisma.connection.create({ data: { name: unique('hookless'), clientId: world.clientId, resourceId: world.resourceId, pattern: 'vaulted_key', owner: 'tests', credentialSecretId } });

    const record = await fire({ scope: 'client', clientId: world.clientId });
    const [line] = await settledLines(record.id, [connection.id], 1);

    expect(line).toMatchObject({ kind: 'credential_rotation', status: 'delivered' });
    expect(await worker.prisma.connection.findUniqueOrThrow({ where: { id: connection.id } })).toMatchObject({ status: 'disabled' });
    const event = await worker.prisma.auditEvent.findFirstOrThrow({ where: { action: 'connection_disabled', targetId: connection.id } });
    expect(event.context).toMatchObject({ killSwitchId: record.id });
  });
});

describe('kill-switch expiry', () => {
  it('should record a switch as expired, with an audit event, once its expiry has passed', async () => {
    const world = await seedWorld();
    const record = await fire({ scope: 'user', userId: world.userId }, new Date(Date.now() + 300));
    await new Promise((resolve) => setTimeout(resolve, 400));
    await enqueue(queues[QueueName.KillSwitch], { name: JobName.KillSwitchExpireDue, data: {} }, { jobId: jobId(JobName.KillSwitchExpireDue, unique('now')) });

    const expired = await eventually('the switch to be expired', () => killSwitches.find(record.id), (row) => row?.state === 'expired');
    expect(expired?.expiresAt?.getTime()).toBe(record.expiresAt?.getTime());
    const event = await worker.prisma.auditEvent.findFirstOrThrow({ where: { action: 'kill_switch.expired', targetId: record.id } });
    expect(event.reason).toBe('Agent exfiltrating notes');
  });
});
