/**
 * @overview Test support: the per-run database and Redis prefix, factories, and an HTTP client for
 * the admin API. Imported only by spec files.
 */
export * from './admin-http.ts';
export * from './child-processes.ts';
export * from './factories.ts';
export * from './fresh-database.ts';
export * from './scratch-database.ts';
export * from './test-run.ts';
export * from './test-server.ts';
export * from './connection-pair.ts';
export * from './policy-approval.ts';
export * from './secret-leak-scan.ts';
export * from './legacy-api.ts';
export * from './rotation-fixtures.ts';
export * from './worker-process.ts';
export * from './set-receiver.ts';
export * from './otlp-receiver.ts';
export * from './eventually.ts';
export * from './access-token-flow.ts';
export * from './tcp-proxy.ts';
export * from './queue-contract.ts';
export * from './fixed-clock.ts';
