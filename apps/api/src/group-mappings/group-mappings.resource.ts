/** Maps a group as an IdP names it to a Crossgate group, an admin role, or both. */
import { z } from 'zod';

import { adminRoles } from '@crossgate/domain';

import type { AdminResource } from '../crud/index.ts';
import { field } from '../crud/index.ts';
import { equals } from '../http/index.ts';

const groupMappingSchema = z.strictObject({
  idpId: z.uuid(),
  externalGroup: z.string().trim().min(1).max(255),
  groupId: z.uuid().nullable().optional(),
  adminRole: z.enum(adminRoles).nullable().optional(),
});

export const groupMappingsResource: AdminResource = {
  object: 'group-mappings',
  model: 'groupMapping',
  label: 'group mapping',
  operations: ['list', 'get', 'create', 'update', 'delete'],
  list: {
    sortable: ['externalGroup', 'adminRole', ...field.timestamps],
    defaultSort: ['externalGroup', 'ASC'],
    tiebreaker: 'id',
    search: ['externalGroup'],
    filters: {
      idpId: equals('idpId', z.uuid()),
      groupId: equals('groupId', z.uuid()),
      adminRole: equals('adminRole', z.enum(adminRoles)),
    },
  },
  createSchema: groupMappingSchema,
  updateSchema: field.forUpdate(groupMappingSchema),
  readOnlyFields: ['id', 'createdAt', 'updatedAt'],
  references: {
    idpId: { model: 'trustedIdp', label: 'trusted IdP', softDeleted: true },
    groupId: { model: 'group', label: 'group', softDeleted: true },
  },
  dependents: [],
  deletion: 'hard',
  toRecord: (row) => row,
  toData(input, _context, existing) {
    const groupId = field.merged<string | null>(input, existing, 'groupId');
    const adminRole = field.merged<string | null>(input, existing, 'adminRole');
    field.requireValid({ groupId: !groupId && !adminRole && 'map to a group, an admin role, or both' });
    return { data: input };
  },
};
