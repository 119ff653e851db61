/**
 * @overview The Prometheus metrics of both server processes, in one registry per process: the API
 * and the worker each register what they count here, so when both run in one process one
 * `GET /metrics` shows everything once. Every label has a closed set of values (route templates,
 * never paths; OAuth error codes; queue, job and scope names), so the series stay few whatever the
 * traffic. Counting is a synchronous increment; what needs a query (queue depth, the audit chain's
 * state) is read when Prometheus scrapes.
 * @see https://prometheus.io/docs/practices/naming/
 * @see https://prometheus.io/docs/practices/instrumentation/#do-not-overuse-labels
 */
import { createServer, type Server } from 'node:http';

import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The process's registry. */
export const metricsRegistry = new Registry();

let processMetricsStarted = false;

/** prom-client's process and Node.js metrics (CPU, memory, event-loop lag, GC); once per process. */
export function collectProcessMetrics(): void {
  if (!processMetricsStarted) {
    processMetricsStarted = true;
    collectDefaultMetrics({ register: metricsRegistry });
  }
}

/** The text exposition of every metric, and its content type. */
export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  return { contentType: metricsRegistry.contentType, body: await metricsRegistry.metrics() };
}

const registers = [metricsRegistry];

function counter<Label extends string>(name: string, help: string, labelNames: readonly Label[]): Counter<Label> {
  return new Counter({ name, help, labelNames, registers });
}

// ── HTTP ─────────────────────────────────────────────────────────────────────────────────────────

export const httpRequestDuration = new Histogram({
  name: 'crossgate_http_request_duration_seconds',
  help: 'Time from a request arriving to its response ending, by route template and status class.',
  labelNames: ['method', 'route', 'status_class'] as const,
  // Token endpoints answer in milliseconds; the admin API's exports may take seconds.
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers,
});

const knownMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The `method` label: the common methods by name, anything else as `OTHER`. */
export function methodLabel(method: string | undefined): string {
  return method !== undefined && knownMethods.has(method) ? method : 'OTHER';
}

/** The `status_class` label: `2xx`…`5xx`, or `aborted` when the client left before the response ended. */
export function statusClassLabel(status: number, finished: boolean): string {
  return finished ? `${Math.floor(status / 100)}xx` : 'aborted';
}

const routeTemplate = Symbol('crossgate.routeTemplate');

/** Names the route template that served `request` (e.g. `/ras/:slug/token`), for requests Express does not route. */
export function setRouteTemplate(request: object, template: string): void {
  (request as { [routeTemplate]?: string })[routeTemplate] = template;
}

/**
 * The route template that served `request`: one set with {@link setRouteTemplate}, else Express's
 * matched route (`req.baseUrl` + `req.route.path`), else `unmatched` (404s, static files).
 */
export function routeTemplateOf(request: object): string {
  const routed = request as { [routeTemplate]?: string; baseUrl?: string; route?: { path?: unknown } };
  if (routed[routeTemplate] !== undefined) {
    return routed[routeTemplate];
  }
  const path = routed.route?.path;
  return typeof path === 'string' ? `${routed.baseUrl ?? ''}${path}` : 'unmatched';
}

// ── Token decisions ──────────────────────────────────────────────────────────────────────────────

/**
 * One per audited decision of an OAuth endpoint. `endpoint`: `token_exchange` (RFC 8693, ID-JAGs and
 * managed connections), `jwt_bearer` (RFC 7523 at a resource's authorization server),
 * `introspection` (RFC 7662), `revocation` (RFC 7009). `outcome`: `issued`, `denied`, `active`,
 * `inactive`, `revoked`, `ignored`. `error`: the OAuth error code of a denial, else empty.
 */
export const tokenDecisions = counter('crossgate_token_decisions_total', 'Decisions of the OAuth endpoints, by endpoint, outcome and OAuth error code.', ['endpoint', 'outcome', 'error']);

// ── Kill switches ────────────────────────────────────────────────────────────────────────────────

export const killSwitchesFired = counter('crossgate_kill_switches_fired_total', 'Kill switches put in force (fired, or approved by a second admin), by scope.', ['scope']);

export const killSwitchesLifted = counter('crossgate_kill_switches_lifted_total', 'Kill switches no longer in force, by scope and by whom: `admin` (lifted) or `expiry`.', ['scope', 'by']);

export const killSwitchDeliveries = counter('crossgate_kill_switch_deliveries_total', 'Receipt lines of kill-switch fan-outs that ended, by kind and outcome (`delivered`, `dead_lettered`).', ['kind', 'outcome']);

// ── Worker ───────────────────────────────────────────────────────────────────────────────────────

export const credentialRotations = counter('crossgate_credential_rotations_total', 'Credential rotations of managed connections, by outcome (`succeeded`, `failed`) and failure code.', ['outcome', 'failure']);

export const auditStreamPosts = counter('crossgate_audit_stream_posts_total', 'Posts of audit events to the SIEM webhook, by outcome (`delivered`, `failed`).', ['outcome']);

export const auditStreamEvents = counter('crossgate_audit_stream_events_total', 'Audit events the SIEM webhook acknowledged (a resent page counts again).', []);

export const jobsCompleted = counter('crossgate_jobs_completed_total', 'Jobs that completed, by queue and job name.', ['queue', 'job']);

export const jobFailures = counter('crossgate_job_failures_total', 'Failed job attempts (retried or final), by queue and job name.', ['queue', 'job']);

// ── Read on scrape ───────────────────────────────────────────────────────────────────────────────

/** The job states `crossgate_queue_jobs` reports. */
export const queueJobStates = ['waiting', 'active', 'delayed', 'failed'] as const;

/** Job counts of one queue, by state (see {@link queueJobStates}). */
export type QueueDepth = { queue: string; counts: Record<string, number> };
type QueueDepthSource = () => Promise<QueueDepth[]>;
const queueDepthSources = new Set<QueueDepthSource>();

/**
 * Adds a reader of queue depths, called on every scrape; returns its removal. A reader that fails
 * (the queue backend is down) leaves its queues out of that scrape rather than failing it.
 */
export function reportQueueDepth(source: QueueDepthSource): () => void {
  queueDepthSources.add(source);
  return () => queueDepthSources.delete(source);
}

new Gauge({
  name: 'crossgate_queue_jobs',
  help: 'Jobs in each queue by state, read when scraped.',
  labelNames: ['queue', 'state'] as const,
  registers,
  async collect() {
    this.reset();
    const read = await Promise.allSettled([...queueDepthSources].map((source) => source()));
    for (const result of read) {
      for (const { queue, counts } of result.status === 'fulfilled' ? result.value : []) {
        for (const [state, count] of Object.entries(counts)) {
          this.set({ queue, state }, count);
        }
      }
    }
  },
});

/** The outcome of the latest verification of the audit hash chain. */
export interface AuditChainStatus {
  intact: boolean;
  verifiedAt: Date;
}

let auditChainSource: (() => Promise<AuditChainStatus | null>) | null = null;
let auditChainLatest: AuditChainStatus | null = null;
let auditChainRead: { at: number; status: Promise<AuditChainStatus | null> } | null = null;

/** The worker: the verification it just ran. */
export function recordAuditChainStatus(status: AuditChainStatus): void {
  auditChainLatest = status;
}

/** The API: reads the latest recorded verification when scraped; returns the reader's removal. */
export function reportAuditChainFrom(source: () => Promise<AuditChainStatus | null>): () => void {
  auditChainSource = source;
  auditChainRead = null;
  return () => {
    if (auditChainSource === source) {
      auditChainSource = null;
      auditChainRead = null;
    }
  };
}

/** One read per scrape, shared by the two gauges below. */
function auditChainStatus(): Promise<AuditChainStatus | null> {
  const source = auditChainSource;
  if (source === null) {
    return Promise.resolve(auditChainLatest);
  }
  if (auditChainRead === null || Date.now() - auditChainRead.at > 1_000) {
    auditChainRead = { at: Date.now(), status: source().then((status) => status ?? auditChainLatest, () => auditChainLatest) };
  }
  return auditChainRead.status;
}

new Gauge({
  name: 'crossgate_audit_chain_intact',
  help: 'The latest verification of the audit hash chain: 1 intact, 0 broken; absent before the first.',
  registers,
  async collect() {
    this.reset();
    const status = await auditChainStatus();
    if (status !== null) {
      this.set(status.intact ? 1 : 0);
    }
  },
});

new Gauge({
  name: 'crossgate_audit_chain_last_verified_timestamp_seconds',
  help: 'When the audit hash chain was last verified (Unix time).',
  registers,
  async collect() {
    this.reset();
    const status = await auditChainStatus();
    if (status !== null) {
      this.set(status.verifiedAt.getTime() / 1000);
    }
  },
});

// ── A listener of its own (the worker) ───────────────────────────────────────────────────────────

/** Serves `GET /metrics` (and nothing else) on `host:port`; resolves once listening. */
export async function serveMetrics(options: { host: string; port: number }): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0];
    if ((request.method !== 'GET' && request.method !== 'HEAD') || path !== '/metrics') {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
      return;
    }
    renderMetrics().then(
      ({ contentType, body }) => response.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' }).end(request.method === 'HEAD' ? undefined : body),
      () => response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Metrics could not be collected\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
