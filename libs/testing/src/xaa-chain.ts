/**
 * @overview The whole Cross App Access chain, driven only over HTTP the way a deployment sees it: a
 * user signs in at an upstream IdP (a real `oidc-provider`), the agent exchanges the ID token at
 * Crossgate for an ID-JAG (RFC 8693), redeems it at the demo MCP server's Crossgate issuer for an
 * access token (RFC 7523), and calls the MCP server's tools with it. `npm run demo:flow` prints
 * each step; the chain's e2e test asserts on them. Either independent client library drives both
 * legs: the MCP client SDK (`CrossAppAccessProvider`) or `openid-client` (`genericGrantRequest`).
 *
 * Setup goes through the admin API, as an IT admin would do it: the IdP, a group, the agent (one
 * client at the IdP role, one at the MCP server's authorization server, linked by a client
 * registration, as the MCP SDK expects), the MCP server as a resource protected by Crossgate, the
 * MCP server's own client (it introspects), and an app-pair policy.
 */
import { spawn } from 'node:child_process';

import { Client, CrossAppAccessProvider, requestJwtAuthorizationGrant, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import * as oidc from 'openid-client';

import type { AdminHttp } from './admin-http.ts';
import { relay, stopChild, waitFor } from './child-processes.ts';
import type { LocalOidcProvider, OidcProviderClient, OidcProviderUser } from './oidc-provider.ts';
import { createActivePolicy } from './policy-approval.ts';

/** The grant and token types of the chain (RFC 8693 §3, RFC 7523 §2.1, the ID-JAG draft). */
export const tokenExchangeGrant = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const jwtBearerGrant = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const idTokenType = 'urn:ietf:params:oauth:token-type:id_token';
export const idJagTokenType = 'urn:ietf:params:oauth:token-type:id-jag';

export const demoScopes = { read: 'notes.read', write: 'notes.write' } as const;

/** One step of the chain, as `npm run demo:flow` prints it. */
export interface ChainStep {
  title: string;
  detail: Record<string, unknown>;
}

export type StepReporter = (step: ChainStep) => void;

export interface ChainSetup {
  crossgateUrl: string;
  idpClient: OidcProviderClient;
  /** The agent's client at Crossgate's IdP role (token exchange; the MCP SDK sends client_secret_post there). */
  agent: { id: string; clientId: string; secret: string };
  /**
   * The same agent's client at the MCP server's authorization server (the MCP SDK authenticates with
   * client_secret_basic there), registered for the resource so ID-JAGs name it as `client_id`.
   */
  agentAtResource: { id: string; clientId: string; secret: string };
  /** The MCP server's own Crossgate client, for introspection. */
  resourceServer: { id: string; clientId: string; secret: string };
  resource: { id: string; slug: string; issuer: string; indicator: string };
  groupName: string;
}

async function created<T>(response: { status: number; body: T }, what: string): Promise<T> {
  if (response.status !== 201) {
    throw new Error(`${what} answered ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return response.body;
}

/**
 * Registers everything the chain needs through the admin API. `mcpUrl` is the MCP endpoint (the resource
 * indicator); `approver`, a second it-admin, approves the policy (the two-person rule).
 */
export async function setUpChain(admin: AdminHttp, options: { crossgateUrl: string; idp: LocalOidcProvider; idpClient: OidcProviderClient; mcpUrl: string; slug: string; label: string; approver: AdminHttp }): Promise<ChainSetup> {
  const { crossgateUrl, idp, idpClient, mcpUrl, slug, label, approver } = options;
  const owner = 'demo@crossgate.example';
  await created(await admin.post('/api/trusted-idps', { name: `${label} IdP`, issuer: idp.issuer, audiences: [idpClient.clientId] }), 'POST /api/trusted-idps');
  const groupName = `${label}-engineering`;
  const group = await created(await admin.post<{ id: string }>('/api/groups', { name: groupName }), 'POST /api/groups');

  const client = async (body: Record<string, unknown>) => {
    const row = await created(await admin.post<{ id: string; clientId: string }>('/api/clients', { ...body, owner }), `POST /api/clients (${String(body['clientId'])})`);
    const { clientSecret } = await created(await admin.post<{ clientSecret: string }>(`/api/clients/${row.id}/secret`, {}), 'POST /api/clients/:id/secret');
    return { id: row.id, clientId: row.clientId, secret: clientSecret };
  };
  const agent = await client({ clientId: `${label}-agent`, name: `${label} coding agent`, kind: 'ai_agent', authMethod: 'client_secret_post', idpClientId: idpClient.clientId });
  const agentAtResource = await client({ clientId: `${label}-agent-at-notes`, name: `${label} coding agent (at the notes MCP server)`, kind: 'ai_agent', authMethod: 'client_secret_basic' });
  const resourceServer = await client({ clientId: `${label}-mcp-server`, name: `${label} MCP server`, kind: 'requesting_app', authMethod: 'client_secret_basic' });

  const issuer = `${crossgateUrl}/ras/${slug}`;
  const resource = await created(
    await admin.post<{ id: string }>('/api/resources', {
      slug,
      name: `${label} notes (MCP)`,
      kind: 'mcp_server',
      authorizationServer: issuer,
      resourceIndicators: [mcpUrl],
      scopes: [
        { name: demoScopes.read, description: 'Read notes', risk: 'low' },
        { name: demoScopes.write, description: 'Add notes', risk: 'medium' },
      ],
      rasEnabled: true,
      introspectionClientIds: [resourceServer.id],
      owner,
    }),
    'POST /api/resources',
  );
  await created(await admin.post('/api/client-registrations', { clientId: agent.id, resourceId: resource.id, remoteClientId: agentAtResource.clientId }), 'POST /api/client-registrations');
  await createActivePolicy(admin, approver, { name: `${label}: agent may use notes`, clientId: agent.id, resourceId: resource.id, subjectGroupIds: [group.id], scopes: [demoScopes.read, demoScopes.write] });
  return {
    crossgateUrl,
    idpClient,
    agent,
    agentAtResource,
    resourceServer,
    resource: { id: resource.id, slug, issuer, indicator: mcpUrl },
    groupName,
  };
}

export interface DemoMcpProcess {
  url: string;
  close(): Promise<void>;
}

/**
 * The demo MCP server in a process of its own, from source (tsx), validating tokens by introspection
 * at its Crossgate issuer, so Crossgate's audit log sees the tool calls too.
 */
export async function startDemoMcp(setup: Pick<ChainSetup, 'crossgateUrl' | 'resource' | 'resourceServer'>, port: number, repositoryRoot: string): Promise<DemoMcpProcess> {
  const publicUrl = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'apps/demo-mcp/src/main.ts'], {
    cwd: repositoryRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      DEMO_MCP_HOST: '127.0.0.1',
      DEMO_MCP_PORT: String(port),
      DEMO_MCP_PUBLIC_URL: publicUrl,
      CROSSGATE_URL: setup.crossgateUrl,
      DEMO_MCP_RESOURCE_SLUG: setup.resource.slug,
      DEMO_MCP_TOKEN_VALIDATION: 'introspection',
      DEMO_MCP_CLIENT_ID: setup.resourceServer.clientId,
      DEMO_MCP_CLIENT_SECRET: setup.resourceServer.secret,
      LOG_LEVEL: 'warn',
    },
  });
  const output = relay(child, 'demo-mcp', { quiet: true });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`The demo MCP server exited (${code}):\n${output.join('\n')}`))));
  exited.catch(() => undefined);
  try {
    await Promise.race([exited, waitFor('the demo MCP server', 30_000, async () => ((await fetch(`${publicUrl}/.well-known/oauth-protected-resource/mcp`)).ok ? true : undefined))]);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return { url: `${publicUrl}/mcp`, close: () => stopChild(child) };
}

export interface ChainResult {
  idToken: string;
  idJag: string;
  accessToken: string | undefined;
  added: string;
  listed: string;
}

const claimsOf = (jwt: string, names: string[]) => {
  const claims = decodeJwt(jwt);
  const { typ } = decodeProtectedHeader(jwt);
  return { ...(typ === undefined ? {} : { typ }), ...Object.fromEntries(names.filter((name) => claims[name] !== undefined).map((name) => [name, claims[name]])) };
};

const textOf = (result: unknown): string =>
  ((result as { content?: { type: string; text?: string }[] }).content ?? [])
    .filter((part) => part.type === 'text')
    .map((part) => part.text)
    .join('\n');

/**
 * Runs the chain for `user` with `library` driving both legs, and reports each step.
 * With the MCP SDK, the SDK discovers the MCP server's metadata and Crossgate issuer itself.
 */
export async function runChain(setup: ChainSetup, idp: LocalOidcProvider, mcpUrl: string, user: OidcProviderUser, library: 'mcp-sdk' | 'openid-client', report: StepReporter): Promise<ChainResult> {
  const idToken = await idp.signIn(setup.idpClient, user);
  report({ title: `${user.sub} signs in at the IdP (oidc-provider, authorization code + PKCE)`, detail: claimsOf(idToken, ['iss', 'sub', 'aud', 'groups']) });

  let idJag: string | undefined;
  let accessToken: string | undefined;
  const note = `written by the ${library} run at ${new Date().toISOString()}`;
  const client = new Client({ name: `crossgate-demo-${library}`, version: '1.0.0' });

  if (library === 'mcp-sdk') {
    const provider = new CrossAppAccessProvider({
      assertion: async (context) => {
        const grant = await requestJwtAuthorizationGrant({
          tokenEndpoint: `${setup.crossgateUrl}/oauth2/token`,
          audience: context.authorizationServerUrl,
          resource: context.resourceUrl,
          idToken,
          clientId: setup.agent.clientId,
          clientSecret: setup.agent.secret,
          scope: context.scope ?? `${demoScopes.read} ${demoScopes.write}`,
          fetchFn: context.fetchFn,
        });
        idJag = grant.jwtAuthGrant;
        report({ title: 'The agent exchanges the ID token at Crossgate for an ID-JAG (RFC 8693)', detail: claimsOf(idJag, ['iss', 'sub', 'aud', 'client_id', 'resource', 'scope', 'exp']) });
        return idJag;
      },
      clientId: setup.agentAtResource.clientId,
      clientSecret: setup.agentAtResource.secret,
      expectedIssuer: setup.resource.issuer,
    });
    await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider }));
    accessToken = provider.tokens()?.access_token;
  } else {
    const idpSide = await oidc.discovery(new URL(setup.crossgateUrl), setup.agent.clientId, setup.agent.secret, oidc.ClientSecretPost(setup.agent.secret), {
      execute: [oidc.allowInsecureRequests],
      algorithm: 'oauth2',
    });
    const exchanged = await oidc.genericGrantRequest(idpSide, tokenExchangeGrant, {
      requested_token_type: idJagTokenType,
      subject_token: idToken,
      subject_token_type: idTokenType,
      audience: setup.resource.issuer,
      resource: setup.resource.indicator,
      scope: `${demoScopes.read} ${demoScopes.write}`,
    });
    idJag = exchanged.access_token;
    report({ title: 'The agent exchanges the ID token at Crossgate for an ID-JAG (RFC 8693)', detail: claimsOf(idJag, ['iss', 'sub', 'aud', 'client_id', 'resource', 'scope', 'exp']) });
    const resourceSide = await oidc.discovery(new URL(setup.resource.issuer), setup.agentAtResource.clientId, setup.agentAtResource.secret, oidc.ClientSecretBasic(setup.agentAtResource.secret), {
      execute: [oidc.allowInsecureRequests],
      algorithm: 'oauth2',
    });
    const redeemed = await oidc.genericGrantRequest(resourceSide, jwtBearerGrant, { assertion: idJag });
    accessToken = redeemed.access_token;
    await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { requestInit: { headers: { authorization: `Bearer ${accessToken}` } } }));
  }
  if (idJag === undefined) {
    throw new Error('No ID-JAG was obtained');
  }
  if (accessToken !== undefined) {
    report({ title: `The agent redeems the ID-JAG at ${setup.resource.issuer} for an access token (RFC 7523)`, detail: claimsOf(accessToken, ['iss', 'sub', 'aud', 'client_id', 'scope', 'exp']) });
  }
  try {
    const added = textOf(await client.callTool({ name: 'notes_add', arguments: { text: note } }));
    report({ title: 'The agent calls the MCP tool notes_add with the access token', detail: { result: added } });
    const listed = textOf(await client.callTool({ name: 'notes_list', arguments: {} }));
    report({ title: 'The agent calls the MCP tool notes_list', detail: { result: listed } });
    return { idToken, idJag, accessToken, added, listed };
  } finally {
    await client.close();
  }
}

async function postForm(url: string, body: Record<string, string>, authorization?: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization === undefined ? {} : { authorization }) }, body: new URLSearchParams(body) });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) {
    throw new Error(`${url} answered ${response.status}: ${JSON.stringify(json)}`);
  }
  return json;
}

/**
 * The agent's access token for `resource` (one of the chain's resource indicators) on behalf of
 * `sub`, over plain HTTP: the IdP sign-in, the token exchange at Crossgate (client_secret_post) and
 * the redemption at the resource's issuer (client_secret_basic).
 */
export async function accessTokenThroughChain(setup: ChainSetup, idp: LocalOidcProvider, sub: string, options: { resource: string; scope: string }): Promise<string> {
  const idToken = await idp.signIn(setup.idpClient, { sub, email: `${sub}@example.com`, groups: [setup.groupName] });
  const exchanged = await postForm(`${setup.crossgateUrl}/oauth2/token`, {
    grant_type: tokenExchangeGrant,
    requested_token_type: idJagTokenType,
    subject_token: idToken,
    subject_token_type: idTokenType,
    audience: setup.resource.issuer,
    resource: options.resource,
    scope: options.scope,
    client_id: setup.agent.clientId,
    client_secret: setup.agent.secret,
  });
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(setup.agentAtResource.clientId)}:${encodeURIComponent(setup.agentAtResource.secret)}`).toString('base64')}`;
  const redeemed = await postForm(`${setup.resource.issuer}/token`, { grant_type: jwtBearerGrant, assertion: String(exchanged['access_token']) }, basic);
  return String(redeemed['access_token']);
}
