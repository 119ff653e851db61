import { rmSync } from 'node:fs';

import { clearRedis, dropDatabase, testRuns } from '../test-run.ts';

/** Drops the workers' databases and the template, and deletes the workers' Redis keys. */
export default async function globalTeardown(): Promise<void> {
  const runs = testRuns();
  const embedded = globalThis.crossgateTestEmbeddedPostgres;
  if (runs !== undefined) {
    const all = [...runs.workers, runs.template];
    if (process.env['CROSSGATE_KEEP_TEST_DATABASE'] === 'true' && embedded === undefined) {
      process.stdout.write(`\nKept test databases ${all.map((run) => run.databaseName).join(', ')}\n`);
      return;
    }
    await Promise.allSettled(all.flatMap((run) => [dropDatabase(run), clearRedis(run)]));
  }
  if (embedded !== undefined) {
    await embedded.stop();
    rmSync(embedded.dataDir, { recursive: true, force: true });
  }
}
