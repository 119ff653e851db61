/**
 * The coordination port's contract, one suite run against each adapter on the real backend: Redis
 * under a key prefix of this file's own, PostgreSQL in the run's database. Several adapters over the
 * same backend play several API instances.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

import { Redis } from 'ioredis';
import pg from 'pg';

import { databaseUrlOf, loadConfig } from '@crossgate/config';
import { type Coordination, CoordinationError, PostgresCoordination, postgresListenerName, RedisCoordination } from '@crossgate/coordination';

import { eventually } from './eventually.ts';
import { describeWithRedis, localRedisUrl, testRedisUrl } from './test-server.ts';

const config = loadConfig();
// Used only where the run has Redis: the Redis suite is skipped without one.
const redisUrl = testRedisUrl() ?? localRedisUrl;
const logger = { log: () => undefined, warn: () => undefined };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const unique = (label: string) => `${label}-${randomBytes(6).toString('hex')}`;

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Backend {
  name: string;
  /** Another adapter over the same backend, as another API instance has. */
  connect(): Coordination;
  /** An adapter whose backend does not answer. */
  unreachable(): Promise<Coordination>;
  /** Drops the subscription connections of the adapters `connect` made; says how many. */
  dropSubscriptions(): Promise<number>;
}

const redisPrefix = `${config.redis.prefix}:${unique('coordination')}`;

const redis: Backend = {
  name: 'Redis',
  connect: () => new RedisCoordination(redisUrl, { prefix: redisPrefix, logger }),
  unreachable: async () => new RedisCoordination(`redis://127.0.0.1:${await closedPort()}`, { prefix: redisPrefix, logger }),
  dropSubscriptions: async () => {
    const admin = new Redis(redisUrl);
    try {
      const clients = (await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string;
      const ids = clients
        .split('\n')
        .filter((line) => line.includes(` name=${redisPrefix}:coordination-subscriber `))
        .map((line) => /\bid=(\d+)/.exec(line)![1]!);
      for (const id of ids) {
        await admin.call('CLIENT', 'KILL', 'ID', id);
      }
      return ids.length;
    } finally {
      admin.disconnect();
    }
  },
};

const postgres: Backend = {
  name: 'PostgreSQL',
  connect: () => PostgresCoordination.connect(databaseUrlOf(config), { logger }),
  unreachable: async () => PostgresCoordination.connect(`postgresql://postgres@127.0.0.1:${await closedPort()}/test`, { logger }),
  dropSubscriptions: async () => {
    const admin = new pg.Client({ connectionString: databaseUrlOf(config) });
    await admin.connect();
    try {
      const { rowCount } = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1', [
        postgresListenerName,
      ]);
      return rowCount ?? 0;
    } finally {
      await admin.end();
    }
  },
};

function coordinationContract(backend: Backend): void {
  const opened: Coordination[] = [];
  const open = (): Coordination => {
    const coordination = backend.connect();
    opened.push(coordination);
    return coordination;
  };
  let one: Coordination;

  beforeEach(() => {
    one = open();
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((coordination) => coordination.close()));
  });

  describe('values', () => {
    it('should return what was put, on every instance, and null for a key never put', async () => {
      const key = unique('value');
      await one.put(key, 'hello');

      expect(await open().get(key)).toBe('hello');
      expect(await one.get(unique('absent'))).toBeNull();
    });

    it('should replace a value, and forget it once deleted', async () => {
      const key = unique('value');
      await one.put(key, 'first');
      await one.put(key, 'second');
      expect(await one.get(key)).toBe('second');

      await one.delete(key);

      expect(await one.get(key)).toBeNull();
    });

    it('should forget a value once its time to live has passed, and keep one without', async () => {
      const [short, kept] = [unique('short'), unique('kept')];
      await one.put(short, 'x', 150);
      await one.put(kept, 'y');
      expect(await one.get(short)).toBe('x');

      await sleep(300);

      expect(await one.get(short)).toBeNull();
      expect(await one.getMany([short, kept])).toEqual([null, 'y']);
    });

    it('should read many keys in the order asked, and put many at once with the last of a key winning', async () => {
      const [a, b, c] = [unique('a'), unique('b'), unique('c')];
      await one.putMany([
        { key: a, value: '1', ttlMs: 60_000 },
        { key: b, value: '2' },
        { key: a, value: '3', ttlMs: 60_000 },
      ]);

      expect(await one.getMany([b, c, a])).toEqual(['2', null, '3']);
      expect(await one.getMany([])).toEqual([]);
    });
  });

  describe('set once', () => {
    it('should let exactly one of many concurrent callers on several instances record a key', async () => {
      const key = unique('once');
      const instances = [one, open(), open()];

      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => instances[i % instances.length]!.setOnce(key, 60_000)));

      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('should let a key be recorded again, once, after it expired', async () => {
      const key = unique('once');
      expect(await one.setOnce(key, 150)).toBe(true);
      expect(await one.setOnce(key, 150)).toBe(false);

      await sleep(300);
      const again = await Promise.all([one.setOnce(key, 60_000), open().setOnce(key, 60_000), one.setOnce(key, 60_000)]);

      expect(again.filter(Boolean)).toHaveLength(1);
    });
  });

  describe('take', () => {
    it('should hand a value to exactly one of many concurrent takers on several instances', async () => {
      const key = unique('ticket');
      await one.put(key, 'payload', 60_000);
      const instances = [one, open(), open()];

      const taken = await Promise.all(Array.from({ length: 20 }, (_, i) => instances[i % instances.length]!.take(key)));

      expect(taken.filter((value) => value !== null)).toEqual(['payload']);
      expect(await one.get(key)).toBeNull();
    });

    it('should not hand out an expired value', async () => {
      const key = unique('ticket');
      await one.put(key, 'payload', 100);

      await sleep(250);

      expect(await one.take(key)).toBeNull();
    });
  });

  describe('counters', () => {
    it('should count within the window, on every instance, and say what is left of it', async () => {
      const key = unique('counter');
      const other = open();

      expect(await one.increment(key, 60_000)).toBe(1);
      expect(await other.increment(key, 60_000)).toBe(2);
      expect(await one.increment(key, 60_000)).toBe(3);

      const state = await other.counter(key);
      expect(state.count).toBe(3);
      expect(state.remainingMs).toBeGreaterThan(55_000);
      expect(state.remainingMs).toBeLessThanOrEqual(60_000);
    });

    it('should count every one of many concurrent increments once', async () => {
      const key = unique('counter');
      const instances = [one, open()];

      const counts = await Promise.all(Array.from({ length: 20 }, (_, i) => instances[i % instances.length]!.increment(key, 60_000)));

      expect([...counts].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect((await one.counter(key)).count).toBe(20);
    });

    it('should start the window at the first increment, not extend it, and start again after it', async () => {
      const key = unique('counter');
      await one.increment(key, 400);
      await sleep(250);
      expect(await one.increment(key, 400)).toBe(2);

      await sleep(250);

      expect(await one.counter(key)).toEqual({ count: 0, remainingMs: 0 });
      expect(await one.increment(key, 400)).toBe(1);
    });

    it('should reset a counter that is deleted', async () => {
      const key = unique('counter');
      await one.increment(key, 60_000);
      await one.increment(key, 60_000);

      await one.delete(key);

      expect(await one.counter(key)).toEqual({ count: 0, remainingMs: 0 });
      expect(await one.increment(key, 60_000)).toBe(1);
    });
  });

  describe('publish and subscribe', () => {
    it('should deliver a message to a subscriber on another instance, on its channel only', async () => {
      const [channel, otherChannel] = [unique('channel'), unique('channel')];
      const subscriber = open();
      const received: string[] = [];
      const elsewhere: string[] = [];
      await subscriber.subscribe(channel, (message) => received.push(message));
      await subscriber.subscribe(otherChannel, (message) => elsewhere.push(message));

      await one.publish(channel, 'changed');

      await eventually('the message', async () => received, (messages) => messages.length > 0, 5000);
      expect(received).toEqual(['changed']);
      expect(elsewhere).toEqual([]);
    });

    it('should stop delivering once unsubscribed', async () => {
      const channel = unique('channel');
      const subscriber = open();
      const [kept, dropped]: [string[], string[]] = [[], []];
      await subscriber.subscribe(channel, (message) => kept.push(message));
      const unsubscribe = await subscriber.subscribe(channel, (message) => dropped.push(message));

      await unsubscribe();
      await one.publish(channel, 'after');

      await eventually('the message', async () => kept, (messages) => messages.length > 0, 5000);
      expect(dropped).toEqual([]);
    });

    it("should deliver again after the subscriber's connection was dropped", async () => {
      const channel = unique('channel');
      const subscriber = open();
      const received: string[] = [];
      await subscriber.subscribe(channel, (message) => received.push(message));

      expect(await backend.dropSubscriptions()).toBeGreaterThan(0);

      // Messages published while it reconnects are lost (the port says so); one published after arrives.
      await eventually(
        'a message after the reconnect',
        async () => {
          await one.publish(channel, 'after the drop');
          return received;
        },
        (messages) => messages.includes('after the drop'),
        10_000,
      );
    });
  });

  describe('when the backend cannot be consulted', () => {
    it('should fail ping and every operation with unavailable, within seconds', async () => {
      const down = await backend.unreachable();
      opened.push(down);
      const started = Date.now();

      const results = await Promise.allSettled([down.ping(), down.setOnce(unique('once'), 1000), down.take(unique('ticket')), down.increment(unique('counter'), 1000)]);

      // ioredis gives up on a command after two reconnect attempts, at most a few seconds in.
      expect(Date.now() - started).toBeLessThan(5000);
      for (const result of results) {
        expect(result.status).toBe('rejected');
        expect((result as PromiseRejectedResult).reason).toMatchObject({ name: 'CoordinationError', code: 'unavailable' });
      }
      await expect(down.subscribe(unique('channel'), () => undefined)).rejects.toBeInstanceOf(CoordinationError);
    });

    it('should answer ping while it can, and refuse every call once closed', async () => {
      const coordination = open();
      await coordination.ping();

      await coordination.close();

      await expect(coordination.get(unique('value'))).rejects.toMatchObject({ code: 'closed' });
    });
  });
}

describeWithRedis('the coordination port on Redis', () => coordinationContract(redis));
describe('the coordination port on PostgreSQL', () => coordinationContract(postgres));

describe('the PostgreSQL adapter', () => {
  it('should sweep expired rows and keep live ones', async () => {
    const coordination = PostgresCoordination.connect(databaseUrlOf(config), { logger });
    const database = new pg.Client({ connectionString: databaseUrlOf(config) });
    await database.connect();
    const [expired, live] = [unique('expired'), unique('live')];
    try {
      await coordination.put(expired, 'x', 50);
      await coordination.put(live, 'y', 60_000);
      await sleep(150);

      expect(await coordination.sweep()).toBeGreaterThanOrEqual(1);

      const { rows } = await database.query<{ key: string }>('SELECT key FROM coordination_entries WHERE key = ANY($1::text[])', [[expired, live]]);
      expect(rows.map((row) => row.key)).toEqual([live]);
    } finally {
      await database.end();
      await coordination.close();
    }
  });
});
