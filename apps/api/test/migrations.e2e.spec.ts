import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

import pg from 'pg';

import { createDatabase, dropDatabase, migrateInChildProcess, newTestRun, type TestRun } from '@crossgate/testing';

import { diffSchemas, repositoryMigrations } from '@crossgate/store';

let run: TestRun;

beforeAll(async () => {
  run = newTestRun();
  await createDatabase(run);
});

afterAll(async () => {
  await dropDatabase(run);
});

async function migrationNames(): Promise<string[]> {
  const entries = await readdir(repositoryMigrations.migrationsDir, { withFileTypes: true });
  return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
}

describe('migrations', () => {
  it("should apply every migration once, recorded in Prisma's standard _prisma_migrations table", async () => {
    const expected = await migrationNames();
    expect(await migrateInChildProcess(run.databaseUrl)).toBe(`Applied ${expected.join(', ')}\n`);
    expect(await migrateInChildProcess(run.databaseUrl)).toBe('The database is up to date.\n');

    const client = new pg.Client({ connectionString: run.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ migration_name: string }>(
        'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name',
      );
      expect(rows.map((row) => row.migration_name)).toEqual(expected);
    } finally {
      await client.end();
    }
  });

  it('should have a migration for every change to schema.prisma', async () => {
    const latest = (await migrationNames()).at(-1)!;
    const snapshot = await readFile(path.join(repositoryMigrations.migrationsDir, latest, 'schema.prisma'), 'utf8');
    const pending = await diffSchemas(run.databaseUrl, repositoryMigrations, snapshot);
    // An empty diff is a comment only; any statement means `npm run db:diff -- <name>` was forgotten.
    expect(pending).not.toMatch(/\b(CREATE|ALTER|DROP)\b/);
  });
});
