/**
 * @overview What every log line of one unit of work carries: the HTTP request's id, or the job's
 * id and name in the worker. Kept in an AsyncLocalStorage, so a line logged anywhere below the
 * request (a guard, a service, a repository's error) names the request without passing it along.
 * @see https://nodejs.org/docs/latest-v20.x/api/async_context.html#class-asynclocalstorage
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** Plain strings only: the fields are written into every line as they are. */
export interface LogContext {
  requestId?: string;
  jobId?: string;
  job?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `work` with `context` as the log context of everything it starts, synchronously or not. */
export function runWithLogContext<T>(context: LogContext, work: () => T): T {
  return storage.run(context, work);
}

/** The log context of the code running now, if any. */
export function currentLogContext(): LogContext | undefined {
  return storage.getStore();
}
