import { calculateJwkThumbprint, exportJWK } from 'jose';

import { frozenNow } from '../test-support/local-idp.ts';
import { buildPublicJwks, generateSigningKey, type PublicSigningJwk, type SigningKey } from './signing-keys.ts';

let active: SigningKey;
let next: SigningKey;
let retired: SigningKey;

beforeAll(async () => {
  [active, next, retired] = await Promise.all([generateSigningKey(), generateSigningKey(), generateSigningKey()]);
});

const later = (seconds: number) => new Date(frozenNow.getTime() + seconds * 1000);

describe('generateSigningKey', () => {
  it('should generate an ES256 key by default, published with kid, alg and use', () => {
    expect(active.alg).toBe('ES256');
    expect(active.publicJwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: active.kid });
  });

  it('should use the RFC 7638 SHA-256 thumbprint as kid', async () => {
    expect(active.kid).toBe(await calculateJwkThumbprint({ kty: 'EC', crv: 'P-256', x: active.publicJwk.x, y: active.publicJwk.y }, 'sha256'));
  });

  it('should never put private members in the public JWK', () => {
    expect(Object.keys(active.publicJwk).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
  });

  it('should generate an RS256 key on request', async () => {
    const rsa = await generateSigningKey({ alg: 'RS256' });
    expect(rsa.publicJwk).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB' });
  });

  it('should keep the private key non-extractable unless asked', async () => {
    await expect(exportJWK(active.privateKey)).rejects.toThrow();
  });

  it('should make the private key extractable on request', async () => {
    const sealable = await generateSigningKey({ extractable: true });
    await expect(exportJWK(sealable.privateKey)).resolves.toHaveProperty('d');
  });
});

describe('buildPublicJwks', () => {
  it('should publish active, next and unexpired retired keys, active first', () => {
    const jwks = buildPublicJwks(
      [
        { publicJwk: retired.publicJwk, state: 'retired', expiresAt: later(60) },
        { publicJwk: next.publicJwk, state: 'next' },
        { publicJwk: active.publicJwk, state: 'active' },
      ],
      frozenNow,
    );
    expect(jwks.keys.map((key) => key.kid)).toEqual([active.kid, next.kid, retired.kid]);
  });

  it('should drop a retired key once its publication window has ended', () => {
    const jwks = buildPublicJwks(
      [
        { publicJwk: active.publicJwk, state: 'active' },
        { publicJwk: retired.publicJwk, state: 'retired', expiresAt: frozenNow },
      ],
      frozenNow,
    );
    expect(jwks.keys.map((key) => key.kid)).toEqual([active.kid]);
  });

  it('should publish a kid only once', () => {
    const jwks = buildPublicJwks(
      [
        { publicJwk: active.publicJwk, state: 'active' },
        { publicJwk: active.publicJwk, state: 'next' },
      ],
      frozenNow,
    );
    expect(jwks.keys).toHaveLength(1);
  });

  it('should copy only public members even from a JWK that carries private ones', async () => {
    const sealable = await generateSigningKey({ extractable: true });
    const leaky = { ...(await exportJWK(sealable.privateKey)), kid: sealable.kid, alg: 'ES256', use: 'sig' } as PublicSigningJwk;
    const [published] = buildPublicJwks([{ publicJwk: leaky, state: 'active' }], frozenNow).keys;
    expect(published).not.toHaveProperty('d');
  });
});
