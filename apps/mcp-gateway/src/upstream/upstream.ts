/**
 * @overview The outbound leg: one request to the fronted resource's upstream MCP server, with the
 * credential its pattern calls for (outbound-credentials.ts: an XAA access token, a brokered STS
 * token, a service account's Basic credentials, a vaulted API key, or none) and nothing of the
 * agent's (no Authorization header, no cookie). When the upstream answers 401 or 403, the
 * credential was probably rotated or revoked: it is obtained again at once and the request sent
 * once more.
 *
 * The agent never sees the credential: it is only ever in this request's headers.
 */
import type { Route } from '../crossgate/crossgate.client.ts';
import type { OutboundCredentials, Session } from './outbound-credentials.ts';

/** The MCP transport headers that travel upstream; everything else of the agent's stays at the gateway. */
const forwardedRequestHeaders = ['accept', 'content-type', 'mcp-session-id', 'mcp-protocol-version', 'last-event-id'];
/** And back. */
const forwardedResponseHeaders = ['content-type', 'mcp-session-id', 'cache-control'];

export class UpstreamUnavailableError extends Error {
  override readonly name = 'UpstreamUnavailableError';
}

export interface UpstreamRequest {
  method: string;
  headers: Headers;
  body?: string;
}

export class Upstream {
  constructor(
    private readonly credentials: OutboundCredentials,
    private readonly timeoutMs: number,
  ) {}

  /** The upstream's answer. @throws UpstreamUnavailableError when it cannot be reached in time. */
  async send(route: Route, session: Session, request: UpstreamRequest): Promise<Response> {
    const first = await this.attempt(route, session, request, false);
    if (route.pattern !== 'none' && (first.status === 401 || first.status === 403)) {
      await first.body?.cancel();
      return this.attempt(route, session, request, true);
    }
    return first;
  }

  /** Only the transport headers of an upstream answer, for the agent. */
  static responseHeaders(response: Response): Headers {
    const headers = new Headers();
    for (const name of forwardedResponseHeaders) {
      const value = response.headers.get(name);
      if (value !== null) {
        headers.set(name, value);
      }
    }
    return headers;
  }

  private async attempt(route: Route, session: Session, request: UpstreamRequest, freshCredential: boolean): Promise<Response> {
    const headers = new Headers();
    for (const name of forwardedRequestHeaders) {
      const value = request.headers.get(name);
      if (value !== null) {
        headers.set(name, value);
      }
    }
    for (const [name, value] of Object.entries(await this.credentials.headers(route, session, freshCredential))) {
      headers.set(name, value);
    }
    try {
      return await fetch(route.upstreamUrl, { method: request.method, headers, ...(request.body === undefined ? {} : { body: request.body }), signal: AbortSignal.timeout(this.timeoutMs), redirect: 'manual' });
    } catch (cause) {
      throw new UpstreamUnavailableError(`The upstream MCP server of ${route.slug} cannot be reached`, { cause });
    }
  }
}
