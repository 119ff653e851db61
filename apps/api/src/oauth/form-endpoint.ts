/**
 * @overview The OAuth endpoints that take a form POST (RFC 6749 §3.2), served by the HTTP server
 * itself ahead of Express and Nest: the body is read and parsed here (URLSearchParams), the endpoint
 * runs, and its JSON answer (or RFC 6749 §5.2 error) is written with `Cache-Control: no-store`.
 * Every other request goes on to Express unchanged.
 *
 * Why not a Nest controller, nor an Express route: these endpoints carry the product's load (DESIGN's
 * ≥ 2,000 token exchanges/s on two cores). Nest's routing and execution context cost about a tenth of
 * the event loop at full load, and Express's middleware walk, request decoration and body parsing
 * (qs, type-is, raw-body) most of another tenth, for nothing these endpoints use: they authenticate
 * clients themselves, take one flat form, and answer only OAuth JSON. The admin API keeps both.
 */
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';

import { Logger } from '@nestjs/common';

import { currentLogContext, setRouteTemplate } from '@crossgate/logging';
import { defaultMaxTokenBytes } from '@crossgate/token';

import { OAuthError, oauthErrorReply, requestIdOf } from '../http/index.ts';

/** A form's parameters, each present once. */
export type Form = Record<string, string>;

export interface FormRequest {
  headers: IncomingHttpHeaders;
  /** Reads the body, or throws `invalid_request`: the endpoint calls it, so it can audit that refusal too. */
  form: () => Form;
  /** The request id audit events and logs share (see http/request-id.ts). */
  requestId: string | null;
  /** The path's named parameters, e.g. a resource's slug. */
  params: Record<string, string>;
}

export interface FormEndpoint {
  /** The JSON body of a 200 answer; an OAuthError for a refusal. */
  handle(request: FormRequest): Promise<object>;
  /** Parameters that may be as long as the body may be (a batch of items); every other one is as {@link parseForm} says. */
  longParameters?: ReadonlySet<string>;
}

/** Parameters that carry a JWT may be as long as a token may be; every other one is short. */
const tokenParameters = new Set(['subject_token', 'actor_token', 'client_assertion', 'assertion', 'token']);
const maxParameterLength = 2048;
const maxParameters = 100;
const formMediaType = 'application/x-www-form-urlencoded';

/** The body as read: its text, or why it was not read. */
type Body = { text: string } | { refusal: OAuthError } | { notForm: true };

/**
 * One form-encoded body, each parameter once and of a sane size (RFC 6749 §3.2); `longParameters`
 * are bounded by the body limit alone.
 * @throws OAuthError `invalid_request` naming what is wrong.
 */
export function parseForm(body: Body, longParameters?: ReadonlySet<string>): Form {
  if ('notForm' in body) {
    throw new OAuthError('invalid_request', `The request body must be ${formMediaType}`);
  }
  if ('refusal' in body) {
    throw body.refusal;
  }
  const form: Form = {};
  let count = 0;
  for (const [name, value] of new URLSearchParams(body.text)) {
    if (++count > maxParameters) {
      throw new OAuthError('invalid_request', `The form has more than ${maxParameters} parameters`);
    }
    if (Object.hasOwn(form, name)) {
      throw new OAuthError('invalid_request', `The ${name.slice(0, 64)} parameter is repeated`);
    }
    if (value.length > (tokenParameters.has(name) ? defaultMaxTokenBytes : maxParameterLength) && longParameters?.has(name) !== true) {
      throw new OAuthError('invalid_request', `The ${name.slice(0, 64)} parameter is too long`);
    }
    form[name] = value;
  }
  if (count === 0) {
    throw new OAuthError('invalid_request', 'The request has no form body');
  }
  return form;
}

/** Reads a form body of at most `limit` bytes; anything else is left for `parseForm` to refuse. */
function readBody(request: IncomingMessage, limit: number): Promise<Body> {
  const mediaType = (request.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (mediaType !== formMediaType) {
    request.resume();
    return Promise.resolve({ notForm: true });
  }
  // Made only when needed: an error's stack trace is not free, and this runs on every request.
  const tooLarge = (): Body => ({ refusal: new OAuthError('invalid_request', `The request body is larger than ${limit} bytes`) });
  if (Number(request.headers['content-length'] ?? 0) > limit) {
    request.resume();
    return Promise.resolve(tooLarge());
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
      }
    });
    request.on('end', () => resolve(size > limit ? tooLarge() : { text: Buffer.concat(chunks, size).toString('utf8') }));
    request.on('error', () => resolve({ refusal: new OAuthError('invalid_request', 'The request body could not be read') }));
  });
}

/** `/ras/:slug/token` → a matcher giving `{ slug }`; a trailing slash is accepted, as Express does. */
function compilePath(path: string): (pathname: string) => Record<string, string> | null {
  const names: string[] = [];
  const pattern = path
    .split('/')
    .map((segment) => {
      if (segment.startsWith(':')) {
        names.push(segment.slice(1));
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  const regex = new RegExp(`^${pattern}/?$`);
  return (pathname) => {
    const match = regex.exec(pathname);
    if (match === null) {
      return null;
    }
    const params: Record<string, string> = {};
    names.forEach((name, index) => {
      try {
        params[name] = decodeURIComponent(match[index + 1]!);
      } catch {
        params[name] = match[index + 1]!;
      }
    });
    return params;
  };
}

const logger = new Logger('oauth');

/**
 * Serves `POST <path>` for each route (Express path syntax, e.g. `/ras/:slug/token`) on `server`,
 * before the listeners already there (Express); every other request goes to them untouched.
 */
export function serveFormEndpoints(server: Server, routes: Iterable<[string, FormEndpoint]>, options: { bodyLimitBytes: number }): void {
  const compiled = [...routes].map(([path, endpoint]) => ({ path, match: compilePath(path), endpoint }));
  const others = server.listeners('request') as ((request: IncomingMessage, response: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (request.method === 'POST') {
      const url = request.url ?? '/';
      const query = url.indexOf('?');
      const pathname = query === -1 ? url : url.slice(0, query);
      for (const route of compiled) {
        const params = route.match(pathname);
        if (params !== null) {
          setRouteTemplate(request, route.path);
          void serve(request, response, pathname, route.endpoint, params, options.bodyLimitBytes);
          return;
        }
      }
    }
    for (const listener of others) {
      listener.call(server, request, response);
    }
  });
}

async function serve(request: IncomingMessage, response: ServerResponse, pathname: string, endpoint: FormEndpoint, params: Record<string, string>, limit: number): Promise<void> {
  // The id request-observer.ts gave the request (it also sent it as X-Request-Id).
  const requestId = currentLogContext()?.requestId ?? requestIdOf(request.headers['x-request-id']);
  response.setHeader('X-Request-Id', requestId);
  try {
    const body = await readBody(request, limit);
    const answer = await endpoint.handle({ headers: request.headers, form: () => parseForm(body, endpoint.longParameters), requestId, params });
    send(response, 200, JSON.stringify(answer));
  } catch (error) {
    const reply = oauthErrorReply(error, { method: 'POST', path: pathname, headers: request.headers, requestId }, logger);
    if (response.headersSent) {
      response.end();
      return;
    }
    for (const [name, value] of Object.entries(reply.headers)) {
      response.setHeader(name, value);
    }
    send(response, reply.status, JSON.stringify(reply.body));
  }
}

function send(response: ServerResponse, status: number, json: string): void {
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
  });
  response.end(json);
}
