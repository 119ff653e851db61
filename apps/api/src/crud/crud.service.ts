/**
 * @overview The admin API's write path for every resource: validate, check references, change the
 * row and append its audit event in one transaction, so a change and its audit record exist together
 * or not at all.
 */
import { isDeepStrictEqual } from 'node:util';

import { Injectable } from '@nestjs/common';
import { z } from 'zod';

import type { Config } from '@crossgate/config';
import { AuditLogRepository, CrudRepository, SecretStore, type StoredRecord, type Transaction } from '@crossgate/store';

import type { RequestContext } from '../auth/index.ts';
import { AdminApiError, parseBody, parseListQuery, type RawListQuery } from '../http/index.ts';
import { Clock, InjectConfig } from '../platform/index.ts';
import type { AdminResource, WriteContext } from './admin-resource.ts';

const idSchema = z.uuid();

type Verb = 'create' | 'update' | 'delete';

/** Audit actions name the model in snake case, stable for filters and exports: `admin_user.update`. */
export function auditAction(resource: AdminResource, verb: Verb): string {
  return `${resource.model.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)}.${verb}`;
}

/** The fields of `data` whose value differs from the stored row. */
function changedFields(data: StoredRecord, existing: StoredRecord): string[] {
  return Object.keys(data).filter((key) => !isDeepStrictEqual(data[key], existing[key]));
}

/** Told after a write's transaction has committed (never for one that rolled back). */
/** Awaited before the write's answer leaves, so what the caller does next sees the change here. */
export type CommitListener = (resource: AdminResource) => void | Promise<void>;

/** How an update differs from a plain admin edit. */
export interface WriteOptions {
  /** A second admin approved this change (the two-person rule for policies). */
  approved?: boolean;
  /** More work in the update's transaction, after the row and its audit event; throwing undoes the whole update. */
  alsoInTransaction?: (tx: Transaction, change: { before: StoredRecord; after: StoredRecord; now: Date }) => Promise<void>;
}

export interface ListResult {
  records: StoredRecord[];
  skip: number;
  total: number;
}

@Injectable()
export class CrudService {
  constructor(
    private readonly repository: CrudRepository,
    private readonly audit: AuditLogRepository,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: Config,
    private readonly secrets: SecretStore,
  ) {}

  private readonly commitListeners: CommitListener[] = [];

  /** Calls `listener` after every committed create, update or delete (the policy engine's invalidation). */
  onCommit(listener: CommitListener): void {
    this.commitListeners.push(listener);
  }

  private async committed<T>(resource: AdminResource, write: Promise<T>): Promise<T> {
    const result = await write;
    await Promise.all(this.commitListeners.map((listener) => listener(resource)));
    return result;
  }

  async list(resource: AdminResource, query: RawListQuery): Promise<ListResult> {
    const parsed = parseListQuery(resource.object, resource.list, query);
    const where = resource.deletion === 'soft' ? { AND: [parsed.where, { deletedAt: null }] } : parsed.where;
    const { rows, total } = await this.repository.list(resource.model, { ...parsed, where });
    return { records: rows.map((row) => resource.toRecord(row)), skip: parsed.skip, total };
  }

  async get(resource: AdminResource, id: string): Promise<StoredRecord> {
    return resource.toRecord(await this.existing(resource, id));
  }

  async create(resource: AdminResource, body: unknown, request: RequestContext, options: Pick<WriteOptions, 'approved'> = {}): Promise<StoredRecord> {
    const input = parseBody(resource.createSchema, body);
    return this.committed(resource, this.repository.transaction(async (tx) => {
      const context = this.writeContext(tx, request, options);
      await this.checkReferences(resource, input, tx);
      const { data, reveal } = resource.toData ? await resource.toData(input, context) : { data: input };
      const row = await this.repository.create(tx, resource.model, data);
      const record = resource.toRecord(row);
      await this.recordChange(tx, resource, 'create', String(row['id']), context, { after: record });
      return { ...record, ...reveal };
    }));
  }

  async update(resource: AdminResource, id: string, body: unknown, request: RequestContext, options: WriteOptions = {}): Promise<StoredRecord> {
    const input = parseBody(resource.updateSchema, this.withoutReadOnlyFields(resource, body));
    return this.committed(resource, this.repository.transaction(async (tx) => {
      const context = this.writeContext(tx, request, options);
      const { existing, data } = await this.prepareUpdate(tx, resource, id, input, context);
      const before = resource.toRecord(existing);
      // Saving a form unchanged is not a change: no write, no audit event, updatedAt kept.
      if (changedFields(data, existing).length === 0) {
        await options.alsoInTransaction?.(tx, { before, after: before, now: context.now });
        return before;
      }
      const after = resource.toRecord(await this.repository.update(tx, resource.model, { id }, data));
      await this.recordChange(tx, resource, 'update', id, context, { before, after });
      await options.alsoInTransaction?.(tx, { before, after, now: context.now });
      return after;
    }));
  }

  /** Every check `update` makes, without writing: what an approval request is refused for before it waits for anyone. */
  async checkUpdate(resource: AdminResource, id: string, body: unknown, request: RequestContext, options: Pick<WriteOptions, 'approved'> = {}): Promise<void> {
    const input = parseBody(resource.updateSchema, this.withoutReadOnlyFields(resource, body));
    await this.repository.transaction((tx) => this.prepareUpdate(tx, resource, id, input, this.writeContext(tx, request, options)));
  }

  private async prepareUpdate(tx: Transaction, resource: AdminResource, id: string, input: StoredRecord, context: WriteContext): Promise<{ existing: StoredRecord; data: StoredRecord }> {
    const existing = await this.existing(resource, id, tx);
    await this.checkReferences(resource, input, tx);
    const { data } = resource.toData ? await resource.toData(input, context, existing) : { data: input };
    return { existing, data };
  }

  async delete(resource: AdminResource, id: string, request: RequestContext): Promise<StoredRecord> {
    return this.committed(resource, this.repository.transaction(async (tx) => {
      const context = this.writeContext(tx, request);
      const existing = await this.existing(resource, id, tx);
      if (resource.deletion === 'revoke' && existing['revokedAt'] instanceof Date) {
        throw new AdminApiError('conflict', `This ${resource.label} was already revoked at ${existing['revokedAt'].toISOString()}`);
      }
      await this.checkDependents(resource, id, tx);
      await resource.onDelete?.(existing, context);
      const row = await this.remove(tx, resource, id, context.now);
      await this.recordChange(tx, resource, 'delete', id, context, {
        before: resource.toRecord(existing),
        context: { deletion: resource.deletion },
      });
      return resource.toRecord(row);
    }));
  }

  private async recordChange(
    tx: Transaction,
    resource: AdminResource,
    verb: Verb,
    id: string,
    context: WriteContext,
    detail: { before?: StoredRecord; after?: StoredRecord; context?: StoredRecord },
  ): Promise<void> {
    await resource.afterChange?.(context);
    await this.audit.append(
      tx,
      {
        actor: context.request.actor,
        action: auditAction(resource, verb),
        target: { type: resource.object, id },
        decision: 'allow',
        requestId: context.request.requestId,
        ...detail,
      },
      context.now,
    );
  }

  private writeContext(tx: Transaction, request: RequestContext, options: Pick<WriteOptions, 'approved'> = {}): WriteContext {
    const now = this.clock.now();
    return {
      request,
      approved: options.approved ?? false,
      now,
      publicUrl: this.config.http.publicUrl,
      find: (model, where) => this.repository.findOne(model, where, tx),
      count: (model, where) => this.repository.count(model, where, tx),
      updateMany: (model, where, data) => this.repository.updateMany(tx, model, where, data),
      lock: (name) => this.repository.lock(tx, name),
      sealSecret: (input) => this.secrets.create(input, tx, now),
      retireSecret: async (secretId) => {
        await this.secrets.retire(secretId, tx, now);
      },
    };
  }

  private remove(tx: Transaction, resource: AdminResource, id: string, now: Date): Promise<StoredRecord> {
    switch (resource.deletion) {
      case 'soft':
        return this.repository.update(tx, resource.model, { id }, { deletedAt: now });
      case 'revoke':
        return this.repository.update(tx, resource.model, { id }, { revokedAt: now });
      case 'hard':
        return this.repository.delete(tx, resource.model, { id });
      default: {
        const unreachable: never = resource.deletion;
        return unreachable;
      }
    }
  }

  private async existing(resource: AdminResource, id: string, tx?: Transaction): Promise<StoredRecord> {
    if (!idSchema.safeParse(id).success) {
      throw new AdminApiError('not_found', `No ${resource.label} with id "${id.slice(0, 64)}"`);
    }
    const where = resource.deletion === 'soft' ? { id, deletedAt: null } : { id };
    const row = await this.repository.findOne(resource.model, where, tx);
    if (!row) {
      throw new AdminApiError('not_found', `No ${resource.label} with id "${id}"`);
    }
    return row;
  }

  /** React-admin sends whole records back; drop the fields nobody may write, keep the rest to validate. */
  private withoutReadOnlyFields(resource: AdminResource, body: unknown): unknown {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return body;
    }
    return Object.fromEntries(Object.entries(body).filter(([key]) => !resource.readOnlyFields.includes(key)));
  }

  private async checkReferences(resource: AdminResource, input: StoredRecord, tx: Transaction): Promise<void> {
    const problems: Record<string, string> = {};
    for (const [field, reference] of Object.entries(resource.references)) {
      const value = input[field];
      if (value === undefined || value === null) {
        continue;
      }
      const ids = [...new Set(Array.isArray(value) ? (value as string[]) : [value as string])];
      if (ids.length === 0) {
        continue;
      }
      const where = { id: { in: ids }, ...(reference.softDeleted ? { deletedAt: null } : {}) };
      const found = await this.repository.count(reference.model, where, tx);
      if (found !== ids.length) {
        problems[field] =
          ids.length === 1 ? `no ${reference.label} with this id` : `${ids.length - found} of these ${reference.label} ids do not exist`;
      }
    }
    if (Object.keys(problems).length > 0) {
      throw AdminApiError.validation(problems);
    }
  }

  private async checkDependents(resource: AdminResource, id: string, tx: Transaction): Promise<void> {
    const blockers: string[] = [];
    for (const dependent of resource.dependents) {
      const count = await this.repository.count(dependent.model, dependent.where(id), tx);
      if (count > 0) {
        blockers.push(`${count} ${dependent.label}`);
      }
    }
    if (blockers.length > 0) {
      throw new AdminApiError(
        'conflict',
        `This ${resource.label} is still used by ${blockers.join(' and ')}; remove or reassign those first`,
      );
    }
  }
}
