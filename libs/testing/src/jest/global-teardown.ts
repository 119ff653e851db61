import { rmSync } from 'node:fs';

import { clearRedis, dropDatabase, type TestRun } from '../test-run.ts';

export default async function globalTeardown(): Promise<void> {
  const raw = process.env['CROSSGATE_TEST_RUN'];
  const embedded = globalThis.crossgateTestEmbeddedPostgres;
  if (raw !== undefined) {
    const run = JSON.parse(raw) as TestRun;
    if (process.env['CROSSGATE_KEEP_TEST_DATABASE'] === 'true' && embedded === undefined) {
      process.stdout.write(`\nKept test database ${run.databaseName}\n`);
      return;
    }
    await Promise.allSettled([dropDatabase(run), clearRedis(run)]);
  }
  if (embedded !== undefined) {
    await embedded.stop();
    rmSync(embedded.dataDir, { recursive: true, force: true });
  }
}
