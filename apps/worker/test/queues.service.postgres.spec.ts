/**
 * The job-scheduler suite again, with the queues in PostgreSQL (BullMQ's PostgreSQL backend, as when
 * REDIS_URL is unset): every worker upserts the schedulers at start, on either backend.
 *
 * @runsAlone its workers, each with a BullMQ pool per queue on PostgreSQL, hold about 80 connections
 */
import './support/queues-on-postgres.ts';
import './queues.service.spec.ts';
