import { KeyObject, sign, webcrypto } from 'node:crypto';

import { type CryptoKey, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';

import { createPinnedKeyResolver } from '../jwks/remote-jwks.ts';
import { failureCode } from '../test-support/failure-code.ts';
import { frozenEpoch, frozenNow } from '../test-support/local-idp.ts';
import { signCompactJws, verifyJwt } from './compact-jws.ts';
import { type AsymmetricAlgorithm, asymmetricAlgorithms, inspectJwt, type InspectedJwt, type JwtKeyResolver } from './jwt-guard.ts';

const issuer = 'https://crossgate.example.test';
const claims = { iss: issuer, sub: 'alice', aud: 'https://ras.example.test', client_id: 'agent', jti: 'jti-1', iat: frozenEpoch, exp: frozenEpoch + 300, scope: 'notes.read' };
const rules = { issuer, audience: 'https://ras.example.test', now: frozenNow, clockToleranceSeconds: 30, requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti'] };

interface KeyPair {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

const keyPairs = new Map<AsymmetricAlgorithm, KeyPair>();

beforeAll(async () => {
  for (const alg of asymmetricAlgorithms) {
    keyPairs.set(alg, await generateKeyPair(alg, { extractable: true }));
  }
});

function keyPair(alg: AsymmetricAlgorithm): KeyPair {
  const pair = keyPairs.get(alg);
  if (pair === undefined) {
    throw new Error(`no key pair for ${alg}`);
  }
  return pair;
}

/** The public key as the API holds it: a pinned JWK Set behind a resolver, as for a trusted IdP. */
async function resolverFor(alg: AsymmetricAlgorithm, kid: string): Promise<JwtKeyResolver> {
  return createPinnedKeyResolver({ keys: [{ ...(await exportJWK(keyPair(alg).publicKey)), kid, alg, use: 'sig' }] });
}

function inspect(token: string, algorithms: readonly AsymmetricAlgorithm[] = asymmetricAlgorithms): InspectedJwt {
  return inspectJwt(token, { maxBytes: 16 * 1024, algorithms, acceptType: (typ) => typ === 'at+jwt' });
}

describe('signCompactJws and verifyJwt against jose, for every algorithm Crossgate verifies', () => {
  it.each(asymmetricAlgorithms)('should sign %s so that jose verifies it', async (alg) => {
    const token = signCompactJws({ alg, typ: 'at+jwt', kid: 'k1' }, claims, keyPair(alg).privateKey);
    const verified = await jwtVerify(token, keyPair(alg).publicKey, { algorithms: [alg], issuer, currentDate: frozenNow, typ: 'at+jwt' });
    expect(verified.payload).toEqual(claims);
    expect(verified.protectedHeader).toEqual({ alg, typ: 'at+jwt', kid: 'k1' });
  });

  it.each(asymmetricAlgorithms)('should verify %s that jose signed', async (alg) => {
    const token = await new SignJWT(claims).setProtectedHeader({ alg, typ: 'at+jwt', kid: 'k1' }).sign(keyPair(alg).privateKey);
    await expect(verifyJwt(inspect(token), await resolverFor(alg, 'k1'), rules)).resolves.toEqual(claims);
  });

  it.each(['RS256', 'RS384', 'RS512', 'EdDSA'] as const)('should produce the very bytes jose produces for deterministic %s', async (alg) => {
    const header = { alg, typ: 'at+jwt', kid: 'k1' };
    const ours = signCompactJws(header, claims, keyPair(alg).privateKey);
    expect(ours).toBe(await new SignJWT(claims).setProtectedHeader(header).sign(keyPair(alg).privateKey));
  });

  it.each([
    ['ES256', 64],
    ['ES384', 96],
  ] as const)('should encode %s signatures as R || S of %d bytes (RFC 7518 §3.4), not DER', (alg, bytes) => {
    const token = signCompactJws({ alg, typ: 'at+jwt', kid: 'k1' }, claims, keyPair(alg).privateKey);
    expect(Buffer.from(token.split('.')[2] ?? '', 'base64url')).toHaveLength(bytes);
    expect(decodeProtectedHeader(token)).toEqual({ alg, typ: 'at+jwt', kid: 'k1' });
  });
});

describe('verifyJwt: refusals', () => {
  it('should refuse a signature that was altered', async () => {
    const token = signCompactJws({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' }, claims, keyPair('ES256').privateKey);
    const [header, payload, signature = ''] = token.split('.');
    const flipped = Buffer.from(signature, 'base64url');
    flipped[10] = (flipped[10] ?? 0) ^ 1;
    expect(await failureCode(verifyJwt(inspect(`${header}.${payload}.${flipped.toString('base64url')}`), await resolverFor('ES256', 'k1'), rules))).toBe('invalid_signature');
  });

  it('should refuse a payload that was altered under a valid signature', async () => {
    const [header, , signature] = signCompactJws({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' }, claims, keyPair('ES256').privateKey).split('.');
    const payload = Buffer.from(JSON.stringify({ ...claims, sub: 'admin' })).toString('base64url');
    expect(await failureCode(verifyJwt(inspect(`${header}.${payload}.${signature}`), await resolverFor('ES256', 'k1'), rules))).toBe('invalid_signature');
  });

  it('should refuse a DER-encoded ES256 signature', async () => {
    const token = signCompactJws({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' }, claims, keyPair('ES256').privateKey);
    const signingInput = token.slice(0, token.lastIndexOf('.'));
    const der = sign('sha256', Buffer.from(signingInput), KeyObject.from(keyPair('ES256').privateKey as Parameters<typeof KeyObject.from>[0]));
    expect(await failureCode(verifyJwt(inspect(`${signingInput}.${der.toString('base64url')}`), await resolverFor('ES256', 'k1'), rules))).toBe('invalid_signature');
  });

  it('should refuse a signature whose length no base64url text has', async () => {
    const token = signCompactJws({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' }, claims, keyPair('ES256').privateKey);
    const padded = `${token}${'A'.repeat((((1 - (token.length - token.lastIndexOf('.') - 1)) % 4) + 4) % 4)}`;
    expect((padded.length - padded.lastIndexOf('.') - 1) % 4).toBe(1);
    expect(await failureCode(verifyJwt(inspect(padded), await resolverFor('ES256', 'k1'), rules))).toBe('malformed');
    expect(await failureCode(jwtVerify(padded, keyPair('ES256').publicKey))).toBe('ERR_JWS_INVALID');
  });

  it('should refuse a token signed by another key under the same kid', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const token = signCompactJws({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' }, claims, privateKey);
    expect(await failureCode(verifyJwt(inspect(token), await resolverFor('ES256', 'k1'), rules))).toBe('invalid_signature');
  });

  it('should refuse a kid the resolver does not know, before any signature work', async () => {
    const token = signCompactJws({ alg: 'ES256', typ: 'at+jwt', kid: 'k2' }, claims, keyPair('ES256').privateKey);
    expect(await failureCode(verifyJwt(inspect(token), await resolverFor('ES256', 'k1'), rules))).toBe('unknown_key');
  });

  it('should refuse a key that does not suit the header alg, even when the resolver returns it', async () => {
    const token = signCompactJws({ alg: 'ES384', typ: 'at+jwt', kid: 'k1' }, claims, keyPair('ES384').privateKey);
    const wrongCurve: JwtKeyResolver = () => Promise.resolve(keyPair('ES256').publicKey);
    expect(await failureCode(verifyJwt(inspect(token), wrongCurve, rules))).toBe('disallowed_algorithm');
    const rsaAsPss: JwtKeyResolver = () => Promise.resolve(keyPair('RS256').publicKey);
    const pss = signCompactJws({ alg: 'PS256', typ: 'at+jwt', kid: 'k1' }, claims, keyPair('PS256').privateKey);
    expect(await failureCode(verifyJwt(inspect(pss), rsaAsPss, rules))).toBe('disallowed_algorithm');
  });

  it('should refuse an RSA key shorter than 2048 bits', async () => {
    const short = (await webcrypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify'])) as KeyPair;
    const token = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'k1' }).sign(keyPair('RS256').privateKey);
    expect(await failureCode(verifyJwt(inspect(token), () => Promise.resolve(short.publicKey), rules))).toBe('disallowed_algorithm');
  });

  it('should refuse an object that only looks like an inspected token', async () => {
    const token = signCompactJws({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' }, claims, keyPair('ES256').privateKey);
    const { header } = inspect(token);
    const lookalike: InspectedJwt = { token, header, payload: { ...claims, sub: 'admin' } };
    await expect(verifyJwt(lookalike, await resolverFor('ES256', 'k1'), rules)).rejects.toThrow(TypeError);
  });

  it.each([
    ['another issuer', { iss: 'https://elsewhere.example.test' }, 'wrong_issuer'],
    ['another audience', { aud: 'https://elsewhere.example.test' }, 'wrong_audience'],
    ['no jti', { jti: undefined }, 'invalid_claim'],
    ['an exp that is not a number', { exp: String(frozenEpoch + 300) }, 'invalid_claim'],
    ['an exp past the tolerance', { exp: frozenEpoch - 31 }, 'expired'],
    ['an nbf past the tolerance', { nbf: frozenEpoch + 31 }, 'not_yet_valid'],
  ])('should refuse %s, as jose does', async (_name, override: Record<string, unknown>, code) => {
    const overridden = Object.fromEntries(Object.entries({ ...claims, ...override }).filter(([, value]) => value !== undefined));
    const token = signCompactJws({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' }, overridden, keyPair('ES256').privateKey);
    expect(await failureCode(verifyJwt(inspect(token), await resolverFor('ES256', 'k1'), rules))).toBe(code);
    const joseCode = await failureCode(jwtVerify(token, keyPair('ES256').publicKey, { issuer, audience: rules.audience, currentDate: frozenNow, clockTolerance: 30, requiredClaims: rules.requiredClaims }));
    expect(joseCode).toMatch(/^ERR_JWT_(CLAIM_VALIDATION_FAILED|EXPIRED)$/);
  });
});

describe('signCompactJws: refusals', () => {
  it('should refuse to sign with a public key or a key of another algorithm', () => {
    expect(() => signCompactJws({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' }, claims, keyPair('ES256').publicKey)).toThrow(TypeError);
    expect(() => signCompactJws({ alg: 'RS256', typ: 'at+jwt', kid: 'k1' }, claims, keyPair('ES256').privateKey)).toThrow(TypeError);
  });

  it('should refuse a time claim that is not a finite number', () => {
    expect(() => signCompactJws({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' }, { ...claims, exp: Number.NaN }, keyPair('ES256').privateKey)).toThrow(TypeError);
  });
});
