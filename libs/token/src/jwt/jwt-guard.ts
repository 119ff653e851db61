/**
 * @overview The checks every JWT Crossgate verifies goes through before and after its signature:
 * a size cap before parsing, compact-JWS shape, no duplicate JSON member names, no header that
 * carries or points to a key, an asymmetric `alg` allow-list, explicit typing and an opaque `kid`.
 * They run before any key is looked up, so a hostile token never causes a JWKS fetch. The
 * signature is `compact-jws.ts`'s; the registered claims (`iss`, `sub`, `aud`, `exp`, `nbf`, `iat`)
 * are checked here afterwards, as jose's `jwtVerify` checks them. Key resolvers' errors are mapped
 * to {@link TokenError} codes here.
 *
 * @see RFC 8725 §2.6, §3.1, §3.2, §3.7, §3.10, §3.11, §3.12
 * @see RFC 7515 §4.1.9 (`typ` media-type comparison)
 */
import { type CryptoKey, errors, type JWSHeaderParameters, type ProtectedHeaderParameters } from 'jose';

import { JwksError } from '../jwks/jwks.error.ts';
import { TokenError } from '../token.error.ts';

/**
 * Picks the verification key for a token from its (unauthenticated) header. Built by
 * `RemoteJwksCache.keyResolver` or `createPinnedKeyResolver`; selection is by `kid`/`alg`
 * equality only, so `kid` never reaches a path, query or URL.
 */
export type JwtKeyResolver = (header: JWSHeaderParameters) => Promise<CryptoKey>;

/** Every algorithm Crossgate will verify. HS* and `none` are absent by construction. */
export const asymmetricAlgorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'] as const;
export type AsymmetricAlgorithm = (typeof asymmetricAlgorithms)[number];

/** 16 KiB: far above any real ID token or ID-JAG, far below anything that costs to parse. */
export const defaultMaxTokenBytes = 16 * 1024;
export const maxClockToleranceSeconds = 60;
export const defaultClockToleranceSeconds = 30;

/** Header parameters that carry or point to a key. A verifier that honoured them would trust the token to vouch for itself. */
const keyCarryingHeaders = ['jku', 'x5u', 'jwk', 'x5c'] as const;
const maxKidLength = 256;
const controlCharacters = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const compactJws = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Throws a TypeError for a configuration that would weaken verification (programming error, not a token error). */
export function assertAlgorithms(algorithms: readonly string[]): asserts algorithms is readonly AsymmetricAlgorithm[] {
  if (algorithms.length === 0 || algorithms.some((alg) => !(asymmetricAlgorithms as readonly string[]).includes(alg))) {
    throw new TypeError(`Allowed algorithms must be a non-empty subset of ${asymmetricAlgorithms.join(', ')}`);
  }
}

export function assertClockTolerance(seconds: number): void {
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > maxClockToleranceSeconds) {
    throw new TypeError(`clockToleranceSeconds must be within 0..${maxClockToleranceSeconds}`);
  }
}

/** `typ` as a media type: lower case, with `application/` prepended when there is no `/` (RFC 7515 §4.1.9). */
export function normalizeMediaType(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.includes('/') ? lower : `application/${lower}`;
}

export interface InspectOptions {
  maxBytes: number;
  algorithms: readonly AsymmetricAlgorithm[];
  /** Receives the raw `typ` (undefined when absent) and says whether this kind of JWT is expected. */
  acceptType: (typ: string | undefined) => boolean;
}

/** A JWT that passed {@link inspectJwt}: the token and its decoded header and payload, none of it authenticated yet. */
export interface InspectedJwt {
  readonly token: string;
  readonly header: ProtectedHeaderParameters;
  readonly payload: Readonly<Record<string, unknown>>;
}

/**
 * Structural and header checks, in this order: size, compact shape, header and payload JSON
 * (objects, no duplicate members, bounded nesting), key-carrying headers and `crit`, `alg`, `typ`,
 * `kid`. Returns the decoded header and payload, so a caller that needs a claim before the
 * signature (the issuer, to choose keys by) decodes nothing twice.
 */
export function inspectJwt(token: unknown, options: InspectOptions): InspectedJwt {
  if (typeof token !== 'string') {
    throw new TokenError('malformed', 'The token is not a string');
  }
  if (token.length > options.maxBytes) {
    throw new TokenError('oversized', `The token exceeds ${options.maxBytes} bytes`);
  }
  if (!compactJws.test(token)) {
    throw new TokenError('malformed', 'The token is not a compact JWS');
  }
  const [encodedHeader = '', encodedPayload = ''] = token.split('.');
  const header = decodeJsonObject(encodedHeader, 'header') as ProtectedHeaderParameters;
  const payload = decodeJsonObject(encodedPayload, 'payload');
  assertHeaderAccepted(header, options);
  const inspected = { token, header, payload };
  inspectedJwts.add(inspected);
  return inspected;
}

/** What {@link inspectJwt} returned, so a verifier trusts a header and payload only as decoded from their own token. */
const inspectedJwts = new WeakSet<InspectedJwt>();

/** Throws TypeError unless `inspected` is what {@link inspectJwt} returned (not an object built to look like it). */
export function assertInspected(inspected: InspectedJwt): void {
  if (!inspectedJwts.has(inspected)) {
    throw new TypeError('Only a token inspected by inspectJwt can be verified');
  }
}

/**
 * A token inspected before, checked again under `options` (another verifier's size cap, allow-list
 * and `typ` rule) without decoding it again.
 */
export function reinspectJwt(inspected: InspectedJwt, options: InspectOptions): InspectedJwt {
  if (inspected.token.length > options.maxBytes) {
    throw new TokenError('oversized', `The token exceeds ${options.maxBytes} bytes`);
  }
  assertHeaderAccepted(inspected.header, options);
  return inspected;
}

/**
 * The header checks of {@link inspectJwt} on their own: for a token already inspected, when a
 * second verifier with its own allow-list and `typ` rule sees it.
 */
function assertHeaderAccepted(header: ProtectedHeaderParameters, options: Pick<InspectOptions, 'algorithms' | 'acceptType'>): void {
  const present = keyCarryingHeaders.filter((name) => name in header);
  if (present.length > 0) {
    throw new TokenError('unsafe_header', `Key-carrying header parameters are never used: ${present.join(', ')}`);
  }
  if ('crit' in header) {
    throw new TokenError('unsafe_header', 'No critical header extensions are supported');
  }
  const { alg, typ, kid } = header;
  if (typeof alg !== 'string' || !(options.algorithms as readonly string[]).includes(alg)) {
    throw new TokenError('disallowed_algorithm', `alg ${JSON.stringify(alg)} is not allowed`);
  }
  if (typ !== undefined && typeof typ !== 'string') {
    throw new TokenError('malformed', 'typ must be a string');
  }
  if (!options.acceptType(typ)) {
    throw new TokenError('wrong_type', `typ ${JSON.stringify(typ)} is not accepted here`);
  }
  if (kid !== undefined && (typeof kid !== 'string' || kid.length === 0 || kid.length > maxKidLength || controlCharacters.test(kid))) {
    throw new TokenError('unsafe_header', `kid must be a string of 1..${maxKidLength} characters without control characters`);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** No JWT Crossgate accepts nests objects or arrays deeper than this; deeper ones only cost parsers (and stacks). */
export const maxJsonNesting = 16;

/**
 * One segment of a compact JWS as a JSON object. Node's own base64url decoder, not jose's: jose's
 * decodes byte by byte in JavaScript, which showed in profiles at thousands of tokens a second. The
 * compact-JWS pattern has already limited the alphabet; the one length no unpadded base64url text
 * can have (4n + 1) is refused here, as jose would refuse it.
 */
function decodeJsonObject(segment: string, part: 'header' | 'payload'): Record<string, unknown> {
  if (segment.length % 4 === 1) {
    throw new TokenError('malformed', `The ${part} is not base64url UTF-8 JSON`);
  }
  let text: string;
  try {
    text = utf8.decode(Buffer.from(segment, 'base64url'));
  } catch (cause) {
    throw new TokenError('malformed', `The ${part} is not base64url UTF-8 JSON`, { cause });
  }
  if (nestingDepth(text) > maxJsonNesting) {
    throw new TokenError('malformed', `The ${part} nests deeper than ${maxJsonNesting} levels`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new TokenError('malformed', `The ${part} is not base64url UTF-8 JSON`, { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TokenError('malformed', `The ${part} is not a JSON object`);
  }
  if (hasDuplicateMembers(text)) {
    // JSON.parse keeps the last duplicate; another parser may keep the first (RFC 8725 §2.6).
    throw new TokenError('malformed', `The ${part} repeats a member name`);
  }
  return value as Record<string, unknown>;
}

/**
 * Whether any JSON object in `text` repeats a member name (after unescaping, so `"a"` and
 * `"\u0061"` are the same name). `text` must already be valid JSON.
 */
export function hasDuplicateMembers(text: string): boolean {
  const objects: (Set<string> | undefined)[] = []; // undefined marks an array
  let expectName = false;
  let index = 0;
  while (index < text.length) {
    const character = text[index];
    if (character === '{') {
      objects.push(new Set());
      expectName = true;
    } else if (character === '[') {
      objects.push(undefined);
      expectName = false;
    } else if (character === '}' || character === ']') {
      objects.pop();
      expectName = false;
    } else if (character === ',') {
      expectName = objects.at(-1) !== undefined;
    } else if (character === '"') {
      const end = endOfString(text, index);
      const members = objects.at(-1);
      if (expectName && members !== undefined) {
        const name = JSON.parse(text.slice(index, end)) as string;
        if (members.has(name)) {
          return true;
        }
        members.add(name);
        expectName = false;
      }
      index = end;
      continue;
    }
    index += 1;
  }
  return false;
}

/** The deepest nesting of objects and arrays in `text`, strings skipped; no parser involved. */
export function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let index = 0;
  while (index < text.length) {
    const character = text[index];
    if (character === '"') {
      index = endOfString(text, index);
      continue;
    }
    if (character === '{' || character === '[') {
      depth += 1;
      deepest = Math.max(deepest, depth);
    } else if (character === '}' || character === ']') {
      depth -= 1;
    }
    index += 1;
  }
  return deepest;
}

function endOfString(text: string, start: number): number {
  let index = start + 1;
  while (index < text.length && text[index] !== '"') {
    index += text[index] === '\\' ? 2 : 1;
  }
  return index + 1;
}

/**
 * Maps what a key resolver threw (the JWK Set cache, or jose's local key set) to a
 * {@link TokenError}; anything unexpected is re-thrown.
 */
export function toTokenError(error: unknown): TokenError {
  if (error instanceof TokenError) {
    return error;
  }
  if (error instanceof JwksError) {
    return new TokenError('keys_unavailable', `The issuer's keys are unavailable (${error.code})`, { cause: error });
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return new TokenError('unknown_key', 'No key of the issuer matches the token', { cause: error });
  }
  if (error instanceof errors.JWKSMultipleMatchingKeys) {
    return new TokenError('unknown_key', 'Several keys of the issuer match; the token must name its kid', { cause: error });
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return new TokenError('disallowed_algorithm', 'The algorithm is not supported for this key', { cause: error });
  }
  if (error instanceof errors.JWKSInvalid) {
    return new TokenError('malformed', 'The token is malformed', { cause: error });
  }
  throw error;
}

/** What {@link assertRegisteredClaims} requires of a verified token's claims. */
export interface RegisteredClaimRules {
  /** `iss` must equal it exactly. */
  issuer: string;
  /** When set, `sub` must equal it exactly. */
  subject?: string;
  /** When set, `aud` must be it or an array holding it ({@link assertSingleAudience} narrows further). */
  audience?: string;
  /** Claims that must be present, whatever their value. */
  requiredClaims: readonly string[];
  now: Date;
  /** Already checked by {@link assertClockTolerance}. */
  clockToleranceSeconds: number;
  /** When set, `iat` is required and may be at most this many seconds ago. */
  maxAgeSeconds?: number;
}

const missingOrMistyped = (claim: string): TokenError => new TokenError('invalid_claim', `The "${claim}" claim is missing or has the wrong type`);

function numericDateClaim(payload: Readonly<Record<string, unknown>>, claim: string): number | undefined {
  const value = payload[claim];
  if (value !== undefined && typeof value !== 'number') {
    throw missingOrMistyped(claim);
  }
  return value;
}

/**
 * The registered-claim checks of a verified token, in the order jose's `jwtVerify` makes them and
 * with the codes and messages {@link TokenError} has always carried for them: presence of every
 * required claim, `iss`, `sub`, `aud`, the types of `iat`, `nbf` and `exp`, `nbf` and `exp`
 * against now within the tolerance, and the token's age.
 *
 * @see RFC 7519 §4.1
 */
export function assertRegisteredClaims(payload: Readonly<Record<string, unknown>>, rules: RegisteredClaimRules): void {
  const required = new Set(['iss', ...(rules.subject === undefined ? [] : ['sub']), ...(rules.audience === undefined ? [] : ['aud']), ...(rules.maxAgeSeconds === undefined ? [] : ['iat']), ...[...rules.requiredClaims].reverse()]);
  for (const claim of required) {
    if (!Object.hasOwn(payload, claim)) {
      throw missingOrMistyped(claim);
    }
  }
  if (payload['iss'] !== rules.issuer) {
    throw new TokenError('wrong_issuer', 'The token was issued by another issuer');
  }
  if (rules.subject !== undefined && payload['sub'] !== rules.subject) {
    throw new TokenError('invalid_claim', 'The "sub" claim is not acceptable');
  }
  if (rules.audience !== undefined) {
    const aud = payload['aud'];
    if (!(aud === rules.audience || (Array.isArray(aud) && aud.includes(rules.audience)))) {
      throw new TokenError('wrong_audience', 'The token is meant for another audience');
    }
  }
  const now = Math.floor(rules.now.getTime() / 1000);
  const tolerance = rules.clockToleranceSeconds;
  const iat = numericDateClaim(payload, 'iat');
  const nbf = numericDateClaim(payload, 'nbf');
  if (nbf !== undefined && nbf > now + tolerance) {
    throw new TokenError('not_yet_valid', 'The token is not valid yet');
  }
  const exp = numericDateClaim(payload, 'exp');
  if (exp !== undefined && exp <= now - tolerance) {
    throw new TokenError('expired', 'The token has expired');
  }
  if (rules.maxAgeSeconds !== undefined && iat !== undefined) {
    const age = now - iat;
    if (age - tolerance > rules.maxAgeSeconds) {
      throw new TokenError('too_old', 'The token was issued too long ago');
    }
    if (age < -tolerance) {
      throw new TokenError('not_yet_valid', 'The token is not valid yet');
    }
  }
}

/** A claim that must be a non-empty string. */
export function requireString(payload: Record<string, unknown>, claim: string, maxLength = 2048): string {
  const value = payload[claim];
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    throw new TokenError('invalid_claim', `"${claim}" must be a non-empty string of at most ${maxLength} characters`);
  }
  return value;
}

/** A claim that, when present, must be a string. */
export function optionalString(payload: Record<string, unknown>, claim: string): string | undefined {
  const value = payload[claim];
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw new TokenError('invalid_claim', `"${claim}" must be a string`);
  }
  return value;
}

/** A claim that, when present, must be an array of strings. */
export function optionalStringArray(payload: Record<string, unknown>, claim: string): string[] | undefined {
  const value = payload[claim];
  if (value === undefined) {
    return undefined;
  }
  if (!Array.isArray(value) || value.some((member) => typeof member !== 'string')) {
    throw new TokenError('invalid_claim', `"${claim}" must be an array of strings`);
  }
  return value as string[];
}

/** A claim that, when present, must be a finite number (NumericDate). */
export function optionalNumericDate(payload: Record<string, unknown>, claim: string): number | undefined {
  const value = payload[claim];
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TokenError('invalid_claim', `"${claim}" must be a NumericDate`);
  }
  return value;
}

/**
 * `aud` must be the expected value, as a string or a one-element array (DESIGN.md "Protocol
 * decisions" 5). An array with any other member is refused even when it also holds the expected one.
 */
export function assertSingleAudience(aud: unknown, expected: string): void {
  const single = typeof aud === 'string' ? aud : Array.isArray(aud) && aud.length === 1 ? (aud[0] as unknown) : undefined;
  if (single !== expected) {
    throw new TokenError('wrong_audience', 'The token is meant for another audience (or for several)');
  }
}

/** `iat` in the future beyond the tolerance means a wrong clock or a forged token. */
export function assertIssuedInPast(iat: number, now: Date, toleranceSeconds: number): void {
  if (iat > Math.floor(now.getTime() / 1000) + toleranceSeconds) {
    throw new TokenError('not_yet_valid', 'The token claims to be issued in the future');
  }
}

/** The object without its undefined members, so optional properties are absent rather than undefined. */
export function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, member]) => member !== undefined)) as Partial<T>;
}
