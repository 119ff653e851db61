/**
 * OpenTelemetry traces from the built API and worker, as `npm start` runs them, to a real local
 * OTLP/HTTP receiver: firing a kill switch is one trace, from the API's server span for the request
 * to the worker's span of the fan-out job it enqueued (the trace context travels inside the job).
 * Also the API's and the worker's log lines as JSON, carrying the request's or the job's id.
 */
import { fileURLToPath } from 'node:url';

import { AdminHttp, type ApiProcess, buildServer, createScratchDatabase, describeWithRedis, type EnvOverrides, expectStatus, OtlpReceiver, type ScratchDatabase, startBuiltApi, startBuiltWorker, stopChild, unique, waitFor } from '@crossgate/testing';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
const adminEmail = 'tracing@crossgate.local';
const adminPassword = 'tracing test admin password';

let database: ScratchDatabase;
let receiver: OtlpReceiver;
let api: ApiProcess;
let worker: ReturnType<typeof startBuiltWorker> | undefined;
let apiLines: string[];
let workerLines: string[];
let shared: EnvOverrides;
/** A second API, stopped by its test. */
let stopping: ApiProcess | undefined;

function capture(child: ApiProcess['child']): string[] {
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter((line) => line.trim() !== '')));
  }
  return lines;
}

// The API and the worker as processes of their own, as a deployment with Redis runs them.
describeWithRedis('traces', () => {
  beforeAll(async () => {
    await buildServer(repositoryRoot);
    database = await createScratchDatabase('tracing');
    receiver = await OtlpReceiver.start();
    shared = {
      DATABASE_URL: database.run.databaseUrl,
      REDIS_URL: database.run.redisUrl,
      REDIS_PREFIX: database.run.redisPrefix,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      // Export within a fifth of a second rather than the default five.
      OTEL_BSP_SCHEDULE_DELAY: '200',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'log',
    };
    // Debug: the access log line of each request.
    api = await startBuiltApi({ repositoryRoot, quiet: true, env: { ...shared, LOG_LEVEL: 'debug', BOOTSTRAP_ADMIN_EMAIL: adminEmail, BOOTSTRAP_ADMIN_PASSWORD: adminPassword } });
    apiLines = capture(api.child);
    worker = startBuiltWorker({ repositoryRoot, quiet: true, env: shared });
    workerLines = capture(worker.child);
  }, 240_000);

  afterAll(async () => {
    await database?.cleanUp([api?.child, worker?.child, stopping?.child]);
    await receiver?.close();
  });

  it('should continue the trace of the request that fired a kill switch into the worker job that fans it out', async () => {
    const admin = await AdminHttp.signIn(api.baseUrl, adminEmail, adminPassword);
    const label = unique('traced').toLowerCase().replace(/[^a-z0-9-]/g, '-');
    const client = expectStatus(
      await admin.post<{ id: string }>('/api/clients', { clientId: label, name: label, kind: 'ai_agent', authMethod: 'client_secret_basic', owner: 'tests@example.test' }),
      201,
      'POST /api/clients',
    );

    const fired = await admin.post<{ id: string }>('/api/kill-switches', { scope: 'client', clientId: client.id, reason: 'tracing test' });
    expect(fired.status).toBe(201);

    const request = await waitFor('the API span of POST /api/kill-switches', 20_000, async () =>
      receiver.spans.find((span) => span.service === 'crossgate-api' && span.kind === 2 && span.name === 'POST /api/kill-switches'),
    );
    expect(request.attributes['http.route']).toBe('/api/kill-switches');
    const job = await waitFor('a worker span in the same trace', 30_000, async () => receiver.spans.find((span) => span.service === 'crossgate-worker' && span.traceId === request.traceId));
    expect(job.traceId).toBe(request.traceId);
    // The API's queries are in the request's trace too.
    expect(receiver.spans.some((span) => span.service === 'crossgate-api' && span.traceId === request.traceId && span.attributes['db.system.name'] === 'postgresql')).toBe(true);
    expect(receiver.refused).toEqual([]);

    // The fan-out's log line names its job.
    const line = await waitFor('the fan-out log line', 10_000, async () => workerLines.find((candidate) => candidate.includes(`Kill switch ${fired.body.id}:`)));
    expect(JSON.parse(line)).toMatchObject({ process: 'crossgate-worker', job: 'kill-switch.fan-out', jobId: expect.stringContaining(fired.body.id) });
  });

  it('should log JSON lines that carry the id of the request they belong to', async () => {
    const requestId = `tracing-${unique('req')}`.replace(/[^A-Za-z0-9._:-]/g, '-');
    const response = await fetch(`${api.baseUrl}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': requestId },
      body: 'grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&client_id=nobody&client_secret=s3cret-in-a-request',
    });
    expect(response.headers.get('x-request-id')).toBe(requestId);

    const line = await waitFor('the access log line of the request', 10_000, async () => apiLines.find((candidate) => candidate.includes(requestId)));
    expect(JSON.parse(line)).toMatchObject({ requestId, process: 'crossgate', level: 'debug', context: 'http', message: expect.stringMatching(/^POST \/oauth2\/token 401 \d+\.\d ms$/) });
    expect(apiLines.join('\n')).not.toContain('s3cret-in-a-request');
  });

  it('should export the spans still buffered when the API stops', async () => {
    // Spans would wait a minute in the buffer: only the shutdown sends them.
    stopping = await startBuiltApi({ repositoryRoot, quiet: true, env: { ...shared, OTEL_BSP_SCHEDULE_DELAY: '60000' } });
    const jwks = () => receiver.spans.filter((span) => span.service === 'crossgate-api' && span.name === 'GET /oauth2/jwks').length;
    const before = jwks();
    expect((await fetch(`${stopping.baseUrl}/oauth2/jwks`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(jwks()).toBe(before);

    await stopChild(stopping.child);

    expect(jwks()).toBe(before + 1);
  });
});
