/**
 * @overview A real SSF push receiver (RFC 8935) on a loopback port, standing in for the SaaS or MCP
 * server a kill switch must tell. It keeps every SET it is sent, with the headers that came with it,
 * and answers what the test says: 202 by default, any status (500, 400 with an RFC 8935 error) for
 * the nth push, optionally after a delay, so a test can play an outage, a slow receiver or a crash
 * in the middle of a fan-out.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createLocalJWKSet, decodeJwt, type JSONWebKeySet, jwtVerify } from 'jose';

export interface ReceivedSet {
  /** The compact SET as posted. */
  set: string;
  contentType: string | undefined;
  authorization: string | undefined;
  /** The status this receiver answered. */
  status: number;
}

/** What to answer the push numbered `n` (from 0): a status, and a delay before answering. */
export type ReceiverBehaviour = (n: number) => { status: number; delayMs?: number };

export class SetReceiver {
  readonly received: ReceivedSet[] = [];
  /** Replaceable while running, e.g. to bring a receiver back after an outage. */
  behaviour: ReceiverBehaviour;
  private readonly server: Server;
  /** Pushes read but not yet answered. */
  inFlight = 0;
  private pushes = 0;

  private constructor(behaviour: ReceiverBehaviour) {
    this.behaviour = behaviour;
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const { status, delayMs = 0 } = this.behaviour(this.pushes);
        this.pushes += 1;
        this.inFlight += 1;
        const answer = () => {
          this.inFlight -= 1;
          this.received.push({ set: Buffer.concat(chunks).toString('utf8'), contentType: request.headers['content-type'], authorization: request.headers.authorization, status });
          if (status === 400) {
            response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ err: 'invalid_audience', description: 'not for this receiver' }));
          } else {
            response.writeHead(status).end();
          }
        };
        if (delayMs > 0) {
          setTimeout(answer, delayMs).unref();
        } else {
          answer();
        }
      });
    });
  }

  static async start(behaviour: ReceiverBehaviour = () => ({ status: 202 })): Promise<SetReceiver> {
    const receiver = new SetReceiver(behaviour);
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/ssf/events`;
  }

  /** The pushes of one transaction (`txn`, the kill switch id), retries included. */
  pushesOf(txn: string): ReceivedSet[] {
    return this.received.filter((push) => decodeJwt(push.set)['txn'] === txn);
  }

  /**
   * The SETs it acknowledged (2xx), decoded, one per distinct `jti` (a repeat is what receivers drop);
   * with `txn`, only those of that transaction (an enabled stream also hears other suites' switches).
   */
  accepted(txn?: string): Record<string, unknown>[] {
    const byJti = new Map<string, Record<string, unknown>>();
    for (const push of this.received.filter((received) => received.status >= 200 && received.status <= 299)) {
      const claims = decodeJwt(push.set) as Record<string, unknown>;
      if (txn === undefined || claims['txn'] === txn) {
        byJti.set(String(claims['jti']), claims);
      }
    }
    return [...byJti.values()];
  }

  /** Verifies every SET it was sent against `jwks` as a receiver must (SSF 1.0 explicit typing, RS256). */
  async verifyAll(jwks: JSONWebKeySet, expected: { issuer: string; audience: string; txn?: string }): Promise<{ header: Record<string, unknown>; payload: Record<string, unknown> }[]> {
    const keys = createLocalJWKSet(jwks);
    const verified = [];
    for (const push of this.received) {
      const { protectedHeader, payload } = await jwtVerify(push.set, keys, { algorithms: ['RS256'], typ: 'secevent+jwt', issuer: expected.issuer, audience: expected.audience });
      if (expected.txn === undefined || payload['txn'] === expected.txn) {
        verified.push({ header: protectedHeader as Record<string, unknown>, payload: payload as Record<string, unknown> });
      }
    }
    return verified;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }
}
