/**
 * @overview Crossgate's token library: the ID-JAG claim set, its subject and client mapping, minting
 * and verification (Node's synchronous crypto; jose for keys, JWK Sets and SETs), validation of
 * upstream ID tokens, Crossgate's signing keys and public JWKS, and an SSRF-guarded JWKS cache with
 * OpenID Provider discovery. No framework, no storage: time, ids and keys are passed in.
 */
export * from './access-token/access-token.ts';
export * from './id-jag/id-jag.ts';
export * from './id-jag/subject-claims.ts';
export * from './id-token/verify-id-token.ts';
export { signCompactJws, verifyCompactJws, verifyJwt, type JwsHeader } from './jwt/compact-jws.ts';
export * from './jwks/jwks.error.ts';
export * from './jwks/remote-jwks.ts';
export * from './jwks/safe-fetch.ts';
export {
  assertIssuedInPast,
  assertSingleAudience,
  asymmetricAlgorithms,
  type AsymmetricAlgorithm,
  defaultClockToleranceSeconds,
  defaultMaxTokenBytes,
  inspectJwt,
  type InspectedJwt,
  type JwtKeyResolver,
  maxClockToleranceSeconds,
  type RegisteredClaimRules,
  normalizeMediaType,
  optionalNumericDate,
  requireString,
  toTokenError,
} from './jwt/jwt-guard.ts';
export * from './keys/signing-keys.ts';
export * from './token.error.ts';
export * from './security-event/security-event.ts';
