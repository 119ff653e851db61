/**
 * A client's registration at a resource's authorization server: the `client_id` its ID-JAGs for that
 * resource carry when the authorization server knows the client under another id than Crossgate does
 * (SPEC.md §2.2 "Map `client_id`"). Without one, the ID-JAG carries the Crossgate client_id.
 */
import { z } from 'zod';

import { type AdminResource, bumpPolicyVersion } from '../crud/index.ts';
import { field } from '../crud/index.ts';
import { equals } from '../http/index.ts';

const clientRegistrationSchema = z.strictObject({
  clientId: z.uuid(),
  resourceId: z.uuid(),
  /** Any printable ASCII without spaces: client ids are opaque strings or URLs (CIMD). */
  remoteClientId: z.string().trim().min(1).max(255).regex(/^[\x21-\x7E]+$/, 'must be printable ASCII without spaces'),
});

export const clientRegistrationsResource: AdminResource = {
  object: 'client-registrations',
  model: 'clientRegistration',
  label: 'client registration',
  operations: ['list', 'get', 'create', 'update', 'delete'],
  list: {
    sortable: ['remoteClientId', ...field.timestamps],
    defaultSort: ['createdAt', 'DESC'],
    tiebreaker: 'id',
    search: ['remoteClientId'],
    filters: {
      clientId: equals('clientId', z.uuid()),
      resourceId: equals('resourceId', z.uuid()),
      remoteClientId: equals('remoteClientId', z.string().max(255)),
    },
  },
  createSchema: clientRegistrationSchema,
  updateSchema: field.forUpdate(clientRegistrationSchema),
  readOnlyFields: ['id', 'createdAt', 'updatedAt'],
  references: {
    clientId: { model: 'client', label: 'client', softDeleted: true },
    resourceId: { model: 'resource', label: 'resource', softDeleted: true },
  },
  dependents: [],
  deletion: 'hard',
  // The exchange reads registrations with the policy set, so a change must reach every instance.
  afterChange: bumpPolicyVersion,
  toRecord: (row) => row,
};
