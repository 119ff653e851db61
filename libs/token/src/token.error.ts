/**
 * @overview Why a JWT presented to Crossgate (an upstream ID token, or an ID-JAG at the resource-AS
 * side) was refused. The codes are a closed, stable set; the token endpoint maps every one of them
 * to `invalid_grant` except `keys_unavailable`, which is a server-side condition (see DESIGN.md,
 * "Protocol decisions" 2). Messages never contain the token.
 */

export const tokenErrorCodes = [
  /** Larger than the size cap; nothing was parsed. */
  'oversized',
  /** Not a compact JWS, not base64url/UTF-8/JSON, duplicate JSON member names, or jose refused the structure. */
  'malformed',
  /** `crit`, a key-carrying header (`jku`, `x5u`, `jwk`, `x5c`), or a `kid` that is not an opaque short string. */
  'unsafe_header',
  /** `alg` outside the asymmetric allow-list (`none` and HS* are never on it). */
  'disallowed_algorithm',
  /** `typ` belongs to another kind of JWT (cross-JWT confusion, RFC 8725 §3.11/§3.12). */
  'wrong_type',
  /** The unverified `iss` names no registered issuer. */
  'untrusted_issuer',
  /** No key in the issuer's key set matches `kid`/`alg` (after at most one rate-limited refetch). */
  'unknown_key',
  /** The issuer's key set could not be obtained (fetch refused or failed); fails closed. */
  'keys_unavailable',
  /** The signature does not verify with the selected key. */
  'invalid_signature',
  'wrong_issuer',
  /** `aud` is not the expected value, or an array with anything besides it; or `azp` names another client. */
  'wrong_audience',
  'expired',
  /** `nbf` or `iat` lies in the future beyond the clock tolerance. */
  'not_yet_valid',
  /** `iat` is older than the caller's maximum age. */
  'too_old',
  /** `exp` − `iat` exceeds the maximum lifetime (ID-JAG). */
  'lifetime_too_long',
  /** A required claim is missing, or a claim has the wrong type or an empty value. */
  'invalid_claim',
] as const;
export type TokenErrorCode = (typeof tokenErrorCodes)[number];

export class TokenError extends Error {
  override readonly name = 'TokenError';

  constructor(
    readonly code: TokenErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
