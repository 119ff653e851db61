/**
 * @overview A real HTTP server on 127.0.0.1 with per-path handlers and request counts, standing in
 * for an IdP's discovery and JWKS endpoints. Test support only (excluded from the build).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (request: IncomingMessage, response: ServerResponse) => void;

export interface TestServer {
  origin: string;
  url(path: string): string;
  /** Replaces the handler of a path. */
  on(path: string, handler: Handler): void;
  /** How many requests reached a path. */
  hits(path: string): number;
  /** Forgets every handler and count. */
  reset(): void;
  close(): Promise<void>;
}

export function json(body: unknown, status = 200): Handler {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
}

export function redirect(location: string, status = 302): Handler {
  return (_request, response) => {
    response.writeHead(status, { location });
    response.end();
  };
}

export async function startTestServer(): Promise<TestServer> {
  const handlers = new Map<string, Handler>();
  const counts = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const handler = handlers.get(path);
    if (handler === undefined) {
      response.writeHead(404).end();
      return;
    }
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    url: (path) => `${origin}${path}`,
    on: (path, handler) => handlers.set(path, handler),
    hits: (path) => counts.get(path) ?? 0,
    reset: () => {
      handlers.clear();
      counts.clear();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
