/**
 * @overview What the admin API needs to know about one kind of record. Each concept folder
 * (clients/, resources/, …) declares one of these; the generic service and controller do the rest,
 * so every resource lists, validates, audits and refuses bad input the same way.
 */
import type { z } from 'zod';

import type { AdminObject } from '@crossgate/domain';
import type { CrudModel, Enums, StoredRecord, Where } from '@crossgate/store';

import type { RequestContext } from '../auth/index.ts';
import type { ListSpec } from '../http/index.ts';

type SecretPurpose = Enums.SecretPurpose;

export type Operation = 'list' | 'get' | 'create' | 'update' | 'delete';

/** A field that must name an existing, not deleted, record of another model. */
export interface Reference {
  model: CrudModel;
  label: string;
  /** Soft-deleted models are checked for `deletedAt: null`. */
  softDeleted: boolean;
}

/** Records of another model that still point at a record about to be deleted. */
export interface Dependent {
  model: CrudModel;
  label: string;
  /** The dependents of the record with this id that block its deletion. */
  where: (id: string) => Record<string, unknown>;
}

/** What a resource's own rules may use inside the write transaction. */
export interface WriteContext {
  request: RequestContext;
  /** The write carries a second admin's approval (an approved policy approval request). */
  approved: boolean;
  now: Date;
  /** Crossgate's public URL: the IdP role's issuer, and the base of each resource-side authorization server's. */
  publicUrl: string;
  find(model: CrudModel, where: Where): Promise<StoredRecord | null>;
  count(model: CrudModel, where: Where): Promise<number>;
  updateMany(model: CrudModel, where: Where, data: StoredRecord): Promise<number>;
  /** Serialises this transaction with every other one that takes the same lock, until both end. */
  lock(name: string): Promise<void>;
  /** Vaults a write-only value in this transaction (a client secret at a provider); returns the secret's id. */
  sealSecret(input: { purpose: SecretPurpose; label: string; value: string }): Promise<string>;
  /** Retires every usable version of a vaulted secret in this transaction (its value was replaced). */
  retireSecret(secretId: string): Promise<void>;
}

export interface Prepared {
  data: StoredRecord;
  /** Returned once in the create response and never stored in the clear (an API token's value). */
  reveal?: StoredRecord;
}

export interface AdminResource {
  object: AdminObject;
  model: CrudModel;
  /** Singular, for messages and audit actions: "client" → `client.create`. */
  label: string;
  operations: readonly Operation[];
  list: ListSpec;
  createSchema: z.ZodType<StoredRecord>;
  updateSchema: z.ZodType<StoredRecord>;
  /**
   * Fields a client may send back unchanged on update (react-admin sends the whole record) and which
   * are then ignored. Any other unknown field is refused.
   */
  readOnlyFields: readonly string[];
  references: Record<string, Reference>;
  dependents: readonly Dependent[];
  /**
   * `soft` keeps the row, marked deleted and hidden from lists, where history matters; `revoke` keeps
   * it listed with its revocation time (API tokens); `hard` removes it.
   */
  deletion: 'soft' | 'revoke' | 'hard';
  /** Stored row → API record. Secrets are never part of it. */
  toRecord(row: StoredRecord): StoredRecord;
  /**
   * Validated input → row data, with the existing row on update. Where rules span fields or need the
   * database, this is where they are checked (throw AdminApiError.validation).
   */
  toData?(input: StoredRecord, context: WriteContext, existing?: StoredRecord): Promise<Prepared> | Prepared;
  /** Work to do in the same transaction after any create, update or delete (bumping the policy version). */
  afterChange?(context: WriteContext): Promise<void>;
  /** Work to do inside the delete transaction, after the checks (revoking an admin's sessions). */
  onDelete?(existing: StoredRecord, context: WriteContext): Promise<void>;
}

export const commonReadOnlyFields = ['id', 'createdAt', 'updatedAt', 'deletedAt'] as const;

export const defaultOperations: readonly Operation[] = ['list', 'get', 'create', 'update', 'delete'];
