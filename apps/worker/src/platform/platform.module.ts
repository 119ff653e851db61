/**
 * @overview The process-wide parts the worker's processors share: configuration, the clock, the
 * database and the repositories. Built once from a parsed Config and exported globally. Queues are not here: BullMQ
 * opens its own Redis connections (see QueuesService).
 *
 * Providers are injected with explicit tokens (`@Inject(...)`) rather than through emitted
 * constructor types, so the worker also runs from source under tsx, which emits no decorator metadata.
 */
import { type DynamicModule, Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';

import type { Config } from '@crossgate/config';
import { Clock, SystemClock } from '@crossgate/domain';
import {
  AuditLogRepository,
  ConnectionRotationRepository,
  createPrismaClient,
  keyRingOf,
  KillSwitchRepository,
  OAuthProviderClients,
  type PrismaClient,
  PrivateKeySeal,
  SecretStore,
  SigningKeyRepository,
  StsConsentEnding,
} from '@crossgate/store';

export const CONFIG = Symbol('Config');
export const PRISMA = Symbol('PrismaClient');

export const InjectConfig = () => Inject(CONFIG);
export const InjectPrisma = () => Inject(PRISMA);

@Injectable()
class ConnectionCloser implements OnApplicationShutdown {
  constructor(@InjectPrisma() private readonly prisma: PrismaClient) {}

  // After every processor has stopped (they stop in beforeApplicationShutdown).
  async onApplicationShutdown(): Promise<void> {
    await this.prisma.$disconnect();
  }
}

@Global()
@Module({})
export class PlatformModule {
  static forRoot(config: Config, clock: Clock = new SystemClock()): DynamicModule {
    return {
      module: PlatformModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: Clock, useValue: clock },
        // Small pool: the maintenance queue runs one job at a time; rotations (32 at once) mostly wait on
        // their targets' HTTP answers, and the API holds most of the database's connections.
        { provide: PRISMA, useFactory: () => createPrismaClient(config.database.url, { maxConnections: 8 }) },
        {
          provide: AuditLogRepository,
          inject: [PRISMA],
          useFactory: (prisma: PrismaClient) => new AuditLogRepository(prisma),
        },
        {
          provide: SigningKeyRepository,
          inject: [PRISMA, AuditLogRepository],
          useFactory: (prisma: PrismaClient, auditLog: AuditLogRepository) =>
            new SigningKeyRepository(prisma, new PrivateKeySeal(keyRingOf(config.keys)), auditLog),
        },
        {
          provide: SecretStore,
          inject: [PRISMA],
          useFactory: (prisma: PrismaClient) => SecretStore.fromConfig(prisma, config.keys),
        },
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
          provide: OAuthProviderClients,
          inject: [PRISMA, SecretStore],
          // Plain http to loopback providers only outside production: the local providers of development and tests.
          useFactory: (prisma: PrismaClient, secrets: SecretStore) => new OAuthProviderClients(prisma, secrets, { allowInsecureLoopback: config.environment !== 'production' }),
        },
        {
          provide: StsConsentEnding,
          inject: [PRISMA, SecretStore, AuditLogRepository, OAuthProviderClients],
          useFactory: (prisma: PrismaClient, secrets: SecretStore, auditLog: AuditLogRepository, providers: OAuthProviderClients) => new StsConsentEnding(prisma, secrets, auditLog, providers),
        },
        ConnectionCloser,
      ],
      exports: [CONFIG, Clock, PRISMA, AuditLogRepository, SigningKeyRepository, SecretStore, ConnectionRotationRepository, KillSwitchRepository, StsConsentEnding],
    };
  }
}
