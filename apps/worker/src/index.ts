/**
 * @overview What another process may host of the worker: its Nest application (the API process runs
 * it beside itself in single-process mode). The worker's own process starts from `main.ts`.
 */
export { createWorker, type WorkerOptions } from './worker.factory.ts';
