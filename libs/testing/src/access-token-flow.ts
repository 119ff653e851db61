/**
 * @overview A user's real access token over HTTP, as an agent gets one: the agent exchanges the
 * user's ID token at Crossgate for an ID-JAG (RFC 8693) and redeems it at the resource's Crossgate
 * issuer for an access token (RFC 7523); the resource server then introspects it (RFC 7662). For
 * suites that need a live token to see it end.
 */
import type { PrismaClient } from '@crossgate/store';
import type { AdminHttp } from './admin-http.ts';
import { unique } from './factories.ts';
import { idJagTokenType, idTokenType, jwtBearerGrant, tokenExchangeGrant } from './xaa-chain.ts';

/** HTTP Basic client authentication: both parts form-encoded first (RFC 6749 §2.3.1). */
export function clientBasic(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

/** POSTs a form and reads the JSON answer. */
export async function postForm(url: string, parameters: Record<string, string>, authorization: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization }, body: new URLSearchParams(parameters).toString() });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** An AI agent with a client secret, known at the upstream IdP as `idpClientId`. */
export interface TestAgent {
  id: string;
  clientId: string;
  idpClientId: string;
}

/** Writes a confidential client (`secretHash`, the API's hash of its secret) as an AI agent. */
export async function createAgentClient(prisma: PrismaClient, name: string, secretHash: string): Promise<TestAgent> {
  const clientId = unique(name);
  const row = await prisma.client.create({
    data: { clientId, name: clientId, kind: 'ai_agent', owner: 'nobody@example.test', authMethod: 'client_secret_basic', secretHash, idpClientId: `${clientId}-at-idp` },
  });
  return { id: row.id, clientId, idpClientId: `${clientId}-at-idp` };
}

/** Creates an MCP server through the admin API with Crossgate as its authorization server; `introspectionClientIds` may introspect its tokens. */
export async function createRasResource(admin: AdminHttp, options: { owner: string; scopes: { name: string; risk: 'low' | 'medium' | 'high' }[]; introspectionClientIds: string[] }): Promise<{ id: string; slug: string; issuer: string }> {
  const slug = unique('notes').toLowerCase();
  const created = await admin.post<{ id: string; authorizationServer: string }>('/api/resources', {
    slug,
    name: slug,
    kind: 'mcp_server',
    resourceIndicators: [`https://${slug}.example.test/mcp`],
    scopes: options.scopes,
    owner: options.owner,
    rasEnabled: true,
    introspectionClientIds: options.introspectionClientIds,
  });
  expect(created.status).toBe(201);
  return { id: created.body.id, slug, issuer: created.body.authorizationServer };
}

export interface AccessTokenFlow {
  /** Crossgate's base URL. */
  baseUrl: string;
  agent: TestAgent;
  /** The secret of the agent and of the resource server. */
  secret: string;
  /** The resource's slug and its Crossgate issuer (the ID-JAG's audience). */
  resource: { slug: string; issuer: string };
  /** The upstream IdP Crossgate trusts, which signs the users' ID tokens. */
  idp: { idToken(claims: Record<string, unknown>): Promise<string> };
}

/** Signs in `subject` at the IdP, exchanges the ID token for an ID-JAG and redeems it for an access token with `scope`; fails the test on any refusal. */
export async function accessTokenFor(flow: AccessTokenFlow, subject: string, scope: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const idToken = await flow.idp.idToken({ aud: flow.agent.idpClientId, sub: subject, iat: now, exp: now + 300 });
  const basic = clientBasic(flow.agent.clientId, flow.secret);
  const exchanged = await postForm(
    `${flow.baseUrl}/oauth2/token`,
    { grant_type: tokenExchangeGrant, requested_token_type: idJagTokenType, subject_token_type: idTokenType, subject_token: idToken, audience: flow.resource.issuer, scope },
    basic,
  );
  expect(exchanged.status).toBe(200);
  const redeemed = await postForm(`${flow.baseUrl}/ras/${flow.resource.slug}/token`, { grant_type: jwtBearerGrant, assertion: exchanged.body['access_token'] as string }, basic);
  expect(redeemed.status).toBe(200);
  return redeemed.body['access_token'] as string;
}

/** Introspects `token` at the resource's issuer as the resource server `resourceServerClientId`. */
export async function introspectAccessToken(flow: AccessTokenFlow, resourceServerClientId: string, token: string): Promise<Record<string, unknown>> {
  const answer = await postForm(`${flow.baseUrl}/ras/${flow.resource.slug}/introspect`, { token }, clientBasic(resourceServerClientId, flow.secret));
  expect(answer.status).toBe(200);
  return answer.body;
}
