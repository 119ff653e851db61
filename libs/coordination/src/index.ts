/**
 * @overview The coordination port (state API instances share: single-use markers, one-time values,
 * counters, flags, a broadcast channel) and its Redis and PostgreSQL adapters.
 */
export * from './coordination.ts';
export { CoordinationError, type CoordinationErrorCode } from './coordination.error.ts';
export * from './redis-coordination.ts';
export * from './postgres-coordination.ts';
