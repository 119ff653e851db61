/**
 * @overview `POST /oauth2/token`: the token endpoint of Crossgate's IdP role. A flat list of named
 * steps, as RFC 6749 §3.2 and RFC 8693 §2 read: the body is one well-formed form, the grant is
 * supported, the client authenticates and may use it, then the grant runs on its allow-listed
 * parameters. Every exchange leaves exactly one audit event (the grant writes the allowed one with
 * the IssuedToken row; a refusal at any step is recorded here) and every answer is `no-store`.
 * Served by form-endpoint.ts, which also reads the form (step 1).
 *
 * @see RFC 6749 §3.2, §5.1, §5.2; RFC 8693 §2; SPEC.md §2; DESIGN.md decisions 2, 6, 10
 */
import { Inject, Injectable, Logger } from '@nestjs/common';

import type { Config } from '@crossgate/config';

import { InjectConfig } from '../platform/index.ts';
import { type AuthenticatedClient, ClientAuthenticator } from './client-authentication/client-authenticator.ts';
import type { Form, FormEndpoint, FormRequest } from './form-endpoint.ts';
import { IssuanceRecorder } from './issuance-recorder.service.ts';
import * as tokenExchange from './grants/token-exchange.grant.ts';
import { OAuthError } from '../http/index.ts';

/** The grants this endpoint serves, by `grant_type`. */
const grants = new Map([[tokenExchange.grantType, tokenExchange]]);
type Grant = typeof tokenExchange;

/** Client authentication parameters (RFC 6749 §2.3.1, RFC 7523 §2.2), read before the allow-list applies (here and at the resource-side authorization servers). */
export const clientAuthenticationParameters = ['client_id', 'client_secret', 'client_assertion', 'client_assertion_type'];

/** Step 2: a grant this endpoint supports. */
function selectGrant(form: Form): Grant {
  if (form['grant_type'] === undefined) {
    throw new OAuthError('invalid_request', 'grant_type is required');
  }
  const grant = grants.get(form['grant_type'] as Grant['grantType']);
  if (grant === undefined) {
    throw new OAuthError('unsupported_grant_type', 'The grant type is not supported');
  }
  return grant;
}

/** Step 4: the token-exchange grant only for confidential clients (the ID-JAG draft; MCP stable §7.7). */
function assertClientMayUseGrant(client: AuthenticatedClient): void {
  if (client.isPublic) {
    throw new OAuthError('unauthorized_client', 'A public client may not use this grant');
  }
}

/** Step 5: only the grant's own parameters reach it. */
function allowListed(form: Form, allowed: readonly string[]): tokenExchange.TokenExchangeParameters {
  return Object.fromEntries(Object.entries(form).filter(([name]) => allowed.includes(name)));
}

/** Where the endpoint is served (form-endpoint.ts), and the `token_endpoint` of the metadata. */
export const tokenEndpointPath = '/oauth2/token';

@Injectable()
export class TokenEndpoint implements FormEndpoint {
  private readonly logger = new Logger('token-endpoint');

  constructor(
    @Inject(ClientAuthenticator) private readonly authenticator: ClientAuthenticator,
    @Inject(tokenExchange.TokenExchangeServices) private readonly services: tokenExchange.TokenExchangeServices,
    @Inject(IssuanceRecorder) private readonly recorder: IssuanceRecorder,
    @InjectConfig() private readonly config: Config,
  ) {}

  async handle({ headers, form: readForm, requestId }: FormRequest): Promise<tokenExchange.TokenExchangeResponse> {
    const trail: tokenExchange.ExchangeTrail = { step: 'request' };
    try {
      const form = readForm();
      trail.step = 'grant_type';
      const grant = selectGrant(form);
      trail.step = 'client_authentication';
      const client = await this.authenticator.authenticate({ headers, body: form, tokenEndpointAudience: this.config.http.publicUrl });
      trail.client = client;
      assertClientMayUseGrant(client);
      const parameters = allowListed(form, [...grant.parameters, ...clientAuthenticationParameters]);
      return await grant.handle(this.services, { client, parameters, trail, requestId });
    } catch (error) {
      await this.recordRefusal(trail, requestId, error);
      throw error;
    }
  }

  /** The refusal's audit event; a failure to write it is logged, and the refusal still answered. */
  private async recordRefusal(trail: tokenExchange.ExchangeTrail, requestId: string | null, error: unknown): Promise<void> {
    const refusal = error instanceof OAuthError ? error : new OAuthError('server_error', 'Internal error');
    try {
      await this.recorder.record({ audit: tokenExchange.exchangeAuditEntry(trail, requestId, refusal), at: this.services.clock.now() });
    } catch (auditError) {
      this.logger.error(`Could not record a refused token request (request ${requestId ?? '-'}): ${auditError instanceof Error ? auditError.message : String(auditError)}`);
    }
  }
}
