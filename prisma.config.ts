import { defineConfig } from 'prisma/config';

// Only Prisma's own CLI reads this file; Crossgate's code reads DATABASE_URL through libs/config.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env['DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/test' },
});
