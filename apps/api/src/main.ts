/**
 * Bootstrap only: configuration, the database (the embedded PostgreSQL when DATABASE_URL is unset),
 * dependencies, migrations, first admin, demo data, listen; in single-process mode (SINGLE_PROCESS,
 * the default without REDIS_URL) the worker's application beside the API; and a stop in that order
 * reversed on SIGTERM/SIGINT.
 */
import 'reflect-metadata';

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import type { INestApplicationContext } from '@nestjs/common';

import { loadConfigOrExit } from '@crossgate/config';
import { CrossgateLogger, startTracing } from '@crossgate/logging';
import {
  applyMigrations,
  AuditLogRepository,
  CrudRepository,
  describeRedis,
  describeStartFailure,
  openDatabase,
  type PrismaClient,
  repositoryMigrations,
  requireDependencies,
} from '@crossgate/store';
import { createWorker } from '@crossgate/worker';

import { createApi } from './app.factory.ts';
import { ClientSecretService } from './clients/index.ts';
import { ConnectionCredentialService } from './connections/index.ts';
import { SsfStreamsService } from './ssf/index.ts';
import { CrudService } from './crud/index.ts';
import { CONFIG, lowerHelperThreadPriority, PRISMA } from './platform/index.ts';
import { demoRoleAccountEmails, ensureBootstrapAdmin, issueFirstRunPasswords, seedDemoData } from './seed/index.ts';

const builtAdminUi = fileURLToPath(new URL('../../admin/dist', import.meta.url));

async function main(): Promise<void> {
  let config = loadConfigOrExit();
  if (!config.http.adminUiDir && existsSync(builtAdminUi)) {
    config = { ...config, http: { ...config.http, adminUiDir: builtAdminUi } };
  }
  const logger = new CrossgateLogger(config.logLevel, 'crossgate', config.logFormat);
  if (config.tracing.otlpEndpoint !== null) {
    // Before the first server or query, so both are instrumented.
    await startTracing({ serviceName: 'crossgate-api', otlpEndpoint: config.tracing.otlpEndpoint });
    // The origin only: a URL's user information would be a credential.
    logger.log(`Tracing: spans go to ${new URL(config.tracing.otlpEndpoint).origin} (OTLP/HTTP)`);
  }
  if (config.keys.developmentKek) {
    logger.warn('KEY_ENCRYPTION_KEY is not set: signing keys and vaulted secrets are sealed with the PUBLIC development KEK. Never use this in production.');
  }
  if (config.subjects.developmentPairwiseSecret) {
    logger.warn('PAIRWISE_SUBJECT_SECRET is not set: pairwise subjects use the PUBLIC development secret. Never use this in production.');
  }

  const database = await openDatabase(config.database, {
    access: 'own',
    onLog: (line) => logger.debug(line, 'PostgreSQL'),
    onNotice: (message) => logger.warn(message, 'PostgreSQL'),
  });
  const stops: (() => Promise<unknown>)[] = [() => database.stop()];
  stopOnSignals(logger, stops);
  config = { ...config, database: { ...config.database, url: database.url } };
  await requireDependencies({ database: database.url, redis: config.redis.url });

  const applied = await applyMigrations(database.url, repositoryMigrations);
  if (applied.length > 0) {
    logger.log(`Applied migrations: ${applied.join(', ')}`);
  }

  // The stop on SIGTERM/SIGINT is this entry's (below), so that the database stops after the API.
  const app = await createApi(config, { shutdownHooks: false });
  stops.unshift(() => app.close());
  await app.init();
  const prisma = app.get<PrismaClient>(PRISMA);
  const bootstrap = await ensureBootstrapAdmin(prisma, app.get(AuditLogRepository), app.get(CONFIG));
  if (config.seedDemoData) {
    const seeded = await seedDemoData(app.get(CrudService), app.get(CrudRepository), config.http.publicUrl, {
      credentials: app.get(ConnectionCredentialService),
      ssfStreams: app.get(SsfStreamsService),
      clientSecrets: app.get(ClientSecretService),
      gatewayClientSecret: config.demoMcpGatewayClientSecret,
    });
    if (seeded.created > 0) {
      logger.log(`Demo data: created ${seeded.created} records (SEED_DEMO_DATA=false turns this off)`);
    }
  }
  const roleAccounts = config.seedDemoData ? await issueFirstRunPasswords(prisma, app.get(AuditLogRepository), demoRoleAccountEmails) : [];
  await app.listen(config.http.port, config.http.host);
  let worker: INestApplicationContext | undefined;
  if (config.singleProcess) {
    const hosted = await createWorker(config, { logger: new CrossgateLogger(config.logLevel, 'crossgate-worker') });
    stops.unshift(() => hosted.close());
    worker = hosted;
  }
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
  lines.push(`  Database     ${database.description}`, `  Redis        ${describeRedis(config)}`);
  if (worker !== undefined) {
    lines.push('  Worker       in this process (SINGLE_PROCESS=false runs it on its own)');
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

/**
 * SIGTERM or SIGINT stops what started, newest first (the worker, the API, then the database), and
 * exits. Under `npm start` a Ctrl-C brings both (the terminal's SIGINT and the launcher's SIGTERM),
 * so only a repeat of the same signal gives up waiting.
 */
function stopOnSignals(logger: CrossgateLogger, stops: (() => Promise<unknown>)[]): void {
  let stopping: NodeJS.Signals | undefined;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping === signal) {
      logger.warn(`${signal} again: stopping without waiting`);
      process.exit(1);
    }
    if (stopping !== undefined) {
      return;
    }
    stopping = signal;
    logger.log(`${signal}: stopping`);
    void (async () => {
      for (const step of stops) {
        await step().catch((error: unknown) => logger.error(`Stopping failed: ${error instanceof Error ? error.stack : String(error)}`));
      }
      process.exit(0);
    })();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`Crossgate failed to start: ${describeStartFailure(error)}\n`);
  process.exit(1);
});
