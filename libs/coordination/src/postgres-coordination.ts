/**
 * @overview {@link Coordination} on PostgreSQL, for deployments without Redis: one table of keys
 * (`coordination_entries`: value, `expires_at`), and LISTEN/NOTIFY for the channel.
 *
 * - Expiry is `expires_at` against the database's clock: an expired row is ignored by every read and
 *   replaced by every write as if it were absent, and a periodic sweep deletes it.
 * - Every operation is one statement, so PostgreSQL's row locks decide races: set-once is
 *   `INSERT … ON CONFLICT DO UPDATE … WHERE` the row expired (a live row makes the insert a no-op),
 *   take is `DELETE … RETURNING`, a counter is one upsert.
 * - Subscriptions share one dedicated connection that LISTENs on one notification channel (the
 *   logical channel travels in the payload, so any channel name works). When that connection drops,
 *   it is reopened with backoff and LISTENs again; NOTIFYs sent meanwhile are lost.
 *
 * @see https://www.postgresql.org/docs/current/sql-insert.html#SQL-ON-CONFLICT
 * @see https://www.postgresql.org/docs/current/sql-notify.html
 */
import pg from 'pg';

import { Coordination, type CoordinationEntry, type CoordinationLogger, type CounterState, type Unsubscribe } from './coordination.ts';
import { consulting, CoordinationError } from './coordination.error.ts';

/** The notification channel every subscription of the database shares. */
const notifyChannel = 'crossgate_coordination';
/** The `application_name` of the LISTEN connection, to tell it apart in `pg_stat_activity`. */
export const postgresListenerName = 'crossgate-coordination-listen';
const firstReconnectDelayMs = 100;
const maxReconnectDelayMs = 2000;

/** The connections the adapter uses; {@link postgresCoordinationConnections} makes them. */
export interface PostgresCoordinationConnections {
  /** For the statements and NOTIFY. */
  pool: pg.Pool;
  /** A new connection for LISTEN, held open for as long as there are subscriptions, so not a pooled one. */
  newListener(): pg.Client;
}

/** Every connection the PostgreSQL adapter opens comes from here. */
export function postgresCoordinationConnections(databaseUrl: string): PostgresCoordinationConnections {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 5, connectionTimeoutMillis: 2000, application_name: 'crossgate-coordination' });
  // An idle connection that breaks is replaced on the next checkout; it must not crash the process.
  pool.on('error', () => undefined);
  return {
    pool,
    newListener: () => new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2000, application_name: postgresListenerName }),
  };
}

export interface PostgresCoordinationOptions {
  logger: CoordinationLogger;
  /** How often expired rows are deleted; 60 s unless set. */
  sweepIntervalMs?: number;
}

type Handler = (message: string) => void;

/** `now() + $n milliseconds`, null when the parameter is null (no expiry). */
const expiry = (parameter: string) => `now() + ${parameter}::float8 * interval '1 millisecond'`;
const live = `(expires_at IS NULL OR expires_at > now())`;

export class PostgresCoordination extends Coordination {
  readonly backend = 'postgres';
  private readonly pool: pg.Pool;
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly sweeper: NodeJS.Timeout;
  private listener: pg.Client | null = null;
  private listening: Promise<void> | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly connections: PostgresCoordinationConnections,
    private readonly options: PostgresCoordinationOptions,
  ) {
    super();
    this.pool = connections.pool;
    this.sweeper = setInterval(() => void this.sweep().catch(() => undefined), options.sweepIntervalMs ?? 60_000);
    this.sweeper.unref();
  }

  static connect(databaseUrl: string, options: PostgresCoordinationOptions): PostgresCoordination {
    return new PostgresCoordination(postgresCoordinationConnections(databaseUrl), options);
  }

  private query<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    if (this.closed) {
      return Promise.reject(new CoordinationError('closed', 'The PostgreSQL coordination adapter is closed'));
    }
    return consulting('PostgreSQL', () => this.pool.query<R>(text, values));
  }

  async setOnce(key: string, ttlMs: number): Promise<boolean> {
    const result = await this.query(
      `INSERT INTO coordination_entries AS e (key, value, expires_at) VALUES ($1, '1', ${expiry('$2')})
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at WHERE e.expires_at <= now()
       RETURNING 1`,
      [key, ttlMs],
    );
    return result.rowCount === 1;
  }

  async put(key: string, value: string, ttlMs?: number): Promise<void> {
    await this.putMany([{ key, value, ...(ttlMs === undefined ? {} : { ttlMs }) }]);
  }

  async putMany(entries: readonly CoordinationEntry[]): Promise<void> {
    // One row per key, the last one winning, as if written one after the other (ON CONFLICT may touch a row once).
    const byKey = new Map(entries.map((entry) => [entry.key, entry]));
    if (byKey.size === 0) {
      return;
    }
    const rows = [...byKey.values()];
    await this.query(
      `INSERT INTO coordination_entries (key, value, expires_at)
       SELECT key, value, ${expiry('ttl_ms')} FROM unnest($1::text[], $2::text[], $3::float8[]) AS entry (key, value, ttl_ms)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at`,
      [rows.map((row) => row.key), rows.map((row) => row.value), rows.map((row) => row.ttlMs ?? null)],
    );
  }

  async get(key: string): Promise<string | null> {
    return (await this.getMany([key]))[0] ?? null;
  }

  async getMany(keys: readonly string[]): Promise<(string | null)[]> {
    if (keys.length === 0) {
      return [];
    }
    const { rows } = await this.query<{ key: string; value: string }>(`SELECT key, value FROM coordination_entries WHERE key = ANY($1::text[]) AND ${live}`, [keys]);
    const values = new Map(rows.map((row) => [row.key, row.value]));
    return keys.map((key) => values.get(key) ?? null);
  }

  async take(key: string): Promise<string | null> {
    const { rows } = await this.query<{ value: string; live: boolean }>(`DELETE FROM coordination_entries WHERE key = $1 RETURNING value, ${live} AS live`, [key]);
    const [row] = rows;
    return row?.live ? row.value : null;
  }

  async delete(...keys: string[]): Promise<void> {
    if (keys.length > 0) {
      await this.query('DELETE FROM coordination_entries WHERE key = ANY($1::text[])', [keys]);
    }
  }

  async increment(key: string, windowMs: number): Promise<number> {
    // An expired row restarts at 1 with a new window; a live one keeps its window (one without gets this one).
    const { rows } = await this.query<{ value: string }>(
      `INSERT INTO coordination_entries AS e (key, value, expires_at) VALUES ($1, '1', ${expiry('$2')})
       ON CONFLICT (key) DO UPDATE SET
         value = CASE WHEN e.expires_at <= now() THEN '1' ELSE (e.value::bigint + 1)::text END,
         expires_at = CASE WHEN e.expires_at <= now() THEN EXCLUDED.expires_at ELSE coalesce(e.expires_at, EXCLUDED.expires_at) END
       RETURNING value`,
      [key, windowMs],
    );
    return Number(rows[0]!.value);
  }

  async counter(key: string): Promise<CounterState> {
    const { rows } = await this.query<{ value: string; remaining_ms: string | null }>(
      `SELECT value, greatest(ceil(extract(epoch FROM expires_at - now()) * 1000), 0) AS remaining_ms FROM coordination_entries WHERE key = $1 AND ${live}`,
      [key],
    );
    const [row] = rows;
    return row === undefined ? { count: 0, remainingMs: 0 } : { count: Number(row.value), remainingMs: Number(row.remaining_ms ?? 0) };
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.query('SELECT pg_notify($1, $2)', [notifyChannel, JSON.stringify({ channel, message })]);
  }

  async subscribe(channel: string, handler: Handler): Promise<Unsubscribe> {
    if (this.closed) {
      throw new CoordinationError('closed', 'The PostgreSQL coordination adapter is closed');
    }
    const handlers = this.handlers.get(channel) ?? new Set<Handler>();
    this.handlers.set(channel, handlers);
    handlers.add(handler);
    try {
      await consulting('PostgreSQL', () => this.listen());
    } catch (error) {
      this.unsubscribe(channel, handler);
      throw error;
    }
    return async () => this.unsubscribe(channel, handler);
  }

  private unsubscribe(channel: string, handler: Handler): void {
    const handlers = this.handlers.get(channel);
    handlers?.delete(handler);
    if (handlers?.size === 0) {
      this.handlers.delete(channel);
    }
  }

  /** Resolves once the LISTEN connection is up, opening it when there is none. */
  private listen(): Promise<void> {
    this.listening ??= this.openListener().catch((error: unknown) => {
      this.listening = null;
      throw error;
    });
    return this.listening;
  }

  private async openListener(): Promise<void> {
    const client = this.connections.newListener();
    client.on('notification', (notification) => this.deliver(notification.payload));
    client.on('error', () => this.listenerLost(client));
    client.on('end', () => this.listenerLost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${notifyChannel}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
  }

  private deliver(payload: string | undefined): void {
    let parsed: { channel?: unknown; message?: unknown };
    try {
      parsed = JSON.parse(payload ?? '') as typeof parsed;
    } catch {
      return;
    }
    if (typeof parsed.channel !== 'string' || typeof parsed.message !== 'string') {
      return;
    }
    for (const handler of this.handlers.get(parsed.channel) ?? []) {
      handler(parsed.message);
    }
  }

  /** The LISTEN connection failed or ended: reopen it while anyone is subscribed. */
  private listenerLost(client: pg.Client): void {
    if (client !== this.listener) {
      return;
    }
    this.listener = null;
    this.listening = null;
    client.end().catch(() => undefined);
    if (this.closed) {
      return;
    }
    this.options.logger.warn('The PostgreSQL connection for notifications dropped; reconnecting in the background');
    this.reconnect(firstReconnectDelayMs);
  }

  private reconnect(delayMs: number): void {
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.closed || this.handlers.size === 0) {
        return;
      }
      this.listen().then(
        () => this.options.logger.log('Listening for notifications on PostgreSQL again'),
        () => this.reconnect(Math.min(delayMs * 2, maxReconnectDelayMs)),
      );
    }, delayMs);
    this.reconnectTimer.unref();
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1', []);
  }

  /** Deletes the expired rows, and says how many; runs on its own every `sweepIntervalMs`. */
  async sweep(): Promise<number> {
    const result = await this.query('DELETE FROM coordination_entries WHERE expires_at <= now()', []);
    return result.rowCount ?? 0;
  }

  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.handlers.clear();
    clearInterval(this.sweeper);
    if (this.reconnectTimer) {
      clearTimeout(this.reconnectTimer);
    }
    await this.listening?.catch(() => undefined);
    const listener = this.listener;
    this.listener = null;
    await Promise.all([listener?.end().catch(() => undefined), this.pool.end().catch(() => undefined)]);
  }
}
