/**
 * @overview Validation by asking Crossgate on every request (RFC 7662): the RAS answers
 * `active: false` at once for a revoked, expired or kill-switched token, so nothing is cached here.
 * The server authenticates as its own client (client_secret_basic). Any failure to get a clear
 * answer fails closed (503); an inactive or unsuitable token is refused (401).
 *
 * @see RFC 7662 §2.1 (request), §2.2 (response), §4 (the resource server must check `aud`/`iss` itself)
 */
import { type AuthInfo, type OAuthTokenVerifier } from '@modelcontextprotocol/server';
import { z } from 'zod';

import {
  type AuthorizationServer,
  AuthorizationServerUnavailableError,
  fetchJson,
} from '../authorization-server/authorization-server.ts';
import { invalidToken, toAuthInfo } from './access-token.ts';

const introspectionResponseSchema = z.object({
  active: z.boolean(),
  sub: z.string().optional(),
  client_id: z.string().optional(),
  scope: z.string().optional(),
  exp: z.number().optional(),
  iss: z.string().optional(),
  aud: z.union([z.string(), z.array(z.string())]).optional(),
  jti: z.string().optional(),
  iat: z.number().optional(),
});

/** RFC 6749 §2.3.1: the client id and secret are form-encoded before they are joined and base64-encoded. */
export function clientSecretBasic(clientId: string, clientSecret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

export class IntrospectionVerifier implements OAuthTokenVerifier {
  constructor(
    private readonly authorizationServer: AuthorizationServer,
    private readonly resource: string,
    private readonly client: { clientId: string; clientSecret: string },
  ) {}

  async verifyAccessToken(token: string): Promise<AuthInfo> {
    const answer = await this.introspect(token);
    if (!answer.active) {
      throw invalidToken('The access token is not active');
    }
    // The RAS serves one resource, but a token of another resource's issuer must still fail here.
    if (answer.iss !== undefined && answer.iss !== this.authorizationServer.issuer) {
      throw invalidToken('The access token was issued by another authorization server');
    }
    const audiences = typeof answer.aud === 'string' ? [answer.aud] : (answer.aud ?? []);
    if (!audiences.includes(this.resource)) {
      throw invalidToken('The access token is not meant for this resource');
    }
    const { sub, client_id, exp } = answer;
    if (sub === undefined || client_id === undefined || exp === undefined) {
      throw invalidToken('The introspection response lacks "sub", "client_id" or "exp"');
    }
    return toAuthInfo(token, { sub, client_id, exp, scope: answer.scope, jti: answer.jti, iat: answer.iat }, this.resource);
  }

  private async introspect(token: string): Promise<z.infer<typeof introspectionResponseSchema>> {
    const { introspection_endpoint: endpoint } = await this.authorizationServer.discover();
    if (!endpoint) {
      throw new AuthorizationServerUnavailableError(`${this.authorizationServer.issuer} publishes no introspection_endpoint`);
    }
    const answer = await fetchJson(endpoint, {
      method: 'POST',
      headers: {
        authorization: clientSecretBasic(this.client.clientId, this.client.clientSecret),
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
    });
    const parsed = introspectionResponseSchema.safeParse(answer);
    if (!parsed.success) {
      throw new AuthorizationServerUnavailableError(`${endpoint} answered something other than an RFC 7662 response`);
    }
    return parsed.data;
  }
}
