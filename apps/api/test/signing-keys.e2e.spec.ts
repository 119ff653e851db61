/**
 * The IdP role's keys over real HTTP: the JWK Set verifiers fetch, the RFC 8414 metadata that points
 * at it, and rotation through the admin API keeping earlier tokens verifiable.
 */
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';

import { AdminHttp, createAdmin } from '@crossgate/testing';
import { SigningKeyRepository } from '@crossgate/store';

import { startTestApi, type TestApi } from './support/test-api.ts';

const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

let api: TestApi;
let keys: SigningKeyRepository;
let itAdmin: AdminHttp;

beforeAll(async () => {
  api = await startTestApi();
  keys = api.app.get(SigningKeyRepository);
  itAdmin = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, 'it-admin')).token);
});

afterAll(async () => {
  await api.close();
});

async function signIdpToken(): Promise<string> {
  const key = await keys.activeKey('idp');
  return new SignJWT({ sub: 'alice' })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'oauth-id-jag+jwt' })
    .setIssuer(api.config.http.publicUrl)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key.privateKey);
}

/** A fresh remote key set each time, as a verifier that has never cached Crossgate's keys. */
function remoteJwks() {
  return createRemoteJWKSet(new URL(`${api.baseUrl}/oauth2/jwks`));
}

async function allSealedKeys(): Promise<string[]> {
  return (await api.prisma.signingKey.findMany({ select: { privateKeyJwe: true } })).map((row) => row.privateKeyJwe);
}

describe('GET /.well-known/oauth-authorization-server', () => {
  it('should describe the IdP role: issuer, token endpoint, keys, token exchange and the ID-JAG token type', async () => {
    const response = await AdminHttp.anonymous(api.baseUrl).get('/.well-known/oauth-authorization-server');
    const issuer = api.config.http.publicUrl;

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      issuer,
      authorization_endpoint: `${issuer}/oauth2/authorize`,
      token_endpoint: `${issuer}/oauth2/token`,
      jwks_uri: `${issuer}/oauth2/jwks`,
      grant_types_supported: ['urn:ietf:params:oauth:grant-type:token-exchange'],
      response_types_supported: [],
      token_endpoint_auth_methods_supported: ['private_key_jwt', 'client_secret_basic', 'client_secret_post'],
      token_endpoint_auth_signing_alg_values_supported: expect.arrayContaining(['ES256', 'RS256']),
      identity_chaining_requested_token_types_supported: ['urn:ietf:params:oauth:token-type:id-jag'],
    });
  });
});

describe('GET /oauth2/jwks', () => {
  it('should have an active IdP key as soon as the API has started', async () => {
    expect(await keys.findActive('idp')).toMatchObject({ role: 'idp', state: 'active', alg: 'ES256' });
  });

  it('should publish the active key first, cacheable for five minutes, without private members', async () => {
    const active = await keys.findActive('idp');

    const response = await AdminHttp.anonymous(api.baseUrl).get<{ keys: Record<string, unknown>[] }>('/oauth2/jwks');

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(response.body.keys[0]).toMatchObject({ kid: active!.kid, alg: 'ES256', use: 'sig', kty: 'EC' });
    for (const jwk of response.body.keys) {
      expect(Object.keys(jwk).filter((member) => privateMembers.includes(member))).toEqual([]);
    }
  });

  it('should verify a token signed with the active key, through jose over HTTP', async () => {
    const token = await signIdpToken();

    const { payload, protectedHeader } = await jwtVerify(token, remoteJwks(), { issuer: api.config.http.publicUrl });

    expect(payload.sub).toBe('alice');
    expect(protectedHeader.kid).toBe((await keys.findActive('idp'))!.kid);
  });

  it('should publish the role idp only', async () => {
    const other = await keys.ensureActive(`ras:e2e-${Date.now()}`, 'ES256', new Date());

    const response = await AdminHttp.anonymous(api.baseUrl).get<{ keys: { kid: string }[] }>('/oauth2/jwks');

    expect(response.body.keys.map((key) => key.kid)).not.toContain(other.kid);
  });
});

describe('signing keys in the admin API', () => {
  it('should keep a token signed before a rotation verifiable after it, with the retired key still published', async () => {
    const before = await signIdpToken();
    const oldKid = decodeProtectedHeader(before).kid;

    const response = await itAdmin.post<{ activated: { kid: string }; retired: { kid: string; publishUntil: string }; next: { kid: string } }>(
      '/api/signing-keys/rotate',
      { role: 'idp' },
    );

    expect(response.status).toBe(200);
    expect(response.body.retired.kid).toBe(oldKid);
    expect(response.body.activated.kid).not.toBe(oldKid);
    const jwks = await AdminHttp.anonymous(api.baseUrl).get<{ keys: { kid: string }[] }>('/oauth2/jwks');
    const published = jwks.body.keys.map((key) => key.kid);
    // Active first, then next, then retired keys (earlier rotations may still be in their window).
    expect(published.slice(0, 2)).toEqual([response.body.activated.kid, response.body.next.kid]);
    expect(published).toContain(oldKid);
    await expect(jwtVerify(before, remoteJwks())).resolves.toBeDefined();
    const after = await signIdpToken();
    expect(decodeProtectedHeader(after).kid).toBe(response.body.activated.kid);
    await expect(jwtVerify(after, remoteJwks())).resolves.toBeDefined();
  });

  it('should audit a rotation as the admin who asked, with no private material', async () => {
    const admin = await createAdmin(api.prisma, 'it-admin');

    const response = await AdminHttp.withToken(api.baseUrl, admin.token).post<{ activated: { id: string } }>('/api/signing-keys/rotate', {
      role: 'idp',
    });

    expect(response.status).toBe(200);
    const event = await api.prisma.auditEvent.findFirstOrThrow({ where: { action: 'signing_key.rotate', actorId: admin.id } });
    expect(event).toMatchObject({ actorType: 'api_token', targetType: 'signing_key', targetId: response.body.activated.id, decision: 'allow' });
    const text = JSON.stringify({ ...event, seq: event.seq.toString() });
    for (const sealed of await allSealedKeys()) {
      expect(text).not.toContain(sealed);
    }
  });

  it('should refuse a rotation that does not name the role', async () => {
    const response = await itAdmin.post('/api/signing-keys/rotate', {});

    expect(response.status).toBe(422);
  });

  it('should list keys with public information only', async () => {
    const response = await itAdmin.get<Record<string, unknown>[]>('/api/signing-keys');

    expect(response.status).toBe(200);
    expect(response.headers.get('content-range')).toMatch(/^signing-keys 0-\d+\/\d+$/);
    const idp = response.body.filter((key) => key['role'] === 'idp');
    expect(idp.map((key) => key['state'])).toEqual(expect.arrayContaining(['active', 'next', 'retired']));
    for (const key of response.body) {
      expect(Object.keys(key).sort()).toEqual(['activatedAt', 'alg', 'createdAt', 'id', 'kid', 'publishUntil', 'retiredAt', 'role', 'state']);
    }
    const text = JSON.stringify(response.body);
    for (const sealed of await allSealedKeys()) {
      expect(text).not.toContain(sealed);
    }
  });
});
