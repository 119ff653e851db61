/**
 * @overview The process-wide parts every feature module shares: configuration, the database and the
 * repositories (StoreModule), Redis and the clock. Built once from a parsed Config and exported globally.
 */
import { type DynamicModule, Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';

import type { Config } from '@crossgate/config';
import { Clock, SystemClock } from '@crossgate/domain';
import { InjectPrisma, PRISMA, StoreModule } from '@crossgate/store';

export const CONFIG = Symbol('Config');
/** The database's injection tokens are the store's; re-exported for the feature modules. */
export { InjectPrisma, PRISMA };
export const REDIS = Symbol('Redis');

/** Time is injected so tests can fix it (session expiry, token lifetimes); re-exported for the feature modules. */
export { Clock, SystemClock };

export const InjectConfig = () => Inject(CONFIG);
export const InjectRedis = () => Inject(REDIS);

@Injectable()
class ConnectionCloser implements OnApplicationShutdown {
  constructor(@InjectRedis() private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.closeRedis();
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
      imports: [StoreModule.forRoot({ databaseUrl: config.database.url, keys: config.keys, allowInsecureLoopback: config.environment !== 'production' })],
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: Clock, useValue: clock },
        { provide: REDIS, useFactory: () => createRedis(config) },
        ConnectionCloser,
      ],
      exports: [CONFIG, Clock, REDIS, StoreModule],
    };
  }
}
