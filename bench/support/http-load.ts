/**
 * @overview Load generation shared by the HTTP benches: autocannon at maximum throughput, and an
 * open-loop run at a fixed rate whose latencies count from when each request was due.
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

import autocannon from 'autocannon';

/** A prepared form POST: its body and its `Authorization` header. */
export interface PreparedRequest {
  /** application/x-www-form-urlencoded */
  body: string;
  authorization: string;
}

export interface Reply {
  status: number;
  body: string;
}

/** Kept-alive connections for {@link post} (an idle socket does not hold the process open). */
const postAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** One form POST over node:http (lighter per request than fetch, so the bench measures the server). */
export function post(url: string, exchange: PreparedRequest): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent: postAgent, headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: exchange.authorization } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(exchange.body);
  });
}

export interface Load {
  reqPerSecond: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
  /** Sent but never answered before autocannon stopped (the server may still have completed them). */
  unanswered: number;
  /** How long the run actually took, in seconds (autocannon may overrun the duration asked for). */
  seconds: number;
  /** The open-loop runs: the load generator's own event-loop delay (ms), which its latencies include. */
  driverLoopDelay?: { p99: number; max: number };
}

export async function drive(label: string, url: string, exchangesOrBody: PreparedRequest[], duration: number, connections: number, rate?: number): Promise<Load> {
  let turn = Math.floor(Math.random() * exchangesOrBody.length);
  // autocannon builds each request just before writing it, so this counts what was sent exactly
  // (its own `requests.sent` adds a connection's whole per-second rate up front under overallRate).
  let sent = 0;
  const result = await autocannon({
    url,
    connections,
    duration,
    ...(rate === undefined ? {} : { overallRate: rate }),
    requests: [
      {
        // One shared counter across connections, so consecutive requests differ in user, client and resource.
        setupRequest: (request) => {
          const exchange = exchangesOrBody[turn++ % exchangesOrBody.length] as PreparedRequest;
          sent += 1;
          return { ...request, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: exchange.authorization }, body: exchange.body };
        },
      },
    ],
  });
  const load: Load = {
    reqPerSecond: round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    unanswered: Math.max(0, sent - result.requests.total),
    seconds: result.duration,
  };
  const codes = Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => `${code}×${stats.count ?? 0}`).join(' ');
  console.log(
    `${label}: ${load.reqPerSecond} req/s, p50 ${load.p50} ms, p99 ${load.p99} ms, ${load.ok} 2xx, ${load.non2xx} non-2xx, ` +
      `${load.errors} errors, ${load.unanswered} unanswered at stop (${connections} connections, ${result.duration} s; ${codes})`,
  );
  return load;
}

/**
 * An open-loop run at `rate` requests/s, evenly spaced: autocannon's `overallRate` lets every
 * connection send its quota for the second back to back when the second starts, so its latencies
 * are those of a saturated burst, not of a steady rate. Each latency here counts from when the
 * request was due, so a request delayed by a busy client or server is not hidden (no coordinated
 * omission).
 */
export async function driveAtRate(label: string, url: string, exchanges: PreparedRequest[], duration: number, rate: number, connections: number): Promise<Load> {
  const requests = exchanges.map((exchange) => ({ headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: exchange.authorization }, body: exchange.body }));
  const { load } = await driveRequestsAtRate(label, url, requests, duration, rate, connections);
  return { ...load, p50: Math.round(load.p50), p99: Math.round(load.p99) };
}

/** Any POST: its headers and body. */
export interface RawRequest {
  headers: Record<string, string>;
  body: string;
}

/**
 * {@link driveAtRate} for any POST, with latencies in fractional milliseconds (and every one of
 * them, sorted, for comparisons finer than a millisecond).
 */
export async function driveRequestsAtRate(
  label: string,
  url: string,
  requests: RawRequest[],
  duration: number,
  rate: number,
  connections: number,
  options: { warmupSeconds?: number } = {},
): Promise<{ load: Load; latencies: number[] }> {
  // A process of its own, so that neither the bench's heap (a seeded dataset, prepared requests) nor
  // its other work delays the requests: every such delay would count as the server's latency.
  const driver = fork(fileURLToPath(new URL('./rate-driver.ts', import.meta.url)), { stdio: 'inherit' });
  const exited = new Promise<never>((_, reject) => driver.once('exit', (code) => reject(new Error(`The load generator exited (${code}) before it reported`))));
  const reported = new Promise<{ load: Load; latencies: number[] }>((resolve) => driver.once('message', (message) => resolve(message as { load: Load; latencies: number[] })));
  const run: OpenLoopRun = { label, url, requests, duration, rate, connections, warmupSeconds: options.warmupSeconds ?? 0 };
  driver.send(run);
  try {
    return await Promise.race([reported, exited]);
  } finally {
    driver.kill();
  }
}

/** What the load generator's process is asked to run. */
export interface OpenLoopRun {
  label: string;
  url: string;
  requests: RawRequest[];
  duration: number;
  rate: number;
  connections: number;
  /**
   * Seconds at the same rate first, on the same kept-alive connections, whose figures are printed
   * but not returned: the measured run starts warm, as in steady traffic, not with connections
   * still to open.
   */
  warmupSeconds: number;
}

/** {@link driveRequestsAtRate} in this process (the load generator's). */
export async function runOpenLoop(run: OpenLoopRun): Promise<{ load: Load; latencies: number[] }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: run.connections });
  try {
    if (run.warmupSeconds > 0) {
      await openLoop(agent, { ...run, label: `${run.label} (warm-up)`, duration: run.warmupSeconds }, undefined);
    }
    // BENCH_TRACE_FILE: each request's due time (epoch ms) and latency, a line each, appended.
    return await openLoop(agent, run, process.env['BENCH_TRACE_FILE']);
  } finally {
    agent.destroy();
  }
}

async function openLoop(agent: http.Agent, { label, url, requests, duration, rate, connections }: OpenLoopRun, traceFile: string | undefined): Promise<{ load: Load; latencies: number[] }> {
  const total = Math.round(rate * duration);
  const latencies: number[] = [];
  let turn = Math.floor(Math.random() * requests.length);
  let sent = 0;
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  const trace: string[] = [];
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const started = performance.now();
  await new Promise<void>((resolve) => {
    let finished = 0;
    const settle = () => {
      finished += 1;
      if (finished === total) {
        resolve();
      }
    };
    const send = (prepared: RawRequest, due: number) => {
      const request = http.request(url, { method: 'POST', agent, headers: prepared.headers }, (response) => {
        response.resume();
        response.on('end', () => {
          latencies.push(performance.now() - due);
          if (traceFile !== undefined) {
            trace.push(`${(performance.timeOrigin + due).toFixed(1)} ${(performance.now() - due).toFixed(2)}`);
          }
          if ((response.statusCode ?? 0) >= 200 && (response.statusCode ?? 0) < 300) {
            ok += 1;
          } else {
            non2xx += 1;
          }
          settle();
        });
      });
      request.on('error', () => {
        errors += 1;
        settle();
      });
      request.end(prepared.body);
    };
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - started) * rate) / 1000) + 1);
      for (; sent < due; sent += 1) {
        send(requests[turn++ % requests.length] as RawRequest, started + (sent * 1000) / rate);
      }
      if (sent < total) {
        setTimeout(tick, 1);
      }
    };
    tick();
  });
  const elapsed = (performance.now() - started) / 1000;
  loopDelay.disable();
  if (traceFile !== undefined) {
    writeFileSync(traceFile, `${trace.join('\n')}\n`, { flag: 'a' });
  }
  const driverLoopDelay = { p99: round(loopDelay.percentile(99) / 1e6), max: round(loopDelay.max / 1e6) };
  latencies.sort((a, b) => a - b);
  const percentile = (p: number) => round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0);
  const load: Load = { reqPerSecond: round(ok / elapsed), p50: percentile(50), p99: percentile(99), ok, non2xx, errors, unanswered: 0, seconds: elapsed, driverLoopDelay };
  console.log(
    `${label}: ${load.reqPerSecond} req/s, p50 ${load.p50} ms, p99 ${load.p99} ms, ${ok} 2xx, ${non2xx} non-2xx, ${errors} errors (evenly spaced, up to ${connections} connections, ${round(elapsed)} s; the load generator's event loop delayed p99 ${driverLoopDelay.p99} ms, max ${driverLoopDelay.max} ms)`,
  );
  return { load, latencies };
}

export const round = (value: number) => Math.round(value * 100) / 100;
