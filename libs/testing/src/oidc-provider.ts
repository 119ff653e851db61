/**
 * @overview A real `oidc-provider` on a loopback port playing an upstream IdP in tests: its
 * development interactions accept any login, so a user signs in over plain HTTP, and the code is
 * redeemed with `openid-client` for a real, provider-signed ID token.
 *
 * Not for production: http on loopback, development interactions, generated keys.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import * as oidc from 'openid-client';

export interface OidcProviderUser {
  sub: string;
  email: string;
  groups: string[];
  name?: string;
  /** RFC 8176 methods the provider says the user signed in with (none: the claim is left out). */
  amr?: string[];
}

export interface OidcProviderClient {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

export interface LocalOidcProvider {
  issuer: string;
  /** Signs `user` in through the authorization code flow as `client` and returns its ID token. */
  signIn(client: OidcProviderClient, user: OidcProviderUser): Promise<string>;
  /** Makes `user` known, so a browser (or {@link driveLogin}) signs in as them by their `sub`; replaces an earlier one. */
  addUser(user: OidcProviderUser): void;
  close(): Promise<void>;
}

export async function startOidcProvider(clients: OidcProviderClient[]): Promise<LocalOidcProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const users = new Map<string, OidcProviderUser>();
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingJwk = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'test-rs256' };

  const provider = new Provider(issuer, {
    clients: clients.map((client) => ({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      redirect_uris: [client.redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    jwks: { keys: [signingJwk] },
    cookies: { keys: ['oidc-provider test cookie key, not a secret'] },
    // `amr` with `openid`, as Okta and Entra put it in every ID token; its value comes from the login.
    claims: { openid: ['sub', 'amr'], email: ['email', 'email_verified'], groups: ['groups'], profile: ['name'] },
    scopes: ['openid', 'email', 'groups', 'profile'],
    // Scope-requested claims go into the ID token too, not only to userinfo.
    conformIdTokenClaims: false,
    ttl: { AccessToken: 300, AuthorizationCode: 60, Grant: 600, IdToken: 300, Interaction: 600, Session: 600 },
    findAccount: (_ctx: unknown, id: string) => {
      const user = users.get(id);
      if (user === undefined) {
        return undefined;
      }
      const { amr: _amr, ...claims } = user;
      return { accountId: id, claims: () => ({ ...claims, email_verified: true }) };
    },
  });
  // The development login records no authentication methods; the user's `amr` goes on the session it makes.
  const finished = provider.interactionFinished.bind(provider);
  provider.interactionFinished = (request, response, result, options) => {
    const login = (result as { login?: { accountId: string } }).login;
    const amr = login === undefined ? undefined : users.get(login.accountId)?.amr;
    return finished(request, response, amr === undefined ? result : { ...result, login: { ...login, amr } }, options);
  };
  server.on('request', provider.callback());

  async function signIn(client: OidcProviderClient, user: OidcProviderUser): Promise<string> {
    users.set(user.sub, user);
    const config = await oidc.discovery(new URL(issuer), client.clientId, client.clientSecret, undefined, { execute: [oidc.allowInsecureRequests] });
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const authorizationUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: client.redirectUri,
      scope: 'openid email groups',
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
    });
    const callback = await driveLogin(authorizationUrl, client.redirectUri, user.sub);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: codeVerifier, expectedState: state });
    if (tokens.id_token === undefined) {
      throw new Error('The provider returned no ID token');
    }
    return tokens.id_token;
  }

  return {
    issuer,
    signIn,
    addUser: (user) => users.set(user.sub, user),
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/**
 * Follows the provider's redirects like a browser (with a cookie jar), submitting its development
 * login form (any login, any password) and its consent form, until it redirects to `redirectUri`.
 */
export async function driveLogin(start: URL, redirectUri: string, login: string): Promise<URL> {
  const cookies = new Map<string, string>();
  const send = async (url: URL, init: RequestInit = {}): Promise<Response> => {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string> | undefined), cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') },
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const index = pair!.indexOf('=');
      const name = pair!.slice(0, index).trim();
      const value = pair!.slice(index + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(header)) {
        cookies.delete(name);
      } else {
        cookies.set(name, value);
      }
    }
    return response;
  };

  let url = start;
  for (let step = 0; step < 20; step += 1) {
    if (url.href.startsWith(redirectUri)) {
      return url;
    }
    const response = await send(url);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location !== null) {
      url = new URL(location, url);
      continue;
    }
    const page = await response.text();
    if (response.status !== 200) {
      throw new Error(`${url.href} answered ${response.status}: ${page.slice(0, 500)}`);
    }
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
    const prompt = /name="prompt" value="([^"]+)"/.exec(page)?.[1];
    if (action === undefined || prompt === undefined) {
      throw new Error(`No interaction form at ${url.href}`);
    }
    const form = new URLSearchParams({ prompt });
    if (prompt === 'login') {
      form.set('login', login);
      form.set('password', 'any password works in development interactions');
    }
    const submitted = await send(new URL(action.replaceAll('&amp;', '&'), url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    const next = submitted.headers.get('location');
    if (next === null) {
      throw new Error(`Submitting ${prompt} answered ${submitted.status}: ${(await submitted.text()).slice(0, 500)}`);
    }
    url = new URL(next, url);
  }
  throw new Error('The login flow did not reach the redirect URI');
}
