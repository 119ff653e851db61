/**
 * @overview Why a JWKS or OpenID Provider metadata document could not be fetched. Every failure is
 * final for the request that caused it (fail closed); the cache rate-limits retries.
 */

export const jwksErrorCodes = [
  /** Not an absolute URL, has credentials, is not https (loopback http only when explicitly allowed), or a redirect downgrades to http. */
  'url_not_allowed',
  /** The host is, or resolves to, an address in a refused range (private, loopback, link-local, …). */
  'address_not_allowed',
  'dns_failure',
  /** Connection refused, reset or closed early. */
  'network_error',
  'timeout',
  /** Too many redirects, or a redirect without a usable `Location`. */
  'redirect_refused',
  /** Any final status other than 200. */
  'http_status',
  /** The body (or its announced `Content-Length`) exceeds the size cap. */
  'too_large',
  /** The body is not UTF-8 JSON. */
  'invalid_json',
  /** Not a JWK Set with 1..maxKeys keys, or it holds private or symmetric key material. */
  'invalid_jwks',
  /** The discovery document's `issuer` differs from the configured issuer (exact comparison). */
  'issuer_mismatch',
  /** The discovery document is not an object or lacks a usable `jwks_uri`. */
  'invalid_metadata',
] as const;
export type JwksErrorCode = (typeof jwksErrorCodes)[number];

export class JwksError extends Error {
  override readonly name = 'JwksError';

  constructor(
    readonly code: JwksErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
