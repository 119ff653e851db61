/**
 * On a database with no admin at all, creates the first it-admin from BOOTSTRAP_ADMIN_EMAIL and
 * BOOTSTRAP_ADMIN_PASSWORD. When no password is configured one is generated and returned so the
 * caller can show it once; it is stored only as an argon2id hash.
 */
import type { Config } from '@crossgate/config';
import { type AuditLogRepository, type PrismaClient } from '@crossgate/store';

import { hashPassword, randomSecret } from '../auth/index.ts';

/** Advisory lock key ("boot"). */
const bootstrapLockKey = 0x626f6f74;

export interface BootstrapResult {
  created: boolean;
  email: string;
  /** Present only when it was generated just now. */
  generatedPassword?: string;
}

export async function ensureBootstrapAdmin(prisma: PrismaClient, audit: AuditLogRepository, config: Config): Promise<BootstrapResult> {
  const email = config.bootstrapAdmin.email.toLowerCase();
  if ((await prisma.adminUser.count()) > 0) {
    return { created: false, email };
  }
  const generatedPassword = config.bootstrapAdmin.password ? undefined : randomSecret(12);
  const passwordHash = await hashPassword(config.bootstrapAdmin.password ?? generatedPassword!);
  const created = await prisma.$transaction(async (tx) => {
    // Two instances starting together: the advisory lock lets only the first create the admin.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${bootstrapLockKey})`;
    if ((await tx.adminUser.count()) > 0) {
      return false;
    }
    const admin = await tx.adminUser.create({
      data: { email, displayName: 'Bootstrap admin', role: 'it-admin', passwordHash },
    });
    await audit.append(tx, {
      actor: { type: 'system', label: 'bootstrap' },
      action: 'admin_user.create',
      target: { type: 'admin-users', id: admin.id },
      decision: 'allow',
      reason: 'first start: no admin existed',
      after: { id: admin.id, email, role: admin.role },
    });
    return true;
  });
  if (!created) {
    // Another instance starting at the same moment created the admin; our password was never stored.
    return { created: false, email };
  }
  return generatedPassword ? { created: true, email, generatedPassword } : { created: true, email };
}
