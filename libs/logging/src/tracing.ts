/**
 * @overview OpenTelemetry traces, only when an OTLP endpoint is configured: the SDK is imported
 * (dynamically) by {@link startTracing} and by nothing else, so a process without one pays nothing.
 *
 * Spans: every inbound and outbound HTTP request (server spans named after the route template),
 * every PostgreSQL query, and BullMQ's producer and consumer spans, which carry the W3C trace
 * context inside the job: a job continues the trace of the request that enqueued it.
 *
 * Why no ESM loader hook: OpenTelemetry's instrumentations patch modules as `require` loads them,
 * and ESM `import`s go past `require`. Both instrumented modules patch shared prototypes
 * (`http.Server.prototype.emit`, `pg.Client.prototype.query`), so requiring them once after the SDK
 * started patches every instance, however it was imported; `syncBuiltinESMExports` then hands the
 * patched `http.request` to ESM importers too. Call it before the first server or query.
 * @see https://github.com/open-telemetry/opentelemetry-js/blob/main/doc/esm-support.md
 * @see https://docs.bullmq.io/guide/telemetry
 * @see https://www.w3.org/TR/trace-context/
 */
import { IncomingMessage } from 'node:http';
import { createRequire, syncBuiltinESMExports } from 'node:module';

import type { Telemetry } from 'bullmq';

import { routeTemplateOf } from './metrics.ts';

export interface TracingOptions {
  /** `service.name` of every span: `crossgate-api`, `crossgate-worker`. */
  serviceName: string;
  /** The collector's OTLP/HTTP base URL; spans go to `<url>/v1/traces` as OTLP JSON. */
  otlpEndpoint: string;
}

/** Probes and scrapes would drown the traces that matter. */
const untracedPaths = new Set(['/healthz', '/readyz', '/metrics']);

let telemetry: Telemetry | undefined;
let shutdown: (() => Promise<void>) | undefined;

/** Starts the SDK and the instrumentations, at most once per process; {@link stopTracing} ends them. */
export async function startTracing(options: TracingOptions): Promise<void> {
  const [{ NodeSDK }, { OTLPTraceExporter }, { HttpInstrumentation }, { PgInstrumentation }, { BullMQOtel }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-pg'),
    import('bullmq-otel'),
  ]);
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    traceExporter: new OTLPTraceExporter({ url: `${options.otlpEndpoint.replace(/\/+$/, '')}/v1/traces` }),
    // Traces only: metrics are Prometheus's (metrics.ts), logs go to stdout.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => untracedPaths.has((request.url ?? '/').split('?', 1)[0]!),
        // Server spans only: an inbound request has its route template once it has been served.
        applyCustomAttributesOnSpan: (span, request) => {
          if (request instanceof IncomingMessage) {
            const route = routeTemplateOf(request);
            if (route !== 'unmatched') {
              span.setAttribute('http.route', route);
              span.updateName(`${request.method ?? 'HTTP'} ${route}`);
            }
          }
        },
      }),
      new PgInstrumentation(),
    ],
  });
  sdk.start();
  const require = createRequire(import.meta.url);
  require('node:http');
  require('node:https');
  require('pg');
  syncBuiltinESMExports();
  telemetry = new BullMQOtel({ tracerName: options.serviceName });
  shutdown = () => sdk.shutdown();
}

/** Exports the spans still buffered and stops the SDK; nothing when tracing is off or already stopped. */
export async function stopTracing(): Promise<void> {
  const stop = shutdown;
  shutdown = undefined;
  telemetry = undefined;
  await stop?.();
}

/** BullMQ's telemetry (producer and consumer spans, trace context in each job) once tracing started; otherwise none. */
export function queueTelemetry(): Telemetry | undefined {
  return telemetry;
}
