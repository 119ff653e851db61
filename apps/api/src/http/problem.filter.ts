/**
 * @overview Every error leaves the admin API here, as JSON with a status, a stable code and a message
 * a person can act on. Anything unexpected becomes a bare 500 that names the request id; its detail
 * goes to the log only, never to the caller.
 */
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';

import { PolicyUnavailableError } from '@crossgate/policy';
import { StoreError } from '@crossgate/store';

import { AdminApiError, type AdminErrorCode } from './admin-api.error.ts';

interface Problem {
  statusCode: number;
  error: AdminErrorCode | 'internal_error';
  message: string;
  errors?: Record<string, string>;
  requestId?: string;
}

/** Body-parser and router errors carry a status and a type but are not Nest exceptions. */
interface HttpishError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
}

function fromStoreError(error: StoreError): AdminApiError {
  switch (error.code) {
    case 'unique_violation':
      return new AdminApiError(
        'conflict',
        `A record with the same ${error.fields.join(', ') || 'unique value'} already exists`,
        Object.fromEntries(error.fields.map((field) => [field, 'already taken'])),
      );
    case 'reference_violation':
      return new AdminApiError('conflict', `The change ${error.message}`);
    case 'not_found':
      return new AdminApiError('not_found', 'Not found');
    default: {
      const unreachable: never = error.code;
      return unreachable;
    }
  }
}

function fromHttpish(error: HttpishError & Error): AdminApiError | undefined {
  const status = error.status ?? error.statusCode;
  if (error.type === 'entity.too.large' || status === 413) {
    return new AdminApiError('payload_too_large', 'The request body is larger than the limit');
  }
  if (error.type === 'entity.parse.failed') {
    return new AdminApiError('bad_request', 'The request body is not valid JSON, or not a JSON object');
  }
  if (error.type === 'encoding.unsupported' || error.type === 'charset.unsupported') {
    return new AdminApiError('bad_request', 'The request body encoding is not supported');
  }
  if (status !== undefined && status >= 400 && status < 500 && error.expose) {
    return new AdminApiError('bad_request', error.message);
  }
  return undefined;
}

function fromHttpException(error: HttpException): AdminApiError | undefined {
  // Nest wraps body-parser errors (bad JSON, too large) in an HttpException whose message is the
  // parser's own ("Unexpected end of JSON input"); the original, with its `type`, is the cause.
  const cause = error.cause as (HttpishError & Error) | undefined;
  if (cause instanceof Error && typeof cause.type === 'string') {
    const fromParser = fromHttpish(cause);
    if (fromParser) {
      return fromParser;
    }
  }
  const status = error.getStatus();
  switch (status) {
    case 404:
      return new AdminApiError('not_found', 'No such route');
    case 405:
      return new AdminApiError('method_not_allowed', 'Method not allowed');
    case 413:
      return new AdminApiError('payload_too_large', 'The request body is larger than the limit');
    default:
      return status >= 400 && status < 500 ? new AdminApiError('bad_request', error.message) : undefined;
  }
}

export function toAdminApiError(error: unknown): AdminApiError | undefined {
  if (error instanceof AdminApiError) {
    return error;
  }
  if (error instanceof StoreError) {
    return fromStoreError(error);
  }
  if (error instanceof PolicyUnavailableError) {
    return new AdminApiError('unavailable', `${error.message}; try again shortly`);
  }
  if (error instanceof HttpException) {
    return fromHttpException(error);
  }
  if (error instanceof Error) {
    return fromHttpish(error as HttpishError & Error);
  }
  return undefined;
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const requestId = response.getHeader('x-request-id')?.toString();
    const known = toAdminApiError(exception);
    let problem: Problem;
    if (known) {
      problem = { statusCode: known.status, error: known.code, message: known.message };
      if (known.fieldErrors) {
        problem.errors = known.fieldErrors;
      }
    } else {
      this.logger.error(
        `${request.method} ${request.path} failed (request ${requestId ?? '-'})`,
        exception instanceof Error ? exception.stack : String(exception),
      );
      problem = { statusCode: 500, error: 'internal_error', message: 'Internal error', requestId };
    }
    if (response.headersSent) {
      response.end();
      return;
    }
    response.status(problem.statusCode).json(problem);
  }
}
