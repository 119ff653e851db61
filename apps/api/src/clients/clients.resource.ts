/** Requesting apps and AI agents: the OAuth clients of Crossgate's token endpoint. */
import { z } from 'zod';

import { clientAuthMethods, clientKinds, recordStatuses } from '@crossgate/domain';

import { type AdminResource, bumpPolicyVersion, commonReadOnlyFields, defaultOperations } from '../crud/index.ts';
import { field } from '../crud/index.ts';
import { equals } from '../http/index.ts';

const clientSchema = z.strictObject({
  clientId: z.string().trim().min(3).max(255).regex(/^[\x21-\x7E]+$/, 'must be printable ASCII without spaces'),
  name: field.name,
  kind: z.enum(clientKinds).default('requesting_app'),
  description: field.description.optional(),
  authMethod: z.enum(clientAuthMethods).default('private_key_jwt'),
  jwksUri: field.httpsUrl.nullable().optional(),
  jwks: field.jsonWebKeySet.optional(),
  scopeCeiling: field.uniqueList(field.scopeToken).default([]),
  idpClientId: z.string().trim().min(1).max(255).nullable().optional(),
  owner: field.owner,
  status: z.enum(recordStatuses).default('active'),
});

export const clientsResource: AdminResource = {
  object: 'clients',
  model: 'client',
  label: 'client',
  operations: defaultOperations,
  list: {
    sortable: ['name', 'clientId', 'kind', 'status', 'owner', ...field.timestamps],
    defaultSort: ['name', 'ASC'],
    tiebreaker: 'id',
    search: ['name', 'clientId', 'owner', 'description'],
    filters: {
      kind: equals('kind', z.enum(clientKinds)),
      status: equals('status', z.enum(recordStatuses)),
      authMethod: equals('authMethod', z.enum(clientAuthMethods)),
      owner: equals('owner', z.string().max(320)),
    },
  },
  createSchema: clientSchema,
  updateSchema: field.forUpdate(clientSchema),
  readOnlyFields: [...commonReadOnlyFields, 'hasSecret'],
  references: {},
  dependents: [
    { model: 'policy', label: 'policies', where: (id) => ({ clientId: id, deletedAt: null }) },
    { model: 'connection', label: 'connections', where: (id) => ({ clientId: id, deletedAt: null }) },
    { model: 'clientRegistration', label: 'client registrations', where: (id) => ({ clientId: id }) },
  ],
  deletion: 'soft',
  afterChange: bumpPolicyVersion,
  // The secret's hash never leaves the store; the record only says whether a secret is set.
  toRecord: ({ secretHash, ...record }) => ({ ...record, hasSecret: Boolean(secretHash) }),
  toData(input, _context, existing) {
    const authMethod = field.merged<string>(input, existing, 'authMethod');
    const jwks = field.merged<unknown>(input, existing, 'jwks');
    const jwksUri = field.merged<unknown>(input, existing, 'jwksUri');
    field.requireValid({
      jwks: authMethod === 'private_key_jwt' && !jwks && !jwksUri && 'private_key_jwt needs a JWKS or a JWKS URI',
    });
    return { data: input };
  },
};
