/**
 * @overview {@link Coordination} on Redis (ioredis): every key and channel is `<prefix>:<name>`, so
 * deployments (and test runs) sharing a server never meet. One connection carries the commands, with
 * auto-pipelining (the commands issued in one turn of the event loop go out as one write, which at
 * thousands of introspections a second is a visible share of the event loop); a second one, opened at
 * the first subscription, carries pub/sub, which Redis reserves a connection for.
 *
 * A Redis that is down must not take the process down or flood the log: ioredis keeps reconnecting
 * (and re-subscribes), commands fail after two reconnect attempts, and the log says so once per
 * outage instead of once per attempt.
 *
 * @see https://redis.io/docs/latest/commands/set/ (NX, PX), /commands/getdel/, /commands/pexpire/ (NX)
 */
import { Redis } from 'ioredis';

import { Coordination, type CoordinationEntry, type CoordinationLogger, type CounterState, type Unsubscribe } from './coordination.ts';
import { consulting, CoordinationError } from './coordination.error.ts';

export interface RedisCoordinationOptions {
  /** The deployment's prefix (`REDIS_PREFIX`). */
  prefix: string;
  logger: CoordinationLogger;
}

type Handler = (message: string) => void;

/** Redis takes whole milliseconds, at least one. */
function wholeMs(ms: number): number {
  return Math.max(1, Math.ceil(ms));
}

/**
 * QUIT only over a live connection: while Redis is down, QUIT would wait in the offline queue behind
 * earlier commands for several reconnect attempts and hold the shutdown (and the reconnect timer) open.
 */
async function closeConnection(connection: Redis): Promise<void> {
  if (connection.status === 'ready') {
    await connection.quit().catch(() => connection.disconnect());
  } else {
    connection.disconnect();
  }
}

export class RedisCoordination extends Coordination {
  readonly backend = 'redis';
  private readonly redis: Redis;
  private readonly channelPrefix: string;
  private subscriber: Redis | null = null;
  /** Prefixed channel → its handlers. */
  private readonly handlers = new Map<string, Set<Handler>>();
  private closed = false;

  constructor(url: string, options: RedisCoordinationOptions) {
    super();
    this.channelPrefix = `${options.prefix}:`;
    this.redis = new Redis(url, {
      keyPrefix: this.channelPrefix,
      connectionName: `${options.prefix}:coordination`,
      lazyConnect: false,
      maxRetriesPerRequest: 2,
      enableAutoPipelining: true,
    });
    let down = false;
    this.redis.on('error', (error: Error) => {
      if (!down) {
        down = true;
        options.logger.warn(`Redis is unreachable, retrying in the background: ${error.message}`);
      }
    });
    this.redis.on('ready', () => {
      if (down) {
        down = false;
        options.logger.log('Redis is reachable again');
      }
    });
  }

  private call<T>(work: (redis: Redis) => Promise<T>): Promise<T> {
    if (this.closed) {
      return Promise.reject(new CoordinationError('closed', 'The Redis coordination adapter is closed'));
    }
    return consulting('Redis', () => work(this.redis));
  }

  async setOnce(key: string, ttlMs: number): Promise<boolean> {
    return (await this.call((redis) => redis.set(key, '1', 'PX', wholeMs(ttlMs), 'NX'))) === 'OK';
  }

  async put(key: string, value: string, ttlMs?: number): Promise<void> {
    await this.call((redis) => (ttlMs === undefined ? redis.set(key, value) : redis.set(key, value, 'PX', wholeMs(ttlMs))));
  }

  async putMany(entries: readonly CoordinationEntry[]): Promise<void> {
    if (entries.length === 0) {
      return;
    }
    await this.call(async (redis) => {
      const pipeline = redis.pipeline();
      for (const { key, value, ttlMs } of entries) {
        if (ttlMs === undefined) {
          pipeline.set(key, value);
        } else {
          pipeline.set(key, value, 'PX', wholeMs(ttlMs));
        }
      }
      const results = await pipeline.exec();
      const failed = results?.find(([error]) => error !== null);
      if (results === null || failed !== undefined) {
        throw failed?.[0] ?? new Error('The entries could not be written');
      }
    });
  }

  get(key: string): Promise<string | null> {
    return this.call((redis) => redis.get(key));
  }

  async getMany(keys: readonly string[]): Promise<(string | null)[]> {
    return keys.length === 0 ? [] : this.call((redis) => redis.mget(...keys));
  }

  take(key: string): Promise<string | null> {
    return this.call((redis) => redis.getdel(key));
  }

  async delete(...keys: string[]): Promise<void> {
    if (keys.length > 0) {
      await this.call((redis) => redis.del(...keys));
    }
  }

  async increment(key: string, windowMs: number): Promise<number> {
    return this.call(async (redis) => {
      // One transaction: the window is set by the increment that created the key (NX), never extended.
      const results = await redis.multi().incr(key).pexpire(key, wholeMs(windowMs), 'NX').exec();
      const [error, count] = results?.[0] ?? [new Error('The counter could not be incremented'), null];
      if (error) {
        throw error;
      }
      return Number(count);
    });
  }

  async counter(key: string): Promise<CounterState> {
    const [count, remainingMs] = await this.call((redis) => Promise.all([redis.get(key), redis.pttl(key)]));
    return count === null ? { count: 0, remainingMs: 0 } : { count: Number(count), remainingMs: Math.max(remainingMs, 0) };
  }

  async publish(channel: string, message: string): Promise<void> {
    // ioredis prefixes keys only, not channels.
    await this.call((redis) => redis.publish(`${this.channelPrefix}${channel}`, message));
  }

  async subscribe(channel: string, handler: Handler): Promise<Unsubscribe> {
    const name = `${this.channelPrefix}${channel}`;
    const handlers = this.handlers.get(name) ?? new Set<Handler>();
    this.handlers.set(name, handlers);
    handlers.add(handler);
    try {
      await this.call(() => this.subscriberConnection().subscribe(name));
    } catch (error) {
      await this.unsubscribe(name, handler);
      throw error;
    }
    return () => this.unsubscribe(name, handler);
  }

  private async unsubscribe(name: string, handler: Handler): Promise<void> {
    const handlers = this.handlers.get(name);
    handlers?.delete(handler);
    if (handlers?.size === 0) {
      this.handlers.delete(name);
      await this.subscriber?.unsubscribe(name).catch(() => undefined);
    }
  }

  private subscriberConnection(): Redis {
    if (this.subscriber === null) {
      const subscriber = this.redis.duplicate({ keyPrefix: '', connectionName: `${this.channelPrefix}coordination-subscriber`, enableAutoPipelining: false });
      // The command connection reports outages; ioredis re-subscribes when it is back.
      subscriber.on('error', () => undefined);
      subscriber.on('message', (name: string, message: string) => {
        for (const handler of this.handlers.get(name) ?? []) {
          handler(message);
        }
      });
      this.subscriber = subscriber;
    }
    return this.subscriber;
  }

  async ping(): Promise<void> {
    await this.call((redis) => redis.ping());
  }

  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.handlers.clear();
    await Promise.all([closeConnection(this.redis), this.subscriber && closeConnection(this.subscriber)]);
  }
}
