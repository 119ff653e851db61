/**
 * @overview Scheduled credential rotation for vaulted_key and service_account connections.
 *
 * `connection-credential.rotate` is a state machine whose state is in PostgreSQL, so a worker killed at
 * any point leaves a rotation another worker finishes, with no version lost or doubled:
 *   generate: a random credential, stored as the secret's one `pending` version (a partial unique index
 *             allows one; a resumed run finds it instead of making another)
 *   push:     the pending value POSTed to the connection's rotation hook (re-pushing the same version is
 *             harmless at the target, so a resumed run simply pushes again)
 *   verify:   a test call to the target with the new credential
 *   activate: one transaction makes it active, lets the old version retire after the overlap window,
 *             clears the alert and audits `connection_rotated`; a re-run of a job that got this far
 *             sees `done` under its own job id and stops.
 * A failed step keeps the old version active and the pending one for the retry (the same value is
 * pushed again), raises the alert (status failed, reason, `connection_rotation_failed`, a failure
 * counter in Redis, when the queues are there) and throws, so BullMQ retries with exponential backoff.
 *
 * `connection-rotation.reconcile` keeps one BullMQ job scheduler per scheduled connection in line with
 * the connections (interval or cron; removed with the schedule) and fills `nextRotationAt`. It runs at
 * start and every ROTATION_RECONCILE_SECONDS, so a changed schedule takes effect without a restart.
 * `connection-credential.retire-due` retires versions whose overlap window has ended.
 */
import { randomBytes } from 'node:crypto';

import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { CronExpressionParser } from 'cron-parser';
import { Redis } from 'ioredis';

import type { Config } from '@crossgate/config';
import { Clock } from '@crossgate/domain';
import { type CatalogueJob, type CatalogueQueue, createQueue, JobName, type JobSchedule, queueBackendOf, QueueName } from '@crossgate/jobs';
import { credentialRotations, queueTelemetry } from '@crossgate/logging';
import {
  ConnectionRotationRepository,
  rotatablePatterns,
  rotationProgress,
  type RotationStep,
  type RotationTarget,
  SecretStore,
} from '@crossgate/store';

import { InjectConfig } from '../platform/platform.module.ts';
import { pushCredential, RotationStepError, verifyCredential } from './rotation-hook.client.ts';

/** How long a claimed rotation stays ours without progress; each step renews it. */
const leaseMs = 5 * 60_000;
/** Scheduler ids: one per connection. */
const schedulerPrefix = `${JobName.ConnectionCredentialRotate}/`;
/** A scheduled run this much of an interval early still rotates (interval schedulers fire on aligned times). */
const earlyFraction = 0.1;
/** Failures that no retry can cure: the job fails at once instead of backing off. */
const permanentFailures = new Set(['hook_not_configured', 'url_not_allowed']);

export function schedulerIdOf(connectionId: string): string {
  return `${schedulerPrefix}${connectionId}`;
}

export type RotateOutcome =
  | { rotated: true; connectionId: string; version: number; resumed: boolean }
  | { rotated: false; connectionId: string; reason: string };

/** The next rotation after `from` for a schedule: `every` seconds later, or the cron's next time. */
export function nextRotation(schedule: { rotationIntervalSeconds: number | null; rotationCron: string | null }, from: Date): Date | null {
  if (schedule.rotationCron !== null) {
    return CronExpressionParser.parse(schedule.rotationCron, { currentDate: from }).next().toDate();
  }
  if (schedule.rotationIntervalSeconds !== null) {
    return new Date(from.getTime() + schedule.rotationIntervalSeconds * 1000);
  }
  return null;
}

@Injectable()
export class ConnectionRotationProcessor implements OnApplicationShutdown {
  private readonly logger = new Logger('ConnectionRotation');
  private queue: CatalogueQueue | null = null;
  private metrics: Redis | null = null;

  constructor(
    @Inject(ConnectionRotationRepository) private readonly rotations: ConnectionRotationRepository,
    @Inject(SecretStore) private readonly secrets: SecretStore,
    @InjectConfig() private readonly config: Config,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /** Reconcile at start and every ROTATION_RECONCILE_SECONDS; retire due versions every minute. */
  get schedules(): JobSchedule[] {
    return [
      { item: { name: JobName.ConnectionRotationReconcile, data: {} }, every: this.config.rotation.reconcileEveryMs },
      { item: { name: JobName.ConnectionCredentialRetireDue, data: {} }, every: 60_000 },
    ];
  }

  /** The retry policy of every rotation job, scheduled or on demand: five attempts, exponential backoff. */
  get retryOptions() {
    return { attempts: 5, backoff: { type: 'exponential' as const, delay: this.config.rotation.retryDelayMs } };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue?.close();
    this.metrics?.disconnect();
  }

  /** The rotation queue, for its schedulers and the failure counter (opened on first use). */
  private rotationQueue(): CatalogueQueue {
    this.queue ??= createQueue(queueBackendOf(this.config), QueueName.Rotation, queueTelemetry());
    return this.queue;
  }

  /** Handles `connection-credential.rotate`. */
  async rotate(job: CatalogueJob<typeof JobName.ConnectionCredentialRotate>): Promise<RotateOutcome> {
    const { connectionId, force = false } = job.data;
    const jobKey = job.id ?? `${job.name}:${job.timestamp}`;
    const target = await this.rotations.find(connectionId);
    if (target === null || !target.active || !rotatablePatterns.includes(target.pattern) || target.credentialSecretId === null) {
      throw new UnrecoverableError(`Connection ${connectionId} has no credential that Crossgate rotates`);
    }
    if (await this.rotations.finishedBy(connectionId, jobKey)) {
      return { rotated: false, connectionId, reason: 'this job already finished the rotation' };
    }
    const now = this.clock.now();
    if (!force && !this.isDue(target, now)) {
      return { rotated: false, connectionId, reason: 'not due yet' };
    }
    if (!(await this.rotations.claim(connectionId, jobKey, now, new Date(now.getTime() + leaseMs)))) {
      // Not a failure of this connection's credential: BullMQ retries once the other rotation is done.
      throw new Error(`Another rotation of connection ${connectionId} is running`);
    }
    try {
      return await this.run(job, jobKey, target);
    } catch (error) {
      throw await this.recordFailure(target, jobKey, error);
    }
  }

  private async run(job: CatalogueJob<typeof JobName.ConnectionCredentialRotate>, jobKey: string, target: RotationTarget): Promise<RotateOutcome> {
    const { rotationHookUrl: hookUrl, rotationVerifyUrl: verifyUrl, rotationHookSecretId: hookSecretId } = target;
    if (hookUrl === null || verifyUrl === null || hookSecretId === null) {
      throw new RotationStepError('hook_not_configured', 'The connection has no rotation hook URL, verify URL and hook credential');
    }
    const secretId = target.credentialSecretId!;
    const step = async (name: RotationStep) => {
      if (!(await this.rotations.step(target.id, jobKey, name, new Date(this.clock.now().getTime() + leaseMs)))) {
        throw new Error(`The rotation of connection ${target.id} was taken over by another job`);
      }
      await job.updateProgress(rotationProgress(name));
    };

    await step('generate');
    const existing = await this.secrets.pendingVersion(secretId);
    const version = existing ?? (await this.addPending(secretId));
    const hookOptions = { timeoutMs: this.config.rotation.hookTimeoutMs, allowInsecureLoopback: this.config.rotation.allowInsecureLoopback };

    await step('push');
    const credential = (await this.secrets.open(secretId, version)).value.toString('utf8');
    const hookCredential = (await this.secrets.current(hookSecretId)).value.toString('utf8');
    // A compromised credential gets no overlap: the target drops it as it installs the new one.
    const overlapSeconds = job.data.compromised === true ? 0 : target.rotationOverlapSeconds;
    await pushCredential(hookUrl, hookCredential, { connection_id: target.id, version, credential, previous_valid_for_seconds: overlapSeconds }, hookOptions);

    await step('verify');
    await verifyCredential(verifyUrl, credential, hookOptions);

    await step('activate');
    const now = this.clock.now();
    const retireAt = new Date(now.getTime() + overlapSeconds * 1000);
    await this.secrets.activate(secretId, version, overlapSeconds === 0 ? 'retire-now' : { retireAt }, now, (tx) =>
      this.rotations.succeeded(tx, target.id, jobKey, now, nextRotation(target, now), {
        actor: { type: 'system', label: 'worker' },
        action: 'connection_rotated',
        target: { type: 'connections', id: target.id },
        decision: 'allow',
        requestId: jobKey,
        context: { keyVersion: version, previousRetireAt: retireAt.toISOString(), compromised: job.data.compromised === true, resumed: existing !== null },
      }),
    );
    credentialRotations.inc({ outcome: 'succeeded', failure: '' });
    await job.updateProgress(100);
    this.logger.log(`Rotated the credential of connection ${target.id} to version ${version}; the previous one retires at ${retireAt.toISOString()}`);
    return { rotated: true, connectionId: target.id, version, resumed: existing !== null };
  }

  /** Stores a new random credential as the pending version; a racing run's pending version wins instead. */
  private async addPending(secretId: string): Promise<number> {
    // 256 bits from the CSPRNG, base64url: a key or password any target can store.
    const value = randomBytes(32).toString('base64url');
    try {
      return await this.secrets.addVersion(secretId, value, { state: 'pending' });
    } catch (error) {
      // Another run stored its pending version first (the one-pending index refused ours): resume that one.
      const pending = await this.secrets.pendingVersion(secretId);
      if (pending === null) {
        throw error;
      }
      return pending;
    }
  }

  /** Raises the alert and returns what the job should throw: retried unless no retry can help. */
  private async recordFailure(target: RotationTarget, jobKey: string, error: unknown): Promise<Error> {
    const known = error instanceof RotationStepError;
    const reason = known ? error.message : 'Internal error during the rotation (see the worker log)';
    if (!known) {
      this.logger.error(`Rotation of connection ${target.id} failed: ${error instanceof Error ? error.stack : String(error)}`);
    }
    const step = (await this.rotations.find(target.id))?.rotationStep ?? null;
    const at = this.clock.now();
    await this.rotations.failed(target.id, jobKey, reason, at, {
      actor: { type: 'system', label: 'worker' },
      action: 'connection_rotation_failed',
      target: { type: 'connections', id: target.id },
      decision: 'deny',
      reason,
      requestId: jobKey,
      context: { step, failure: known ? error.code : 'internal' },
    });
    credentialRotations.inc({ outcome: 'failed', failure: known ? error.code : 'internal' });
    await this.countFailure();
    this.logger.warn(`Rotation of connection ${target.id} failed at step ${step}: ${reason}`);
    if (known && permanentFailures.has(error.code)) {
      return new UnrecoverableError(reason);
    }
    return known ? error : new Error(reason);
  }

  /**
   * `<prefix>:metrics:connection_rotation_failures_total`, a counter any metrics exporter can read, when
   * the queues are in Redis. Without Redis the failure is still in the audit log and on the connection.
   */
  private async countFailure(): Promise<void> {
    const backend = queueBackendOf(this.config);
    if (backend.kind !== 'redis') {
      return;
    }
    try {
      // BullMQ 6 hides its Redis client behind the backend, so the counter has a connection of its own.
      this.metrics ??= new Redis(backend.url, { maxRetriesPerRequest: 1 });
      await this.metrics.incr(failureCounterKey(this.config.redis.prefix));
    } catch (error) {
      this.logger.warn(`Could not count a rotation failure: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private isDue(target: RotationTarget, now: Date): boolean {
    if (target.rotationStatus !== 'idle' || target.rotationIntervalSeconds === null || target.rotationCron !== null) {
      return true; // Cron schedulers fire only at their times; a failed or interrupted rotation is always due.
    }
    const since = target.lastRotatedAt ?? target.createdAt;
    return now.getTime() - since.getTime() >= target.rotationIntervalSeconds * 1000 * (1 - earlyFraction);
  }

  /** Handles `connection-rotation.reconcile`: schedulers added, changed and removed; `nextRotationAt` filled. */
  async reconcile(): Promise<{ scheduled: number; upserted: number; removed: number }> {
    const queue = this.rotationQueue();
    const wanted = await this.rotations.schedules();
    const existing = new Map((await queue.getJobSchedulers(0, -1)).filter((scheduler) => scheduler.key.startsWith(schedulerPrefix)).map((scheduler) => [scheduler.key, scheduler]));
    let upserted = 0;
    for (const schedule of wanted) {
      const id = schedulerIdOf(schedule.connectionId);
      const current = existing.get(id);
      existing.delete(id);
      const every = schedule.cron === null && schedule.intervalSeconds !== null ? schedule.intervalSeconds * 1000 : undefined;
      const unchanged = current !== undefined && (schedule.cron !== null ? current.pattern === schedule.cron : Number(current.every) === every);
      if (!unchanged) {
        const repeat = schedule.cron !== null ? { pattern: schedule.cron } : { every: every! };
        // BullMQ types the scheduler id as the queue's job-name type; any string is accepted at run time.
        await queue.upsertJobScheduler(id as JobName, repeat, {
          name: JobName.ConnectionCredentialRotate,
          data: { connectionId: schedule.connectionId },
          opts: this.retryOptions,
        });
        upserted += 1;
      }
      const next = unchanged ? current.next : (await queue.getJobScheduler(id))?.next;
      const nextAt = next === undefined ? null : new Date(firstDueRun(Number(next), schedule.since, every));
      if (nextAt !== null && (schedule.nextRotationAt === null || Math.abs(schedule.nextRotationAt.getTime() - nextAt.getTime()) > 1000)) {
        await this.rotations.setNextRotationAt(schedule.connectionId, nextAt);
      }
    }
    for (const stale of existing.keys()) {
      await queue.removeJobScheduler(stale);
    }
    await this.rotations.clearNextRotationAtExcept(wanted.map((schedule) => schedule.connectionId));
    if (upserted > 0 || existing.size > 0) {
      this.logger.log(`Rotation schedulers: ${wanted.length} scheduled, ${upserted} added or changed, ${existing.size} removed`);
    }
    return { scheduled: wanted.length, upserted, removed: existing.size };
  }

  /** Handles `connection-credential.retire-due`. */
  async retireDue(): Promise<{ retired: number }> {
    const retired = await this.secrets.retireDue(this.clock.now());
    if (retired > 0) {
      this.logger.log(`Retired ${retired} credential version(s) whose overlap window ended`);
    }
    return { retired };
  }
}

/**
 * When a rotation will actually happen: the scheduler's next run, or for an interval the first aligned
 * run (interval schedulers fire at multiples of `every`) at which the key is due (see `isDue`).
 */
function firstDueRun(schedulerNext: number, since: Date, every: number | undefined): number {
  if (every === undefined) {
    return schedulerNext;
  }
  const due = since.getTime() + every * (1 - earlyFraction);
  return Math.max(schedulerNext, Math.ceil(due / every) * every);
}

export function failureCounterKey(prefix: string): string {
  return `${prefix}:metrics:connection_rotation_failures_total`;
}
