/**
 * @overview A real `oidc-provider` on a loopback port playing a third-party OAuth provider (the
 * GitHub or Google Workspace of an STS connection): authorization code with PKCE required, a
 * refresh token at every code exchange, rotated at every refresh (a reused one revokes the grant),
 * RFC 7009 revocation and userinfo. A user signs in and consents headlessly through its development
 * interactions (see `driveLogin`). It can be switched "down" (every request answers 503) to play an
 * outage, and it counts its refresh grants.
 *
 * Not for production: http on loopback, development interactions, generated keys.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

import { driveLogin } from './oidc-provider.ts';

export { driveLogin };

export interface LocalOAuthProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The scopes the provider knows; `openid` makes its userinfo endpoint answer. */
  scopes: string[];
  /** Refresh-token grants the provider answered successfully since start. */
  readonly refreshes: number;
  /** While down, every request answers 503. */
  setDown(down: boolean): void;
  /** The provider's userinfo answer for an access token: its status and, on 200, the `sub`. */
  userinfo(accessToken: string): Promise<{ status: number; sub?: string }>;
  /** What the provider's token endpoint says of a refresh token, as Crossgate's client: `200` or the error code. */
  tryRefresh(refreshToken: string): Promise<string>;
  /** Runs the code flow with PKCE for `login` as Crossgate's client and returns the refresh token it issued. */
  grantRefreshToken(login: string): Promise<string>;
  close(): Promise<void>;
}

export async function startOAuthProvider(options: { redirectUri: string; accessTokenTtlSeconds?: number }): Promise<LocalOAuthProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'crossgate-at-provider';
  const clientSecret = `provider-client-secret-${Math.random().toString(36).slice(2)}-0123456789abcdef`;
  const scopes = ['openid', 'repo.read'];
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingJwk = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'provider-rs256' };

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [signingJwk] },
    cookies: { keys: ['oauth-provider test cookie key, not a secret'] },
    scopes,
    features: { revocation: { enabled: true }, userinfo: { enabled: true } },
    pkce: { required: () => true },
    issueRefreshToken: () => true,
    rotateRefreshToken: () => true,
    ttl: { AccessToken: options.accessTokenTtlSeconds ?? 300, AuthorizationCode: 60, Grant: 3600, IdToken: 300, Interaction: 600, RefreshToken: 3600, Session: 600 },
    findAccount: (_ctx: unknown, id: string) => ({ accountId: id, claims: () => ({ sub: id }) }),
  });
  let refreshes = 0;
  provider.on('grant.success', (ctx: { oidc: { params?: { grant_type?: unknown } } }) => {
    if (ctx.oidc.params?.grant_type === 'refresh_token') {
      refreshes += 1;
    }
  });
  let down = false;
  const callback = provider.callback();
  server.on('request', (request, response) => {
    if (down) {
      response.writeHead(503, { 'content-type': 'text/plain' }).end('down for maintenance');
      return;
    }
    callback(request, response);
  });

  const basic = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
  return {
    issuer,
    clientId,
    clientSecret,
    scopes,
    get refreshes() {
      return refreshes;
    },
    setDown: (value) => {
      down = value;
    },
    async userinfo(accessToken) {
      const response = await fetch(`${issuer}/me`, { headers: { authorization: `Bearer ${accessToken}` } });
      return response.status === 200 ? { status: 200, sub: ((await response.json()) as { sub: string }).sub } : { status: response.status };
    },
    async tryRefresh(refreshToken) {
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
      });
      return response.status === 200 ? '200' : ((await response.json()) as { error: string }).error;
    },
    async grantRefreshToken(login) {
      const verifier = randomBytes(32).toString('base64url');
      const start = new URL(`${issuer}/auth`);
      start.search = new URLSearchParams({
        client_id: clientId,
        response_type: 'code',
        redirect_uri: options.redirectUri,
        scope: scopes.join(' '),
        state: randomBytes(8).toString('hex'),
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      }).toString();
      const callbackUrl = await driveLogin(start, options.redirectUri, login);
      const code = callbackUrl.searchParams.get('code');
      if (code === null) {
        throw new Error(`The provider sent no code: ${callbackUrl.search}`);
      }
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: options.redirectUri, code_verifier: verifier }).toString(),
      });
      const body = (await response.json()) as { refresh_token?: string; error?: string };
      if (body.refresh_token === undefined) {
        throw new Error(`The provider issued no refresh token (HTTP ${response.status}, ${body.error ?? 'no error'})`);
      }
      return body.refresh_token;
    },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
