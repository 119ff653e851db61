/**
 * @overview The kill switch's fan-out: every downstream system told, durably, with a receipt.
 *
 * `kill-switch.fan-out` plans the receipt in PostgreSQL (one line per SSF receiver and covered token
 * at it, per STS consent, per vaulted credential; the covered live tokens marked revoked) and adds one
 * `kill-switch.deliver` job per line, under the line's own job id, so a re-run adds nothing twice.
 * `kill-switch.deliver` carries out one line:
 * - `ssf_set`: a CAEP session-revoked SET pushed to the stream's endpoint (RFC 8935), its `jti` the
 *   line's, the same on every attempt, so a receiver that got it before a crash drops the repeat;
 * - `sts_revocation`: the consent's refresh token revoked at its provider (RFC 7009) and the consent ended;
 * - `credential_rotation`: the connection's credential rotated through the rotation path, or the
 *   connection disabled when it has no rotation hook.
 * A line already delivered is never carried out again. A failed attempt is recorded and retried with
 * exponential backoff; the last one dead-letters the line, which an admin may re-drive. A line's end
 * and its `kill_switch.delivery` audit event commit together, many lines per transaction.
 * `kill-switch.reconcile` (every KILL_SWITCH_RECONCILE_SECONDS, and at start) re-adds the jobs of
 * switches not yet planned and of lines not yet finished, which Redis may have lost; nothing that
 * PostgreSQL holds is lost. `kill-switch.expire-due` records switches past their expiry; the token gate
 * stops covering them at that moment on its own.
 */
import http from 'node:http';
import https from 'node:https';

import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';

import type { Config } from '@crossgate/config';
import { Clock } from '@crossgate/domain';
import { type CatalogueJob, type CatalogueQueue, createQueue, jobId, JobName, type JobSchedule, killSwitchDeliveryJob, queueBackendOf, QueueName } from '@crossgate/jobs';
import { killSwitchDeliveries, killSwitchesLifted, queueTelemetry } from '@crossgate/logging';
import {
  type AuditEntry,
  BatchedRead,
  type DeliveryOutcome,
  type DeliveryRecord,
  GroupCommit,
  type KillSwitchRecord,
  KillSwitchRepository,
  type KillSwitchSubjectFacts,
  SecretStore,
  SigningKeyRepository,
  type PrismaClient,
} from '@crossgate/store';
import { mintSecurityEvent, securityEventAlg, securityEventSigningRole, sessionRevokedEvent, type SubjectIdentifier, verificationEvent } from '@crossgate/token';

import { InjectConfig, InjectPrisma } from '../platform/platform.module.ts';
import { guardedCall, RotationStepError } from '../rotation/rotation-hook.client.ts';
import { type Attempt, CredentialRevocation } from './credential-revocation.ts';

/** The signing role of SETs. */
export const ssfRole = securityEventSigningRole;
/** Lines added per addBulk call. */
const bulkSize = 1_000;
/** How long a switch's subject facts are reused across its lines' jobs. */
const factsTtlMs = 30_000;

const actor = { type: 'system' as const, label: 'worker' };

/** An enabled SSF stream as a push needs it (its Authorization header still sealed). */
interface StreamRow {
  id: string;
  audience: string[];
  endpointUrl: string;
  authorizationSecretId: string | null;
}

interface SwitchContext {
  record: KillSwitchRecord;
  facts: KillSwitchSubjectFacts;
  readAt: number;
}

@Injectable()
export class KillSwitchProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('KillSwitch');
  private queue: CatalogueQueue | null = null;
  private rotationQueue: CatalogueQueue | null = null;
  private readonly contexts = new Map<string, Promise<SwitchContext>>();
  private readonly outcomes: GroupCommit<DeliveryOutcome>;
  /** The receipt lines and streams that concurrent deliveries look up, one query per turn. */
  private readonly lines: BatchedRead<string, DeliveryRecord>;
  private readonly streams: BatchedRead<string, StreamRow>;
  /** Keep-alive connections to receivers: ten thousand pushes must not open ten thousand connections. */
  private readonly agents = { http: new http.Agent({ keepAlive: true, maxSockets: 256 }), https: new https.Agent({ keepAlive: true, maxSockets: 256 }) };

  constructor(
    @Inject(KillSwitchRepository) private readonly killSwitches: KillSwitchRepository,
    @Inject(SigningKeyRepository) private readonly signingKeys: SigningKeyRepository,
    @Inject(SecretStore) private readonly secrets: SecretStore,
    @Inject(CredentialRevocation) private readonly credentials: CredentialRevocation,
    @InjectPrisma() private readonly prisma: PrismaClient,
    @InjectConfig() private readonly config: Config,
    @Inject(Clock) private readonly clock: Clock,
  ) {
    this.outcomes = new GroupCommit((items) => this.killSwitches.recordOutcomes(items), { maxGroupSize: 500, maxConcurrentCommits: 2 });
    this.lines = new BatchedRead((ids) => this.killSwitches.findDeliveries(ids));
    this.streams = new BatchedRead(async (ids) => {
      const rows = await this.prisma.ssfStream.findMany({
        where: { id: { in: [...ids] }, deletedAt: null, status: 'enabled' },
        select: { id: true, audience: true, endpointUrl: true, authorizationSecretId: true },
      });
      return new Map(rows.map((row) => [row.id, row]));
    });
  }

  get schedules(): JobSchedule[] {
    return [
      { item: { name: JobName.KillSwitchExpireDue, data: {} }, every: 5_000 },
      { item: { name: JobName.KillSwitchReconcile, data: {} }, every: this.config.killSwitch.reconcileEveryMs },
    ];
  }

  async onApplicationShutdown(): Promise<void> {
    await this.outcomes.flushed();
    await Promise.all([this.queue?.close(), this.rotationQueue?.close()]);
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /** Makes sure SETs can be signed before the first switch fires. */
  async onApplicationBootstrap(): Promise<void> {
    await this.signingKeys.ensureActive(ssfRole, securityEventAlg, this.clock.now());
  }

  /** Handles `kill-switch.fan-out`. */
  async fanOut(job: CatalogueJob<typeof JobName.KillSwitchFanOut>): Promise<{ planned: boolean; lines: number; tokensRevoked: number }> {
    const { killSwitchId } = job.data;
    const planned = await this.killSwitches.planFanOut(killSwitchId, this.clock.now());
    if (planned === null) {
      return { planned: false, lines: 0, tokensRevoked: 0 };
    }
    const lines = await this.enqueueUnfinished(killSwitchId);
    this.logger.log(`Kill switch ${killSwitchId}: ${planned.tokensRevoked} live tokens revoked, ${lines} deliveries queued`);
    return { planned: true, lines, tokensRevoked: planned.tokensRevoked };
  }

  /** Handles `kill-switch.deliver`. */
  async deliver(job: CatalogueJob<typeof JobName.KillSwitchDeliver>): Promise<{ status: string }> {
    const line = await this.lines.get(job.data.deliveryId);
    if (line === null) {
      throw new UnrecoverableError(`No receipt line ${job.data.deliveryId}`);
    }
    if (line.status === 'delivered' || line.status === 'dead_lettered') {
      // Nothing is sent twice; a dead letter moves again only through a re-drive, which sets it pending.
      return { status: line.status };
    }
    const context = await this.context(line.killSwitchId);
    const attempts = line.attempts + 1;
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const attempt = await this.attempt(line, context, lastAttempt).catch((error: unknown): Attempt => ({ ok: false, error: error instanceof Error ? error.message : String(error) }));
    const now = this.clock.now();
    const last = attempt.ok || attempt.permanent === true || lastAttempt;
    if (!last && !attempt.ok) {
      await this.killSwitches.recordRetry(line.id, attempts, attempt.error, now, attempt.subject);
      throw new Error(`Delivery ${line.id} (${line.kind} to ${line.targetLabel}) failed, will retry: ${attempt.error}`);
    }
    const status = attempt.ok ? 'delivered' : 'dead_lettered';
    await this.outcomes.submit({
      id: line.id,
      status,
      attempts,
      lastError: attempt.ok ? null : attempt.error,
      at: now,
      subject: attempt.subject,
      audit: this.deliveryAudit(line, status, attempts, attempt.ok ? null : attempt.error),
    });
    killSwitchDeliveries.inc({ kind: line.kind, outcome: status });
    return { status };
  }

  /** Handles `kill-switch.reconcile`: re-adds what Redis may have lost. */
  async reconcile(): Promise<{ fanOuts: number; switches: number }> {
    const queue = this.killSwitchQueue();
    const unplanned = await this.killSwitches.notFannedOut();
    for (const id of unplanned) {
      await queue.add(JobName.KillSwitchFanOut, { killSwitchId: id }, { jobId: jobId(JobName.KillSwitchFanOut, id) });
    }
    const unfinished = await this.killSwitches.withUnfinishedDeliveries();
    for (const id of unfinished) {
      await this.enqueueUnfinished(id);
    }
    return { fanOuts: unplanned.length, switches: unfinished.length };
  }

  /** Handles `kill-switch.expire-due`. */
  async expireDue(): Promise<{ expired: number }> {
    const expired = await this.killSwitches.expireDue(this.clock.now(), (record) => ({
      actor,
      action: 'kill_switch.expired',
      target: { type: 'kill-switches', id: record.id },
      decision: 'allow',
      reason: record.reason,
      context: { scope: record.scope, expiresAt: record.expiresAt?.toISOString() ?? null },
    }));
    for (const record of expired) {
      killSwitchesLifted.inc({ scope: record.scope, by: 'expiry' });
      this.logger.log(`Kill switch ${record.id} (${record.scope}) expired at ${record.expiresAt?.toISOString() ?? '?'}`);
    }
    return { expired: expired.length };
  }

  /** Handles `ssf.verify`: a verification SET to the stream's receiver (SSF 1.0 §8.1.4.2). */
  async verify(job: CatalogueJob<typeof JobName.SsfVerify>): Promise<{ delivered: boolean }> {
    const stream = await this.stream(job.data.streamId);
    if (stream === null) {
      throw new UnrecoverableError(`No enabled SSF stream ${job.data.streamId}`);
    }
    const set = await mintSecurityEvent({
      signingKey: await this.signingKeys.activeKey(ssfRole),
      issuer: this.config.http.publicUrl,
      audience: stream.audience,
      jti: `${job.id ?? job.data.streamId}/${job.attemptsMade}`,
      subject: { format: 'opaque', id: stream.id },
      event: verificationEvent(job.data.state),
      now: this.clock.now(),
    });
    const result = await this.push(stream, set);
    if (!result.ok) {
      throw new Error(`The verification SET to stream ${stream.id} was not accepted: ${result.error}`);
    }
    return { delivered: true };
  }

  // ── One line ─────────────────────────────────────────────────────────────────────────────────

  private attempt(line: DeliveryRecord, context: SwitchContext, last: boolean): Promise<Attempt> {
    switch (line.kind) {
      case 'ssf_set':
        return this.pushSet(line, context);
      case 'sts_revocation':
        return this.credentials.revokeConsent(line.targetId, context.record.id, last);
      case 'credential_rotation':
        this.rotationQueue ??= createQueue(queueBackendOf(this.config), QueueName.Rotation, queueTelemetry());
        return this.credentials.rotateOrDisable(line.targetId, context.record.id, line.redrives, this.rotationQueue);
      default: {
        const unreachable: never = line.kind;
        throw new UnrecoverableError(`Unknown receipt line kind ${String(unreachable)}`);
      }
    }
  }

  private async pushSet(line: DeliveryRecord, context: SwitchContext): Promise<Attempt> {
    const stream = await this.stream(line.targetId);
    if (stream === null) {
      return { ok: false, error: 'The stream was deleted or disabled before the SET could be sent', permanent: true };
    }
    const subject = await this.subjectOf(line, context);
    if (subject === null) {
      return { ok: false, error: 'The switch names nothing this stream can be told of (its target was deleted)', permanent: true };
    }
    const record = context.record;
    const set = await mintSecurityEvent({
      signingKey: await this.signingKeys.activeKey(ssfRole),
      issuer: this.config.http.publicUrl,
      audience: stream.audience,
      jti: line.setJti ?? line.id,
      txn: record.id,
      subject,
      event: sessionRevokedEvent(record.reason, record.activatedAt ?? record.requestedAt),
      now: this.clock.now(),
    });
    return { ...(await this.push(stream, set)), subject };
  }

  /** RFC 8935 §2: POST the compact SET; 202 (or another 2xx) is an acknowledgement. */
  private async push(stream: { endpointUrl: string; authorizationHeader: string | null }, set: string): Promise<Attempt> {
    try {
      const answer = await guardedCall(
        'SSF receiver',
        'POST',
        stream.endpointUrl,
        { 'content-type': 'application/secevent+jwt', ...(stream.authorizationHeader === null ? {} : { authorization: stream.authorizationHeader }) },
        set,
        { timeoutMs: this.config.killSwitch.deliveryTimeoutMs, allowInsecureLoopback: this.config.killSwitch.allowInsecureLoopback, agent: this.agents },
      );
      if (answer.status >= 200 && answer.status <= 299) {
        return { ok: true };
      }
      const err = answer.status === 400 ? /"err"\s*:\s*"([a-z_]{1,40})"/.exec(answer.body)?.[1] : undefined;
      return { ok: false, error: `The receiver answered HTTP ${answer.status}${err === undefined ? '' : ` (${err})`}` };
    } catch (error) {
      if (error instanceof RotationStepError) {
        return { ok: false, error: error.message, permanent: error.code === 'url_not_allowed' };
      }
      throw error;
    }
  }

  /** The SET's `sub_id` (RFC 9493; SSF 1.0 §3): the switch's principal, or one covered token. */
  private async subjectOf(line: DeliveryRecord, context: SwitchContext): Promise<SubjectIdentifier | null> {
    if (line.subjectKey.startsWith('jti:')) {
      const jti = line.subjectKey.slice('jti:'.length);
      const token = await this.killSwitches.tokenIssuer(jti);
      if (token === null) {
        return null;
      }
      const iss = token.kind === 'access_token' && token.resourceSlug !== null ? `${this.config.http.publicUrl}/ras/${token.resourceSlug}` : this.config.http.publicUrl;
      return { format: 'jwt_id', iss, jti };
    }
    const { record, facts } = context;
    const application = facts.clientId === null ? null : ({ format: 'opaque', id: facts.clientId } as const);
    switch (record.scope) {
      case 'user':
      case 'user_app_pair':
        return facts.user === null ? null : { format: 'iss_sub', iss: facts.user.idpIssuer, sub: facts.user.subject };
      case 'client':
      case 'app_pair':
      case 'connection':
        return application === null ? null : { format: 'complex', application };
      case 'resource':
        return facts.resourceIndicator === null ? null : { format: 'uri', uri: facts.resourceIndicator };
      case 'idp':
        return facts.idpIssuer === null ? null : { format: 'complex', tenant: { format: 'opaque', id: facts.idpIssuer } };
      case 'everything':
        return { format: 'complex', tenant: { format: 'opaque', id: this.config.http.publicUrl } };
      default: {
        const unreachable: never = record.scope;
        throw new UnrecoverableError(`Unknown kill switch scope ${String(unreachable)}`);
      }
    }
  }

  /** An enabled stream's push target, its Authorization header opened from the vault. */
  private async stream(streamId: string): Promise<{ id: string; audience: string[]; endpointUrl: string; authorizationHeader: string | null } | null> {
    const row = await this.streams.get(streamId);
    if (row === null) {
      return null;
    }
    const authorizationHeader = row.authorizationSecretId === null ? null : (await this.secrets.current(row.authorizationSecretId)).value.toString('utf8');
    return { id: row.id, audience: row.audience, endpointUrl: row.endpointUrl, authorizationHeader };
  }

  private context(killSwitchId: string): Promise<SwitchContext> {
    const cached = this.contexts.get(killSwitchId);
    if (cached !== undefined) {
      return cached.then((context) => (Date.now() - context.readAt < factsTtlMs ? context : this.readContext(killSwitchId)));
    }
    return this.readContext(killSwitchId);
  }

  private readContext(killSwitchId: string): Promise<SwitchContext> {
    const read = (async () => {
      const record = await this.killSwitches.find(killSwitchId);
      if (record === null) {
        throw new UnrecoverableError(`No kill switch ${killSwitchId}`);
      }
      return { record, facts: await this.killSwitches.subjectFacts(record), readAt: Date.now() };
    })();
    this.contexts.set(killSwitchId, read);
    read.catch(() => this.contexts.delete(killSwitchId));
    return read;
  }

  private deliveryAudit(line: DeliveryRecord, status: 'delivered' | 'dead_lettered', attempts: number, error: string | null): AuditEntry {
    return {
      actor,
      action: 'kill_switch.delivery',
      target: { type: 'kill-switches', id: line.killSwitchId },
      decision: status === 'delivered' ? 'allow' : 'deny',
      reason: error,
      context: { deliveryId: line.id, kind: line.kind, targetId: line.targetId, subjectKey: line.subjectKey, targetLabel: line.targetLabel, status, attempts },
    };
  }

  /** Adds a deliver job for every unfinished line of a switch, each under its line's id (plus its re-drive count). */
  private async enqueueUnfinished(killSwitchId: string): Promise<number> {
    const lines = await this.killSwitches.unfinishedDeliveries(killSwitchId);
    const queue = this.killSwitchQueue();
    for (let start = 0; start < lines.length; start += bulkSize) {
      await queue.addBulk(lines.slice(start, start + bulkSize).map((line) => killSwitchDeliveryJob(line.id, line.redrives, this.config.killSwitch)));
    }
    return lines.length;
  }

  private killSwitchQueue(): CatalogueQueue {
    this.queue ??= createQueue(queueBackendOf(this.config), QueueName.KillSwitch, queueTelemetry());
    return this.queue;
  }
}
