/**
 * @overview Credential rotation of a connection, from the admin API: the rotation hook's credential
 * (vaulted, write-only), rotate-now (a `connection-credential.rotate` job for the worker) and the
 * rotation's progress as the worker records it in PostgreSQL. The API only enqueues; the worker rotates.
 */
import { randomUUID } from 'node:crypto';

import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { z } from 'zod';

import type { Config } from '@crossgate/config';
import { type CatalogueQueue, createQueue, enqueue, jobId, JobName, queueBackendOf, QueueName } from '@crossgate/jobs';
import { queueTelemetry } from '@crossgate/logging';
import {
  AuditLogRepository,
  ConnectionRotationRepository,
  rotatablePatterns,
  rotationProgress,
} from '@crossgate/store';
import { maxSecretBytes } from '@crossgate/vault';

import type { RequestContext } from '../auth/index.ts';
import { AdminApiError, parseBody } from '../http/index.ts';
import { Clock, InjectConfig } from '../platform/index.ts';
import { ConnectionCredentialService, rotationHookSlot } from './connection-credential.service.ts';

const idSchema = z.uuid();
const hookCredentialSchema = z.strictObject({ value: z.string().min(1, 'must not be empty').max(maxSecretBytes) });

export interface RotationView {
  status: string;
  /** The job this state belongs to: a caller that started a rotation waits for its own job id here. */
  jobId: string | null;
  step: string | null;
  progress: number;
  error: string | null;
  lastRotatedAt: Date | null;
  nextRotationAt: Date | null;
}

@Injectable()
export class ConnectionRotationService implements OnApplicationShutdown {
  private queue: CatalogueQueue | null = null;

  constructor(
    @Inject(ConnectionRotationRepository) private readonly rotations: ConnectionRotationRepository,
    @Inject(AuditLogRepository) private readonly audit: AuditLogRepository,
    @Inject(ConnectionCredentialService) private readonly credentials: ConnectionCredentialService,
    @InjectConfig() private readonly config: Config,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.queue?.close();
  }

  /**
   * Stores the credential Crossgate presents to the connection's rotation hook. The first one creates
   * the vaulted secret; a later one is a new active version, the old one retired at once.
   */
  async setHookCredential(id: string, body: unknown, request: RequestContext): Promise<{ connectionId: string; keyVersion: number }> {
    const { value } = parseBody(hookCredentialSchema, body);
    const connection = await this.rotatable(id);
    const { keyVersion } = await this.credentials.vault(connection.id, rotationHookSlot, value, {
      now: this.clock.now(),
      audit: (_connection, version) => ({
        actor: request.actor,
        action: 'connection_rotation_hook_set',
        target: { type: 'connections', id },
        decision: 'allow',
        requestId: request.requestId,
        context: { keyVersion: version },
      }),
    });
    return { connectionId: id, keyVersion };
  }

  /** Enqueues a rotation now; the worker runs it. */
  async rotate(id: string, request: RequestContext): Promise<{ jobId: string }> {
    const connection = await this.rotatable(id);
    if (connection.credentialSecretId === null) {
      throw new AdminApiError('conflict', 'The connection has no credential to rotate yet: set one first');
    }
    const job = jobId(JobName.ConnectionCredentialRotate, id, randomUUID());
    await enqueue(
      this.rotationQueue(),
      { name: JobName.ConnectionCredentialRotate, data: { connectionId: id, force: true } },
      { jobId: job, backoff: { type: 'exponential', delay: this.config.rotation.retryDelayMs } },
    );
    await this.audit.record({
      actor: request.actor,
      action: 'connection_rotation_requested',
      target: { type: 'connections', id },
      decision: 'allow',
      requestId: request.requestId,
      context: { jobId: job },
    });
    return { jobId: job };
  }

  async state(id: string): Promise<RotationView> {
    const state = idSchema.safeParse(id).success ? await this.rotations.state(id) : null;
    if (state === null) {
      throw new AdminApiError('not_found', `No connection with id "${id.slice(0, 64)}"`);
    }
    return { ...state, progress: rotationProgress(state.step) };
  }

  private rotationQueue(): CatalogueQueue {
    this.queue ??= createQueue(queueBackendOf(this.config), QueueName.Rotation, queueTelemetry());
    return this.queue;
  }

  private async rotatable(id: string) {
    const target = idSchema.safeParse(id).success ? await this.rotations.find(id) : null;
    if (target === null || !target.active) {
      throw new AdminApiError('not_found', `No connection with id "${id.slice(0, 64)}"`);
    }
    if (!rotatablePatterns.includes(target.pattern)) {
      throw new AdminApiError('conflict', `A ${target.pattern} connection has no credential that Crossgate rotates`);
    }
    return target;
  }
}
