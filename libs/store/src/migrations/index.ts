import { fileURLToPath } from 'node:url';

import type { MigrationSource } from './schema-engine.ts';

export { applyMigrations, diffSchemas, type MigrationSource } from './schema-engine.ts';

/** prisma/schema.prisma and prisma/migrations at the repository root. */
export const repositoryMigrations: MigrationSource = {
  schemaPath: fileURLToPath(new URL('../../../../prisma/schema.prisma', import.meta.url)),
  migrationsDir: fileURLToPath(new URL('../../../../prisma/migrations', import.meta.url)),
};
