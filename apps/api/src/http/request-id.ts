import { randomUUID } from 'node:crypto';

import type { NextFunction, Request, Response } from 'express';

import { currentLogContext } from '@crossgate/logging';

/** A request with the id this middleware gave it. */
export interface IdentifiedRequest extends Request {
  requestId?: string;
}

const acceptable = /^[A-Za-z0-9._:-]{8,100}$/;

/** A request's id: a sane inbound X-Request-Id is kept, anything else replaced by a fresh one. */
export function requestIdOf(inbound: string | string[] | undefined): string {
  return typeof inbound === 'string' && acceptable.test(inbound) ? inbound : randomUUID();
}

/**
 * Gives every request an id that audit events and logs share: the one request-observer.ts gave it
 * (the OAuth form endpoints use that one too), else a new one.
 */
export function requestId(request: IdentifiedRequest, response: Response, next: NextFunction): void {
  const id = currentLogContext()?.requestId ?? requestIdOf(request.header('x-request-id'));
  request.requestId = id;
  response.setHeader('X-Request-Id', id);
  next();
}

