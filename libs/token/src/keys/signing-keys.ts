/**
 * @overview Crossgate's own signing keys (for ID-JAGs now; access tokens and SETs later) and the
 * public JWK Set it publishes. Each issuer role (IdP, each resource AS) has its own keys.
 * Persistence and encryption at rest belong to the vault and store; here keys are values.
 *
 * Rotation states and what is published:
 * - `next`: generated ahead of use and published, so verifiers that cache the JWKS already hold it
 *   when it becomes active.
 * - `active`: the one key that signs; published.
 * - `retired`: no longer signs; published until its `expiresAt`, which the rotation job sets to
 *   the retirement time plus the longest lifetime of anything the key signed plus clock tolerance
 *   (for ID-JAGs: 300 s + 60 s), so tokens signed just before rotation still verify. After that it
 *   is dropped from the set.
 *
 * @see RFC 7517 §4 (`use`, `alg`, `kid`), RFC 7638 (JWK thumbprint as `kid`)
 */
import { calculateJwkThumbprint, type CryptoKey, exportJWK, generateKeyPair, type JSONWebKeySet, type JWK } from 'jose';

/** ES256 is the default for ID-JAGs and access tokens; RS256 is for SETs (DESIGN.md "Protocol decisions" 9). */
export const signingAlgorithms = ['ES256', 'RS256'] as const;
export type SigningAlgorithm = (typeof signingAlgorithms)[number];

export const signingKeyStates = ['next', 'active', 'retired'] as const;
export type SigningKeyState = (typeof signingKeyStates)[number];

/** A public JWK as Crossgate publishes it: always with `kid`, `alg` and `use: 'sig'`. */
export interface PublicSigningJwk extends JWK {
  kty: string;
  kid: string;
  alg: SigningAlgorithm;
  use: 'sig';
}

export interface SigningKey {
  /** RFC 7638 SHA-256 thumbprint of the public key. */
  kid: string;
  alg: SigningAlgorithm;
  privateKey: CryptoKey;
  publicJwk: PublicSigningJwk;
}

export interface GenerateSigningKeyOptions {
  /** Default ES256. */
  alg?: SigningAlgorithm;
  /** RS256 only; default 2048. */
  modulusLength?: number;
  /** Whether the private key can be exported (for sealing into the vault). Default false. */
  extractable?: boolean;
}

export async function generateSigningKey(options: GenerateSigningKeyOptions = {}): Promise<SigningKey> {
  const alg = options.alg ?? 'ES256';
  const { privateKey, publicKey } = await generateKeyPair(alg, {
    extractable: options.extractable ?? false,
    ...(alg === 'RS256' ? { modulusLength: options.modulusLength ?? 2048 } : {}),
  });
  const publicJwk = await toPublicSigningJwk(publicKey, alg);
  return { kid: publicJwk.kid, alg, privateKey, publicJwk };
}

/** Exports a public key as a JWK with `kid` (RFC 7638 thumbprint), `alg` and `use`. */
export async function toPublicSigningJwk(publicKey: CryptoKey, alg: SigningAlgorithm): Promise<PublicSigningJwk> {
  if (publicKey.type !== 'public') {
    throw new TypeError('Only public keys are published');
  }
  const jwk = await exportJWK(publicKey);
  const { kty } = jwk;
  if (kty === undefined) {
    throw new TypeError('The exported key has no kty');
  }
  const kid = await calculateJwkThumbprint(jwk, 'sha256');
  return { ...jwk, kty, kid, alg, use: 'sig' };
}

/** A key as the rotation schedule knows it. A retired key must say until when it is published. */
export type PublishableKey =
  | { publicJwk: PublicSigningJwk; state: 'next' | 'active' }
  | { publicJwk: PublicSigningJwk; state: 'retired'; expiresAt: Date };

const publicationOrder: Record<SigningKeyState, number> = { active: 0, next: 1, retired: 2 };

/**
 * The public JWK Set to serve at an issuer's `jwks_uri`: active first (naive verifiers take the
 * first key), then next, then retired keys whose `expiresAt` is still ahead. Keys are de-duplicated
 * by `kid`; private members are never copied.
 */
export function buildPublicJwks(keys: readonly PublishableKey[], now: Date): JSONWebKeySet {
  const published = keys
    .filter((key) => key.state !== 'retired' || key.expiresAt.getTime() > now.getTime())
    .sort((a, b) => publicationOrder[a.state] - publicationOrder[b.state]);
  const seen = new Set<string>();
  const jwks: JWK[] = [];
  for (const { publicJwk } of published) {
    if (!seen.has(publicJwk.kid)) {
      seen.add(publicJwk.kid);
      jwks.push(publicMembers(publicJwk));
    }
  }
  return { keys: jwks };
}

const publicJwkMembers = ['kty', 'kid', 'alg', 'use', 'crv', 'x', 'y', 'n', 'e'] as const;

function publicMembers(jwk: PublicSigningJwk): JWK {
  const copy: Record<string, unknown> = {};
  for (const member of publicJwkMembers) {
    if (jwk[member] !== undefined) {
      copy[member] = jwk[member];
    }
  }
  return copy as JWK;
}
