import { randomBytes } from 'node:crypto';

import { NestFactory } from '@nestjs/core';
import pg from 'pg';

import { databaseUrlOf, loadConfig } from '@crossgate/config';

import type { PrismaClient } from './database.ts';
import { SecretStore } from './vault/secret-store.ts';
import { IssuanceBatchWriter } from './tokens/issuance-batch-writer.ts';
import { RedeemedAssertionWriter } from './tokens/redeemed-assertions.ts';
import { PRISMA, StoreModule } from './store.module.ts';

const config = loadConfig();

/** The connections to the run's database that carry `applicationName`. */
async function connectionsNamed(applicationName: string): Promise<number> {
  const probe = new pg.Client({ connectionString: config.database.url });
  await probe.connect();
  try {
    const { rows } = await probe.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
    return Number(rows[0]?.n);
  } finally {
    await probe.end();
  }
}

describe('StoreModule', () => {
  it('should open the Prisma client and both writers on the configured database, and close every connection on shutdown', async () => {
    // Every connection the module opens carries the name, so they can be counted.
    const applicationName = `store-module-${randomBytes(4).toString('hex')}`;
    const databaseUrl = new URL(databaseUrlOf(config));
    databaseUrl.searchParams.set('application_name', applicationName);
    const app = await NestFactory.createApplicationContext(StoreModule.forRoot({ databaseUrl: databaseUrl.toString(), keys: config.keys, allowInsecureLoopback: true }), { logger: false });

    await app.get<PrismaClient>(PRISMA).$queryRawUnsafe('SELECT 1');
    await app.get(IssuanceBatchWriter).write([], []);
    await app.get(RedeemedAssertionWriter).pruneExpired(new Date());
    expect(app.get(SecretStore)).toBeInstanceOf(SecretStore);
    expect(await connectionsNamed(applicationName)).toBe(3);

    await app.close();
    // A backend leaves pg_stat_activity a moment after its client has gone.
    const deadline = Date.now() + 5_000;
    while ((await connectionsNamed(applicationName)) > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await connectionsNamed(applicationName)).toBe(0);
    await expect(app.get(RedeemedAssertionWriter).pruneExpired(new Date())).rejects.toThrow();
  });
});
