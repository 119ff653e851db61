/**
 * @overview A real "legacy API" on loopback (node:http), the target of vaulted-key rotation tests and
 * the rotate bench. It knows one current key per connection and accepts it as a Bearer token on
 * `GET /api/ping`; during an overlap it also accepts the previous key. `POST /rotate` (authenticated
 * by the hook credential) installs a new key as Crossgate's rotation hook does:
 * `{connection_id, version, credential}` → `{accepted: true, version}`. Faults can be switched on:
 * refuse (503), hang, or answer garbage; rotation calls can be held until the test lets them through;
 * and the server can be stopped and started on the same port.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type LegacyApiFault = 'none' | 'refuse' | 'hang' | 'garbage' | 'wrong-shape';

interface Account {
  current: string;
  previous: string | null;
  version: number;
}

export interface LegacyApiOptions {
  /** The credential the rotation endpoint requires (Bearer). */
  hookCredential: string;
  /** Keep accepting the previous key after a rotation (the overlap window). Default true. */
  acceptPreviousDuringOverlap?: boolean;
}

export class LegacyApi {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly accounts = new Map<string, Account>();
  private port = 0;
  fault: LegacyApiFault = 'none';
  /** Faults apply to the rotation endpoint, to the test endpoint, or to every endpoint. */
  faultScope: 'rotate' | 'ping' | 'all' = 'rotate';
  acceptPrevious: boolean;
  /** While set, rotation calls wait for it to settle before they are answered: a rotation can be watched mid-push. */
  hold: Promise<void> | null = null;
  /** Rotation calls received, by connection id (a doubled push of the same value is harmless and counted). */
  readonly pushes: { connectionId: string; version: number }[] = [];

  constructor(private readonly options: LegacyApiOptions) {
    this.acceptPrevious = options.acceptPreviousDuringOverlap ?? true;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  get rotateUrl(): string {
    return `${this.url}/rotate`;
  }
  get pingUrl(): string {
    return `${this.url}/api/ping`;
  }

  /** Registers (or resets) a connection's account with its current key. */
  enroll(connectionId: string, key: string, version = 1): void {
    this.accounts.set(connectionId, { current: key, previous: null, version });
  }

  /** Ends the overlap: the previous key stops working (what the target does when told to retire). */
  retirePrevious(connectionId: string): void {
    const account = this.accounts.get(connectionId);
    if (account) {
      account.previous = null;
    }
  }

  /** The key the target holds for a connection now (what the last accepted rotation pushed), or null. */
  currentKeyOf(connectionId: string): string | null {
    return this.accounts.get(connectionId)?.current ?? null;
  }

  /** Whether `key` is accepted on the test endpoint right now (the same check `GET /api/ping` makes). */
  accepts(key: string): boolean {
    return [...this.accounts.values()].some((account) => this.keyMatches(account, key));
  }

  async start(): Promise<this> {
    const server = createServer((request, response) => {
      this.handle(request, response).catch(() => {
        response.statusCode = 500;
        response.end();
      });
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.listen(this.port, '127.0.0.1');
    await once(server, 'listening');
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Stops listening and drops open connections (hanging requests included); `start()` reuses the port. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server === null) {
      return;
    }
    for (const socket of this.sockets) {
      socket.destroy();
    }
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private keyMatches(account: Account, key: string): boolean {
    return account.current === key || (this.acceptPrevious && account.previous === key);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', this.url).pathname;
    const body = await readBody(request);
    const scope = path === '/rotate' ? 'rotate' : 'ping';
    if (scope === 'rotate' && this.hold !== null) {
      await this.hold;
    }
    if (this.fault !== 'none' && (this.faultScope === 'all' || this.faultScope === scope)) {
      this.answerFault(response);
      return;
    }
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (request.method === 'GET' && path === '/api/ping') {
      const ok = bearer !== undefined && this.accepts(bearer);
      json(response, ok ? 200 : 401, ok ? { ok: true } : { error: 'invalid_key' });
      return;
    }
    if (request.method === 'POST' && path === '/rotate') {
      if (bearer !== this.options.hookCredential) {
        json(response, 401, { error: 'invalid_hook_credential' });
        return;
      }
      let input: { connection_id?: unknown; version?: unknown; credential?: unknown; previous_valid_for_seconds?: unknown };
      try {
        input = JSON.parse(body) as typeof input;
      } catch {
        json(response, 400, { error: 'invalid_json' });
        return;
      }
      const { connection_id: connectionId, version, credential } = input;
      if (typeof connectionId !== 'string' || typeof version !== 'number' || typeof credential !== 'string') {
        json(response, 400, { error: 'invalid_request' });
        return;
      }
      const account = this.accounts.get(connectionId);
      if (account === undefined) {
        json(response, 404, { error: 'unknown_connection' });
        return;
      }
      this.pushes.push({ connectionId, version });
      // The same version pushed again (a resumed rotation) re-installs the same value: idempotent.
      if (account.version !== version) {
        // No overlap asked for: the previous key is compromised and stops working now.
        account.previous = input.previous_valid_for_seconds === 0 ? null : account.current;
        account.version = version;
      }
      account.current = credential;
      json(response, 200, { accepted: true, version });
      return;
    }
    json(response, 404, { error: 'not_found' });
  }

  private answerFault(response: ServerResponse): void {
    switch (this.fault) {
      case 'refuse':
        json(response, 503, { error: 'unavailable' });
        return;
      case 'hang':
        return; // Never answers; stop() or the client's timeout ends it.
      case 'garbage':
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<html>Login required</html>');
        return;
      case 'wrong-shape':
        json(response, 200, { ok: 'sure' });
        return;
      case 'none':
        return;
    }
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => resolve(text));
    request.on('error', reject);
  });
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
