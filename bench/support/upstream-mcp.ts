/**
 * @overview The bench's upstream MCP server, in a process of its own (`startUpstreamMcp` forks this
 * file): MCP Streamable HTTP, stateless, every answer one JSON body (`application/json`, which the
 * transport allows in place of an SSE stream). It takes one API key in `x-api-key` and serves
 * `initialize`, `tools/list` and `tools/call` of `tickets_search` on node:http alone, so that what
 * it costs per call is small beside what the gateway adds: on a machine shared by the load
 * generator, the gateway, Crossgate and PostgreSQL, a heavy server's CPU and collections would
 * delay everyone's calls and count as the gateway's latency. (The gateway's tests use the MCP
 * server SDK upstream: apps/mcp-gateway/test/support/legacy-mcp.ts; `BENCH_UPSTREAM=sdk` runs the
 * bench against that one, in this process too.)
 */
import { fork } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

import { stopChild } from '@crossgate/testing';

export interface UpstreamMcp {
  url: string;
  close(): Promise<void>;
}

/** What the forked process is told: the key it takes, and which server to run. */
interface UpstreamOrder {
  apiKey: string;
  kind: 'minimal' | 'sdk';
}

/** Starts the upstream in a child process and resolves once it listens. */
export async function startUpstreamMcp(apiKey: string, kind: UpstreamOrder['kind']): Promise<UpstreamMcp> {
  const child = fork(fileURLToPath(import.meta.url), { stdio: 'inherit' });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`The upstream MCP server exited (${code}) before it listened`))));
  const listening = new Promise<string>((resolve) => child.once('message', (message) => resolve((message as { url: string }).url)));
  child.send({ apiKey, kind } satisfies UpstreamOrder);
  const url = await Promise.race([listening, exited]);
  return { url, close: () => stopChild(child) };
}

const json = (response: ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
};

function answer(message: { id?: unknown; method?: unknown; params?: { name?: unknown; arguments?: { query?: unknown } } }): unknown {
  const { id = null, method, params } = message;
  if (method === 'initialize') {
    return { jsonrpc: '2.0', id, result: { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'bench-tickets', version: '1.0.0' } } };
  }
  if (method === 'tools/list') {
    return { jsonrpc: '2.0', id, result: { tools: [{ name: 'tickets_search', description: 'Searches tickets', inputSchema: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] } }] } };
  }
  if (method === 'tools/call' && params?.name === 'tickets_search' && typeof params.arguments?.query === 'string') {
    return { jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: `3 tickets match "${params.arguments.query}"` }] } };
  }
  return { jsonrpc: '2.0', id, error: { code: -32602, message: `Unknown method or tool: ${String(method)}` } };
}

function minimalServer(apiKey: string) {
  return createServer((request: IncomingMessage, response: ServerResponse) => {
    if (request.headers['x-api-key'] !== apiKey) {
      request.resume();
      json(response, 401, { error: 'bad credentials' });
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let message: Parameters<typeof answer>[0];
      try {
        message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Parameters<typeof answer>[0];
      } catch {
        json(response, 400, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
        return;
      }
      if (message.id === undefined) {
        // A notification: accepted, nothing to answer.
        response.writeHead(202).end();
        return;
      }
      json(response, 200, answer(message));
    });
  });
}

if (process.send !== undefined && process.argv[1] === fileURLToPath(import.meta.url)) {
  process.once('message', (order: UpstreamOrder) => {
    void (async () => {
      if (order.kind === 'sdk') {
        const { startLegacyMcp } = await import('../../apps/mcp-gateway/test/support/legacy-mcp.ts');
        const legacy = await startLegacyMcp(order.apiKey);
        process.send?.({ url: legacy.url });
        return;
      }
      const server = minimalServer(order.apiKey);
      server.listen(0, '127.0.0.1', () => process.send?.({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp` }));
    })();
  });
}
