/**
 * API tokens for automation. Each acts with its admin user's role, expires, can be revoked, and is
 * shown exactly once, in the response that creates it; only its SHA-256 digest is stored.
 */
import { z } from 'zod';

import { newApiToken } from '../auth/index.ts';
import type { AdminResource } from '../crud/index.ts';
import { field } from '../crud/index.ts';
import { equals } from '../http/index.ts';

const maxLifetimeDays = 366;

const apiTokenSchema = z.strictObject({
  name: field.name,
  /** Defaults to the admin creating the token. */
  adminUserId: z.uuid().optional(),
  expiresAt: z.coerce.date({ error: 'must be a date and time' }),
});

export const apiTokensResource: AdminResource = {
  object: 'api-tokens',
  model: 'apiToken',
  label: 'API token',
  operations: ['list', 'get', 'create', 'delete'],
  list: {
    sortable: ['name', 'expiresAt', 'revokedAt', 'lastUsedAt', 'createdAt'],
    defaultSort: ['createdAt', 'DESC'],
    tiebreaker: 'id',
    search: ['name', 'prefix'],
    filters: { adminUserId: equals('adminUserId', z.uuid()) },
  },
  createSchema: apiTokenSchema,
  updateSchema: field.forUpdate(apiTokenSchema),
  readOnlyFields: ['id', 'createdAt', 'prefix', 'revokedAt', 'lastUsedAt'],
  references: { adminUserId: { model: 'adminUser', label: 'admin user', softDeleted: true } },
  dependents: [],
  deletion: 'revoke',
  toRecord: ({ tokenHash: _secret, ...record }) => record,
  toData(input, context) {
    const expiresAt = input['expiresAt'] as Date;
    const latest = new Date(context.now.getTime() + maxLifetimeDays * 24 * 3600 * 1000);
    field.requireValid({
      expiresAt:
        (expiresAt <= context.now && 'must be in the future') ||
        (expiresAt > latest && `must be within ${maxLifetimeDays} days`),
    });
    const token = newApiToken();
    const adminUserId = input['adminUserId'] ?? context.request.principal?.adminUserId;
    return {
      data: { ...input, adminUserId, tokenHash: token.digest, prefix: token.prefix },
      reveal: { token: token.value },
    };
  },
};
