/** People known from the upstream IdPs (normally created from ID tokens or SCIM). */
import { z } from 'zod';

import { userStatuses } from '@crossgate/domain';

import { type AdminResource, bumpPolicyVersion, commonReadOnlyFields, defaultOperations } from '../crud/index.ts';
import { field } from '../crud/index.ts';
import { equals } from '../http/index.ts';

const userSchema = z.strictObject({
  idpId: z.uuid(),
  subject: z.string().trim().min(1).max(255),
  email: field.email.nullable().optional(),
  displayName: z.string().trim().max(200).nullable().optional(),
  status: z.enum(userStatuses).default('active'),
});

export const usersResource: AdminResource = {
  object: 'users',
  model: 'user',
  label: 'user',
  operations: defaultOperations,
  list: {
    sortable: ['email', 'displayName', 'subject', 'status', 'lastSeenAt', ...field.timestamps],
    defaultSort: ['email', 'ASC'],
    tiebreaker: 'id',
    search: ['email', 'displayName', 'subject'],
    filters: {
      idpId: equals('idpId', z.uuid()),
      status: equals('status', z.enum(userStatuses)),
      groupId: { schema: z.uuid(), where: (groupId: string) => ({ memberships: { some: { groupId } } }) },
    },
  },
  createSchema: userSchema,
  updateSchema: field.forUpdate(userSchema),
  // userName and externalId are the IdP's, written over SCIM only.
  readOnlyFields: [...commonReadOnlyFields, 'lastSeenAt', 'userName', 'externalId'],
  references: { idpId: { model: 'trustedIdp', label: 'trusted IdP', softDeleted: true } },
  dependents: [{ model: 'membership', label: 'group memberships', where: (id) => ({ userId: id }) }],
  deletion: 'soft',
  // The token endpoint serves from a copy loaded at the policy version (policies/directory.ts).
  afterChange: bumpPolicyVersion,
  toRecord: (row) => row,
};
