/**
 * @overview The one owner of a process's database connections: the Prisma client, and the raw `pg`
 * pools of the token endpoint's two writers (group-committed issuance records, single-use ID-JAG
 * redemptions), which bypass Prisma for their one-statement round trips. Both apps import it once,
 * get every repository from it, and it closes every connection when the application shuts down.
 *
 * The module is global, so its closer runs among the last shutdown hooks (Nest runs them in reverse
 * order of module distance, global modules last): after the services that flush their pending
 * groups in `onApplicationShutdown`.
 */
import { type DynamicModule, Inject, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';

import type { Config } from '@crossgate/config';

import { AccessReviewRepository } from './access-reviews/access-review.repository.ts';
import { AuditLogRepository } from './audit/audit-log.repository.ts';
import { AuditStreamRepository } from './audit/audit-stream.ts';
import { ConnectionRotationRepository } from './connections/connection-rotation.repository.ts';
import { CrudRepository } from './crud/crud.repository.ts';
import { createPrismaClient, type PrismaClient } from './database.ts';
import { PrivateKeySeal } from './keys/private-key-seal.ts';
import { SigningKeyRepository } from './keys/signing-key.repository.ts';
import { KillSwitchRepository } from './kill-switches/kill-switch.repository.ts';
import { PolicyApprovalRepository } from './policies/policy-approval.repository.ts';
import { ToolCallApprovalRepository } from './gateway/tool-call-approval.repository.ts';
import { PolicySourceRepository } from './policies/policy-source.repository.ts';
import { OAuthProviderClients } from './sts/oauth-provider-clients.ts';
import { StsConsentEnding } from './sts/sts-consent-ending.ts';
import { IssuanceBatchWriter } from './tokens/issuance-batch-writer.ts';
import { RedeemedAssertionWriter } from './tokens/redeemed-assertions.ts';
import { keyRingOf, SecretStore } from './vault/secret-store.ts';

/** The Prisma client's injection token. */
export const PRISMA = Symbol('PrismaClient');
export const InjectPrisma = () => Inject(PRISMA);

/** The raw pools, by writer. */
const ISSUANCE_POOL = Symbol('IssuancePool');
const REDEMPTION_POOL = Symbol('RedemptionPool');

export interface StoreOptions {
  databaseUrl: string;
  /** The key-encryption keys the vault's data keys and the private signing keys are sealed under. */
  keys: Config['keys'];
  /** Connections of the Prisma client's pool (10 unless told). */
  maxConnections?: number;
  /** Plain http to OAuth providers on loopback: the local providers of development and tests, never production. */
  allowInsecureLoopback: boolean;
}

/**
 * Sizes of the raw pools, tuned with the token bench: the issuance writer links each group to the one
 * before, so it writes one group at a time on one connection; redemptions commit two groups at once.
 */
const rawPoolSize = { issuance: 1, redemption: 2 } as const;

function rawPool(databaseUrl: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max });
  // An idle connection that breaks is replaced on the next checkout; it must not crash the process.
  pool.on('error', () => undefined);
  return pool;
}

class StoreCloser implements OnApplicationShutdown {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly pools: pg.Pool[],
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.prisma.$disconnect(), ...this.pools.map((pool) => pool.end())]);
  }
}

/** The repositories and writers the store provides, for a platform module's `exports`. */
export const storeProviders = [
  PRISMA,
  CrudRepository,
  AuditLogRepository,
  AuditStreamRepository,
  PolicySourceRepository,
  SigningKeyRepository,
  SecretStore,
  ConnectionRotationRepository,
  KillSwitchRepository,
  PolicyApprovalRepository,
  ToolCallApprovalRepository,
  AccessReviewRepository,
  OAuthProviderClients,
  StsConsentEnding,
  IssuanceBatchWriter,
  RedeemedAssertionWriter,
] as const;

/**
 * Written without decorators (the module is described by `forRoot`'s answer alone), so scripts that
 * import the store run under a TypeScript setup without experimental decorators.
 */
export class StoreModule {
  static forRoot(options: StoreOptions): DynamicModule {
    return {
      module: StoreModule,
      global: true,
      providers: [
        { provide: PRISMA, useFactory: () => createPrismaClient(options.databaseUrl, options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }) },
        { provide: ISSUANCE_POOL, useFactory: () => rawPool(options.databaseUrl, rawPoolSize.issuance) },
        { provide: REDEMPTION_POOL, useFactory: () => rawPool(options.databaseUrl, rawPoolSize.redemption) },
        { provide: IssuanceBatchWriter, inject: [ISSUANCE_POOL], useFactory: (pool: pg.Pool) => new IssuanceBatchWriter(pool) },
        { provide: RedeemedAssertionWriter, inject: [REDEMPTION_POOL], useFactory: (pool: pg.Pool) => new RedeemedAssertionWriter(pool) },
        { provide: CrudRepository, inject: [PRISMA], useFactory: (prisma: PrismaClient) => new CrudRepository(prisma) },
        { provide: AuditLogRepository, inject: [PRISMA], useFactory: (prisma: PrismaClient) => new AuditLogRepository(prisma) },
        { provide: AuditStreamRepository, inject: [PRISMA], useFactory: (prisma: PrismaClient) => new AuditStreamRepository(prisma) },
        { provide: PolicySourceRepository, inject: [PRISMA], useFactory: (prisma: PrismaClient) => new PolicySourceRepository(prisma) },
        {
          provide: SigningKeyRepository,
          inject: [PRISMA, AuditLogRepository],
          useFactory: (prisma: PrismaClient, auditLog: AuditLogRepository) => new SigningKeyRepository(prisma, new PrivateKeySeal(keyRingOf(options.keys)), auditLog),
        },
        { provide: SecretStore, inject: [PRISMA], useFactory: (prisma: PrismaClient) => SecretStore.fromConfig(prisma, options.keys) },
        {
          provide: ConnectionRotationRepository,
          inject: [PRISMA, AuditLogRepository],
          useFactory: (prisma: PrismaClient, auditLog: AuditLogRepository) => new ConnectionRotationRepository(prisma, auditLog),
        },
        {
          provide: KillSwitchRepository,
          inject: [PRISMA, AuditLogRepository],
          useFactory: (prisma: PrismaClient, auditLog: AuditLogRepository) => new KillSwitchRepository(prisma, auditLog),
        },
        {
          provide: PolicyApprovalRepository,
          inject: [PRISMA, AuditLogRepository],
          useFactory: (prisma: PrismaClient, auditLog: AuditLogRepository) => new PolicyApprovalRepository(prisma, auditLog),
        },
        {
          provide: ToolCallApprovalRepository,
          inject: [PRISMA, AuditLogRepository],
          useFactory: (prisma: PrismaClient, auditLog: AuditLogRepository) => new ToolCallApprovalRepository(prisma, auditLog),
        },
        {
          provide: AccessReviewRepository,
          inject: [PRISMA, AuditLogRepository],
          useFactory: (prisma: PrismaClient, auditLog: AuditLogRepository) => new AccessReviewRepository(prisma, auditLog),
        },
        {
          provide: OAuthProviderClients,
          inject: [PRISMA, SecretStore],
          useFactory: (prisma: PrismaClient, secrets: SecretStore) => new OAuthProviderClients(prisma, secrets, { allowInsecureLoopback: options.allowInsecureLoopback }),
        },
        {
          provide: StsConsentEnding,
          inject: [PRISMA, SecretStore, AuditLogRepository, OAuthProviderClients],
          useFactory: (prisma: PrismaClient, secrets: SecretStore, auditLog: AuditLogRepository, providers: OAuthProviderClients) => new StsConsentEnding(prisma, secrets, auditLog, providers),
        },
        {
          provide: StoreCloser,
          inject: [PRISMA, ISSUANCE_POOL, REDEMPTION_POOL],
          useFactory: (prisma: PrismaClient, issuance: pg.Pool, redemption: pg.Pool) => new StoreCloser(prisma, [issuance, redemption]),
        },
      ],
      exports: [...storeProviders],
    };
  }
}
