/** Which users are in which groups. History lives in the audit log, so deletion is real. */
import { z } from 'zod';

import { membershipSources } from '@crossgate/domain';

import { type AdminResource, bumpPolicyVersion } from '../crud/index.ts';
import { field } from '../crud/index.ts';
import { equals } from '../http/index.ts';

const membershipSchema = z.strictObject({
  userId: z.uuid(),
  groupId: z.uuid(),
  source: z.enum(membershipSources).default('manual'),
});

export const membershipsResource: AdminResource = {
  object: 'memberships',
  model: 'membership',
  label: 'membership',
  operations: ['list', 'get', 'create', 'delete'],
  list: {
    sortable: ['createdAt', 'source'],
    defaultSort: ['createdAt', 'DESC'],
    tiebreaker: 'id',
    search: [],
    filters: {
      userId: equals('userId', z.uuid()),
      groupId: equals('groupId', z.uuid()),
      source: equals('source', z.enum(membershipSources)),
    },
  },
  createSchema: membershipSchema,
  updateSchema: field.forUpdate(membershipSchema),
  readOnlyFields: ['id', 'createdAt'],
  references: {
    userId: { model: 'user', label: 'user', softDeleted: true },
    groupId: { model: 'group', label: 'group', softDeleted: true },
  },
  dependents: [],
  deletion: 'hard',
  // The token endpoint serves from a copy loaded at the policy version (policies/directory.ts).
  afterChange: bumpPolicyVersion,
  toRecord: (row) => row,
};
