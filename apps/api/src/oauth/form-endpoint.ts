/**
 * @overview The OAuth endpoints that take a form POST (RFC 6749 §3.2), served straight from Express
 * ahead of Nest's router: the body is read by the app's form parser, then the endpoint runs and its
 * JSON answer (or RFC 6749 §5.2 error) is written with `Cache-Control: no-store`.
 *
 * Why not a Nest controller: these endpoints carry the product's load (DESIGN's ≥ 2,000 token
 * exchanges/s on two cores), and Nest's routing and execution context on every request (walking
 * the admin API's routes, guards, interceptors, `res.json`) cost about a tenth of the event loop
 * at full load for nothing these endpoints use: they authenticate clients themselves and answer
 * only OAuth JSON. The admin API keeps Nest.
 */
import type { IncomingHttpHeaders } from 'node:http';

import { Logger } from '@nestjs/common';
import type { Express, NextFunction, Request, Response } from 'express';

import { defaultMaxTokenBytes } from '@crossgate/token';

import { oauthErrorReply } from './oauth-error.filter.ts';
import { OAuthError } from './oauth.error.ts';

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
}

/** Parameters that carry a JWT may be as long as a token may be; every other one is short. */
const tokenParameters = new Set(['subject_token', 'actor_token', 'client_assertion', 'assertion', 'token']);
const maxParameterLength = 2048;

/** One form-encoded body, each parameter once and of a sane size (RFC 6749 §3.2). */
export function readForm(request: Request): Form {
  if (!request.is('application/x-www-form-urlencoded')) {
    throw new OAuthError('invalid_request', 'The request body must be application/x-www-form-urlencoded');
  }
  const body: unknown = request.body;
  if (typeof body !== 'object' || body === null) {
    throw new OAuthError('invalid_request', 'The request has no form body');
  }
  const form: Form = {};
  for (const [name, value] of Object.entries(body)) {
    if (typeof value !== 'string') {
      throw new OAuthError('invalid_request', `The ${name.slice(0, 64)} parameter is repeated`);
    }
    if (value.length > (tokenParameters.has(name) ? defaultMaxTokenBytes : maxParameterLength)) {
      throw new OAuthError('invalid_request', `The ${name.slice(0, 64)} parameter is too long`);
    }
    form[name] = value;
  }
  return form;
}

const logger = new Logger('oauth');

/** Serves `POST path` (Express path syntax, e.g. `/ras/:slug/token`) with `endpoint`. */
export function serveFormEndpoint(express: Express, path: string, endpoint: FormEndpoint): void {
  express.post(path, (request: Request, response: Response, next: NextFunction) => {
    const requestId = (request as Request & { requestId?: string }).requestId ?? null;
    endpoint.handle({ headers: request.headers, form: () => readForm(request), requestId, params: request.params as Record<string, string> }).then(
      (body) => send(response, 200, JSON.stringify(body)),
      (error: unknown) => {
        const reply = oauthErrorReply(error, request, logger);
        if (response.headersSent) {
          response.end();
          return;
        }
        for (const [name, value] of Object.entries(reply.headers)) {
          response.setHeader(name, value);
        }
        send(response, reply.status, JSON.stringify(reply.body));
      },
    ).catch(next);
  });
}

function send(response: Response, status: number, json: string): void {
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
  });
  response.end(json);
}
