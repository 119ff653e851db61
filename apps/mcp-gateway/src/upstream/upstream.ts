/**
 * @overview The outbound leg: one request to the fronted resource's upstream MCP server, with the
 * credential its pattern calls for and nothing of the agent's (no Authorization header, no cookie).
 *
 * - `vaulted_key`: the API key from Crossgate's vault (see CrossgateClient.credential) in the
 *   resource's key header (`authorization` carries `Bearer <key>`). When the upstream answers 401 or
 *   403, the key was probably rotated: it is retrieved again at once and the request sent once more.
 * - `none`: an upstream that takes no credential of the gateway's (a network-isolated server).
 *
 * The agent never sees the key: it is only ever in this request's headers.
 */
import type { CrossgateClient, Route } from '../crossgate/crossgate.client.ts';

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
    private readonly crossgate: CrossgateClient,
    private readonly timeoutMs: number,
  ) {}

  /** The upstream's answer. @throws UpstreamUnavailableError when it cannot be reached in time. */
  async send(route: Route, token: string, request: UpstreamRequest): Promise<Response> {
    const first = await this.attempt(route, token, request, false);
    if (route.pattern === 'vaulted_key' && (first.status === 401 || first.status === 403)) {
      await first.body?.cancel();
      return this.attempt(route, token, request, true);
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

  private async attempt(route: Route, token: string, request: UpstreamRequest, freshCredential: boolean): Promise<Response> {
    const headers = new Headers();
    for (const name of forwardedRequestHeaders) {
      const value = request.headers.get(name);
      if (value !== null) {
        headers.set(name, value);
      }
    }
    if (route.pattern === 'vaulted_key') {
      const { key } = await this.crossgate.credential(route, token, freshCredential);
      headers.set(route.keyHeader, route.keyHeader === 'authorization' ? `Bearer ${key}` : key);
    }
    try {
      return await fetch(route.upstreamUrl, { method: request.method, headers, ...(request.body === undefined ? {} : { body: request.body }), signal: AbortSignal.timeout(this.timeoutMs), redirect: 'manual' });
    } catch (cause) {
      throw new UpstreamUnavailableError(`The upstream MCP server of ${route.slug} cannot be reached`, { cause });
    }
  }
}
