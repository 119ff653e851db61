/**
 * Writes prisma/migrations/<timestamp>_<name>/migration.sql: the SQL from the schema as of the last
 * migration (kept beside it as schema.prisma) to prisma/schema.prisma. Usage: npm run db:diff -- <name>
 */
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { loadConfig } from '@crossgate/config';
import { diffSchemas, openDatabase, repositoryMigrations } from '@crossgate/store';

const name = (process.argv[2] ?? '').replace(/[^a-z0-9_]/gi, '_');
if (!name) {
  process.stderr.write('usage: npm run db:diff -- <migration_name>\n');
  process.exit(2);
}
const { migrationsDir, schemaPath } = repositoryMigrations;
const existing = (await readdir(migrationsDir, { withFileTypes: true }).catch(() => []))
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
const latest = existing.at(-1);
const previous = latest === undefined ? null : await readFile(path.join(migrationsDir, latest, 'schema.prisma'), 'utf8');
const database = await openDatabase(loadConfig().database, { access: 'join-or-own' });
const sql = await diffSchemas(database.url, repositoryMigrations, previous).finally(() => database.stop());
if (!/\b(CREATE|ALTER|DROP)\b/.test(sql)) {
  process.stdout.write('The schema matches the last migration: nothing to write.\n');
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const dir = path.join(migrationsDir, `${stamp}_${name}`);
await mkdir(dir, { recursive: true });
await writeFile(path.join(dir, 'migration.sql'), sql);
await copyFile(schemaPath, path.join(dir, 'schema.prisma'));
process.stdout.write(`Wrote ${path.relative(process.cwd(), dir)}/migration.sql\n`);
