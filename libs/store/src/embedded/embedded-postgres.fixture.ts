/**
 * For embedded-postgres.spec.ts: a process of its own that owns an embedded PostgreSQL, so a test can
 * kill the owner outright. `embedded-postgres.fixture.ts <data dir> [sql]` starts it, runs `sql` (if given), prints one JSON line
 * `{ pid, postmasterPid, url }` and then serves until SIGTERM, when it stops the server.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import pg from 'pg';

import { startEmbeddedPostgres } from './embedded-postgres.ts';

const [dataDir = '', sql] = process.argv.slice(2);
const database = await startEmbeddedPostgres({ dataDir });
if (sql !== undefined) {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await client.query(sql);
  await client.end();
}
const postmasterPid = Number(readFileSync(path.join(database.clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
process.stdout.write(`${JSON.stringify({ pid: process.pid, postmasterPid, url: database.url })}\n`);
process.on('SIGTERM', () => {
  void database.stop().then(() => process.exit(0));
});
