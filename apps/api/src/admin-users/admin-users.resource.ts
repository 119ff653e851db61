/**
 * Crossgate's own administrators. Passwords are hashed with argon2id and never returned; deleting an
 * admin ends their sessions and API tokens; the last active it-admin can be neither removed nor demoted.
 */
import { z } from 'zod';

import { adminRoles, recordStatuses } from '@crossgate/domain';

import { hashPassword } from '../auth/index.ts';
import { type AdminResource, commonReadOnlyFields, defaultOperations, type WriteContext } from '../crud/index.ts';
import { field } from '../crud/index.ts';
import { AdminApiError, equals } from '../http/index.ts';

const adminUserSchema = z.strictObject({
  email: field.email,
  displayName: field.name,
  role: z.enum(adminRoles),
  status: z.enum(recordStatuses).default('active'),
  password: z.string().min(12, 'must be at least 12 characters').max(1024).optional(),
});

async function ensureAnotherItAdmin(context: WriteContext, adminUserId: string, change: string): Promise<void> {
  // Without the lock, the last two it-admins demoting each other at once would both see the other
  // as still active, and both succeed.
  await context.lock('admin-users:last-it-admin');
  const others = await context.count('adminUser', {
    role: 'it-admin',
    status: 'active',
    deletedAt: null,
    id: { not: adminUserId },
  });
  if (others === 0) {
    throw new AdminApiError('conflict', `Cannot ${change} the last active it-admin; appoint another first`);
  }
}

export const adminUsersResource: AdminResource = {
  object: 'admin-users',
  model: 'adminUser',
  label: 'admin user',
  operations: defaultOperations,
  list: {
    sortable: ['email', 'displayName', 'role', 'status', 'lastLoginAt', ...field.timestamps],
    defaultSort: ['email', 'ASC'],
    tiebreaker: 'id',
    search: ['email', 'displayName'],
    filters: { role: equals('role', z.enum(adminRoles)), status: equals('status', z.enum(recordStatuses)) },
  },
  createSchema: adminUserSchema,
  updateSchema: field.forUpdate(adminUserSchema),
  readOnlyFields: [...commonReadOnlyFields, 'lastLoginAt'],
  references: {},
  dependents: [],
  deletion: 'soft',
  toRecord: ({ passwordHash: _secret, ...record }) => record,
  async toData({ password, ...input }, context, existing) {
    if (existing && existing['role'] === 'it-admin') {
      const demoted = input['role'] !== undefined && input['role'] !== 'it-admin';
      const disabled = input['status'] === 'disabled';
      if (demoted || disabled) {
        await ensureAnotherItAdmin(context, String(existing['id']), demoted ? 'demote' : 'disable');
      }
    }
    if (password === undefined) {
      return { data: input };
    }
    if (existing) {
      // A new password ends the sessions signed in with the old one.
      await context.updateMany('adminSession', { adminUserId: existing['id'], revokedAt: null }, { revokedAt: context.now });
    }
    return { data: { ...input, passwordHash: await hashPassword(String(password)) } };
  },
  async onDelete(existing, context) {
    const id = String(existing['id']);
    if (context.request.principal?.adminUserId === id) {
      throw new AdminApiError('conflict', 'You cannot delete your own admin account');
    }
    if (existing['role'] === 'it-admin') {
      await ensureAnotherItAdmin(context, id, 'delete');
    }
    await context.updateMany('adminSession', { adminUserId: id, revokedAt: null }, { revokedAt: context.now });
    await context.updateMany('apiToken', { adminUserId: id, revokedAt: null }, { revokedAt: context.now });
  },
};
