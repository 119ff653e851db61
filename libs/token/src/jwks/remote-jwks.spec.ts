import { errors, exportJWK, type JSONWebKeySet } from 'jose';

import { verifyIdToken } from '../id-token/verify-id-token.ts';
import { generateSigningKey } from '../keys/signing-keys.ts';
import { failureCode, thrownCode } from '../test-support/failure-code.ts';
import { json, redirect, startTestServer, type TestServer } from '../test-support/http-server.ts';
import { clientIdAtIdp, createLocalIdp, frozenNow, type LocalIdp } from '../test-support/local-idp.ts';
import { createPinnedKeyResolver, discoverOpenIdProvider, parseJwks, RemoteJwksCache } from './remote-jwks.ts';

class FakeClock {
  constructor(private current: Date) {}
  now(): Date {
    return this.current;
  }
  advance(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}

describe('parseJwks', () => {
  it('should refuse a JWK Set without keys', () => {
    expect(thrownCode(() => parseJwks({ keys: [] }))).toBe('invalid_jwks');
  });

  it('should refuse a JWK Set with more than 100 keys', () => {
    const keys = Array.from({ length: 101 }, (_, index) => ({ kty: 'EC', kid: String(index) }));
    expect(thrownCode(() => parseJwks({ keys }))).toBe('invalid_jwks');
  });

  it('should refuse a document that is not a JWK Set', () => {
    expect(thrownCode(() => parseJwks([{ kty: 'EC' }]))).toBe('invalid_jwks');
  });

  it('should refuse a JWK Set that publishes a private key', async () => {
    const { privateKey } = await generateSigningKey({ extractable: true });
    const privateJwk = await exportJWK(privateKey);
    expect(thrownCode(() => parseJwks({ keys: [privateJwk] }))).toBe('invalid_jwks');
  });

  it('should refuse a JWK Set that publishes a symmetric key', () => {
    expect(thrownCode(() => parseJwks({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }))).toBe('invalid_jwks');
  });
});

describe('RemoteJwksCache', () => {
  let server: TestServer;
  let idp: LocalIdp;
  let clock: FakeClock;

  beforeAll(async () => {
    server = await startTestServer();
    idp = await createLocalIdp();
  });
  beforeEach(() => {
    clock = new FakeClock(frozenNow);
  });
  afterEach(() => server.reset());
  afterAll(() => server.close());

  /** iat/exp around the clock's current time. */
  function fresh(): Record<string, number> {
    const iat = Math.floor(clock.now().getTime() / 1000);
    return { iat, exp: iat + 300 };
  }

  function newCache(): RemoteJwksCache {
    return new RemoteJwksCache({ allowInsecureLoopback: true, clock });
  }

  function verify(cache: RemoteJwksCache, token: string) {
    return verifyIdToken(token, { issuer: idp.issuer, audience: clientIdAtIdp, keys: cache.keyResolver(server.url('/jwks')), now: clock.now() });
  }

  it('should refuse to build a resolver for a plain-http URL without the loopback option', () => {
    const cache = new RemoteJwksCache({ clock });
    expect(thrownCode(() => cache.keyResolver(server.url('/jwks')))).toBe('url_not_allowed');
  });

  it('should verify with keys fetched from the jwks_uri', async () => {
    server.on('/jwks', json(idp.jwks));
    await expect(verify(newCache(), await idp.idToken())).resolves.toMatchObject({ subject: 'alice-at-idp' });
  });

  it('should serve a fresh key set from the cache without fetching again', async () => {
    server.on('/jwks', json(idp.jwks));
    const cache = newCache();
    await verify(cache, await idp.idToken());
    clock.advance(599);
    await verify(cache, await idp.idToken(fresh()));
    expect(server.hits('/jwks')).toBe(1);
  });

  it('should fetch the key set again once it is older than the maximum age', async () => {
    server.on('/jwks', json(idp.jwks));
    const cache = newCache();
    await cache.get(server.url('/jwks'));
    clock.advance(600);
    await cache.get(server.url('/jwks'));
    expect(server.hits('/jwks')).toBe(2);
  });

  it('should refetch once on an unknown kid and accept a key the IdP has just rotated in', async () => {
    const rotated = await generateSigningKey();
    server.on('/jwks', json(idp.jwks));
    const cache = newCache();
    await verify(cache, await idp.idToken());
    clock.advance(31);
    server.on('/jwks', json({ keys: [...idp.jwks.keys, rotated.publicJwk] }));
    const token = await idp.idToken(fresh(), { kid: rotated.kid }, rotated);
    await expect(verify(cache, token)).resolves.toMatchObject({ keyId: rotated.kid });
    expect(server.hits('/jwks')).toBe(2);
  });

  it('should not refetch for an unknown kid within the cooldown after the last fetch', async () => {
    server.on('/jwks', json(idp.jwks));
    const cache = newCache();
    await verify(cache, await idp.idToken());
    clock.advance(29);
    expect(await failureCode(verify(cache, await idp.idToken({}, { kid: 'invented-1' })))).toBe('unknown_key');
    expect(server.hits('/jwks')).toBe(1);
  });

  it('should allow only one refetch per cooldown however many unknown kids arrive', async () => {
    server.on('/jwks', json(idp.jwks));
    const cache = newCache();
    await verify(cache, await idp.idToken());
    clock.advance(31);
    expect(await failureCode(verify(cache, await idp.idToken({}, { kid: 'invented-1' })))).toBe('unknown_key');
    expect(await failureCode(verify(cache, await idp.idToken({}, { kid: 'invented-2' })))).toBe('unknown_key');
    expect(server.hits('/jwks')).toBe(2);
  });

  it('should share one fetch between concurrent first uses of a cold cache', async () => {
    server.on('/jwks', json(idp.jwks));
    const cache = newCache();
    const tokens = await Promise.all(Array.from({ length: 8 }, () => idp.idToken()));
    await Promise.all(tokens.map((token) => verify(cache, token)));
    expect(server.hits('/jwks')).toBe(1);
  });

  it('should share one fetch between concurrent tokens with unknown kids', async () => {
    server.on('/jwks', json(idp.jwks));
    const cache = newCache();
    await verify(cache, await idp.idToken());
    clock.advance(31);
    const tokens = await Promise.all(Array.from({ length: 8 }, (_, index) => idp.idToken({}, { kid: `invented-${index}` })));
    const codes = await Promise.all(tokens.map((token) => failureCode(verify(cache, token))));
    expect(codes).toEqual(Array(8).fill('unknown_key'));
    expect(server.hits('/jwks')).toBe(2);
  });

  it('should fail closed with keys_unavailable when the jwks_uri cannot be fetched', async () => {
    server.on('/jwks', json({ error: 'down' }, 503));
    expect(await failureCode(verify(newCache(), await idp.idToken()))).toBe('keys_unavailable');
  });

  it('should not retry a failed fetch within the cooldown', async () => {
    server.on('/jwks', json({ error: 'down' }, 503));
    const cache = newCache();
    expect(await failureCode(verify(cache, await idp.idToken()))).toBe('keys_unavailable');
    clock.advance(10);
    expect(await failureCode(verify(cache, await idp.idToken()))).toBe('keys_unavailable');
    expect(server.hits('/jwks')).toBe(1);
  });

  it('should not use a cached key set past its maximum age when the refetch fails', async () => {
    server.on('/jwks', json(idp.jwks));
    const cache = newCache();
    await verify(cache, await idp.idToken());
    clock.advance(601);
    server.on('/jwks', json({ error: 'down' }, 503));
    const token = await idp.idToken(fresh());
    expect(await failureCode(verify(cache, token))).toBe('keys_unavailable');
  });

  it('should refuse a JWKS response over the size cap', async () => {
    const padded = { keys: [...idp.jwks.keys, { kty: 'EC', kid: 'pad', x: 'x'.repeat(300 * 1024) }] };
    server.on('/jwks', json(padded));
    expect(await failureCode(newCache().get(server.url('/jwks')))).toBe('too_large');
  });

  it('should refuse a JWKS response holding a private key', async () => {
    const leaked = await generateSigningKey({ extractable: true });
    server.on('/jwks', json({ keys: [{ ...(await exportJWK(leaked.privateKey)), kid: leaked.kid }] }));
    expect(await failureCode(newCache().get(server.url('/jwks')))).toBe('invalid_jwks');
  });

  it('should refuse a redirect of the jwks_uri to a private address', async () => {
    server.on('/jwks', redirect('https://192.168.0.10/jwks'));
    expect(await failureCode(newCache().get(server.url('/jwks')))).toBe('address_not_allowed');
  });
});

describe('createPinnedKeyResolver', () => {
  it('should resolve a key by kid from a pinned JWK Set', async () => {
    const idp = await createLocalIdp();
    const resolver = createPinnedKeyResolver(idp.jwks);
    await expect(resolver({ alg: 'ES256', kid: idp.key.kid })).resolves.toMatchObject({ type: 'public' });
  });

  it('should report an unknown kid as jose does, without fetching anything', async () => {
    const idp = await createLocalIdp();
    const resolver = createPinnedKeyResolver(idp.jwks);
    await expect(resolver({ alg: 'ES256', kid: 'elsewhere' })).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
  });

  it('should refuse a pinned set that is not a public JWK Set', () => {
    expect(thrownCode(() => createPinnedKeyResolver({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } as JSONWebKeySet))).toBe('invalid_jwks');
  });
});

describe('discoverOpenIdProvider', () => {
  let server: TestServer;
  let issuer: string;

  beforeAll(async () => {
    server = await startTestServer();
    issuer = server.url('/tenant');
  });
  afterEach(() => server.reset());
  afterAll(() => server.close());

  it('should return the jwks_uri of an issuer whose metadata names it exactly', async () => {
    server.on('/tenant/.well-known/openid-configuration', json({ issuer, jwks_uri: `${issuer}/keys`, id_token_signing_alg_values_supported: ['ES256'] }));
    await expect(discoverOpenIdProvider(issuer, { allowInsecureLoopback: true })).resolves.toEqual({
      issuer,
      jwksUri: `${issuer}/keys`,
      idTokenSigningAlgValuesSupported: ['ES256'],
    });
  });

  it('should refuse metadata whose issuer differs only by a trailing slash', async () => {
    server.on('/tenant/.well-known/openid-configuration', json({ issuer: `${issuer}/`, jwks_uri: `${issuer}/keys` }));
    expect(await failureCode(discoverOpenIdProvider(issuer, { allowInsecureLoopback: true }))).toBe('issuer_mismatch');
  });

  it('should refuse metadata without a jwks_uri', async () => {
    server.on('/tenant/.well-known/openid-configuration', json({ issuer }));
    expect(await failureCode(discoverOpenIdProvider(issuer, { allowInsecureLoopback: true }))).toBe('invalid_metadata');
  });

  it('should refuse metadata whose jwks_uri points at a private address', async () => {
    server.on('/tenant/.well-known/openid-configuration', json({ issuer, jwks_uri: 'https://10.1.1.1/keys' }));
    expect(await failureCode(discoverOpenIdProvider(issuer, { allowInsecureLoopback: true }))).toBe('invalid_metadata');
  });

  it('should refuse a plain-http issuer without the loopback option, before sending anything', async () => {
    server.on('/tenant/.well-known/openid-configuration', json({ issuer, jwks_uri: `${issuer}/keys` }));
    expect(await failureCode(discoverOpenIdProvider(issuer))).toBe('url_not_allowed');
    expect(server.hits('/tenant/.well-known/openid-configuration')).toBe(0);
  });
});
