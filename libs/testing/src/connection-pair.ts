/**
 * @overview One (agent, resource) pair set up only through the admin API, as an IT admin would: an
 * upstream IdP with pinned keys that this module signs ID tokens for, a group, an AI agent with a
 * client secret, a resource, and a policy allowing the group. Managed connections and their
 * credentials are added per test. `exchange` is the agent's RFC 8693 request at `/oauth2/token`.
 * Works against any running API (in-process or the built one in a child process).
 */
import { randomUUID } from 'node:crypto';

import { type CryptoKey, exportJWK, generateKeyPair, SignJWT } from 'jose';

import { type AdminHttp, expectStatus } from './admin-http.ts';
import { createActivePolicy } from './policy-approval.ts';

export const tokenExchangeGrant = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const idTokenType = 'urn:ietf:params:oauth:token-type:id_token';

export interface TokenAnswer {
  status: number;
  headers: Headers;
  /** The raw body, for scanning. */
  text: string;
  body: Record<string, unknown>;
}

export interface ConnectionPair {
  baseUrl: string;
  agent: { id: string; clientId: string; secret: string; idpClientId: string };
  resource: { id: string; audience: string; indicator: string };
  group: { id: string; name: string };
  policyId: string;
  /** An ID token for `subject` issued to the agent at the IdP, in the policy's group. */
  idToken(subject?: string, claims?: Record<string, unknown>): Promise<string>;
  /** The agent's token exchange; `parameters` override the defaults, `undefined` drops one; `at` is another API instance's base URL. */
  exchange(parameters?: Record<string, string | undefined>, at?: string): Promise<TokenAnswer>;
  /** Creates a connection of the pair; `fields` override the defaults (owner, name, a service account's justification, sunset and account). */
  connect(pattern: 'xaa' | 'sts' | 'vaulted_key' | 'service_account', fields?: Record<string, unknown>): Promise<string>;
}

/** `approver` is a second it-admin, who approves the pair's policy (the two-person rule). */
export async function setUpConnectionPair(admin: AdminHttp, label: string, approver: AdminHttp): Promise<ConnectionPair> {
  const baseUrl = admin.baseUrl;
  const owner = 'connections@example.test';
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = `${label}-idp-key`;
  const issuer = `https://${label}-idp.example.test`;
  const idpClientId = `${label}-agent-at-idp`;
  expectStatus(
    await admin.post('/api/trusted-idps', { name: `${label} IdP`, issuer, audiences: [idpClientId], jwks: { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }] } }),
    201,
    'POST /api/trusted-idps',
  );
  const groupName = `${label}-finance`;
  const group = expectStatus(await admin.post<{ id: string }>('/api/groups', { name: groupName }), 201, 'POST /api/groups');
  const client = expectStatus(
    await admin.post<{ id: string; clientId: string }>('/api/clients', { clientId: `${label}-agent`, name: `${label} agent`, kind: 'ai_agent', authMethod: 'client_secret_basic', idpClientId, owner }),
    201,
    'POST /api/clients',
  );
  const { clientSecret } = expectStatus(await admin.post<{ clientSecret: string }>(`/api/clients/${client.id}/secret`, {}), 201, 'POST /api/clients/:id/secret');
  const audience = `https://${label}-ledger.example.test`;
  const indicator = `${audience}/api`;
  const resource = expectStatus(
    await admin.post<{ id: string }>('/api/resources', { slug: `${label}-ledger`, name: `${label} ledger`, authorizationServer: audience, resourceIndicators: [indicator], scopes: [{ name: 'ledger.read' }], owner }),
    201,
    'POST /api/resources',
  );
  const policy = { id: await createActivePolicy(admin, approver, { name: `${label}: agent reads the ledger`, clientId: client.id, resourceId: resource.id, subjectGroupIds: [group.id], scopes: ['ledger.read'] }) };

  const idToken = (subject = `${label}-user-${randomUUID().slice(0, 8)}`, claims: Record<string, unknown> = {}) => signIdToken(privateKey, kid, { iss: issuer, aud: idpClientId, sub: subject, groups: [groupName], ...claims });
  const agent = { id: client.id, clientId: client.clientId, secret: clientSecret, idpClientId };

  return {
    baseUrl,
    agent,
    resource: { id: resource.id, audience, indicator },
    group: { id: group.id, name: groupName },
    policyId: policy.id,
    idToken,
    async exchange(parameters = {}, at = baseUrl) {
      const form = new URLSearchParams();
      const defaults = { grant_type: tokenExchangeGrant, subject_token_type: idTokenType, audience, resource: indicator };
      const subjectToken = 'subject_token' in parameters ? parameters['subject_token'] : await idToken();
      for (const [name, value] of Object.entries({ ...defaults, subject_token: subjectToken, ...parameters })) {
        if (value !== undefined) {
          form.append(name, value);
        }
      }
      const authorization = `Basic ${Buffer.from(`${encodeURIComponent(agent.clientId)}:${encodeURIComponent(agent.secret)}`).toString('base64')}`;
      const response = await fetch(`${at}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization }, body: form.toString() });
      const text = await response.text();
      return { status: response.status, headers: response.headers, text, body: JSON.parse(text) as Record<string, unknown> };
    },
    async connect(pattern, fields = {}) {
      const serviceAccount =
        pattern === 'service_account'
          ? { justification: 'The legacy system accepts only a user name and a password.', sunsetAt: new Date(Date.now() + 90 * 86_400_000).toISOString(), accountName: `svc-${label}` }
          : {};
      const created = expectStatus(
        await admin.post<{ id: string }>('/api/connections', { name: `${label} ${pattern}`, clientId: client.id, resourceId: resource.id, pattern, owner, ...serviceAccount, ...fields }),
        201,
        'POST /api/connections',
      );
      return created.id;
    },
  };
}

function signIdToken(privateKey: CryptoKey, kid: string, claims: Record<string, unknown>): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iat: now, exp: now + 300, auth_time: now - 60, ...claims }).setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' }).sign(privateKey);
}
