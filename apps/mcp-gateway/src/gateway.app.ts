/**
 * @overview The MCP gateway as one node:http request handler, in the order its checks run (the
 * gateway's own answers are web `Response`s; an upstream's answer is piped through as node's
 * stream, with no web Request, Response or stream on a call's way):
 *
 * 1. `/.well-known/oauth-protected-resource/mcp/<slug>`: the RFC 9728 metadata of a fronted resource.
 * 2. `/mcp/<slug>`: the resource must be gateway-fronted, and fronted by this gateway (404 else).
 * 3. The agent's bearer token, introspected at the resource's Crossgate issuer (401 with a
 *    `resource_metadata` challenge when absent or not active; 503 when Crossgate cannot answer).
 *    Or, instead, the user's IdP ID token in the `Crossgate-ID-Token` header with the agent's own
 *    Crossgate client credentials as HTTP Basic: the gateway does the token exchange and
 *    redemption as that client (CrossgateClient.accessTokenFromIdToken), and the access token it
 *    gets goes through the same introspection; a refusal is 401 with Crossgate's error code.
 * 4. A POST body of at most `maxMessageBytes` (413), one JSON-RPC message (400 with a JSON-RPC error).
 * 5. Tool policy: `tools/call` of a tool the granted scopes do not allow is answered here with a
 *    JSON-RPC error naming the scope; `tools/list` answers only the tools they allow. A call of a
 *    high-risk tool waits for an admin's approval at Crossgate (approval/tool-approval.ts); a
 *    refusal, a timeout or Crossgate not answering is a JSON-RPC error naming why. A waiting call
 *    that carries a progress token is answered with an SSE stream of progress notifications, then
 *    the result (json-rpc/progress-stream.ts), so the agent's request timeout can follow the wait.
 * 6. Forwarded upstream with the credential of the resource's outbound pattern (XAA, STS, vaulted
 *    key, service account: upstream/outbound-credentials.ts); Crossgate refusing it is a JSON-RPC
 *    error (403), with an STS connection's consent URI in its `data`; the answer streams back. Every tool call, allowed or refused, is recorded in Crossgate's audit log
 *    (in batches, crossgate/tool-call-batches.ts) with a SHA-256 of its canonical (RFC 8785)
 *    arguments, never their values.
 *
 * Nothing is kept per session: the upstream's `Mcp-Session-Id` travels through, and every call is
 * authorised on its own, so any number of gateway instances can serve the same session.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

import canonicalize from 'canonicalize';

import type { GatewayConfig } from './config/gateway.config.ts';
import { type Caller, CrossgateClient, CrossgateRefusalError, CrossgateUnavailableError, type Route } from './crossgate/crossgate.client.ts';
import { errorCodes, errorMessage, type JsonRpcId, type JsonRpcMessage, metaOf, parseMessage, rewriteMessages } from './json-rpc/json-rpc.ts';
import { awaitToolApproval, summaryMetaKey } from './approval/tool-approval.ts';
import { acceptsEventStream, progressStream, progressTokenOf } from './json-rpc/progress-stream.ts';
import { OutboundHttp } from './http/outbound-http.ts';
import { decideToolCall, visibleTools } from './policy/tool-policy.ts';
import { idTokenHeader, protectedResourceMetadata, unauthorized } from './protected-resource/protected-resource.ts';
import { OutboundCredentials, type Session } from './upstream/outbound-credentials.ts';
import { discard, type HeaderReader, textOf, Upstream, type UpstreamAnswer, UpstreamUnavailableError } from './upstream/upstream.ts';

export interface GatewayLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface GatewayApp {
  nodeHandler: (request: IncomingMessage, response: ServerResponse) => Promise<void>;
  /** Sends the audit records still pending (for a graceful stop). */
  close(): Promise<void>;
}

const slugPattern = '([a-z0-9]+(?:-[a-z0-9]+)*)';
const mcpPath = new RegExp(`^/mcp/${slugPattern}$`);
const metadataPath = new RegExp(`^/\\.well-known/oauth-protected-resource/mcp/${slugPattern}$`);

const jsonRpcReply = (body: JsonRpcMessage, status = 200) => Response.json(body, { status, headers: { 'cache-control': 'no-store' } });
const unavailable = (description: string) => Response.json({ error: 'temporarily_unavailable', error_description: description }, { status: 503, headers: { 'retry-after': '5' } });

/** What the gateway reads of an agent's request. */
interface GatewayRequest {
  method: string;
  pathname: string;
  headers: HeaderReader;
  /** The body, or null when it is longer than `limit` bytes (it is not read further). */
  body(limit: number): Promise<string | null>;
}

/** An answer to the agent: the gateway's own, or the upstream's, relayed with only its transport headers. */
type Reply = Response | { status: number; headers: Record<string, string>; body: Readable };

function gatewayRequest(incoming: IncomingMessage): GatewayRequest {
  return {
    method: incoming.method ?? 'GET',
    pathname: new URL(incoming.url ?? '/', 'http://gateway').pathname,
    headers: {
      get: (name) => {
        const value = incoming.headers[name];
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
      },
    },
    body: (limit) => {
      if (Number(incoming.headers['content-length'] ?? '0') > limit) {
        return Promise.resolve(null);
      }
      return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const onData = (chunk: Buffer) => {
          size += chunk.length;
          if (size > limit) {
            // Not read further: the 413 closes the connection.
            incoming.off('data', onData).pause();
            resolve(null);
            return;
          }
          chunks.push(chunk);
        };
        incoming.on('data', onData);
        incoming.once('end', () => resolve(Buffer.concat(chunks, size).toString('utf8')));
        incoming.once('error', reject);
      });
    },
  };
}

/** A reply as a web Response (for the progress stream, which relays it). */
function asResponse(reply: Reply): Response {
  return reply instanceof Response ? reply : new Response(Readable.toWeb(reply.body) as ReadableStream<Uint8Array>, { status: reply.status, headers: reply.headers });
}

/** Writes `reply` to the agent, its body streamed as it comes (and dropped once the agent goes). */
async function write(reply: Reply, response: ServerResponse): Promise<void> {
  if (!(reply instanceof Response)) {
    response.writeHead(reply.status, reply.headers);
    // pipe() rather than pipeline(): no AbortController per call. Either side failing ends the other.
    reply.body.once('error', () => response.destroy());
    response.once('close', () => {
      if (!reply.body.readableEnded) {
        reply.body.destroy();
      }
    });
    reply.body.pipe(response);
    return;
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of reply.headers) {
    headers[name] = value;
  }
  response.writeHead(reply.status, headers);
  if (reply.body === null) {
    response.end();
    return;
  }
  await pipeline(Readable.fromWeb(reply.body as WebReadableStream), response).catch(() => undefined);
}

/** SHA-256 of the canonical JSON of a call's arguments (RFC 8785): the same arguments, the same digest. */
export function argumentsDigest(args: unknown): string {
  return createHash('sha256')
    .update(canonicalize(args ?? {}) ?? '')
    .digest('hex');
}

export function createGatewayApp(config: GatewayConfig, logger: GatewayLogger): GatewayApp {
  const outbound = new OutboundHttp();
  const crossgate = new CrossgateClient(config, (message) => logger.warn(message), outbound);
  const upstream = new Upstream(new OutboundCredentials(crossgate, config.cache), config.upstreamTimeoutMs, outbound);

  async function serve(request: GatewayRequest): Promise<Reply> {
    const path = request.pathname;
    if (path === '/healthz') {
      return Response.json({ status: 'ok' });
    }
    const metadataSlug = metadataPath.exec(path)?.[1];
    const slug = metadataSlug ?? mcpPath.exec(path)?.[1];
    if (slug === undefined) {
      return Response.json({ error: 'not_found' }, { status: 404 });
    }
    if (!crossgate.configured) {
      return unavailable('The gateway has no client at Crossgate yet');
    }
    try {
      const route = await crossgate.route(slug);
      if (route === null) {
        return Response.json({ error: 'not_found', error_description: `No resource "${slug}" is fronted by this gateway` }, { status: 404 });
      }
      if (metadataSlug !== undefined) {
        return request.method === 'GET' ? Response.json(protectedResourceMetadata(route), { headers: { 'access-control-allow-origin': '*' } }) : new Response(null, { status: 405, headers: { allow: 'GET' } });
      }
      return await serveMcp(route, request);
    } catch (error) {
      if (error instanceof CrossgateUnavailableError) {
        logger.warn(`Refused a request to ${slug}: ${error.message}`);
        return unavailable('Crossgate cannot be asked right now');
      }
      if (error instanceof CrossgateRefusalError) {
        // Crossgate refused the gateway itself (say, it is no longer the resource's resource server): fail closed.
        logger.error(`Crossgate refused the gateway for ${slug}: ${error.code}: ${error.message}`);
        return unavailable('The gateway cannot validate tokens for this resource right now');
      }
      throw error;
    }
  }

  /** The access token of the request: its bearer token, or one obtained from the user's ID token; else the 401 to answer. */
  async function accessTokenOf(route: Route, request: GatewayRequest): Promise<string | Response> {
    const authorization = request.headers.get('authorization');
    const idToken = request.headers.get(idTokenHeader);
    if (idToken !== null) {
      if (authorization === null || !/^Basic [A-Za-z0-9+/=]+$/i.test(authorization) || !/^[\x21-\x7E]+$/.test(idToken)) {
        return unauthorized(route, { code: 'invalid_request', description: `With ${idTokenHeader}, authenticate as your Crossgate client: "Authorization: Basic <client_id:client_secret>"` });
      }
      try {
        return await crossgate.accessTokenFromIdToken(route, authorization, idToken);
      } catch (error) {
        if (error instanceof CrossgateRefusalError) {
          const clientRefused = error.code === 'invalid_client' || error.code === 'unauthorized_client';
          return unauthorized(route, { code: clientRefused ? 'invalid_client' : 'invalid_token', description: `Crossgate refused the token exchange: ${error.code}: ${error.message}` });
        }
        throw error;
      }
    }
    if (authorization === null) {
      return unauthorized(route);
    }
    const token = /^Bearer ([\x21-\x7E]+)$/i.exec(authorization)?.[1];
    if (token === undefined) {
      return unauthorized(route, { code: 'invalid_request', description: 'The Authorization header must be "Bearer <access token>"' });
    }
    return token;
  }

  async function serveMcp(route: Route, request: GatewayRequest): Promise<Reply> {
    const token = await accessTokenOf(route, request);
    if (token instanceof Response) {
      return token;
    }
    const caller = await crossgate.caller(route, token);
    if (caller === null) {
      return unauthorized(route, { code: 'invalid_token', description: 'The access token is not active for this resource' });
    }
    if (request.method !== 'POST') {
      return relay(await forward(route, { token, caller }, { method: request.method, headers: request.headers }));
    }
    const body = await request.body(config.maxMessageBytes);
    if (body === null) {
      return Response.json(errorMessage(null, errorCodes.invalidRequest, `The message is larger than ${config.maxMessageBytes} bytes`), { status: 413, headers: { 'cache-control': 'no-store', connection: 'close' } });
    }
    const parsed = parseMessage(body);
    if ('refusal' in parsed) {
      return jsonRpcReply(errorMessage(null, parsed.refusal.code, parsed.refusal.message), 400);
    }
    const { message } = parsed;
    const id: JsonRpcId = message.id ?? null;
    const send = () => forward(route, { token, caller }, { method: 'POST', headers: request.headers, body });
    if (message.method === 'tools/call') {
      return callTool(route, token, caller, { id, message, acceptsEventStream: acceptsEventStream(request.headers) }, send);
    }
    if (message.method !== 'tools/list') {
      return relay(await send(), id);
    }
    const answer = await send();
    if ('code' in answer || answer.status < 200 || answer.status > 299) {
      return relay(answer, id);
    }
    const filtered = rewriteMessages(await textOf(answer), Upstream.responseHeaders(answer)['content-type'] ?? '', (reply) =>
      Array.isArray(reply.result?.['tools']) ? { ...reply, result: { ...reply.result, tools: visibleTools(route.toolScopes, caller.scopes, reply.result['tools'] as { name?: unknown }[]) } } : reply,
    );
    return new Response(filtered, { status: answer.status, headers: Upstream.responseHeaders(answer) });
  }

  async function callTool(route: Route, token: string, caller: Caller, call: { id: JsonRpcId; message: JsonRpcMessage; acceptsEventStream: boolean }, send: () => Promise<UpstreamAnswer | GatewayRefusal>): Promise<Reply> {
    const { id, message } = call;
    const tool = message.params?.['name'];
    if (typeof tool !== 'string' || tool === '') {
      return jsonRpcReply(errorMessage(id, errorCodes.invalidParams, 'tools/call needs params.name'));
    }
    const argumentsSha256 = argumentsDigest(message.params?.['arguments']);
    const decision = decideToolCall(route.toolScopes, caller.scopes, tool);
    if (!decision.allowed) {
      crossgate.recordToolCall(route, token, { tool, decision: 'deny', reason: decision.reason, pattern: route.pattern, downstreamStatus: null, latencyMs: 0, argumentsSha256 });
      return jsonRpcReply(errorMessage(id, errorCodes.forbidden, decision.reason, decision.scope === undefined ? { tool } : { tool, requiredScope: decision.scope }));
    }
    const sendAndRecord = async (approvalId?: string): Promise<Reply> => {
      const started = performance.now();
      const answer = await send();
      const latencyMs = performance.now() - started;
      const refused = 'code' in answer;
      crossgate.recordToolCall(route, token, {
        tool,
        decision: refused ? 'deny' : 'allow',
        ...(refused ? { reason: answer.reason } : {}),
        pattern: route.pattern,
        downstreamStatus: refused ? null : answer.status,
        latencyMs,
        argumentsSha256,
        ...(approvalId === undefined ? {} : { approvalId }),
      });
      return relay(answer, id);
    };
    if (!route.approvalTools.includes(tool)) {
      return sendAndRecord();
    }
    const summary = metaOf(message, summaryMetaKey);
    const approveThenSend = async (): Promise<Reply> => {
      const approval = await awaitToolApproval(crossgate, route, token, { tool, argumentsSha256, ...(typeof summary === 'string' && summary.trim() !== '' ? { summary } : {}) });
      const { approvalId } = approval;
      if (!approval.approved) {
        crossgate.recordToolCall(route, token, { tool, decision: 'deny', reason: approval.reason, pattern: route.pattern, downstreamStatus: null, latencyMs: 0, argumentsSha256, ...(approvalId === undefined ? {} : { approvalId }) });
        return jsonRpcReply(errorMessage(id, errorCodes.forbidden, approval.reason, { tool, approval: approval.status, ...(approvalId === undefined ? {} : { approvalId }) }));
      }
      return sendAndRecord(approvalId);
    };
    const progressToken = progressTokenOf(message);
    if (progressToken === undefined || !call.acceptsEventStream) {
      return approveThenSend();
    }
    return progressStream(progressToken, config.approvalProgressMs, () => `Tool "${tool}" is waiting for an approver at Crossgate`, async () => asResponse(await approveThenSend()));
  }

  /** The upstream's answer, or why the gateway could not get one. */
  async function forward(route: Route, session: Session, request: { method: string; headers: HeaderReader; body?: string }): Promise<UpstreamAnswer | GatewayRefusal> {
    try {
      const answer = await upstream.send(route, session, request);
      if (answer.status === 401 || answer.status === 403) {
        discard(answer);
        logger.warn(`The upstream MCP server of ${route.slug} refused the gateway's credential (${answer.status})`);
        return { status: 502, code: errorCodes.upstreamUnavailable, reason: "The upstream MCP server refused the gateway's credential" };
      }
      return answer;
    } catch (error) {
      if (error instanceof CrossgateRefusalError) {
        // An STS connection the user has not consented to yet: the agent shows them where to.
        return { status: 403, code: errorCodes.forbidden, reason: `Crossgate refused the outbound credential: ${error.message}`, ...(error.consentUri === undefined ? {} : { data: { consentUri: error.consentUri } }) };
      }
      if (error instanceof UpstreamUnavailableError) {
        logger.warn(`${error.message}: ${error.cause instanceof Error ? error.cause.message : String(error.cause)}`);
        return { status: 502, code: errorCodes.upstreamUnavailable, reason: error.message };
      }
      throw error;
    }
  }

  function relay(answer: UpstreamAnswer | GatewayRefusal, id: JsonRpcId = null): Reply {
    if ('code' in answer) {
      return jsonRpcReply(errorMessage(id, answer.code, answer.reason, answer.data), answer.status);
    }
    return { status: answer.status, headers: Upstream.responseHeaders(answer, { relayed: true }), body: answer.body };
  }

  return {
    nodeHandler: async (incoming, outgoing) => {
      let reply: Reply;
      try {
        reply = await serve(gatewayRequest(incoming));
      } catch (error) {
        logger.error(`HTTP: ${error instanceof Error ? error.message : String(error)}`);
        reply = Response.json({ jsonrpc: '2.0', error: { code: errorCodes.internalError, message: 'Internal server error' }, id: null }, { status: 500 });
      }
      await write(reply, outgoing);
    },
    close: () => crossgate.flushed(),
  };
}

/** An answer the gateway gives instead of the upstream's. */
interface GatewayRefusal {
  status: number;
  code: number;
  reason: string;
  data?: Record<string, unknown>;
}
