/**
 * @overview The typed catalogue of background jobs (queues, job names, payloads) and the helpers every
 * producer and consumer uses to reach them. No database, no Nest: the API and the worker both import it.
 */
export * from './catalogue.ts';
export * from './queues.ts';
