/**
 * @overview SCIM errors (RFC 7644 §3.12) are scimmy's `SCIMMY.Types.Error`: a status, a `scimType`
 * keyword and a detail. This file names the ones Crossgate raises and turns anything else into one,
 * the single mapping the SCIM filter and the body parser share. A status of 500 is only ever a bug
 * or an outage, and its detail never reaches the caller.
 */
import SCIMMY from 'scimmy';

import { StoreError } from '@crossgate/store';

/** The content type of every SCIM answer (RFC 7644 §8.1). */
export const scimContentType = 'application/scim+json';

export type ScimError = InstanceType<typeof SCIMMY.Types.Error>;

/** A SCIM error with `scimType` set only where RFC 7644 §3.12 defines one for the status. */
export function scimError(status: 400 | 401 | 403 | 404 | 409 | 413 | 500, scimType: string | null, detail: string): ScimError {
  return new SCIMMY.Types.Error(status, scimType as string, detail);
}

export function notFound(what: 'User' | 'Group', id: string): ScimError {
  return scimError(404, null, `No ${what} with id "${id.slice(0, 64)}" at this IdP`);
}

/** Maps anything thrown while serving a SCIM request to the error the caller sees. */
export function toScimError(error: unknown): { error: ScimError; unexpected: boolean } {
  if (error instanceof SCIMMY.Types.Error) {
    return { error, unexpected: error.status >= 500 };
  }
  if (error instanceof StoreError) {
    switch (error.code) {
      case 'unique_violation':
        return { error: scimError(409, 'uniqueness', `A resource with the same ${error.fields.join(', ') || 'unique value'} already exists`), unexpected: false };
      case 'reference_violation':
        return { error: scimError(409, null, `The change ${error.message}`), unexpected: false };
      case 'not_found':
        return { error: scimError(404, null, 'Not found'), unexpected: false };
      default: {
        const unreachable: never = error.code;
        return unreachable;
      }
    }
  }
  // scimmy reports a value that does not fit the schema as a TypeError.
  if (error instanceof TypeError) {
    return { error: scimError(400, 'invalidValue', error.message), unexpected: false };
  }
  return { error: scimError(500, null, 'The request could not be completed; nothing was changed'), unexpected: true };
}

/** The body of a SCIM error response (`urn:ietf:params:scim:api:messages:2.0:Error`). */
export function scimErrorBody(error: ScimError): InstanceType<typeof SCIMMY.Messages.ErrorResponse> {
  return new SCIMMY.Messages.ErrorResponse(error);
}
