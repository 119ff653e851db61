/** Imported first by a spec file whose suites should run with the queues in PostgreSQL. */
import { runQueuesOnPostgres } from './test-worker.ts';

runQueuesOnPostgres();
