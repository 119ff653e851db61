/**
 * @overview The form body of a request to an OAuth endpoint (token, introspection, revocation), read
 * the one way RFC 6749 §3.2 asks: `application/x-www-form-urlencoded`, each parameter at most once,
 * and of a sane size, so nothing further down meets a repeated or giant parameter.
 * @see RFC 6749 §3.2; RFC 7662 §2.1; RFC 7009 §2.1
 */
import type { Request } from 'express';

import { defaultMaxTokenBytes } from '@crossgate/token';

import { OAuthError } from './oauth.error.ts';

/** Parameters that carry a token may be as long as a token may be; every other one is short. */
const tokenParameters = new Set(['subject_token', 'actor_token', 'client_assertion', 'assertion', 'token']);
const maxParameterLength = 2048;

export type Form = Record<string, string>;

/** Client authentication parameters (RFC 6749 §2.3.1, RFC 7523 §2.2), read before a grant's allow-list applies. */
export const clientAuthenticationParameters = ['client_id', 'client_secret', 'client_assertion', 'client_assertion_type'];

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
