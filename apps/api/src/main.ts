/** Bootstrap only: configuration, dependencies, migrations, first admin, demo data, listen. */
import 'reflect-metadata';

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { loadConfigOrExit } from '@crossgate/config';
import { CrossgateLogger } from '@crossgate/logging';
import {
  applyMigrations,
  AuditLogRepository,
  CrudRepository,
  type PrismaClient,
  repositoryMigrations,
  requireDependencies,
} from '@crossgate/store';

import { createApi } from './app.factory.ts';
import { ConnectionCredentialService } from './connections/connection-credential.service.ts';
import { SsfStreamsService } from './ssf/ssf-streams.service.ts';
import { CrudService } from './crud/crud.service.ts';
import { lowerHelperThreadPriority } from './platform/helper-thread-priority.ts';
import { CONFIG, PRISMA } from './platform/platform.module.ts';
import { ensureBootstrapAdmin } from './seed/bootstrap-admin.ts';
import { demoRoleAccountEmails, seedDemoData } from './seed/demo-data.ts';
import { issueFirstRunPasswords } from './seed/role-accounts.ts';

const builtAdminUi = fileURLToPath(new URL('../../admin/dist', import.meta.url));

async function main(): Promise<void> {
  let config = loadConfigOrExit();
  if (!config.http.adminUiDir && existsSync(builtAdminUi)) {
    config = { ...config, http: { ...config.http, adminUiDir: builtAdminUi } };
  }
  const logger = new CrossgateLogger(config.logLevel);
  if (config.keys.developmentKek) {
    logger.warn('KEY_ENCRYPTION_KEY is not set: signing keys and vaulted secrets are sealed with the PUBLIC development KEK. Never use this in production.');
  }
  if (config.subjects.developmentPairwiseSecret) {
    logger.warn('PAIRWISE_SUBJECT_SECRET is not set: pairwise subjects use the PUBLIC development secret. Never use this in production.');
  }

  await requireDependencies({ database: config.database.url, redis: config.redis.url });

  const applied = await applyMigrations(config.database.url, repositoryMigrations);
  if (applied.length > 0) {
    logger.log(`Applied migrations: ${applied.join(', ')}`);
  }

  const app = await createApi(config);
  await app.init();
  const prisma = app.get<PrismaClient>(PRISMA);
  const bootstrap = await ensureBootstrapAdmin(prisma, app.get(AuditLogRepository), app.get(CONFIG));
  if (config.seedDemoData) {
    const seeded = await seedDemoData(app.get(CrudService), app.get(CrudRepository), config.http.publicUrl, { credentials: app.get(ConnectionCredentialService), ssfStreams: app.get(SsfStreamsService) });
    if (seeded.created > 0) {
      logger.log(`Demo data: created ${seeded.created} records (SEED_DEMO_DATA=false turns this off)`);
    }
  }
  const roleAccounts = config.seedDemoData ? await issueFirstRunPasswords(prisma, app.get(AuditLogRepository), demoRoleAccountEmails) : [];
  await app.listen(config.http.port, config.http.host);
  const lowered = await lowerHelperThreadPriority(config.http.helperThreadNice);
  if (lowered !== null) {
    logger.debug(`Helper threads: ${lowered} run at nice ${config.http.helperThreadNice} beside the event loop (HELPER_THREAD_NICE)`);
  }

  const lines = [
    '',
    `Crossgate is up: ${config.http.publicUrl}`,
    `  Admin UI     ${config.http.publicUrl}/`,
    `  Admin API    ${config.http.publicUrl}/api   (OpenAPI: ${config.http.publicUrl}/api/docs)`,
    `  Sign in as   ${bootstrap.email}`,
  ];
  if (bootstrap.generatedPassword) {
    // Shown once, on the console only: it is the only way into a brand-new installation.
    lines.push(`  Password     ${bootstrap.generatedPassword}   (generated now, shown once; set BOOTSTRAP_ADMIN_PASSWORD to choose it)`);
  } else if (bootstrap.created) {
    lines.push('  Password     the value of BOOTSTRAP_ADMIN_PASSWORD');
  }
  if (roleAccounts.length > 0) {
    // Like the first admin's: shown once, on the console only, so each role can be tried before SSO is set up.
    lines.push('  Role accounts (demo data; passwords generated now, shown once):');
    for (const account of roleAccounts) {
      lines.push(`    ${account.email.padEnd(28)} ${account.role.padEnd(20)} ${account.password}`);
    }
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`Crossgate failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
