/**
 * Crossgate against clients it did not write: a real `oidc-provider` plays the upstream IdP (a user
 * signs in through its login flow over HTTP), and the ID token is exchanged for an ID-JAG by the MCP
 * SDK (`requestJwtAuthorizationGrant`, `discoverAndRequestJwtAuthGrant`, client_secret_post) and by
 * `openid-client` (`genericGrantRequest`, private_key_jwt). Each ID-JAG verifies with `jose` against
 * Crossgate's JWKS.
 */
import { discoverAndRequestJwtAuthGrant, requestJwtAuthorizationGrant } from '@modelcontextprotocol/client';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';

import { loadConfig } from '@crossgate/config';
import { AdminHttp, createActivePolicy, createAdmin, unique } from '@crossgate/testing';
import { generateSigningKey, grantTypes, type SigningKey, tokenTypes } from '@crossgate/token';
import type { PrismaClient } from '@crossgate/store';

// eslint-disable-next-line @nx/enforce-module-boundaries -- the oidc-provider helper is test support, kept out of the @crossgate/testing index so other suites do not load it
import { startOidcProvider, type LocalOidcProvider, type OidcProviderClient } from '../../../libs/testing/src/oidc-provider.ts';
import { createApi } from '../src/app.factory.ts';
import { PRISMA } from '../src/platform/index.ts';
import { PolicyEngineService } from '../src/policies/index.ts';
import { freePort } from './support/test-api.ts';

interface Crossgate {
  baseUrl: string;
  prisma: PrismaClient;
  close(): Promise<void>;
  refreshPolicies(): Promise<void>;
}

let crossgate: Crossgate;
let admin: AdminHttp;
let provider: LocalOidcProvider;
let clientKey: SigningKey;
let groupName: string;
let resource: { id: string; audience: string; indicator: string };
let secretClient: { id: string; clientId: string; secret: string; rp: OidcProviderClient };
let jwtClient: { id: string; clientId: string; rp: OidcProviderClient };

async function startCrossgate(): Promise<Crossgate> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = loadConfig({ ...process.env, HOST: '127.0.0.1', PORT: String(port), PUBLIC_URL: baseUrl });
  const app = await createApi(config, { logger: ['error'] });
  await app.listen(port, '127.0.0.1');
  return { baseUrl, prisma: app.get<PrismaClient>(PRISMA), close: () => app.close(), refreshPolicies: () => app.get(PolicyEngineService).refresh() };
}

function rpClient(name: string): OidcProviderClient {
  return { clientId: unique(name), clientSecret: `${unique('rp-secret')}-0123456789abcdef0123456789abcdef`, redirectUri: 'http://127.0.0.1/callback' };
}

async function created<T>(response: { status: number; body: T }, what: string): Promise<T> {
  if (response.status !== 201) {
    throw new Error(`${what} answered ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return response.body;
}

/** Records what each client library puts on the wire to the token endpoint. */
const sent: { url: string; headers: Headers; body: URLSearchParams }[] = [];
const recordingFetch: typeof fetch = async (input, init) => {
  const url = input instanceof Request ? input.url : String(input);
  if (url.endsWith('/oauth2/token')) {
    sent.push({ url, headers: new Headers(init?.headers), body: new URLSearchParams(String(init?.body ?? '')) });
  }
  return fetch(input, init);
};

beforeAll(async () => {
  crossgate = await startCrossgate();
  admin = AdminHttp.withToken(crossgate.baseUrl, (await createAdmin(crossgate.prisma, 'it-admin')).token);
  const secretRp = rpClient('mcp-client');
  const jwtRp = rpClient('oidc-client');
  provider = await startOidcProvider([secretRp, jwtRp]);
  clientKey = await generateSigningKey();

  // Crossgate discovers the provider's jwks_uri from its metadata: no jwks, no jwksUri pinned.
  await crossgate.prisma.trustedIdp.create({ data: { name: unique('oidc-provider'), issuer: provider.issuer, audiences: [] } });
  groupName = unique('engineering');
  const groupId = (await crossgate.prisma.group.create({ data: { name: groupName } })).id;

  const slug = unique('tracker').toLowerCase();
  const audience = `https://${slug}.example.test`;
  const resourceRow = await crossgate.prisma.resource.create({
    data: { slug, name: slug, authorizationServer: audience, resourceIndicators: [`${audience}/mcp`], scopes: [{ name: 'issues.read' }, { name: 'issues.write' }], owner: 'tests@example.test' },
  });
  resource = { id: resourceRow.id, audience, indicator: `${audience}/mcp` };

  const secretRow = await crossgate.prisma.client.create({
    data: { clientId: unique('mcp'), name: 'MCP SDK client', owner: 'tests@example.test', authMethod: 'client_secret_post', scopeCeiling: [], idpClientId: secretRp.clientId },
  });
  const issued = await created(await admin.post<{ clientId: string; clientSecret: string }>(`/api/clients/${secretRow.id}/secret`, {}), 'POST /api/clients/:id/secret');
  secretClient = { id: secretRow.id, clientId: secretRow.clientId, secret: issued.clientSecret, rp: secretRp };

  const jwtRow = await crossgate.prisma.client.create({
    data: { clientId: unique('oidc'), name: 'openid-client', owner: 'tests@example.test', authMethod: 'private_key_jwt', scopeCeiling: [], idpClientId: jwtRp.clientId, jwks: { keys: [clientKey.publicJwk] } as object },
  });
  jwtClient = { id: jwtRow.id, clientId: jwtRow.clientId, rp: jwtRp };

  for (const client of [secretClient, jwtClient]) {
    await createActivePolicy(admin, AdminHttp.withToken(crossgate.baseUrl, (await createAdmin(crossgate.prisma, 'it-admin')).token), { name: unique('policy'), clientId: client.id, resourceId: resource.id, subjectGroupIds: [groupId], scopes: ['issues.read'] });
  }
  await crossgate.refreshPolicies();
});

afterAll(async () => {
  await crossgate?.close();
  await provider?.close();
});

beforeEach(() => {
  sent.length = 0;
});

function newUser() {
  const sub = unique('alice');
  return { sub, email: `${sub}@example.test`, groups: [groupName] };
}

async function verifyIdJag(token: string) {
  expect(decodeProtectedHeader(token).typ).toBe('oauth-id-jag+jwt');
  const jwks = createRemoteJWKSet(new URL(`${crossgate.baseUrl}/oauth2/jwks`));
  return (await jwtVerify(token, jwks, { issuer: crossgate.baseUrl, audience: resource.audience, typ: 'oauth-id-jag+jwt' })).payload;
}

async function expectOneAllowEvent(jti: string, clientId: string): Promise<void> {
  const events = await crossgate.prisma.auditEvent.findMany({ where: { action: 'token_exchange', actorId: clientId } });
  const matching = events.filter((event) => (event.context as Record<string, unknown> | null)?.['jti'] === jti);
  expect(matching).toHaveLength(1);
  expect(matching[0]).toMatchObject({ decision: 'allow' });
}

describe('independent clients against Crossgate with a real oidc-provider upstream', () => {
  it('should have the provider put sub, email and groups in a real ID token', async () => {
    const user = newUser();
    const idToken = await provider.signIn(secretClient.rp, user);
    expect(decodeJwt(idToken)).toMatchObject({ iss: provider.issuer, aud: secretClient.rp.clientId, sub: user.sub, email: user.email, groups: [groupName] });
  });

  it('should issue an ID-JAG to the MCP SDK requestJwtAuthorizationGrant (client_secret_post)', async () => {
    const user = newUser();
    const idToken = await provider.signIn(secretClient.rp, user);

    const result = await requestJwtAuthorizationGrant({
      tokenEndpoint: `${crossgate.baseUrl}/oauth2/token`,
      audience: resource.audience,
      resource: resource.indicator,
      idToken,
      clientId: secretClient.clientId,
      clientSecret: secretClient.secret,
      scope: 'issues.read',
      fetchFn: recordingFetch,
    });

    expect(sent).toHaveLength(1);
    expect(sent[0]!.headers.get('authorization')).toBeNull();
    expect(Object.fromEntries(sent[0]!.body)).toMatchObject({ grant_type: grantTypes.tokenExchange, client_id: secretClient.clientId, client_secret: secretClient.secret, resource: resource.indicator, audience: resource.audience });
    const payload = await verifyIdJag(result.jwtAuthGrant);
    expect(payload).toMatchObject({ sub: user.sub, aud: resource.audience, client_id: secretClient.clientId, scope: 'issues.read', resource: resource.indicator });
    expect(result.scope).toBe('issues.read');
    await expectOneAllowEvent(payload.jti!, secretClient.id);
  });

  it('should let discoverAndRequestJwtAuthGrant discover the token endpoint from RFC 8414 metadata and exchange', async () => {
    const user = newUser();
    const idToken = await provider.signIn(secretClient.rp, user);
    const fetched: string[] = [];

    const result = await discoverAndRequestJwtAuthGrant({
      idpUrl: crossgate.baseUrl,
      audience: resource.audience,
      resource: resource.indicator,
      idToken,
      clientId: secretClient.clientId,
      clientSecret: secretClient.secret,
      scope: 'issues.read',
      fetchFn: async (input, init) => {
        fetched.push(input instanceof Request ? input.url : String(input));
        return recordingFetch(input, init);
      },
    });

    expect(fetched).toEqual([`${crossgate.baseUrl}/.well-known/oauth-authorization-server`, `${crossgate.baseUrl}/oauth2/token`]);
    const payload = await verifyIdJag(result.jwtAuthGrant);
    expect(payload).toMatchObject({ sub: user.sub, aud: resource.audience, client_id: secretClient.clientId, scope: 'issues.read' });
    await expectOneAllowEvent(payload.jti!, secretClient.id);
  });

  it('should refuse the authorization endpoint the metadata names, since this issuer has no front channel', async () => {
    const response = await fetch(`${crossgate.baseUrl}/oauth2/authorize?response_type=code&client_id=${secretClient.clientId}`);
    expect(response.status).toBe(400);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toMatchObject({ error: 'unsupported_response_type' });
  });

  it('should issue an ID-JAG to openid-client genericGrantRequest with private_key_jwt', async () => {
    const user = newUser();
    const idToken = await provider.signIn(jwtClient.rp, user);
    const config = await oidc.discovery(new URL(crossgate.baseUrl), jwtClient.clientId, {}, oidc.PrivateKeyJwt({ key: clientKey.privateKey, kid: clientKey.kid }), {
      algorithm: 'oauth2',
      execute: [oidc.allowInsecureRequests],
    });
    config[oidc.customFetch] = recordingFetch as never;

    const response = await oidc.genericGrantRequest(config, grantTypes.tokenExchange, {
      requested_token_type: tokenTypes.idJag,
      subject_token_type: tokenTypes.idToken,
      subject_token: idToken,
      audience: resource.audience,
      resource: resource.indicator,
      scope: 'issues.read',
    });

    expect(sent).toHaveLength(1);
    const assertion = sent[0]!.body.get('client_assertion');
    expect(sent[0]!.body.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    // What openid-client puts in the assertion's aud: Crossgate accepts only its issuer identifier.
    expect(decodeJwt(assertion!)).toMatchObject({ iss: jwtClient.clientId, sub: jwtClient.clientId, aud: crossgate.baseUrl });
    expect(response.token_type).toBe('n_a');
    expect(response.issued_token_type).toBe(tokenTypes.idJag);
    const payload = await verifyIdJag(response.access_token);
    expect(payload).toMatchObject({ sub: user.sub, aud: resource.audience, client_id: jwtClient.clientId, scope: 'issues.read' });
    await expectOneAllowEvent(payload.jti!, jwtClient.id);
  });
});
