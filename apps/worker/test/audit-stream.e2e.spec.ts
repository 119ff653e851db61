/**
 * The SIEM webhook against a real local collector: every event in sequence order, signed as Standard
 * Webhooks specifies; refusals and timeouts resend the same page (at least once, nothing skipped); a
 * worker stopped mid-post leaves the cursor where it was and the next one resumes there.
 */
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Config } from '@crossgate/config';
import { Clock } from '@crossgate/domain';
import { QueueName } from '@crossgate/jobs';
import { unique } from '@crossgate/testing';

import { auditWebhookStream } from '../src/audit/audit-stream.processor.ts';
import { eventually, obliterateQueues, openQueues, startTestWorker, testConfig, type TestWorker } from './support/test-worker.ts';

interface Post {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A collector that keeps every post and answers with `answer` (a status, or `hang` to never answer). */
class Collector {
  readonly posts: Post[] = [];
  answer: number | 'hang' = 200;
  private readonly server = http.createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      this.posts.push({ headers: request.headers, body });
      if (this.answer !== 'hang') {
        response.writeHead(this.answer, { 'content-type': 'text/plain' }).end(this.answer === 200 ? 'ok' : `refused: ${body.slice(0, 40)}`);
      }
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/collect`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** The sequence numbers of the acknowledged posts, in the order they arrived. */
  seqsOf(posts: Post[]): number[] {
    return posts.flatMap((post) => (JSON.parse(post.body) as { events: { seq: string }[] }).events.map((event) => Number(event.seq)));
  }
}

/** A clock the test moves, or holds still, so backoff needs no sleeping and no race with real time. */
class MovableClock extends Clock {
  offsetMs = 0;
  heldAt: number | undefined;
  now(): Date {
    return new Date((this.heldAt ?? Date.now()) + this.offsetMs);
  }
}

const secretBytes = randomBytes(32);
const secret = `whsec_${secretBytes.toString('base64')}`;

let collector: Collector;
let config: Config;
let queues: ReturnType<typeof openQueues>;
let clock: MovableClock;
let worker: TestWorker | undefined;

beforeEach(async () => {
  collector = new Collector();
  const url = await collector.start();
  config = testConfig({ AUDIT_WEBHOOK_URL: url, AUDIT_WEBHOOK_SECRET: secret, AUDIT_WEBHOOK_BATCH_SIZE: '7', AUDIT_WEBHOOK_TIMEOUT_MS: '1000' });
  queues = openQueues(config);
  clock = new MovableClock();
});

afterEach(async () => {
  await worker?.close();
  worker = undefined;
  await obliterateQueues(queues);
  await collector.stop();
});

async function start(): Promise<TestWorker> {
  worker = await startTestWorker(config, undefined, clock);
  // Every test delivers the whole log from the start: the cursor is the run database's.
  await worker.prisma.auditStreamCursor.deleteMany({ where: { name: auditWebhookStream } });
  return worker;
}

async function seed(worker: TestWorker, count: number): Promise<bigint[]> {
  const seqs: bigint[] = [];
  for (let index = 0; index < count; index += 1) {
    seqs.push((await worker.auditLog.record({ actor: { type: 'system', label: 'test' }, action: 'test.streamed', reason: unique('event') })).seq);
  }
  return seqs;
}

async function headSeq(worker: TestWorker): Promise<number> {
  const head = await worker.prisma.auditEvent.findFirstOrThrow({ orderBy: { seq: 'desc' }, select: { seq: true } });
  return Number(head.seq);
}

const acknowledged = (posts: Post[]) => posts;

describe('the SIEM webhook', () => {
  it('should post every event in sequence order, in signed pages whose signature a receiver can check', async () => {
    const running = await start();
    const seeded = await seed(running, 10);
    const head = await headSeq(running);

    await eventually('the collector to hold the whole log', () => Promise.resolve(collector.seqsOf(collector.posts)), (seqs) => seqs.at(-1) === head, 15_000);

    const seqs = collector.seqsOf(collector.posts);
    expect(seqs).toEqual(Array.from({ length: head }, (_, index) => index + 1));
    expect(seqs).toEqual(expect.arrayContaining(seeded.map(Number)));
    for (const post of collector.posts) {
      const id = String(post.headers['webhook-id']);
      const timestamp = String(post.headers['webhook-timestamp']);
      const expected = createHmac('sha256', secretBytes).update(`${id}.${timestamp}.${post.body}`).digest('base64');
      expect(post.headers['webhook-signature']).toBe(`v1,${expected}`);
      expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
      const page = JSON.parse(post.body) as { events: { seq: string; hash: string; prevHash: string }[]; next: string };
      expect(page.events.length).toBeLessThanOrEqual(7);
      expect(id).toBe(`audit-${page.events[0]!.seq}-${page.next}`);
    }
    // The cursor moves once the collector's answer is back, a moment after the collector holds the page.
    const cursor = await eventually('the cursor at the head', () => running.prisma.auditStreamCursor.findUnique({ where: { name: auditWebhookStream } }), (row) => Number(row?.lastSeq) === head, 15_000);
    expect(cursor!.failures).toBe(0);
  });

  it('should resend the same page after refusals, with backoff, and skip nothing', async () => {
    collector.answer = 503;
    // Held still, no backoff ever runs out until the clock moves on.
    clock.heldAt = Date.now();
    const running = await start();
    await seed(running, 3);

    await eventually('a refused post', () => Promise.resolve(collector.posts.length), (count) => count >= 1, 15_000);
    const refusedId = collector.posts[0]!.headers['webhook-id'];
    const cursor = await eventually('the failure on the cursor', () => running.prisma.auditStreamCursor.findUnique({ where: { name: auditWebhookStream } }), (row) => (row?.failures ?? 0) >= 1);
    expect(cursor!.lastSeq).toBe(0n);
    expect(cursor!.lastError).toBe('answered HTTP 503');
    // Backing off: a second and a half passes without another post until the clock moves on.
    const refusals = collector.posts.length;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(collector.posts.length).toBe(refusals);

    collector.answer = 200;
    clock.heldAt = undefined;
    clock.offsetMs = 600_000;
    const head = await headSeq(running);
    await eventually('the log delivered', () => running.prisma.auditStreamCursor.findUnique({ where: { name: auditWebhookStream } }), (row) => Number(row?.lastSeq) === head, 15_000);

    const accepted = collector.posts.slice(refusals);
    expect(accepted[0]!.headers['webhook-id']).toBe(refusedId);
    expect(collector.seqsOf(acknowledged(accepted))).toEqual(Array.from({ length: head }, (_, index) => index + 1));
    const row = await running.prisma.auditStreamCursor.findUniqueOrThrow({ where: { name: auditWebhookStream } });
    expect(row).toMatchObject({ failures: 0, lastError: null });
  });

  it('should leave the cursor in place when the worker stops mid-post, and resume there with the next worker', async () => {
    collector.answer = 'hang';
    const first = await start();
    await eventually('a post in flight', () => Promise.resolve(collector.posts.length), (count) => count >= 1, 15_000);
    const inFlight = collector.posts[0]!.headers['webhook-id'];
    await first.close();
    worker = undefined;

    collector.answer = 200;
    const posted = collector.posts.length;
    worker = await startTestWorker(config, undefined, clock);
    const head = await headSeq(worker);
    const resumed = worker;
    // The timed-out post counts as one failure; move past its backoff.
    clock.offsetMs = 600_000;
    await eventually('the log delivered', () => resumed.prisma.auditStreamCursor.findUnique({ where: { name: auditWebhookStream } }), (row) => Number(row?.lastSeq) >= head, 15_000);

    const after = collector.posts.slice(posted);
    expect(after[0]!.headers['webhook-id']).toBe(inFlight);
    expect(collector.seqsOf(after).slice(0, head)).toEqual(Array.from({ length: head }, (_, index) => index + 1));
  });
});

it('should run the webhook on a queue of its own, beside the slow chain verification', () => {
  expect(Object.values(QueueName)).toContain('audit-stream');
});
