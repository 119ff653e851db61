/**
 * @overview The process-wide parts every feature module shares: configuration, the database, the
 * coordination port (Redis, or PostgreSQL without it), the repositories and the clock. Built once
 * from a parsed Config and exported globally.
 */
import { type DynamicModule, Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';

import { type Config, databaseUrlOf } from '@crossgate/config';
import { Coordination, PostgresCoordination, RedisCoordination } from '@crossgate/coordination';
import { stopTracing } from '@crossgate/logging';
import {
  AuditLogRepository,
  ConnectionRotationRepository,
  CrudRepository,
  createPrismaClient,
  keyRingOf,
  type PrismaClient,
  PolicySourceRepository,
  PrivateKeySeal,
  SecretStore,
  SigningKeyRepository,
} from '@crossgate/store';

export const CONFIG = Symbol('Config');
export const PRISMA = Symbol('PrismaClient');

/** Time is injected so tests can fix it (session expiry, token lifetimes). */
export abstract class Clock {
  abstract now(): Date;
}
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

export const InjectConfig = () => Inject(CONFIG);
export const InjectPrisma = () => Inject(PRISMA);

@Injectable()
class ConnectionCloser implements OnApplicationShutdown {
  constructor(
    @InjectPrisma() private readonly prisma: PrismaClient,
    @Inject(Coordination) private readonly coordination: Coordination,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    // Tracing too: the spans of the last requests are still buffered.
    await Promise.allSettled([this.prisma.$disconnect(), this.coordination.close(), stopTracing()]);
  }
}

/** Redis when it is configured; otherwise the database every instance already shares. */
function createCoordination(config: Config): Coordination {
  return config.redis.url
    ? new RedisCoordination(config.redis.url, { prefix: config.redis.prefix, logger: new Logger('redis') })
    : PostgresCoordination.connect(databaseUrlOf(config), { logger: new Logger('coordination') });
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
        { provide: PRISMA, useFactory: () => createPrismaClient(databaseUrlOf(config)) },
        { provide: Coordination, useFactory: () => createCoordination(config) },
        { provide: CrudRepository, inject: [PRISMA], useFactory: (prisma: PrismaClient) => new CrudRepository(prisma) },
        {
          provide: AuditLogRepository,
          inject: [PRISMA],
          useFactory: (prisma: PrismaClient) => new AuditLogRepository(prisma),
        },
        {
          provide: PolicySourceRepository,
          inject: [PRISMA],
          useFactory: (prisma: PrismaClient) => new PolicySourceRepository(prisma),
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
        ConnectionCloser,
      ],
      exports: [
        CONFIG,
        Clock,
        PRISMA,
        Coordination,
        CrudRepository,
        AuditLogRepository,
        PolicySourceRepository,
        SigningKeyRepository,
        SecretStore,
        ConnectionRotationRepository,
      ],
    };
  }
}
