import { PrismaPg } from '@prisma/adapter-pg';

import { Prisma, PrismaClient } from './generated/prisma/client.ts';

export { Prisma, PrismaClient };
export type Transaction = Prisma.TransactionClient;

/** A Prisma client over the `pg` driver adapter (Prisma 7 has no native query engine). */
export function createPrismaClient(databaseUrl: string, options: { maxConnections?: number } = {}): PrismaClient {
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString: databaseUrl, max: options.maxConnections ?? 10 }),
  });
}
