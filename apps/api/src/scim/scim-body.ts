/**
 * SCIM clients send `application/scim+json` (RFC 7644 §3.1), which the API's JSON parser does not
 * take; this one takes both, and answers a body it cannot parse with a SCIM error rather than the
 * admin API's problem JSON.
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';

import { scimContentType, scimError, scimErrorBody } from './scim.error.ts';

export const scimPath = '/scim/v2';

export function scimJsonBody(limit: string | number): RequestHandler {
  const parse = express.json({ limit, strict: true, type: ['application/json', scimContentType] });
  return (request: Request, response: Response, next: NextFunction) => {
    parse(request, response, (failure?: unknown) => {
      if (failure === undefined || failure === null) {
        next();
        return;
      }
      const tooLarge = (failure as { type?: string }).type === 'entity.too.large';
      const error = tooLarge ? scimError(413, null, 'The request body is larger than the limit') : scimError(400, 'invalidSyntax', 'The request body is not valid JSON');
      response.status(error.status).type(scimContentType).send(JSON.stringify(scimErrorBody(error)));
    });
  };
}
