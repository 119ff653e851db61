/**
 * Managed agent-to-tool connections. Service accounts, the weakest pattern, must say why they still
 * exist and when they end. Secret material arrives with the vault.
 */
import { z } from 'zod';

import { connectionPatterns, recordStatuses } from '@crossgate/domain';

import { type AdminResource, commonReadOnlyFields, defaultOperations } from '../crud/admin-resource.ts';
import * as field from '../crud/fields.ts';
import { equals } from '../http/list-query.ts';

const connectionSchema = z.strictObject({
  name: field.name,
  description: field.description.optional(),
  clientId: z.uuid(),
  resourceId: z.uuid(),
  pattern: z.enum(connectionPatterns),
  owner: field.owner,
  status: z.enum(recordStatuses).default('active'),
  justification: z.string().trim().max(2000).nullable().optional(),
  sunsetAt: field.dateTime.optional(),
  oauthProviderId: z.uuid().nullable().optional(),
});

export const connectionsResource: AdminResource = {
  object: 'connections',
  model: 'connection',
  label: 'connection',
  operations: defaultOperations,
  list: {
    sortable: ['name', 'pattern', 'status', 'owner', 'lastUsedAt', 'sunsetAt', ...field.timestamps],
    defaultSort: ['name', 'ASC'],
    tiebreaker: 'id',
    search: ['name', 'owner', 'description'],
    filters: {
      clientId: equals('clientId', z.uuid()),
      resourceId: equals('resourceId', z.uuid()),
      pattern: equals('pattern', z.enum(connectionPatterns)),
      status: equals('status', z.enum(recordStatuses)),
    },
  },
  createSchema: connectionSchema,
  updateSchema: field.forUpdate(connectionSchema),
  readOnlyFields: [...commonReadOnlyFields, 'lastUsedAt'],
  references: {
    clientId: { model: 'client', label: 'client', softDeleted: true },
    resourceId: { model: 'resource', label: 'resource', softDeleted: true },
    oauthProviderId: { model: 'oauthProvider', label: 'OAuth provider', softDeleted: true },
  },
  dependents: [],
  deletion: 'soft',
  toRecord: (row) => row,
  toData(input, context, existing) {
    const pattern = field.merged<string>(input, existing, 'pattern');
    const justification = field.merged<string | null>(input, existing, 'justification');
    const sunsetAt = field.merged<Date | null>(input, existing, 'sunsetAt');
    const serviceAccount = pattern === 'service_account';
    field.requireValid({
      justification:
        serviceAccount && (justification ?? '').length < 20 && 'a service account needs a written justification (20 characters or more)',
      sunsetAt:
        (serviceAccount && !sunsetAt && 'a service account needs a sunset date') ||
        ('sunsetAt' in input && sunsetAt instanceof Date && sunsetAt <= context.now && 'must be in the future'),
      oauthProviderId: pattern === 'sts' && !field.merged<string | null>(input, existing, 'oauthProviderId') && 'an STS connection needs an OAuth provider',
    });
    return { data: input };
  },
};
