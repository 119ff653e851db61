import { randomUUID } from 'node:crypto';

import type { NextFunction, Response } from 'express';

import type { AuthenticatedRequest } from '../auth/authorize.decorator.ts';

const acceptable = /^[A-Za-z0-9._:-]{8,100}$/;

/** Gives every request an id (a sane inbound X-Request-Id is kept) that audit events and logs share. */
export function requestId(request: AuthenticatedRequest, response: Response, next: NextFunction): void {
  const inbound = request.header('x-request-id');
  const id = inbound && acceptable.test(inbound) ? inbound : randomUUID();
  request.requestId = id;
  response.setHeader('X-Request-Id', id);
  next();
}
