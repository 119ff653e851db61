/**
 * @overview The process-wide parts every feature module shares: configuration, the database, Redis,
 * the repositories and the clock. Built once from a parsed Config and exported globally.
 */
import { type DynamicModule, Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';

import type { Config } from '@crossgate/config';
import { Clock, SystemClock } from '@crossgate/domain';
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
export const REDIS = Symbol('Redis');

/** Time is injected so tests can fix it (session expiry, token lifetimes); re-exported for the feature modules. */
export { Clock, SystemClock };

export const InjectConfig = () => Inject(CONFIG);
export const InjectPrisma = () => Inject(PRISMA);
export const InjectRedis = () => Inject(REDIS);

@Injectable()
class ConnectionCloser implements OnApplicationShutdown {
  constructor(
    @InjectPrisma() private readonly prisma: PrismaClient,
    @InjectRedis() private readonly redis: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.prisma.$disconnect(), this.closeRedis()]);
  }

  /**
   * QUIT only over a live connection: while Redis is down, QUIT would wait in the offline queue behind
   * earlier commands for several reconnect attempts and hold the shutdown (and the reconnect timer) open.
   */
  private async closeRedis(): Promise<void> {
    if (this.redis.status === 'ready') {
      await this.redis.quit().catch(() => this.redis.disconnect());
    } else {
      this.redis.disconnect();
    }
  }
}

/**
 * A Redis that is down must not take the process down or flood the log: ioredis keeps reconnecting,
 * /readyz reports it, and the log says so once per outage instead of once per reconnect attempt.
 */
function createRedis(config: Config): Redis {
  const logger = new Logger('redis');
  const redis = new Redis(config.redis.url, {
    keyPrefix: `${config.redis.prefix}:`,
    lazyConnect: false,
    maxRetriesPerRequest: 2,
  });
  let down = false;
  redis.on('error', (error: Error) => {
    if (!down) {
      down = true;
      logger.warn(`Redis is unreachable, retrying in the background: ${error.message}`);
    }
  });
  redis.on('ready', () => {
    if (down) {
      down = false;
      logger.log('Redis is reachable again');
    }
  });
  return redis;
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
        { provide: PRISMA, useFactory: () => createPrismaClient(config.database.url) },
        { provide: REDIS, useFactory: () => createRedis(config) },
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
        REDIS,
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
