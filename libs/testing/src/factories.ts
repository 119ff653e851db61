/**
 * Factories for rows tests need as a starting point. Values are unique per call so tests sharing the
 * run's database never collide. Admins and API tokens are written directly (they are the credentials
 * the tests then use through HTTP); everything under test goes through the API.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';

import type { AdminRole } from '@crossgate/domain';
import type { PrismaClient } from '@crossgate/store';

let counter = 0;

/** A short value unique within the run: `unique('client')` → `client-3-1f2e`. */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}-${randomBytes(2).toString('hex')}`;
}

export interface TestAdmin {
  id: string;
  email: string;
  role: AdminRole;
  /** An API token acting as this admin. */
  token: string;
}

/** An admin of `role` with a fresh API token, valid for an hour. */
export async function createAdmin(prisma: PrismaClient, role: AdminRole, passwordHash: string | null = null): Promise<TestAdmin> {
  const email = `${unique(role)}@example.test`;
  const admin = await prisma.adminUser.create({ data: { email, displayName: `Test ${role}`, role, passwordHash } });
  const token = `cg_${randomBytes(32).toString('base64url')}`;
  await prisma.apiToken.create({
    data: {
      id: randomUUID(),
      name: unique('test token'),
      adminUserId: admin.id,
      prefix: token.slice(0, 9),
      tokenHash: createHash('sha256').update(token).digest('hex'),
      expiresAt: new Date(Date.now() + 3600_000),
    },
  });
  return { id: admin.id, email, role, token };
}
