/**
 * @overview The SSF transmitter's stream management: a receiver (registered by an admin's API token)
 * creates, reads, updates, replaces and deletes its push stream, reads and sets its status, and asks
 * for a verification event. A stream's `authorization_header` is vaulted and never echoed back. The
 * kill-switch fan-out pushes session-revoked SETs to every enabled stream that asked for them; a
 * stream bound to a Crossgate resource (`resource_id`, a Crossgate extension) is told only of
 * switches that reach that resource, and of each covered token at it.
 *
 * @see OpenID SSF 1.0 §7 (transmitter configuration metadata), §8.1 (stream management);
 * RFC 8935 (push delivery)
 */
import { randomUUID } from 'node:crypto';

import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { z } from 'zod';

import type { Config } from '@crossgate/config';
import { type CatalogueQueue, createQueue, enqueue, jobId, JobName, queueBackendOf, QueueName } from '@crossgate/jobs';
import { queueTelemetry } from '@crossgate/logging';
import { AuditLogRepository, type AuditEntry, type PrismaClient, SecretStore, SigningKeyRepository, type Transaction } from '@crossgate/store';
import { checkUrl, securityEventAlg, securityEventSigningRole, securityEventTypes } from '@crossgate/token';

import type { RequestContext } from '../auth/index.ts';
import { AdminApiError, parseBody } from '../http/index.ts';
import { Clock, InjectConfig, InjectPrisma } from '../platform/index.ts';

/** RFC 8935: the one delivery method this transmitter offers. */
export const pushDeliveryMethod = 'urn:ietf:rfc:8935';
/** The events a stream may ask for; verification events are sent whenever a receiver asks. */
export const eventsSupported = [securityEventTypes.sessionRevoked] as const;

const audienceSchema = z.union([z.string().min(1).max(2000), z.array(z.string().min(1).max(2000)).min(1).max(20)]);
const deliverySchema = z.strictObject({
  method: z.literal(pushDeliveryMethod, { error: `must be "${pushDeliveryMethod}" (push, RFC 8935): the only method this transmitter supports` }),
  endpoint_url: z.string().min(1).max(2000),
  authorization_header: z.string().min(1).max(4000).optional(),
});
/** Receiver-supplied members of a stream configuration (SSF 1.0 §8.1.1). */
const configurationFields = {
  delivery: deliverySchema,
  events_requested: z.array(z.string().min(1).max(500)).max(50).default([...eventsSupported]),
  description: z.string().trim().max(500).nullable().optional(),
  aud: audienceSchema.optional(),
  resource_id: z.uuid().nullable().optional(),
};
/** Transmitter-supplied members a receiver may send back unchanged on an update (SSF 1.0 §8.1.1.3). */
const echoedFields = {
  iss: z.string().optional(),
  events_supported: z.array(z.string()).optional(),
  events_delivered: z.array(z.string()).optional(),
  min_verification_interval: z.number().optional(),
};
const streamIdSchema = z.uuid({ error: 'must be the stream_id the transmitter returned (a UUID)' });
const createSchema = z.strictObject(configurationFields);
const replaceSchema = z.strictObject({ stream_id: streamIdSchema, ...configurationFields, ...echoedFields });
const updateSchema = z.strictObject({
  stream_id: streamIdSchema,
  delivery: deliverySchema.optional(),
  events_requested: configurationFields.events_requested.unwrap().optional(),
  description: configurationFields.description,
  aud: configurationFields.aud,
  resource_id: configurationFields.resource_id,
  ...echoedFields,
});
const statusSchema = z.strictObject({ stream_id: streamIdSchema, status: z.enum(['enabled', 'paused', 'disabled']), reason: z.string().trim().max(500).optional() });
const verifySchema = z.strictObject({ stream_id: streamIdSchema, state: z.string().min(1).max(500).optional() });

/** A stream's configuration as SSF 1.0 §8.1.1 names it, without the vaulted authorization header. */
export interface StreamConfiguration {
  stream_id: string;
  iss: string;
  aud: string | string[];
  events_supported: string[];
  events_requested: string[];
  events_delivered: string[];
  delivery: { method: typeof pushDeliveryMethod; endpoint_url: string; authorization_header_set: boolean };
  description: string | null;
  resource_id: string | null;
}

export interface StreamStatus {
  stream_id: string;
  status: 'enabled' | 'paused' | 'disabled';
  reason?: string;
}

const streamSelect = {
  id: true,
  audience: true,
  endpointUrl: true,
  authorizationSecretId: true,
  eventsRequested: true,
  description: true,
  status: true,
  statusReason: true,
  resourceId: true,
} as const;
type StreamRow = { id: string; audience: string[]; endpointUrl: string; authorizationSecretId: string | null; eventsRequested: string[]; description: string | null; status: StreamStatus['status']; statusReason: string | null; resourceId: string | null };
type Configuration = z.infer<typeof createSchema>;

@Injectable()
export class SsfStreamsService implements OnModuleInit, OnApplicationShutdown {
  private queue: CatalogueQueue | null = null;

  constructor(
    @InjectPrisma() private readonly prisma: PrismaClient,
    @Inject(SecretStore) private readonly secrets: SecretStore,
    @Inject(AuditLogRepository) private readonly audit: AuditLogRepository,
    @Inject(SigningKeyRepository) private readonly signingKeys: SigningKeyRepository,
    @InjectConfig() private readonly config: Config,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /** The JWK Set a receiver fetches lists a key before the first SET is signed with it. */
  async onModuleInit(): Promise<void> {
    await this.signingKeys.ensureActive(securityEventSigningRole, securityEventAlg, this.clock.now());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue?.close();
  }

  /** SSF 1.0 §8.1.1.1: creates a stream; the answer is its full configuration. */
  async create(body: unknown, request: RequestContext): Promise<StreamConfiguration> {
    const input = parseBody(createSchema, body);
    const fields = await this.storable(input);
    const row = await this.prisma.$transaction(async (tx) => {
      const authorizationSecretId = await this.vaultAuthorization(tx, input, fields.audience);
      const created = await tx.ssfStream.create({
        data: { ...fields, authorizationSecretId, createdBy: request.principal?.email ?? request.actor.label ?? 'unknown' },
        select: streamSelect,
      });
      await this.audit.append(tx, this.auditEntry(request, 'ssf_stream.created', created), this.clock.now());
      return created;
    });
    return this.configuration(row);
  }

  /** SSF 1.0 §8.1.1.2: one stream by `stream_id`, or every stream when none is named. */
  async read(streamId: string | undefined): Promise<StreamConfiguration | StreamConfiguration[]> {
    if (streamId === undefined) {
      const rows = await this.prisma.ssfStream.findMany({ where: { deletedAt: null }, select: streamSelect, orderBy: { createdAt: 'asc' }, take: 1000 });
      return rows.map((row) => this.configuration(row));
    }
    return this.configuration(await this.find(streamId));
  }

  /** SSF 1.0 §8.1.1.3 (PATCH): the members given replace the stored ones; the rest stay. */
  async update(body: unknown, request: RequestContext): Promise<StreamConfiguration> {
    const input = parseBody(updateSchema, body);
    const current = await this.find(input.stream_id);
    const merged: Configuration = {
      delivery: input.delivery ?? { method: pushDeliveryMethod, endpoint_url: current.endpointUrl },
      events_requested: input.events_requested ?? current.eventsRequested,
      description: input.description === undefined ? current.description : input.description,
      aud: input.aud ?? current.audience,
      resource_id: input.resource_id === undefined ? current.resourceId : input.resource_id,
    };
    // A PATCH without a new authorization_header keeps the vaulted one.
    return this.store(current, merged, input.delivery?.authorization_header === undefined ? 'kept' : 'given', request);
  }

  /** SSF 1.0 §8.1.1.4 (PUT): the configuration is replaced as a whole; an omitted header is dropped. */
  async replace(body: unknown, request: RequestContext): Promise<StreamConfiguration> {
    const input = parseBody(replaceSchema, body);
    const current = await this.find(input.stream_id);
    return this.store(current, input, 'given', request);
  }

  /** SSF 1.0 §8.1.1.5: the stream stops receiving events; its receipt lines stay for the record. */
  async delete(streamId: string | undefined, request: RequestContext): Promise<void> {
    const current = await this.find(this.requiredId(streamId));
    await this.prisma.$transaction(async (tx) => {
      await tx.ssfStream.update({ where: { id: current.id }, data: { deletedAt: this.clock.now(), status: 'disabled', statusReason: 'deleted' } });
      if (current.authorizationSecretId !== null) {
        await this.secrets.retire(current.authorizationSecretId, tx, this.clock.now());
      }
      await this.audit.append(tx, this.auditEntry(request, 'ssf_stream.deleted', current), this.clock.now());
    });
  }

  /** SSF 1.0 §8.1.2.1. */
  async status(streamId: string | undefined): Promise<StreamStatus> {
    return this.statusOf(await this.find(this.requiredId(streamId)));
  }

  /** SSF 1.0 §8.1.2.2: a paused or disabled stream receives nothing until it is enabled again. */
  async setStatus(body: unknown, request: RequestContext): Promise<StreamStatus> {
    const input = parseBody(statusSchema, body);
    const current = await this.find(input.stream_id);
    const row = await this.prisma.$transaction(async (tx) => {
      const updated = await tx.ssfStream.update({ where: { id: current.id }, data: { status: input.status, statusReason: input.reason ?? null }, select: streamSelect });
      await this.audit.append(tx, { ...this.auditEntry(request, 'ssf_stream.status_changed', updated), before: { status: current.status }, after: { status: updated.status } }, this.clock.now());
      return updated;
    });
    return this.statusOf(row);
  }

  /** SSF 1.0 §8.1.4.2: the worker pushes a verification SET carrying `state` to the stream's endpoint. */
  async verify(body: unknown, request: RequestContext): Promise<void> {
    const input = parseBody(verifySchema, body);
    const current = await this.find(input.stream_id);
    if (current.status !== 'enabled') {
      throw new AdminApiError('conflict', `The stream is ${current.status}: enable it before asking for a verification event`);
    }
    const job = jobId(JobName.SsfVerify, current.id, randomUUID());
    this.queue ??= createQueue(queueBackendOf(this.config), QueueName.KillSwitch, queueTelemetry());
    await enqueue(
      this.queue,
      { name: JobName.SsfVerify, data: { streamId: current.id, ...(input.state === undefined ? {} : { state: input.state }) } },
      { jobId: job, backoff: { type: 'exponential', delay: this.config.killSwitch.retryDelayMs } },
    );
    await this.audit.record({ ...this.auditEntry(request, 'ssf_stream.verification_requested', current), context: { jobId: job } });
  }

  private async store(current: StreamRow, input: Configuration, header: 'given' | 'kept', request: RequestContext): Promise<StreamConfiguration> {
    const fields = await this.storable(input);
    const row = await this.prisma.$transaction(async (tx) => {
      let authorizationSecretId = current.authorizationSecretId;
      if (header === 'given') {
        if (current.authorizationSecretId !== null) {
          await this.secrets.retire(current.authorizationSecretId, tx, this.clock.now());
        }
        authorizationSecretId = await this.vaultAuthorization(tx, input, fields.audience);
      }
      const updated = await tx.ssfStream.update({ where: { id: current.id }, data: { ...fields, authorizationSecretId }, select: streamSelect });
      await this.audit.append(
        tx,
        { ...this.auditEntry(request, 'ssf_stream.updated', updated), before: this.configuration(current), after: this.configuration(updated) },
        this.clock.now(),
      );
      return updated;
    });
    return this.configuration(row);
  }

  /** The columns of a configuration, checked: a push URL the worker may call, a resource that exists. */
  private async storable(input: Configuration) {
    try {
      checkUrl(input.delivery.endpoint_url, { allowInsecureLoopback: this.config.killSwitch.allowInsecureLoopback });
    } catch (error) {
      throw AdminApiError.validation({ 'delivery.endpoint_url': error instanceof Error ? error.message : 'is not a URL the transmitter may push to' });
    }
    const resourceId = input.resource_id ?? null;
    if (resourceId !== null && (await this.prisma.resource.count({ where: { id: resourceId } })) === 0) {
      throw AdminApiError.validation({ resource_id: `no resource with id "${resourceId}"` });
    }
    const audience = input.aud === undefined ? [new URL(input.delivery.endpoint_url).origin] : typeof input.aud === 'string' ? [input.aud] : input.aud;
    return {
      audience,
      endpointUrl: input.delivery.endpoint_url,
      eventsRequested: [...new Set(input.events_requested)],
      description: input.description ?? null,
      resourceId,
    };
  }

  private async vaultAuthorization(tx: Transaction, input: Configuration, audience: readonly string[]): Promise<string | null> {
    const value = input.delivery.authorization_header;
    return value === undefined ? null : this.secrets.create({ purpose: 'ssf_authorization_header', label: `SSF push authorization for ${audience.join(' ')}`, value }, tx, this.clock.now());
  }

  private requiredId(streamId: string | undefined): string {
    if (streamId === undefined) {
      throw AdminApiError.validation({ stream_id: 'is required (a query parameter)' });
    }
    return streamId;
  }

  private async find(streamId: string): Promise<StreamRow> {
    if (!streamIdSchema.safeParse(streamId).success) {
      throw AdminApiError.validation({ stream_id: 'must be the stream_id the transmitter returned (a UUID)' });
    }
    const row = await this.prisma.ssfStream.findFirst({ where: { id: streamId, deletedAt: null }, select: streamSelect });
    if (row === null) {
      throw new AdminApiError('not_found', `No stream with stream_id "${streamId}"`);
    }
    return row;
  }

  private configuration(row: StreamRow): StreamConfiguration {
    return {
      stream_id: row.id,
      iss: this.config.http.publicUrl,
      aud: row.audience.length === 1 ? (row.audience[0] as string) : row.audience,
      events_supported: [...eventsSupported],
      events_requested: row.eventsRequested,
      events_delivered: row.eventsRequested.filter((type) => (eventsSupported as readonly string[]).includes(type)),
      delivery: { method: pushDeliveryMethod, endpoint_url: row.endpointUrl, authorization_header_set: row.authorizationSecretId !== null },
      description: row.description,
      resource_id: row.resourceId,
    };
  }

  private statusOf(row: StreamRow): StreamStatus {
    return { stream_id: row.id, status: row.status, ...(row.statusReason === null ? {} : { reason: row.statusReason }) };
  }

  private auditEntry(request: RequestContext, action: string, row: StreamRow): AuditEntry {
    return {
      actor: request.actor,
      action,
      target: { type: 'ssf-streams', id: row.id },
      decision: 'allow',
      requestId: request.requestId,
      context: { endpointUrl: row.endpointUrl, audience: row.audience, resourceId: row.resourceId, status: row.status },
    };
  }
}
