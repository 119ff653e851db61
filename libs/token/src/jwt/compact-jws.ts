/**
 * @overview Signing and verifying compact JWS with Node's synchronous `crypto.sign`/`crypto.verify`
 * on KeyObjects, for the hot paths (ID tokens at the exchange, ID-JAGs, access tokens, client
 * assertions). jose goes through WebCrypto, whose every operation is a round trip through the
 * thread pool (about 150 µs on Node 20); here a signature costs only its arithmetic. jose stays for
 * key generation, JWK import and export, JWK Sets and SETs.
 *
 * Only the signature is done here. The header checks (size, shape, duplicate members, key-carrying
 * headers, `crit`, the `alg` allow-list, `typ`, `kid`) are {@link inspectJwt}'s and run before any
 * key is looked up; the registered claims are {@link assertRegisteredClaims}'s and run after.
 * Keys come from a {@link JwtKeyResolver} (the registered keys only), and must suit `alg` exactly as
 * jose requires: the WebCrypto algorithm, hash and curve, usage, and RSA moduli of 2048 bits or more.
 *
 * @see RFC 7515 §5.1, §5.2 (compact serialization: signing input, validation)
 * @see RFC 7518 §3.3 (RS*), §3.4 (ES*: R || S, not DER), §3.5 (PS*: salt as long as the hash)
 * @see RFC 8037 §3.1 (EdDSA with Ed25519)
 */
import { constants, KeyObject, sign, type SignKeyObjectInput, verify } from 'node:crypto';

import type { CryptoKey } from 'jose';

import { TokenError } from '../token.error.ts';
import { assertInspected, assertRegisteredClaims, type AsymmetricAlgorithm, type InspectedJwt, type JwtKeyResolver, type RegisteredClaimRules, toTokenError } from './jwt-guard.ts';

interface JwsAlgorithm {
  /** The WebCrypto key algorithm a key for this `alg` has (what jose checks). */
  key: { name: string; hash?: string; namedCurve?: string };
  /** The digest `crypto.sign` takes; null for EdDSA, which hashes internally. */
  digest: string | null;
  options: Omit<SignKeyObjectInput, 'key'>;
  minModulusLength?: number;
}

const rsaPkcs1 = (bits: number): JwsAlgorithm => ({
  key: { name: 'RSASSA-PKCS1-v1_5', hash: `SHA-${bits}` },
  digest: `sha${bits}`,
  options: { padding: constants.RSA_PKCS1_PADDING },
  minModulusLength: 2048,
});
const rsaPss = (bits: number): JwsAlgorithm => ({
  key: { name: 'RSA-PSS', hash: `SHA-${bits}` },
  digest: `sha${bits}`,
  options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: bits / 8 },
  minModulusLength: 2048,
});
const ecdsa = (namedCurve: string, bits: number): JwsAlgorithm => ({
  key: { name: 'ECDSA', namedCurve },
  digest: `sha${bits}`,
  options: { dsaEncoding: 'ieee-p1363' },
});

const jwsAlgorithms: Record<AsymmetricAlgorithm, JwsAlgorithm> = {
  RS256: rsaPkcs1(256),
  RS384: rsaPkcs1(384),
  RS512: rsaPkcs1(512),
  PS256: rsaPss(256),
  PS384: rsaPss(384),
  PS512: rsaPss(512),
  ES256: ecdsa('P-256', 256),
  ES384: ecdsa('P-384', 384),
  EdDSA: { key: { name: 'Ed25519' }, digest: null, options: {} },
};

/** The header Crossgate signs with: `alg`, `typ` and the signing key's `kid`, nothing else. */
export interface JwsHeader {
  alg: AsymmetricAlgorithm;
  typ: string;
  kid: string;
}

/** Each CryptoKey converted once; the KeyObject shares its key material. */
const keyObjects = new WeakMap<CryptoKey, KeyObject>();

interface KeyAlgorithmDetails {
  name: string;
  hash?: { name: string };
  namedCurve?: string;
  modulusLength?: number;
}

function suits(key: CryptoKey, entry: JwsAlgorithm): boolean {
  const algorithm = key.algorithm as KeyAlgorithmDetails;
  return (
    algorithm.name === entry.key.name &&
    (entry.key.hash === undefined || algorithm.hash?.name === entry.key.hash) &&
    (entry.key.namedCurve === undefined || algorithm.namedCurve === entry.key.namedCurve) &&
    (entry.minModulusLength === undefined || (algorithm.modulusLength ?? 0) >= entry.minModulusLength)
  );
}

/**
 * The KeyObject for `key`, after jose's checks: the key's type and usage (a wrong one is a
 * programming error: TypeError), and its algorithm for `alg`. A verification key that does not suit
 * `alg` came from an issuer's key set, so it refuses the token instead of failing the request.
 */
function keyObjectFor(key: CryptoKey, alg: AsymmetricAlgorithm, usage: 'sign' | 'verify'): KeyObject {
  const expectedType = usage === 'sign' ? 'private' : 'public';
  if (key.type !== expectedType || !key.usages.includes(usage)) {
    throw new TypeError(`A ${expectedType} key with usage "${usage}" is required`);
  }
  if (!suits(key, jwsAlgorithms[alg])) {
    if (usage === 'sign') {
      throw new TypeError(`The signing key does not suit ${alg}`);
    }
    throw new TokenError('disallowed_algorithm', 'The algorithm is not supported for this key');
  }
  let keyObject = keyObjects.get(key);
  if (keyObject === undefined) {
    keyObject = KeyObject.from(key as Parameters<typeof KeyObject.from>[0]);
    keyObjects.set(key, keyObject);
  }
  return keyObject;
}

function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/**
 * Signs `payload` as a compact JWS (the same bytes jose's `SignJWT` produces for the same header and
 * claims). Throws TypeError for a key that cannot sign with `header.alg`, or a time claim that is
 * not a finite number.
 */
export function signCompactJws(header: JwsHeader, payload: object, privateKey: CryptoKey): string {
  for (const claim of ['iat', 'nbf', 'exp']) {
    const value = (payload as Record<string, unknown>)[claim];
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new TypeError(`"${claim}" claim must be a finite number`);
    }
  }
  const entry = jwsAlgorithms[header.alg];
  const keyObject = keyObjectFor(privateKey, header.alg, 'sign');
  const signingInput = `${base64urlJson(header)}.${base64urlJson(payload)}`;
  const signature = sign(entry.digest, Buffer.from(signingInput, 'latin1'), { key: keyObject, ...entry.options });
  return `${signingInput}.${signature.toString('base64url')}`;
}

/**
 * Verifies the signature of a token {@link inspectJwt} accepted (so its `alg` is on the caller's
 * allow-list and its header is safe), with the key `keys` selects from the header. Throws
 * {@link TokenError}: `unknown_key` or `keys_unavailable` from the resolver, `disallowed_algorithm`
 * when the selected key does not suit `alg`, `malformed` for a signature that is not base64url,
 * `invalid_signature` when it does not verify.
 */
export async function verifyCompactJws(inspected: InspectedJwt, keys: JwtKeyResolver): Promise<void> {
  assertInspected(inspected);
  const { token, header } = inspected;
  const alg = header.alg as AsymmetricAlgorithm;
  if (!Object.hasOwn(jwsAlgorithms, alg)) {
    throw new TokenError('disallowed_algorithm', `alg ${JSON.stringify(alg)} is not allowed`);
  }
  const entry = jwsAlgorithms[alg];
  let key: CryptoKey;
  try {
    key = await keys(header);
  } catch (error) {
    throw toTokenError(error);
  }
  const keyObject = keyObjectFor(key, alg, 'verify');
  const lastDot = token.lastIndexOf('.');
  const encodedSignature = token.slice(lastDot + 1);
  if (encodedSignature.length % 4 === 1) {
    // No unpadded base64url text has this length; jose refuses it as malformed too.
    throw new TokenError('malformed', 'The signature is not base64url');
  }
  let verified: boolean;
  try {
    verified = verify(entry.digest, Buffer.from(token.slice(0, lastDot), 'latin1'), { key: keyObject, ...entry.options }, Buffer.from(encodedSignature, 'base64url'));
  } catch (cause) {
    throw new TokenError('invalid_signature', 'The signature does not verify', { cause });
  }
  if (!verified) {
    throw new TokenError('invalid_signature', 'The signature does not verify');
  }
}

/**
 * A JWT's signature ({@link verifyCompactJws}), then its registered claims
 * ({@link assertRegisteredClaims}); returns the payload {@link inspectJwt} decoded, now verified.
 */
export async function verifyJwt(inspected: InspectedJwt, keys: JwtKeyResolver, rules: RegisteredClaimRules): Promise<Readonly<Record<string, unknown>>> {
  await verifyCompactJws(inspected, keys);
  assertRegisteredClaims(inspected.payload, rules);
  return inspected.payload;
}
