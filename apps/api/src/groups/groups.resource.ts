/** Groups as the IdP names them; policies grant access to their members. */
import { z } from 'zod';

import { type AdminResource, bumpPolicyVersion, commonReadOnlyFields, defaultOperations } from '../crud/index.ts';
import { field } from '../crud/index.ts';
import { equals } from '../http/index.ts';

const groupSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  description: field.description.optional(),
  idpId: z.uuid().nullable().optional(),
});

export const groupsResource: AdminResource = {
  object: 'groups',
  model: 'group',
  label: 'group',
  operations: defaultOperations,
  list: {
    sortable: ['name', ...field.timestamps],
    defaultSort: ['name', 'ASC'],
    tiebreaker: 'id',
    search: ['name', 'description'],
    filters: { idpId: equals('idpId', z.uuid()) },
  },
  createSchema: groupSchema,
  updateSchema: field.forUpdate(groupSchema),
  // externalId is the IdP's, written over SCIM only.
  readOnlyFields: [...commonReadOnlyFields, 'externalId'],
  references: { idpId: { model: 'trustedIdp', label: 'trusted IdP', softDeleted: true } },
  dependents: [
    { model: 'membership', label: 'memberships', where: (id) => ({ groupId: id }) },
    { model: 'groupMapping', label: 'group mappings', where: (id) => ({ groupId: id }) },
    { model: 'policy', label: 'policies', where: (id) => ({ subjectGroupIds: { has: id }, deletedAt: null }) },
  ],
  deletion: 'soft',
  // The token endpoint serves from a copy loaded at the policy version (policies/directory.ts).
  afterChange: bumpPolicyVersion,
  toRecord: (row) => row,
};
