/**
 * The access-review reminder suite again, with the worker's queues in PostgreSQL (BullMQ's PostgreSQL
 * backend, as when REDIS_URL is unset) instead of Redis: the same cases must hold on both.
 *
 * @runsAlone its workers, each with a BullMQ pool per queue on PostgreSQL, hold about 60 connections
 */
import './support/queues-on-postgres.ts';
import './access-review-reminders.e2e.spec.ts';
