/**
 * @overview The persisted state of a connection's credential rotation, so a rotation survives the
 * worker that runs it. The state lives on the connection (`rotation_status`, `rotation_step`,
 * `rotation_job_id`, `rotation_lease_until`) and in the credential's `pending` secret version (at most
 * one per secret, a partial unique index). A job claims the rotation before it starts: the same job
 * (a retry, or a re-run after its worker died) may take it back at once, another job only once the
 * holder has finished, failed, or let its lease lapse.
 */
import type { AuditEntry } from '../audit/audit-chain.ts';
import type { AuditLogRepository } from '../audit/audit-log.repository.ts';
import type { PrismaClient, Transaction } from '../database.ts';
import type { ConnectionPattern, RotationStatus } from '../generated/prisma/enums.ts';

/** The steps of one rotation, in order. `done` is kept with the job id so a re-run of a finished job does nothing. */
export const rotationSteps = ['generate', 'push', 'verify', 'activate', 'done'] as const;
export type RotationStep = (typeof rotationSteps)[number];

/** How far a rotation at `step` has come, 0–100, for progress displays. */
export function rotationProgress(step: string | null): number {
  const index = rotationSteps.indexOf(step as RotationStep);
  return index < 0 ? 0 : Math.round((index / (rotationSteps.length - 1)) * 100);
}

/** What the rotation job needs to know about a connection. No secret values: secrets are referenced by id. */
export interface RotationTarget {
  id: string;
  pattern: ConnectionPattern;
  active: boolean;
  credentialSecretId: string | null;
  rotationHookUrl: string | null;
  rotationVerifyUrl: string | null;
  rotationHookSecretId: string | null;
  rotationOverlapSeconds: number;
  rotationIntervalSeconds: number | null;
  rotationCron: string | null;
  rotationStatus: RotationStatus;
  rotationStep: string | null;
  rotationJobId: string | null;
  lastRotatedAt: Date | null;
  createdAt: Date;
}

/** The rotation as the admin API shows it. */
export interface RotationState {
  status: RotationStatus;
  /** The job the state belongs to (the one rotating, or the last one that finished or failed). */
  jobId: string | null;
  step: string | null;
  error: string | null;
  lastRotatedAt: Date | null;
  nextRotationAt: Date | null;
}

/** A connection's schedule, for the worker's schedulers. */
export interface RotationSchedule {
  connectionId: string;
  intervalSeconds: number | null;
  cron: string | null;
  nextRotationAt: Date | null;
  /** When the interval counts from: the last rotation, or the connection's creation. */
  since: Date;
}

/** Patterns whose credential Crossgate holds and can rotate. */
export const rotatablePatterns: readonly ConnectionPattern[] = ['vaulted_key', 'service_account'];

const targetSelect = {
  id: true,
  pattern: true,
  status: true,
  deletedAt: true,
  credentialSecretId: true,
  rotationHookUrl: true,
  rotationVerifyUrl: true,
  rotationHookSecretId: true,
  rotationOverlapSeconds: true,
  rotationIntervalSeconds: true,
  rotationCron: true,
  rotationStatus: true,
  rotationStep: true,
  rotationJobId: true,
  lastRotatedAt: true,
  createdAt: true,
} as const;

export class ConnectionRotationRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly auditLog: AuditLogRepository,
  ) {}

  async find(connectionId: string): Promise<RotationTarget | null> {
    const row = await this.prisma.connection.findUnique({ where: { id: connectionId }, select: targetSelect });
    if (row === null) {
      return null;
    }
    const { status, deletedAt, ...rest } = row;
    return { ...rest, active: status === 'active' && deletedAt === null };
  }

  async state(connectionId: string): Promise<RotationState | null> {
    const row = await this.prisma.connection.findFirst({
      where: { id: connectionId, deletedAt: null },
      select: { rotationStatus: true, rotationJobId: true, rotationStep: true, rotationError: true, lastRotatedAt: true, nextRotationAt: true },
    });
    return row && { status: row.rotationStatus, jobId: row.rotationJobId, step: row.rotationStep, error: row.rotationError, lastRotatedAt: row.lastRotatedAt, nextRotationAt: row.nextRotationAt };
  }

  /**
   * Takes the rotation for `jobId` until `leaseUntil`: allowed when no rotation is running, when this
   * job already holds it (a retry or a resumed run), or when the holder's lease has lapsed.
   * @returns false when another job holds it.
   */
  async claim(connectionId: string, jobId: string, now: Date, leaseUntil: Date): Promise<boolean> {
    const count = await this.prisma.$executeRaw`
      UPDATE connections
         SET rotation_status = 'rotating', rotation_job_id = ${jobId}, rotation_lease_until = ${leaseUntil},
             rotation_step = CASE WHEN rotation_job_id = ${jobId} THEN rotation_step ELSE 'generate' END
       WHERE id = ${connectionId}::uuid
         AND (rotation_status <> 'rotating' OR rotation_job_id = ${jobId} OR rotation_lease_until IS NULL OR rotation_lease_until < ${now})`;
    return count === 1;
  }

  /** Whether `jobId` has already finished this connection's rotation (a re-run after its worker died at the very end). */
  async finishedBy(connectionId: string, jobId: string): Promise<boolean> {
    const count = await this.prisma.connection.count({ where: { id: connectionId, rotationJobId: jobId, rotationStep: 'done', rotationStatus: 'idle' } });
    return count === 1;
  }

  /** Records the step `jobId` is at and extends its lease; false when the job no longer holds the rotation. */
  async step(connectionId: string, jobId: string, step: RotationStep, leaseUntil: Date): Promise<boolean> {
    const { count } = await this.prisma.connection.updateMany({
      where: { id: connectionId, rotationJobId: jobId, rotationStatus: 'rotating' },
      data: { rotationStep: step, rotationLeaseUntil: leaseUntil },
    });
    return count === 1;
  }

  /**
   * The success half of the activation transaction (see `SecretStore.activate`): the alert is cleared,
   * the dates are set and `connection_rotated` is audited in the same commit as the version switch.
   */
  async succeeded(tx: Transaction, connectionId: string, jobId: string, at: Date, nextRotationAt: Date | null, audit: AuditEntry): Promise<void> {
    await tx.connection.update({
      where: { id: connectionId },
      data: { rotationStatus: 'idle', rotationStep: 'done', rotationError: null, rotationLeaseUntil: null, rotationJobId: jobId, lastRotatedAt: at, nextRotationAt },
    });
    await this.auditLog.append(tx, audit, at);
  }

  /** Raises the alert: status failed with a reason (never a secret), the lease released, `connection_rotation_failed` audited. */
  async failed(connectionId: string, jobId: string, reason: string, at: Date, audit: AuditEntry): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await tx.connection.updateMany({
        where: { id: connectionId, rotationJobId: jobId },
        data: { rotationStatus: 'failed', rotationError: reason, rotationLeaseUntil: null },
      });
      await this.auditLog.append(tx, audit, at);
    });
  }

  /** Every live, rotatable connection that has a schedule. */
  async schedules(): Promise<RotationSchedule[]> {
    const rows = await this.prisma.connection.findMany({
      where: {
        deletedAt: null,
        status: 'active',
        pattern: { in: [...rotatablePatterns] },
        OR: [{ rotationIntervalSeconds: { not: null } }, { rotationCron: { not: null } }],
      },
      select: { id: true, rotationIntervalSeconds: true, rotationCron: true, nextRotationAt: true, lastRotatedAt: true, createdAt: true },
    });
    return rows.map((row) => ({
      connectionId: row.id,
      intervalSeconds: row.rotationIntervalSeconds,
      cron: row.rotationCron,
      nextRotationAt: row.nextRotationAt,
      since: row.lastRotatedAt ?? row.createdAt,
    }));
  }

  /** Sets `nextRotationAt` of one connection; null for a connection without a schedule. */
  async setNextRotationAt(connectionId: string, at: Date | null): Promise<void> {
    await this.prisma.connection.updateMany({ where: { id: connectionId }, data: { nextRotationAt: at } });
  }

  /** Clears `nextRotationAt` of every connection that is not in `scheduled`. */
  async clearNextRotationAtExcept(scheduled: readonly string[]): Promise<number> {
    const { count } = await this.prisma.connection.updateMany({ where: { nextRotationAt: { not: null }, id: { notIn: [...scheduled] } }, data: { nextRotationAt: null } });
    return count;
  }
}
