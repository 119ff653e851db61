/**
 * Every line logged on behalf of a request carries its id, also below Express's body parsers (they
 * hand the request on from a stream event) and after a timer: a real API with JSON logs, and a probe
 * route mounted behind its middleware that logs once the body was read.
 */
import type { INestApplication } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import type { Request, Response } from 'express';

import { loadConfig } from '@crossgate/config';
import { CrossgateLogger } from '@crossgate/logging';

import { createApi } from '../src/app.factory.ts';

let app: INestApplication;
let baseUrl: string;
const lines: string[] = [];
const originalWrite = process.stdout.write.bind(process.stdout);

beforeAll(async () => {
  app = await createApi(loadConfig({ ...process.env, HOST: '127.0.0.1', PORT: '0' }), { logger: new CrossgateLogger('log', 'crossgate', 'json') });
  app.use('/log-probe', (request: Request, response: Response) => {
    setTimeout(() => {
      new Logger('probe').log(`read ${JSON.stringify(request.body)}`);
      response.json({});
    }, 5);
  });
  await app.listen(0, '127.0.0.1');
  baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter((line) => line.trim() !== ''));
    return true;
  }) as typeof process.stdout.write;
});

afterAll(async () => {
  process.stdout.write = originalWrite;
  await app?.close();
});

describe('the log context of a request', () => {
  it('should give each of several concurrent requests its own id, in its answer and in its log lines', async () => {
    const ids = ['probe-request-000001', 'probe-request-000002', 'probe-request-000003'];

    const answers = await Promise.all(
      ids.map((id) => fetch(`${baseUrl}/log-probe`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': id }, body: JSON.stringify({ id }) })),
    );

    expect(answers.map((answer) => answer.headers.get('x-request-id'))).toEqual(ids);
    for (const id of ids) {
      const line = lines.map((text) => JSON.parse(text) as Record<string, unknown>).find((entry) => entry['context'] === 'probe' && String(entry['message']).includes(id));
      expect(line).toMatchObject({ requestId: id, process: 'crossgate' });
    }
  });

  it('should make up an id for a request without a usable one', async () => {
    const answer = await fetch(`${baseUrl}/log-probe`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'bad id!' }, body: '{"id":"anonymous"}' });
    const id = answer.headers.get('x-request-id');

    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.map((text) => JSON.parse(text) as Record<string, unknown>).find((entry) => String(entry['message']).includes('anonymous'))).toMatchObject({ requestId: id });
  });
});
