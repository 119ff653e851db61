/**
 * @overview The state API instances share to act as one: single-use markers, short-lived one-time
 * values, counters with a window, flags, and a broadcast channel. Small, short-lived and rebuildable:
 * PostgreSQL's tables stay the truth, and a caller that cannot consult this state refuses (fails
 * closed) rather than guesses.
 *
 * Two adapters, proven by one contract suite in libs/testing: Redis ({@link RedisCoordination}) and,
 * without Redis, PostgreSQL ({@link PostgresCoordination}). Keys and channels are plain names; each
 * adapter keeps its deployment's apart. Expiry is judged by the backend's clock, so every instance
 * agrees on it. Every method rejects with a {@link CoordinationError} when the backend cannot be
 * consulted.
 */

/** A value to store, for {@link Coordination.putMany}. */
export interface CoordinationEntry {
  key: string;
  value: string;
  /** Forgotten after this many milliseconds; kept until deleted when absent. */
  ttlMs?: number;
}

/** A counter's state, for {@link Coordination.counter}. */
export interface CounterState {
  /** 0 when the counter does not exist or its window ended. */
  count: number;
  /** Until the window ends; 0 when there is no window running. */
  remainingMs: number;
}

/** Where an adapter reports outages (once each) and recoveries; Nest's Logger fits. */
export interface CoordinationLogger {
  log(message: string): void;
  warn(message: string): void;
}

/** Stops delivering a subscription's messages. */
export type Unsubscribe = () => Promise<void>;

export type CoordinationBackend = 'redis' | 'postgres';

export abstract class Coordination {
  /** Which adapter this is, for readiness reports. */
  abstract readonly backend: CoordinationBackend;

  /**
   * Records `key` unless it is already recorded: true for the one caller that recorded it, false for
   * every other until it expires, across every instance at once.
   */
  abstract setOnce(key: string, ttlMs: number): Promise<boolean>;

  /** Stores `value` under `key`, replacing what was there. */
  abstract put(key: string, value: string, ttlMs?: number): Promise<void>;

  /** {@link put} for many entries in one round trip; resolves once every one is stored. */
  abstract putMany(entries: readonly CoordinationEntry[]): Promise<void>;

  /** The value, or null when there is none (never stored, deleted, taken or expired). */
  abstract get(key: string): Promise<string | null>;

  /** {@link get} for many keys in one round trip, in the order asked. */
  abstract getMany(keys: readonly string[]): Promise<(string | null)[]>;

  /** Reads and deletes the value at once: of concurrent callers, only one gets it. */
  abstract take(key: string): Promise<string | null>;

  abstract delete(...keys: string[]): Promise<void>;

  /**
   * Adds one to the counter at `key` and returns the new count. The window starts at the first
   * increment and is not extended by later ones; once it ends, the count starts again from 1.
   */
  abstract increment(key: string, windowMs: number): Promise<number>;

  /** The counter's count and what is left of its window. Reset it with {@link delete}. */
  abstract counter(key: string): Promise<CounterState>;

  /** Sends `message` to every subscriber of `channel` on every instance, this one included. */
  abstract publish(channel: string, message: string): Promise<void>;

  /**
   * Calls `handler` with each message published on `channel` from now on; resolves once subscribed.
   * A subscription survives a dropped connection (it is renewed when the backend is back), but
   * messages published meanwhile are lost: a subscriber that must not miss a change also polls.
   * `handler` runs inside the connection's event and must not throw.
   */
  abstract subscribe(channel: string, handler: (message: string) => void): Promise<Unsubscribe>;

  /** Resolves when the backend answers. */
  abstract ping(): Promise<void>;

  /** Closes every connection; later calls reject. */
  abstract close(): Promise<void>;
}
