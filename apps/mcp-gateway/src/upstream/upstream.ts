/**
 * @overview The outbound leg: one request to the fronted resource's upstream MCP server, with the
 * credential its pattern calls for (outbound-credentials.ts: an XAA access token, a brokered STS
 * token, a service account's Basic credentials, a vaulted API key, or none) and nothing of the
 * agent's (no Authorization header, no cookie). When the upstream answers 401 or 403, the
 * credential was probably rotated or revoked: it is obtained again at once and the request sent
 * once more.
 *
 * The agent never sees the credential: it is only ever in this request's headers.
 *
 * Sent over the gateway's kept-alive connections (http/outbound-http.ts), and answered as node's
 * own stream, which the gateway pipes to the agent: no web Request, Response or stream per call.
 * Redirects are not followed (the answer is relayed as it is). The upstream timeout bounds a
 * request, answer included.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

import type { Route } from '../crossgate/crossgate.client.ts';
import { bodyText, type OutboundHttp } from '../http/outbound-http.ts';
import type { OutboundCredentials, Session } from './outbound-credentials.ts';

/** The MCP transport headers that travel upstream; everything else of the agent's stays at the gateway. */
const forwardedRequestHeaders = ['accept', 'content-type', 'mcp-session-id', 'mcp-protocol-version', 'last-event-id'];
/** And back. */
const forwardedResponseHeaders = ['content-type', 'mcp-session-id', 'cache-control'];

export class UpstreamUnavailableError extends Error {
  override readonly name = 'UpstreamUnavailableError';
}

/** What the gateway reads of a request's headers: `get` as web `Headers` has it. */
export interface HeaderReader {
  get(name: string): string | null;
}

export interface UpstreamRequest {
  method: string;
  headers: HeaderReader;
  body?: string;
}

/** The upstream's answer, its body not read yet. */
export interface UpstreamAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
}

/** The answer's body as text. */
export const textOf = (answer: UpstreamAnswer): Promise<string> => bodyText(answer.body);

/** Drops the answer's body (its connection is reused once it is read). */
export function discard(answer: UpstreamAnswer): void {
  answer.body.resume();
}

export class Upstream {
  constructor(
    private readonly credentials: OutboundCredentials,
    private readonly timeoutMs: number,
    private readonly outbound: OutboundHttp,
  ) {}

  /** The upstream's answer. @throws UpstreamUnavailableError when it cannot be reached in time. */
  async send(route: Route, session: Session, request: UpstreamRequest): Promise<UpstreamAnswer> {
    const first = await this.attempt(route, session, request, false);
    if (route.pattern !== 'none' && (first.status === 401 || first.status === 403)) {
      discard(first);
      return this.attempt(route, session, request, true);
    }
    return first;
  }

  /**
   * Only the transport headers of an upstream answer, for the agent; with `relayed` (the body goes
   * to the agent byte for byte) its `content-length` too, so the agent's answer needs no chunked
   * framing and goes out in one write.
   */
  static responseHeaders(answer: UpstreamAnswer, { relayed = false }: { relayed?: boolean } = {}): Record<string, string> {
    const headers: Record<string, string> = {};
    for (const name of forwardedResponseHeaders) {
      const value = answer.headers[name];
      if (value !== undefined) {
        headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
    }
    const length = answer.headers['content-length'];
    if (relayed && length !== undefined && /^\d+$/.test(length) && answer.headers['transfer-encoding'] === undefined) {
      headers['content-length'] = length;
    }
    return headers;
  }

  private async attempt(route: Route, session: Session, request: UpstreamRequest, freshCredential: boolean): Promise<UpstreamAnswer> {
    const headers: Record<string, string> = {};
    for (const name of forwardedRequestHeaders) {
      const value = request.headers.get(name);
      if (value !== null) {
        headers[name] = value;
      }
    }
    for (const [name, value] of Object.entries(await this.credentials.headers(route, session, freshCredential))) {
      headers[name.toLowerCase()] = value;
    }
    const body = request.body === undefined ? undefined : Buffer.from(request.body, 'utf8');
    const unreachable = (cause: unknown) => new UpstreamUnavailableError(`The upstream MCP server of ${route.slug} cannot be reached`, { cause });
    try {
      // A malformed upstream URL throws here, and the upstream is as unreachable as a closed port.
      const response = await this.outbound.send(new URL(route.upstreamUrl), { method: request.method, headers, ...(body === undefined ? {} : { body }), timeoutMs: this.timeoutMs });
      return { status: response.statusCode ?? 502, headers: response.headers, body: response };
    } catch (cause) {
      throw unreachable(cause);
    }
  }
}
