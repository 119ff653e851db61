/**
 * Generates the Prisma client. Prisma's CLI insists on downloading its native schema engine first,
 * which machines without internet access cannot do; generation does not need that engine, so it is
 * pointed at a stand-in that refuses to run.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const standIn = path.join(mkdtempSync(path.join(tmpdir(), 'crossgate-')), 'schema-engine');
writeFileSync(standIn, '#!/bin/sh\necho "Crossgate applies migrations with its own runner: npm run db:migrate" >&2\nexit 1\n');
chmodSync(standIn, 0o755);

const result = spawnSync(process.execPath, ['node_modules/prisma/build/index.js', 'generate'], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? standIn,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    DATABASE_URL: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test',
  },
});
process.exit(result.status ?? 1);
