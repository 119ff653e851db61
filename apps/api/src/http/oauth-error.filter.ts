/**
 * @overview Every error leaves the OAuth endpoints here, as the RFC 6749 §5.2 JSON object
 * `{ error, error_description }` with `Cache-Control: no-store` and `Pragma: no-cache`. Applied per
 * controller with `@UseFilters(OAuthErrorFilter)` (not globally: the admin API answers in its own
 * dialect). Anything that is not an {@link OAuthError} becomes a bare `server_error` 500; its detail
 * goes to the log only. Nothing from the request body is logged, so tokens and secrets never are.
 *
 * @see RFC 6749 §5.2 (error response; 401 and `WWW-Authenticate` when the client used the
 *   Authorization header), RFC 6750 §3 (challenge syntax)
 */
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';

import type { Request, Response } from 'express';

import { OAuthError } from './oauth.error.ts';

export const basicChallenge = 'Basic realm="crossgate"';

function toOAuthError(exception: unknown): OAuthError | undefined {
  if (exception instanceof OAuthError) {
    return exception;
  }
  // Nest's own 4xx (a body it could not parse, a pipe that refused input): the request's fault.
  if (exception instanceof HttpException && exception.getStatus() >= 400 && exception.getStatus() < 500) {
    return new OAuthError('invalid_request', 'The request could not be processed');
  }
  return undefined;
}

/** What the reply needs of a request, from Express or from the raw server (oauth/form-endpoint.ts). */
export interface RepliedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  requestId?: string | null;
}

/** Whether the client tried HTTP Basic authentication (RFC 6749 §2.3.1). */
function attemptedBasic(request: RepliedRequest): boolean {
  return /^basic(\s|$)/i.test(request.headers.authorization ?? '');
}

export interface OAuthErrorReply {
  status: number;
  headers: Record<string, string>;
  body: { error: string; error_description?: string } & Record<string, string>;
}

/**
 * The response for `exception` on an OAuth endpoint; logs what is not the caller's fault. Shared by
 * the Nest filter and the form endpoints served ahead of Nest (form-endpoint.ts).
 */
export function oauthErrorReply(exception: unknown, request: RepliedRequest, logger: Logger): OAuthErrorReply {
  const requestId = request.requestId ?? '-';
  let error = toOAuthError(exception);
  if (error === undefined) {
    // The stack names where it failed; messages of our own errors never carry a credential.
    logger.error(`${request.method} ${request.path} failed (request ${requestId})`, exception instanceof Error ? exception.stack : typeof exception);
    error = new OAuthError('server_error', 'Internal error');
  } else if (error.status >= 500) {
    logger.warn(`${request.method} ${request.path}: ${error.code} (request ${requestId}): ${error.description}`);
  }
  const headers: Record<string, string> = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };
  const challenge = error.wwwAuthenticate ?? (error.code === 'invalid_client' && attemptedBasic(request) ? basicChallenge : undefined);
  if (challenge !== undefined) {
    headers['WWW-Authenticate'] = challenge;
  }
  const body: OAuthErrorReply['body'] = { error: error.code };
  if (error.expose) {
    Object.assign(body, error.members);
    body.error_description = error.description;
    body.error = error.code;
  }
  return { status: error.status, headers, body };
}

@Catch()
export class OAuthErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('oauth');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request & { requestId?: string }>();
    const reply = oauthErrorReply(exception, { method: request.method, path: request.path, headers: request.headers, requestId: request.requestId ?? null }, this.logger);
    const response = http.getResponse<Response>();
    if (response.headersSent) {
      response.end();
      return;
    }
    for (const [name, value] of Object.entries(reply.headers)) {
      response.setHeader(name, value);
    }
    response.status(reply.status).json(reply.body);
  }
}
