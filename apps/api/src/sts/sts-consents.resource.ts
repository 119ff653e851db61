/**
 * Users' consents on `sts` connections, read-only through the admin CRUD: a consent is made by the
 * user at the provider, and ended by `POST /api/sts-consents/:id/revoke` (StsConsentsController) or
 * by the user's withdrawal, never edited.
 */
import { z } from 'zod';

import { stsConsentStatuses } from '@crossgate/domain';

import { type AdminResource, commonReadOnlyFields } from '../crud/index.ts';
import { field } from '../crud/index.ts';
import { equals } from '../http/index.ts';

const noWrites = z.strictObject({});

export const stsConsentsResource: AdminResource = {
  object: 'sts-consents',
  model: 'stsConsent',
  label: 'STS consent',
  operations: ['list', 'get'],
  list: {
    sortable: ['status', 'grantedAt', 'withdrawnAt', 'revokedAt', 'lastRefreshedAt', ...field.timestamps],
    defaultSort: ['grantedAt', 'DESC'],
    tiebreaker: 'id',
    search: [],
    filters: {
      connectionId: equals('connectionId', z.uuid()),
      userId: equals('userId', z.uuid()),
      status: equals('status', z.enum(stsConsentStatuses)),
    },
  },
  createSchema: noWrites,
  updateSchema: noWrites,
  readOnlyFields: commonReadOnlyFields,
  references: {},
  dependents: [],
  deletion: 'hard',
  // The vaulted refresh token's id stays inside; the record says whether one is held.
  toRecord: ({ refreshTokenSecretId, ...record }) => ({ ...record, hasRefreshToken: record['status'] === 'active' && typeof refreshTokenSecretId === 'string' }),
};
