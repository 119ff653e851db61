/**
 * First-run passwords for the demo's role accounts (compliance reviewer, incident responder,
 * auditor), so each role can be tried before single sign-on is set up: a generated password for
 * every named account that has none and has never signed in, stored only as an argon2id hash,
 * recorded in the audit log without the password, and returned so the caller prints it once, as it
 * does the first admin's. An account that already has a password or has signed in is left alone.
 */
import type { AuditLogRepository, PrismaClient } from '@crossgate/store';

import { hashPassword, randomSecret } from '../auth/index.ts';

export interface FirstRunPassword {
  email: string;
  role: string;
  /** Shown once; Crossgate keeps only its hash. */
  password: string;
}

export async function issueFirstRunPasswords(prisma: PrismaClient, audit: AuditLogRepository, emails: readonly string[]): Promise<FirstRunPassword[]> {
  const issued: FirstRunPassword[] = [];
  for (const email of emails) {
    const password = randomSecret(12);
    const passwordHash = await hashPassword(password);
    const admin = await prisma.$transaction(async (tx) => {
      // Conditional on the row as read inside the transaction: two instances starting together set it once.
      const updated = await tx.adminUser.updateManyAndReturn({
        where: { email, passwordHash: null, lastLoginAt: null, deletedAt: null, status: 'active' },
        data: { passwordHash },
        select: { id: true, role: true },
      });
      const [row] = updated;
      if (row === undefined) {
        return null;
      }
      await audit.append(tx, {
        actor: { type: 'system', label: 'demo data' },
        action: 'admin_user.password_reset',
        target: { type: 'admin-users', id: row.id },
        decision: 'allow',
        reason: 'first run: a generated password for a demo role account, printed once on the console',
      });
      return row;
    });
    if (admin) {
      issued.push({ email, role: admin.role, password });
    }
  }
  return issued;
}
