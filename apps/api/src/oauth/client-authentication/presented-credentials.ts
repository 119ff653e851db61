/**
 * @overview Which client authentication method a token request uses, read from the Authorization
 * header and the form body before anything is looked up. Exactly one method per request: a request
 * that combines two (Basic plus body credentials, a secret plus an assertion) is refused.
 *
 * @see RFC 6749 §2.3 ("MUST NOT use more than one authentication method in each request"),
 *   §2.3.1 (Basic: client id and secret form-urlencoded, then base64), §3.2 (no repeated parameters)
 * @see RFC 7521 §4.2, RFC 7523 §2.2 (`client_assertion_type`, `client_assertion`)
 */
import type { IncomingHttpHeaders } from 'node:http';

import { OAuthError } from '../../http/index.ts';

export const jwtBearerAssertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Longer values are refused before any lookup or hashing (a client id is at most 255 characters when registered). */
export const maxClientIdLength = 255;
export const maxSecretLength = 512;
/** 8 KiB: far above any real client assertion. */
export const maxAssertionBytes = 8 * 1024;

export type PresentedCredentials =
  | { method: 'client_secret_basic'; clientId: string; secret: string }
  | { method: 'client_secret_post'; clientId: string; secret: string }
  | { method: 'private_key_jwt'; clientId: string | undefined; assertion: string }
  | { method: 'none'; clientId: string };

/** The one message for every credential that does not check out, so responses never tell which part was wrong. */
export const authenticationFailed = 'Client authentication failed';

function invalidClient(description: string): OAuthError {
  return new OAuthError('invalid_client', description);
}

/** A body parameter given at most once, as a string. */
function parameter(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw new OAuthError('invalid_request', `The ${name} parameter must be given once`);
  }
  return value;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const base64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** `application/x-www-form-urlencoded` decoding of one Basic credential part (RFC 6749 §2.3.1, Appendix B). */
function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    throw invalidClient('The Basic credentials are not form-urlencoded');
  }
}

function parseBasic(header: string): { clientId: string; secret: string } {
  const encoded = header.slice('basic'.length).trim();
  if (!base64.test(encoded) || encoded.length % 4 !== 0) {
    throw invalidClient('The Basic credentials are not base64');
  }
  let decoded: string;
  try {
    decoded = utf8.decode(Buffer.from(encoded, 'base64'));
  } catch {
    throw invalidClient('The Basic credentials are not UTF-8');
  }
  const colon = decoded.indexOf(':');
  if (colon < 0) {
    throw invalidClient('The Basic credentials have no ":" between client id and secret');
  }
  const clientId = formDecode(decoded.slice(0, colon));
  const secret = formDecode(decoded.slice(colon + 1));
  if (clientId === '' || secret === '') {
    throw invalidClient('The Basic credentials need a client id and a secret');
  }
  return { clientId, secret };
}

function checkLength(value: string, max: number, what: string): string {
  if (value.length > max) {
    throw invalidClient(`The ${what} is too long`);
  }
  return value;
}

/**
 * Reads the credentials of a token request. Throws `invalid_request` for a request that repeats a
 * parameter or combines methods, `invalid_client` for malformed credentials or none at all.
 */
export function presentedCredentials(headers: IncomingHttpHeaders, body: Record<string, unknown>): PresentedCredentials {
  const authorization = headers.authorization;
  const clientId = parameter(body, 'client_id');
  const secret = parameter(body, 'client_secret');
  const assertion = parameter(body, 'client_assertion');
  const assertionType = parameter(body, 'client_assertion_type');
  const inBody = [secret !== undefined, assertion !== undefined || assertionType !== undefined].filter(Boolean).length;

  if (authorization !== undefined && authorization !== '') {
    if (!/^basic(\s|$)/i.test(authorization)) {
      throw invalidClient('Only the Basic scheme is accepted in the Authorization header');
    }
    if (inBody > 0) {
      throw new OAuthError(
        'invalid_request',
        'Use one client authentication method per request (Basic credentials and credentials in the body were both sent)',
      );
    }
    const basic = parseBasic(authorization);
    if (clientId !== undefined && clientId !== basic.clientId) {
      throw new OAuthError('invalid_request', 'The client_id parameter differs from the client id in the Basic credentials');
    }
    return {
      method: 'client_secret_basic',
      clientId: checkLength(basic.clientId, maxClientIdLength, 'client id'),
      secret: checkLength(basic.secret, maxSecretLength, 'client secret'),
    };
  }
  if (inBody > 1) {
    throw new OAuthError(
      'invalid_request',
      'Use one client authentication method per request (a client secret and a client assertion were both sent)',
    );
  }
  if (assertion !== undefined || assertionType !== undefined) {
    if (assertionType === undefined || assertion === undefined) {
      throw new OAuthError('invalid_request', 'client_assertion and client_assertion_type go together');
    }
    if (assertionType !== jwtBearerAssertionType) {
      throw invalidClient(`Unsupported client_assertion_type; use ${jwtBearerAssertionType}`);
    }
    if (Buffer.byteLength(assertion) > maxAssertionBytes) {
      throw invalidClient(`The client assertion exceeds ${maxAssertionBytes} bytes`);
    }
    return {
      method: 'private_key_jwt',
      clientId: clientId === undefined ? undefined : checkLength(clientId, maxClientIdLength, 'client id'),
      assertion,
    };
  }
  if (clientId === undefined || clientId === '') {
    throw invalidClient('Client authentication is required');
  }
  checkLength(clientId, maxClientIdLength, 'client id');
  if (secret !== undefined) {
    return { method: 'client_secret_post', clientId, secret: checkLength(secret, maxSecretLength, 'client secret') };
  }
  return { method: 'none', clientId };
}
