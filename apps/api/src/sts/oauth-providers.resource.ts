/**
 * Third-party OAuth providers that `sts` connections broker user-consented tokens of. The client
 * secret is write-only: it is vaulted (purpose `oauth_client_secret`) in the write's transaction,
 * a new value replaces the old secret, and the record only says whether one is set.
 */
import { z } from 'zod';

import { recordStatuses } from '@crossgate/domain';

import { type AdminResource, commonReadOnlyFields, defaultOperations } from '../crud/index.ts';
import { field } from '../crud/index.ts';
import { equals } from '../http/index.ts';

const providerSchema = z.strictObject({
  name: field.name,
  issuer: field.httpsUrl,
  clientId: z.string().trim().min(1).max(255),
  /** Write-only; null removes it (a public client that relies on PKCE alone). */
  clientSecret: z.string().min(1).max(4096).nullable().optional(),
  scopes: field.uniqueList(field.scopeToken).default([]),
  authorizationEndpoint: field.httpsUrl.nullable().optional(),
  tokenEndpoint: field.httpsUrl.nullable().optional(),
  revocationEndpoint: field.httpsUrl.nullable().optional(),
  status: z.enum(recordStatuses).default('active'),
});

export const oauthProvidersResource: AdminResource = {
  object: 'oauth-providers',
  model: 'oauthProvider',
  label: 'OAuth provider',
  operations: defaultOperations,
  list: {
    sortable: ['name', 'issuer', 'status', ...field.timestamps],
    defaultSort: ['name', 'ASC'],
    tiebreaker: 'id',
    search: ['name', 'issuer', 'clientId'],
    filters: { status: equals('status', z.enum(recordStatuses)) },
  },
  createSchema: providerSchema,
  updateSchema: field.forUpdate(providerSchema),
  readOnlyFields: [...commonReadOnlyFields, 'hasClientSecret'],
  references: {},
  dependents: [{ model: 'connection', label: 'connections', where: (id) => ({ oauthProviderId: id, deletedAt: null }) }],
  deletion: 'soft',
  // The vaulted secret's id says nothing useful and is kept inside; the record says whether one is set.
  toRecord: ({ clientSecretId, ...record }) => ({ ...record, hasClientSecret: clientSecretId !== null && clientSecretId !== undefined }),
  async toData({ clientSecret, ...input }, context, existing) {
    if (clientSecret === undefined) {
      return { data: input };
    }
    const previous = existing?.['clientSecretId'];
    if (typeof previous === 'string') {
      await context.retireSecret(previous);
    }
    const clientSecretId =
      clientSecret === null
        ? null
        : await context.sealSecret({ purpose: 'oauth_client_secret', label: `Client secret at ${String(input['name'] ?? existing?.['name'] ?? 'an OAuth provider')}`, value: String(clientSecret) });
    return { data: { ...input, clientSecretId } };
  },
};
