/**
 * @overview Runs Prisma's schema engine from its WebAssembly build, so migrations apply on machines
 * that cannot download Prisma's native engine. It writes Prisma's standard `_prisma_migrations`
 * table, so `prisma migrate deploy` and this runner can take turns on the same database.
 * `@prisma/schema-engine-wasm` is an unofficial API: its version is pinned in package.json.
 */
import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import * as wasmBindings from '@prisma/schema-engine-wasm/schema_engine_bg';

type SchemaEngine = Awaited<ReturnType<typeof wasmBindings.SchemaEngine.new>>;

const noSchemaFilter = { externalTables: [], externalEnums: [] };

/** Node has WebAssembly built in; its types live in lib.dom, which server code does not load. */
interface WebAssemblyApi {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: unknown } }>;
}
const { WebAssembly } = globalThis as unknown as { WebAssembly: WebAssemblyApi };

let wasmReady: Promise<void> | undefined;

function loadWasm(): Promise<void> {
  wasmReady ??= (async () => {
    const require = createRequire(import.meta.url);
    const entry = require.resolve('@prisma/schema-engine-wasm');
    const bytes = await readFile(path.join(path.dirname(entry), 'schema_engine_bg.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': wasmBindings });
    const exports = instance.exports as unknown as Parameters<typeof wasmBindings.__wbg_set_wasm>[0] & {
      __wbindgen_start: () => void;
    };
    wasmBindings.__wbg_set_wasm(exports);
    exports.__wbindgen_start();
  })();
  return wasmReady;
}

export interface MigrationSource {
  schemaPath: string;
  migrationsDir: string;
}

async function openEngine(databaseUrl: string, source: MigrationSource): Promise<SchemaEngine> {
  await loadWasm();
  const schemaText = await readFile(source.schemaPath, 'utf8');
  const quiet = () => undefined;
  return wasmBindings.SchemaEngine.new(
    { datamodels: [[source.schemaPath, schemaText]] },
    quiet,
    bindMigrationAwareSqlAdapterFactory(new PrismaPg({ connectionString: databaseUrl })),
  );
}

async function readMigrations(migrationsDir: string) {
  const entries = await readdir(migrationsDir, { withFileTypes: true }).catch(() => []);
  const directories = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const lockfilePath = path.join(migrationsDir, 'migration_lock.toml');
  const lockfile = await readFile(lockfilePath, 'utf8').catch(() => undefined);
  return {
    baseDir: migrationsDir,
    lockfile: { path: 'migration_lock.toml', content: lockfile ?? null },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(
      directories.map(async (name) => ({
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: await readFile(path.join(migrationsDir, name, 'migration.sql'), 'utf8').then(
            (value) => ({ tag: 'ok' as const, value }),
            (error: Error) => ({ tag: 'error' as const, value: error.message }),
          ),
        },
      })),
    ),
  };
}

/** Applies every pending migration; returns the names of those applied by this call. */
export async function applyMigrations(databaseUrl: string, source: MigrationSource): Promise<string[]> {
  const engine = await openEngine(databaseUrl, source);
  try {
    const result = await engine.applyMigrations({
      migrationsList: await readMigrations(source.migrationsDir),
      filters: noSchemaFilter,
    });
    return result.appliedMigrationNames;
  } finally {
    engine.free();
  }
}

/**
 * The SQL that takes the schema `previous` (or an empty database) to the current schema file.
 * Both sides are schema files, so no database is described: describing a live PostgreSQL schema is
 * what the WebAssembly engine cannot do yet ("Column type 'char' could not be deserialized").
 */
export async function diffSchemas(databaseUrl: string, source: MigrationSource, previous: string | null): Promise<string> {
  const engine = await openEngine(databaseUrl, source);
  try {
    const schemaText = await readFile(source.schemaPath, 'utf8');
    const result = await engine.diff({
      from: previous === null ? { tag: 'empty' } : { tag: 'schemaDatamodel', files: [{ path: 'previous.prisma', content: previous }] },
      to: { tag: 'schemaDatamodel', files: [{ path: source.schemaPath, content: schemaText }] },
      script: true,
      exitCode: null,
      filters: noSchemaFilter,
    });
    return result.stdout ?? '';
  } finally {
    engine.free();
  }
}
