/**
 * @overview Persistence: the Prisma client, migrations, the audit chain and the repositories that
 * both the API and the worker use. Prisma types stop here; callers get plain records.
 */
export * from './database.ts';
export * from './migrations/index.ts';
export * from './audit/audit-chain.ts';
export * from './audit/audit-log.repository.ts';
export * from './audit/audit-stream.ts';
export * from './crud/crud.repository.ts';
export * from './crud/database-error.ts';
export * from './keys/private-key-seal.ts';
export * from './keys/signing-key.repository.ts';
export * as Enums from './generated/prisma/enums.ts';
export * from './preflight.ts';
export * from './policies/policy-source.repository.ts';
export * from './policies/policy-approval.repository.ts';
export * from './gateway/tool-call-approval.repository.ts';
export * from './batched-read.ts';
export * from './group-commit.ts';
export * from './kill-switches/kill-switch.repository.ts';
export * from './tokens/issued-tokens.ts';
export * from './tokens/issuance-batch-writer.ts';
export * from './tokens/issued-token.repository.ts';
export * from './tokens/redeemed-assertions.ts';
export * from './connections/connection-ladder.repository.ts';
export * from './vault/secret-store.ts';
export * from './connections/connection-rotation.repository.ts';
export * from './kill-switches/kill-switch-reach.ts';
export * from './sts/authorization-code.ts';
export * from './sts/oauth-provider-clients.ts';
export * from './sts/sts-consent-ending.ts';
export * from './embedded/embedded-postgres.ts';
export * from './embedded/open-database.ts';
export * from './store.module.ts';
export * from './dashboard/dashboard.repository.ts';
export * from './access-reviews/access-review.repository.ts';
