/**
 * Client authentication at the token endpoint, against the real service: rows in the run's
 * Postgres, jti records through the coordination port (the run's Redis), real signed assertions,
 * and a real HTTP server for JWKS URIs.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { SignJWT } from 'jose';

import { RedisCoordination } from '@crossgate/coordination';
import { unique } from '@crossgate/testing';
import { generateSigningKey, RemoteJwksCache, type SigningKey } from '@crossgate/token';

import { hashPassword } from '../src/auth/index.ts';
import { type AuthenticationRequest, ClientAuthenticator, jwtBearerAssertionType } from '../src/oauth/index.ts';
import { OAuthError, type OAuthErrorCode } from '../src/http/index.ts';
import { Clock } from '../src/platform/index.ts';
import { PolicyEngineService } from '../src/policies/index.ts';
import { startTestApi, type TestApi } from './support/test-api.ts';

const issuer = 'https://crossgate.test';
const secret = 'correct horse battery staple, 32+ chars';

let api: TestApi;
let authenticator: ClientAuthenticator;
let key: SigningKey;
let otherKey: SigningKey;
let jwksServer: Server;
let jwksUrl: string;

beforeAll(async () => {
  api = await startTestApi();
  authenticator = api.app.get(ClientAuthenticator);
  [key, otherKey] = await Promise.all([generateSigningKey(), generateSigningKey()]);
  jwksServer = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: [key.publicJwk] }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`;
});

afterAll(async () => {
  jwksServer.closeAllConnections();
  await new Promise((resolve) => jwksServer.close(resolve));
  await api.close();
});

type ClientOverrides = { authMethod?: string; status?: string; deletedAt?: Date; jwks?: object | null; jwksUri?: string | null; secretHash?: string | null };

/** A client row as the admin API would store it. */
async function newClient(overrides: ClientOverrides = {}): Promise<{ id: string; clientId: string }> {
  const clientId = unique('client');
  const authMethod = overrides.authMethod ?? 'client_secret_basic';
  const secretMethod = authMethod === 'client_secret_basic' || authMethod === 'client_secret_post';
  const row = await api.prisma.client.create({
    data: {
      clientId,
      name: clientId,
      owner: 'tests@example.test',
      authMethod: authMethod as never,
      status: (overrides.status ?? 'active') as never,
      deletedAt: overrides.deletedAt ?? null,
      scopeCeiling: ['issues.read'],
      idpClientId: `${clientId}-at-idp`,
      secretHash: overrides.secretHash !== undefined ? overrides.secretHash : secretMethod ? await hashPassword(secret) : null,
      jwks: (overrides.jwks !== undefined ? overrides.jwks : authMethod === 'private_key_jwt' ? { keys: [key.publicJwk] } : undefined) ?? undefined,
      jwksUri: overrides.jwksUri ?? null,
    },
  });
  await api.directoryChanged();
  return { id: row.id, clientId };
}

function basic(clientId: string, password: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(password)}`).toString('base64')}`;
}

function request(parts: { authorization?: string; body?: Record<string, unknown> }): AuthenticationRequest {
  return {
    headers: parts.authorization === undefined ? {} : { authorization: parts.authorization },
    body: { grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', ...parts.body },
    tokenEndpointAudience: issuer,
  };
}

/** A client assertion; `claims` and `header` override the defaults, `undefined` removes a member. */
async function assertion(
  clientId: string,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
  signWith: SigningKey | Uint8Array = key,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload = Object.fromEntries(
    Object.entries({ iss: clientId, sub: clientId, aud: issuer, iat: now, exp: now + 60, jti: randomUUID(), ...claims }).filter(([, value]) => value !== undefined),
  );
  const protectedHeader = Object.fromEntries(
    Object.entries({ alg: 'ES256', kid: signWith instanceof Uint8Array ? undefined : signWith.kid, ...header }).filter(([, value]) => value !== undefined),
  ) as { alg: string };
  return new SignJWT(payload).setProtectedHeader(protectedHeader).sign(signWith instanceof Uint8Array ? signWith : signWith.privateKey);
}

function withAssertion(token: string, extra: Record<string, unknown> = {}): AuthenticationRequest {
  return request({ body: { client_assertion_type: jwtBearerAssertionType, client_assertion: token, ...extra } });
}

/** The OAuth error a call fails with. */
async function refusal(work: Promise<unknown>): Promise<{ code: OAuthErrorCode; description: string }> {
  try {
    await work;
  } catch (error) {
    if (error instanceof OAuthError) {
      return { code: error.code, description: error.description };
    }
    throw error;
  }
  throw new Error('expected an OAuthError, the call succeeded');
}

describe('client_secret_basic', () => {
  it('should authenticate a client with its secret in the Basic header', async () => {
    const client = await newClient();

    const authenticated = await authenticator.authenticate(request({ authorization: basic(client.clientId, secret) }));

    expect(authenticated).toEqual({
      id: client.id,
      clientId: client.clientId,
      authMethod: 'client_secret_basic',
      kind: 'requesting_app',
      scopeCeiling: ['issues.read'],
      idpClientId: `${client.clientId}-at-idp`,
      isPublic: false,
    });
  });

  it('should refuse a wrong secret and an unknown client with the same answer', async () => {
    const client = await newClient();

    const wrongSecret = await refusal(authenticator.authenticate(request({ authorization: basic(client.clientId, 'not the secret') })));
    const unknown = await refusal(authenticator.authenticate(request({ authorization: basic(unique('nobody'), secret) })));

    expect(wrongSecret.code).toBe('invalid_client');
    expect(unknown).toEqual(wrongSecret);
  });

  it('should refuse malformed Basic credentials with invalid_client', async () => {
    const malformed = [
      'Basic !!!not-base64',
      `Basic ${Buffer.from('no-colon').toString('base64')}`,
      `Basic ${Buffer.from(':only-secret').toString('base64')}`,
      `Basic ${Buffer.from('%zz:secret').toString('base64')}`,
    ];

    const codes = await Promise.all(
      malformed.map(async (authorization) => (await refusal(authenticator.authenticate(request({ authorization })))).code),
    );

    expect(codes).toEqual(['invalid_client', 'invalid_client', 'invalid_client', 'invalid_client']);
  });

  it('should form-decode the client id and secret inside the Basic credentials', async () => {
    const spaced = 'a secret with spaces & symbols: +%/';
    const client = await newClient({ secretHash: await hashPassword(spaced) });

    await expect(authenticator.authenticate(request({ authorization: basic(client.clientId, spaced) }))).resolves.toMatchObject({ id: client.id });
  });

  it('should refuse a disabled client and a deleted client like an unknown one', async () => {
    const disabled = await newClient({ status: 'disabled' });
    const deleted = await newClient({ deletedAt: new Date() });
    const unknown = await refusal(authenticator.authenticate(request({ authorization: basic(unique('nobody'), secret) })));

    expect(await refusal(authenticator.authenticate(request({ authorization: basic(disabled.clientId, secret) })))).toEqual(unknown);
    expect(await refusal(authenticator.authenticate(request({ authorization: basic(deleted.clientId, secret) })))).toEqual(unknown);
  });
});

describe('client_secret_post', () => {
  it('should authenticate a client with client_id and client_secret in the body', async () => {
    const client = await newClient({ authMethod: 'client_secret_post' });

    const authenticated = await authenticator.authenticate(request({ body: { client_id: client.clientId, client_secret: secret } }));

    expect(authenticated).toMatchObject({ id: client.id, authMethod: 'client_secret_post', isPublic: false });
  });

  it('should refuse a client registered for Basic that sends its secret in the body', async () => {
    const client = await newClient({ authMethod: 'client_secret_basic' });
    const unknown = await refusal(authenticator.authenticate(request({ authorization: basic(unique('nobody'), secret) })));

    expect(await refusal(authenticator.authenticate(request({ body: { client_id: client.clientId, client_secret: secret } })))).toEqual(unknown);
  });

  it('should refuse a repeated client_secret parameter with invalid_request', async () => {
    const client = await newClient({ authMethod: 'client_secret_post' });

    const { code } = await refusal(authenticator.authenticate(request({ body: { client_id: client.clientId, client_secret: [secret, secret] } })));

    expect(code).toBe('invalid_request');
  });
});

describe('one method per request', () => {
  it('should refuse Basic credentials together with a secret in the body', async () => {
    const client = await newClient();

    const { code } = await refusal(
      authenticator.authenticate(request({ authorization: basic(client.clientId, secret), body: { client_id: client.clientId, client_secret: secret } })),
    );

    expect(code).toBe('invalid_request');
  });

  it('should refuse a client secret together with a client assertion', async () => {
    const client = await newClient({ authMethod: 'private_key_jwt' });

    const { code } = await refusal(authenticator.authenticate(withAssertion(await assertion(client.clientId), { client_id: client.clientId, client_secret: secret })));

    expect(code).toBe('invalid_request');
  });

  it('should refuse a request without any client credentials with invalid_client', async () => {
    expect((await refusal(authenticator.authenticate(request({})))).code).toBe('invalid_client');
  });

  it('should refuse a private_key_jwt client that authenticates with a secret', async () => {
    const client = await newClient({ authMethod: 'private_key_jwt', secretHash: await hashPassword(secret) });

    expect((await refusal(authenticator.authenticate(request({ authorization: basic(client.clientId, secret) })))).code).toBe('invalid_client');
  });
});

describe('public clients (none)', () => {
  it('should identify a public client by client_id and mark it public', async () => {
    const client = await newClient({ authMethod: 'none' });

    await expect(authenticator.authenticate(request({ body: { client_id: client.clientId } }))).resolves.toMatchObject({ id: client.id, authMethod: 'none', isPublic: true });
  });

  it('should refuse a confidential client that sends only its client_id', async () => {
    const client = await newClient({ authMethod: 'client_secret_post' });

    expect((await refusal(authenticator.authenticate(request({ body: { client_id: client.clientId } })))).code).toBe('invalid_client');
  });
});

describe('private_key_jwt', () => {
  it('should authenticate a client whose assertion verifies with its pinned JWKS', async () => {
    const client = await newClient({ authMethod: 'private_key_jwt' });

    const authenticated = await authenticator.authenticate(withAssertion(await assertion(client.clientId)));

    expect(authenticated).toMatchObject({ id: client.id, clientId: client.clientId, authMethod: 'private_key_jwt', isPublic: false });
  });

  it('should authenticate a client whose keys are served at its jwks_uri', async () => {
    const client = await newClient({ authMethod: 'private_key_jwt', jwks: null, jwksUri: jwksUrl });

    await expect(authenticator.authenticate(withAssertion(await assertion(client.clientId), { client_id: client.clientId }))).resolves.toMatchObject({ id: client.id });
  });

  it('should accept the explicit type client-authentication+jwt and a one-element aud array', async () => {
    const client = await newClient({ authMethod: 'private_key_jwt' });

    const token = await assertion(client.clientId, { aud: [issuer] }, { typ: 'client-authentication+jwt' });

    await expect(authenticator.authenticate(withAssertion(token))).resolves.toMatchObject({ id: client.id });
  });

  it('should refuse a replayed assertion', async () => {
    const client = await newClient({ authMethod: 'private_key_jwt' });
    const token = await assertion(client.clientId);
    await authenticator.authenticate(withAssertion(token));

    const replay = await refusal(authenticator.authenticate(withAssertion(token)));

    expect(replay.code).toBe('invalid_client');
    expect(replay.description).toMatch(/already used/);
  });

  it('should refuse the same jti in a fresh assertion of the same client', async () => {
    const client = await newClient({ authMethod: 'private_key_jwt' });
    const jti = randomUUID();
    await authenticator.authenticate(withAssertion(await assertion(client.clientId, { jti })));

    expect((await refusal(authenticator.authenticate(withAssertion(await assertion(client.clientId, { jti, iat: Math.floor(Date.now() / 1000) - 1 }))))).code).toBe(
      'invalid_client',
    );
  });

  it.each([
    ['an audience other than the issuer', { aud: 'https://elsewhere.test' }, /audience/],
    ['the token endpoint URL as audience', { aud: `${issuer}/oauth2/token` }, /audience/],
    ['an aud array with a second value', { aud: [issuer, 'https://elsewhere.test'] }, /audience/],
    ['an expired assertion', { iat: Math.floor(Date.now() / 1000) - 600, exp: Math.floor(Date.now() / 1000) - 300 }, /expired/],
    ['an exp more than 5 minutes after iat', { exp: Math.floor(Date.now() / 1000) + 3600 }, /at most 300 s/],
    ['an exp far in the future without iat', { iat: undefined, exp: Math.floor(Date.now() / 1000) + 3600 }, /at most 300 s/],
    ['no jti', { jti: undefined }, /jti/],
    ['no exp', { exp: undefined }, /exp/],
    ['an iss other than the client', { iss: 'https://someone-else.test' }, /issuer/],
    ['an iat in the future', { iat: Math.floor(Date.now() / 1000) + 600, exp: Math.floor(Date.now() / 1000) + 660 }, /future/],
  ])('should refuse %s', async (_label, claims, reason) => {
    const client = await newClient({ authMethod: 'private_key_jwt' });

    const { code, description } = await refusal(authenticator.authenticate(withAssertion(await assertion(client.clientId, claims))));

    expect(code).toBe('invalid_client');
    expect(description).toMatch(reason);
  });

  it('should refuse an assertion MACed with HS256 (a shared secret)', async () => {
    const client = await newClient({ authMethod: 'private_key_jwt' });
    const token = await assertion(client.clientId, {}, { alg: 'HS256', kid: undefined }, new TextEncoder().encode(secret));

    expect(await refusal(authenticator.authenticate(withAssertion(token)))).toEqual({ code: 'invalid_client', description: expect.stringMatching(/alg "HS256"/) });
  });

  it('should refuse an unsigned assertion (alg none)', async () => {
    const client = await newClient({ authMethod: 'private_key_jwt' });
    const signed = await assertion(client.clientId);
    const [, payload] = signed.split('.');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${payload}.`;

    expect(await refusal(authenticator.authenticate(withAssertion(unsigned)))).toEqual({ code: 'invalid_client', description: expect.stringMatching(/alg "none"/) });
  });

  it.each(['oauth-id-jag+jwt', 'at+jwt', 'secevent+jwt'])('should refuse an assertion typed %s', async (typ) => {
    const client = await newClient({ authMethod: 'private_key_jwt' });

    const { code, description } = await refusal(authenticator.authenticate(withAssertion(await assertion(client.clientId, {}, { typ }))));

    expect(code).toBe('invalid_client');
    expect(description).toMatch(/typ/);
  });

  it('should refuse an assertion signed with a key not in the client JWKS, like an unknown client', async () => {
    const client = await newClient({ authMethod: 'private_key_jwt' });
    const unknown = await refusal(authenticator.authenticate(withAssertion(await assertion(unique('nobody')))));

    const foreign = await refusal(authenticator.authenticate(withAssertion(await assertion(client.clientId, {}, {}, otherKey))));
    const sameKid = await refusal(authenticator.authenticate(withAssertion(await assertion(client.clientId, {}, { kid: key.kid }, otherKey))));

    expect(foreign).toEqual(unknown);
    expect(sameKid).toEqual(unknown);
  });

  it('should refuse an assertion over 8 KiB before looking anything up', async () => {
    const client = await newClient({ authMethod: 'private_key_jwt' });

    const { code } = await refusal(authenticator.authenticate(withAssertion(await assertion(client.clientId, { padding: 'x'.repeat(9000) }))));

    expect(code).toBe('invalid_client');
  });

  it('should refuse an unsupported client_assertion_type', async () => {
    const client = await newClient({ authMethod: 'private_key_jwt' });
    const token = await assertion(client.clientId);

    const { code } = await refusal(authenticator.authenticate(request({ body: { client_assertion_type: 'urn:example:saml', client_assertion: token } })));

    expect(code).toBe('invalid_client');
  });

  it('should refuse a client_id parameter that differs from the assertion subject', async () => {
    const client = await newClient({ authMethod: 'private_key_jwt' });

    const { code } = await refusal(authenticator.authenticate(withAssertion(await assertion(client.clientId), { client_id: unique('other') })));

    expect(code).toBe('invalid_client');
  });

  it('should answer temporarily_unavailable, not accept, when the replay check cannot be consulted', async () => {
    const deadRedis = new RedisCoordination('redis://127.0.0.1:1', { prefix: unique('dead'), logger: { log: () => undefined, warn: () => undefined } });
    const offline = new ClientAuthenticator(api.app.get(PolicyEngineService), deadRedis, api.app.get(Clock), api.app.get(RemoteJwksCache));
    const client = await newClient({ authMethod: 'private_key_jwt' });
    try {
      const { code } = await refusal(offline.authenticate(withAssertion(await assertion(client.clientId))));

      expect(code).toBe('temporarily_unavailable');
    } finally {
      await deadRedis.close();
    }
  });
});
