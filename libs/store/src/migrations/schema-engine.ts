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

/**
 * The pg adapter factory, remembering the connections it opens. Freeing the engine does not close
 * them, and an open one keeps holding Prisma's migration advisory lock, so the next run would wait
 * ten seconds for it; `closeAll()` ends them.
 */
class ClosablePg extends PrismaPg {
  private readonly opened: { dispose(): Promise<void> }[] = [];

  override async connect() {
    const adapter = await super.connect();
    this.opened.push(adapter);
    return adapter;
  }

  override async connectToShadowDb() {
    const adapter = await super.connectToShadowDb();
    this.opened.push(adapter);
    return adapter;
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled(this.opened.splice(0).map((adapter) => adapter.dispose()));
  }
}

async function withEngine<T>(databaseUrl: string, source: MigrationSource, work: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  await loadWasm();
  const schemaText = await readFile(source.schemaPath, 'utf8');
  const quiet = () => undefined;
  const adapters = new ClosablePg({ connectionString: databaseUrl });
  const engine = await wasmBindings.SchemaEngine.new(
    { datamodels: [[source.schemaPath, schemaText]] },
    quiet,
    bindMigrationAwareSqlAdapterFactory(adapters),
  );
  try {
    return await work(engine);
  } finally {
    engine.free();
    await adapters.closeAll();
  }
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
  const migrationsList = await readMigrations(source.migrationsDir);
  return withEngine(databaseUrl, source, async (engine) => {
    const result = await engine.applyMigrations({ migrationsList, filters: noSchemaFilter });
    return result.appliedMigrationNames;
  });
}

/**
 * The SQL that takes the schema `previous` (or an empty database) to the current schema file.
 * Both sides are schema files, so no database is described: describing a live PostgreSQL schema is
 * what the WebAssembly engine cannot do yet ("Column type 'char' could not be deserialized").
 */
export async function diffSchemas(databaseUrl: string, source: MigrationSource, previous: string | null): Promise<string> {
  const schemaText = await readFile(source.schemaPath, 'utf8');
  return withEngine(databaseUrl, source, async (engine) => {
    const result = await engine.diff({
      from: previous === null ? { tag: 'empty' } : { tag: 'schemaDatamodel', files: [{ path: 'previous.prisma', content: previous }] },
      to: { tag: 'schemaDatamodel', files: [{ path: source.schemaPath, content: schemaText }] },
      script: true,
      exitCode: null,
      filters: noSchemaFilter,
    });
    return result.stdout ?? '';
  });
}
