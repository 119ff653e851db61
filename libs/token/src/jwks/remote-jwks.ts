/**
 * @overview Keys of the upstream IdPs Crossgate trusts: OpenID Provider discovery, a per-URL JWKS
 * cache, and key resolvers for `jwtVerify`. All fetches go through the SSRF guard in
 * `safe-fetch.ts`; every failure is a {@link JwksError} and fails closed.
 *
 * Cache rules:
 * - A fetched key set is used for `maxAgeSeconds` (default 600 s); after that it is fetched again
 *   before use. There is no serve-stale: an IdP whose JWKS stays unreachable stops validating.
 * - A token whose `kid` is not in the cached set triggers one refetch, at most once per
 *   `refetchCooldownSeconds` (default 30 s) per JWKS URL (one URL per issuer), so a stream of
 *   tokens with invented `kid`s cannot turn Crossgate into a request amplifier.
 * - Concurrent callers share one in-flight fetch; a failed fetch is remembered for the cooldown
 *   and re-thrown instead of retried.
 *
 * @see OpenID Connect Discovery 1.0 §4 (the `.well-known/openid-configuration` location and the
 *   exact `issuer` comparison)
 * @see RFC 7517 §5 (JWK Set)
 */
import { createLocalJWKSet, type CryptoKey, errors, type JSONWebKeySet, type JWSHeaderParameters, type LocalJWKSet } from 'jose';

import type { JwtKeyResolver } from '../jwt/jwt-guard.ts';
import { JwksError } from './jwks.error.ts';
import { checkUrl, fetchJson, type SafeFetchOptions } from './safe-fetch.ts';

/** Private-key and symmetric members: a published key set carrying any of them is refused whole. */
const secretMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'] as const;

export const defaultMaxJwksKeys = 100;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks that a document is a public JWK Set with 1..maxKeys keys and returns it. Unknown `kty`
 * values are kept (RFC 7517 §5 says to ignore keys one does not understand; jose skips them).
 */
export function parseJwks(document: unknown, maxKeys: number = defaultMaxJwksKeys): JSONWebKeySet {
  if (!isPlainObject(document) || !Array.isArray(document['keys'])) {
    throw new JwksError('invalid_jwks', 'Not a JWK Set (no "keys" array)');
  }
  const keys: unknown[] = document['keys'];
  if (keys.length === 0 || keys.length > maxKeys) {
    throw new JwksError('invalid_jwks', `A JWK Set must hold 1..${maxKeys} keys (got ${keys.length})`);
  }
  for (const key of keys) {
    if (!isPlainObject(key) || typeof key['kty'] !== 'string') {
      throw new JwksError('invalid_jwks', 'Every key must be an object with a string "kty"');
    }
    if (key['kty'] === 'oct' || secretMembers.some((member) => member in key)) {
      throw new JwksError('invalid_jwks', 'The JWK Set holds private or symmetric key material');
    }
  }
  return { keys: keys as JSONWebKeySet['keys'] };
}

/** A resolver over a JWKS configured by the administrator instead of a `jwks_uri`. */
export function createPinnedKeyResolver(jwks: unknown): JwtKeyResolver {
  const keySet = createLocalJWKSet(parseJwks(jwks));
  return (header) => keySet(header);
}

export interface RemoteJwksOptions extends SafeFetchOptions {
  /** How long a fetched key set is used before it is fetched again. Default 600 s. */
  maxAgeSeconds?: number;
  /** Minimum time between two fetches of one URL, for unknown `kid`s and after failures. Default 30 s. */
  refetchCooldownSeconds?: number;
  /** Default 100. */
  maxKeys?: number;
  /** Default: the system clock. */
  clock?: { now(): Date };
}

interface CachedKeySet {
  keySet: LocalJWKSet;
  fetchedAt: number;
}

interface CacheEntry {
  current?: CachedKeySet;
  lastAttemptAt?: number;
  lastError?: JwksError;
  inFlight?: Promise<CachedKeySet>;
}

const systemClock = { now: () => new Date() };

/**
 * Fetches and caches JWK Sets by URL. One instance per process (per API instance); it holds no
 * secrets, only public keys.
 */
export class RemoteJwksCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly maxAgeMs: number;
  private readonly cooldownMs: number;
  private readonly maxKeys: number;
  private readonly clock: { now(): Date };
  private readonly fetchOptions: SafeFetchOptions;

  constructor(options: RemoteJwksOptions = {}) {
    const { maxAgeSeconds = 600, refetchCooldownSeconds = 30, maxKeys = defaultMaxJwksKeys, clock = systemClock, ...fetchOptions } = options;
    this.maxAgeMs = maxAgeSeconds * 1000;
    this.cooldownMs = refetchCooldownSeconds * 1000;
    this.maxKeys = maxKeys;
    this.clock = clock;
    this.fetchOptions = fetchOptions;
  }

  /** A key resolver for `verifyIdToken`/`verifyIdJag` backed by this cache. */
  keyResolver(jwksUri: string): JwtKeyResolver {
    // Refuse a bad URL when the resolver is built, not on the first token.
    checkUrl(jwksUri, this.fetchOptions);
    return (header) => this.resolveKey(jwksUri, header);
  }

  /** The key set for a URL, from the cache when fresh. */
  async get(jwksUri: string): Promise<JSONWebKeySet> {
    return (await this.load(jwksUri)).keySet.jwks();
  }

  private async resolveKey(jwksUri: string, header: JWSHeaderParameters): Promise<CryptoKey> {
    const cached = await this.load(jwksUri);
    try {
      return await cached.keySet(header);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) {
        throw error;
      }
      // A newer set (fetched meanwhile, or being fetched) comes first; a new fetch only after the cooldown.
      const entry = this.entry(jwksUri);
      const newer = entry.current !== undefined && entry.current !== cached ? Promise.resolve(entry.current) : undefined;
      const next = entry.inFlight ?? newer ?? (this.mayFetch(jwksUri) ? this.fetch(jwksUri) : undefined);
      if (next === undefined) {
        throw error;
      }
      return (await next).keySet(header);
    }
  }

  private async load(jwksUri: string): Promise<CachedKeySet> {
    const entry = this.entry(jwksUri);
    const now = this.clock.now().getTime();
    if (entry.current !== undefined && now - entry.current.fetchedAt < this.maxAgeMs) {
      return entry.current;
    }
    if (entry.inFlight === undefined && entry.lastError !== undefined && !this.mayFetch(jwksUri)) {
      throw entry.lastError;
    }
    return this.fetch(jwksUri);
  }

  private mayFetch(jwksUri: string): boolean {
    const { lastAttemptAt } = this.entry(jwksUri);
    return lastAttemptAt === undefined || this.clock.now().getTime() - lastAttemptAt >= this.cooldownMs;
  }

  /** Starts a fetch, or joins the one in flight. */
  private fetch(jwksUri: string): Promise<CachedKeySet> {
    const entry = this.entry(jwksUri);
    if (entry.inFlight !== undefined) {
      return entry.inFlight;
    }
    entry.lastAttemptAt = this.clock.now().getTime();
    const inFlight = fetchJson(jwksUri, this.fetchOptions)
      .then((document) => {
        const jwks = parseJwks(document, this.maxKeys);
        const cached: CachedKeySet = { keySet: createLocalJWKSet(jwks), fetchedAt: this.clock.now().getTime() };
        entry.current = cached;
        delete entry.lastError;
        return cached;
      })
      .catch((error: unknown) => {
        const failure = error instanceof JwksError ? error : new JwksError('invalid_jwks', 'The JWK Set could not be used', { cause: error });
        entry.lastError = failure;
        throw failure;
      })
      .finally(() => {
        delete entry.inFlight;
      });
    entry.inFlight = inFlight;
    return inFlight;
  }

  private entry(jwksUri: string): CacheEntry {
    let entry = this.entries.get(jwksUri);
    if (entry === undefined) {
      entry = {};
      this.entries.set(jwksUri, entry);
    }
    return entry;
  }
}

/** The parts of OpenID Provider metadata Crossgate relies on. */
export interface OpenIdProviderMetadata {
  issuer: string;
  jwksUri: string;
  idTokenSigningAlgValuesSupported?: string[];
}

/**
 * Fetches `<issuer>/.well-known/openid-configuration` through the SSRF guard. The document's
 * `issuer` must equal the configured issuer exactly (no trailing-slash or case normalisation), and
 * its `jwks_uri` must pass the same URL policy as the document itself.
 */
export async function discoverOpenIdProvider(issuer: string, options: SafeFetchOptions = {}): Promise<OpenIdProviderMetadata> {
  const issuerUrl = checkUrl(issuer, options);
  if (issuerUrl.search !== '' || issuerUrl.hash !== '') {
    throw new JwksError('url_not_allowed', 'An issuer identifier has no query or fragment');
  }
  // OIDC Discovery §4: remove a terminating "/" before appending the well-known path.
  const location = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const document = await fetchJson(location, options);
  if (!isPlainObject(document)) {
    throw new JwksError('invalid_metadata', 'The discovery document is not a JSON object');
  }
  if (document['issuer'] !== issuer) {
    throw new JwksError('issuer_mismatch', 'The discovery document names a different issuer');
  }
  const jwksUri = document['jwks_uri'];
  if (typeof jwksUri !== 'string') {
    throw new JwksError('invalid_metadata', 'The discovery document has no jwks_uri');
  }
  try {
    checkUrl(jwksUri, options);
  } catch (cause) {
    throw new JwksError('invalid_metadata', 'The discovery document names a jwks_uri that is not fetched', { cause });
  }
  const algorithms = document['id_token_signing_alg_values_supported'];
  const metadata: OpenIdProviderMetadata = { issuer, jwksUri };
  if (Array.isArray(algorithms) && algorithms.every((value) => typeof value === 'string')) {
    metadata.idTokenSigningAlgValuesSupported = algorithms;
  }
  return metadata;
}
