/**
 * Sets a new, generated password for an admin, for the operator who lost the one printed at first
 * start. Ends that admin's sessions and records the reset in the audit log. Needs database access,
 * which is the authority here. Usage: npm run admin:password -- <email>
 */
import { randomBytes } from 'node:crypto';

import { hash } from '@node-rs/argon2';

import { loadConfigOrExit } from '@crossgate/config';
import { AuditLogRepository, createPrismaClient, openDatabase } from '@crossgate/store';

const email = (process.argv[2] ?? '').trim().toLowerCase();
if (!email) {
  process.stderr.write('usage: npm run admin:password -- <admin email>\n');
  process.exit(2);
}
// Without DATABASE_URL: the embedded PostgreSQL of the running Crossgate, or started for this command.
const database = await openDatabase(loadConfigOrExit().database, { access: 'join-or-own' });
const prisma = createPrismaClient(database.url);
try {
  const admin = await prisma.adminUser.findFirst({ where: { email, deletedAt: null } });
  if (!admin) {
    process.stderr.write(`No admin with the email ${email}.\n`);
    process.exitCode = 1;
  } else {
    const password = randomBytes(12).toString('base64url');
    const passwordHash = await hash(password);
    const audit = new AuditLogRepository(prisma);
    await prisma.$transaction(async (tx) => {
      await tx.adminUser.update({ where: { id: admin.id }, data: { passwordHash, status: 'active' } });
      await tx.adminSession.updateMany({ where: { adminUserId: admin.id, revokedAt: null }, data: { revokedAt: new Date() } });
      await audit.append(tx, {
        actor: { type: 'system', label: 'admin:password command' },
        action: 'admin_user.password_reset',
        target: { type: 'admin-users', id: admin.id },
        decision: 'allow',
        reason: 'password reset from the command line',
      });
    });
    process.stdout.write(`New password for ${email}: ${password}\n(shown once; their other sessions have ended)\n`);
  }
} finally {
  await prisma.$disconnect();
  await database.stop();
}
