/**
 * @overview The process-wide parts every feature module shares: configuration, the database and the
 * repositories (StoreModule), the coordination port (Redis, or PostgreSQL without it) and the clock.
 * Built once from a parsed Config and exported globally.
 */
import { type DynamicModule, Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';

import { type Config, databaseUrlOf } from '@crossgate/config';
import { Coordination, PostgresCoordination, RedisCoordination } from '@crossgate/coordination';
import { Clock, SystemClock } from '@crossgate/domain';
import { stopTracing } from '@crossgate/logging';
import { InjectPrisma, PRISMA, StoreModule } from '@crossgate/store';

import { StsTickets } from './sts-tickets.ts';

export const CONFIG = Symbol('Config');
/** The database's injection tokens are the store's; re-exported for the feature modules. */
export { InjectPrisma, PRISMA };

export { Clock, SystemClock };

export const InjectConfig = () => Inject(CONFIG);

@Injectable()
class ConnectionCloser implements OnApplicationShutdown {
  constructor(@Inject(Coordination) private readonly coordination: Coordination) {}

  async onApplicationShutdown(): Promise<void> {
    // Tracing too: the spans of the last requests are still buffered. The store closes the database.
    await Promise.allSettled([this.coordination.close(), stopTracing()]);
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
      imports: [StoreModule.forRoot({ databaseUrl: databaseUrlOf(config), keys: config.keys, allowInsecureLoopback: config.environment !== 'production' })],
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: Clock, useValue: clock },
        { provide: Coordination, useFactory: () => createCoordination(config) },
        ConnectionCloser,
        StsTickets,
      ],
      exports: [CONFIG, Clock, Coordination, StoreModule, StsTickets],
    };
  }
}
