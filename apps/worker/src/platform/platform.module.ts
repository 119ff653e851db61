/**
 * @overview The process-wide parts the worker's processors share: configuration, the clock, the
 * database and the repositories (StoreModule). Built once from a parsed Config and exported globally.
 * Queues are not here: BullMQ opens its own connections (see QueuesService).
 *
 * Providers are injected with explicit tokens (`@Inject(...)`) rather than through emitted
 * constructor types, so the worker also runs from source under tsx, which emits no decorator metadata.
 */
import { type DynamicModule, Global, Inject, Module } from '@nestjs/common';

import { type Config, databaseUrlOf } from '@crossgate/config';
import { Clock, SystemClock } from '@crossgate/domain';
import { InjectPrisma, PRISMA, StoreModule } from '@crossgate/store';

export const CONFIG = Symbol('Config');
/** The database's injection tokens are the store's; re-exported for the processors. */
export { InjectPrisma, PRISMA };

export const InjectConfig = () => Inject(CONFIG);

@Global()
@Module({})
export class PlatformModule {
  static forRoot(config: Config, clock: Clock = new SystemClock()): DynamicModule {
    return {
      module: PlatformModule,
      imports: [
        StoreModule.forRoot({
          databaseUrl: databaseUrlOf(config),
          keys: config.keys,
          // Small pool: the maintenance queue runs one job at a time; rotations (32 at once) mostly wait on
          // their targets' HTTP answers, and the API holds most of the database's connections.
          maxConnections: 8,
          // Plain http to loopback providers only outside production: the local providers of development and tests.
          allowInsecureLoopback: config.environment !== 'production',
        }),
      ],
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: Clock, useValue: clock },
      ],
      exports: [CONFIG, Clock, StoreModule],
    };
  }
}
