/**
 * @overview One repository for the admin API's plain records. Every admin resource is a table with
 * the same operations (list with filters, sort and a range; read; create; update; delete), so one
 * parameterised repository serves them all instead of a dozen copies.
 */
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Transaction } from '../database.ts';
import { translateDatabaseError } from './database-error.ts';

/** The Prisma model names the admin API manages. */
export type CrudModel =
  | 'trustedIdp'
  | 'user'
  | 'group'
  | 'membership'
  | 'client'
  | 'resource'
  | 'clientRegistration'
  | 'rasTrustedIssuer'
  | 'policy'
  | 'groupMapping'
  | 'connection'
  | 'oauthProvider'
  | 'stsConsent'
  | 'adminUser'
  | 'apiToken'
  | 'adminSession'
  | 'policyVersion'
  | 'auditEvent';

export type StoredRecord = Record<string, unknown>;
export type Where = Record<string, unknown>;

export interface ListRequest {
  where: Where;
  orderBy: Record<string, 'asc' | 'desc'>[];
  skip: number;
  take: number;
}

/** The part of a Prisma model delegate the repository uses; the generated delegates all fit it. */
interface ModelDelegate {
  findMany(args: object): Promise<StoredRecord[]>;
  findFirst(args: object): Promise<StoredRecord | null>;
  count(args: object): Promise<number>;
  create(args: object): Promise<StoredRecord>;
  update(args: object): Promise<StoredRecord>;
  delete(args: object): Promise<StoredRecord>;
  updateMany(args: object): Promise<{ count: number }>;
}

export class CrudRepository {
  constructor(private readonly prisma: PrismaClient) {}

  private model(client: PrismaClient | Transaction, model: CrudModel): ModelDelegate {
    return (client as unknown as Record<CrudModel, ModelDelegate>)[model];
  }

  async list(model: CrudModel, request: ListRequest): Promise<{ rows: StoredRecord[]; total: number }> {
    const [rows, total] = await this.prisma.$transaction([
      this.model(this.prisma, model).findMany(request) as never,
      this.model(this.prisma, model).count({ where: request.where }) as never,
    ]);
    return { rows: rows as StoredRecord[], total: total as number };
  }

  async findOne(model: CrudModel, where: Where, tx?: Transaction): Promise<StoredRecord | null> {
    return this.model(tx ?? this.prisma, model).findFirst({ where });
  }

  async count(model: CrudModel, where: Where, tx?: Transaction): Promise<number> {
    return this.model(tx ?? this.prisma, model).count({ where });
  }

  async create(tx: Transaction, model: CrudModel, data: StoredRecord): Promise<StoredRecord> {
    return this.model(tx, model).create({ data }).catch(translateDatabaseError);
  }

  async update(tx: Transaction, model: CrudModel, where: Where, data: StoredRecord): Promise<StoredRecord> {
    return this.model(tx, model).update({ where, data }).catch(translateDatabaseError);
  }

  async updateMany(tx: Transaction, model: CrudModel, where: Where, data: StoredRecord): Promise<number> {
    const result = await this.model(tx, model).updateMany({ where, data }).catch(translateDatabaseError);
    return result.count;
  }

  async delete(tx: Transaction, model: CrudModel, where: Where): Promise<StoredRecord> {
    return this.model(tx, model).delete({ where }).catch(translateDatabaseError);
  }

  /**
   * Holds a transaction-scoped advisory lock named `name` until `tx` ends, so checks that read other
   * rows before writing (the last it-admin) cannot pass in two concurrent transactions at once.
   */
  async lock(tx: Transaction, name: string): Promise<void> {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${name}))`;
  }

  /** Runs `work` in one transaction; constraint failures come out as StoreError. */
  async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(work).catch(translateDatabaseError);
  }
}
