/**
 * @overview The form endpoints of a protected resource's authorization server, under its issuer
 * `<public URL>/ras/<slug>`: the token endpoint (RFC 7523 JWT-bearer grant), introspection
 * (RFC 7662) and revocation (RFC 7009), served ahead of Nest like the IdP role's token endpoint
 * (oauth/form-endpoint.ts; paths in {@link rasFormEndpoints}). The discovery documents (metadata,
 * JWK Set) are in ras-discovery.controller.ts. An unknown slug, or a resource not protected by
 * Crossgate, is 404 everywhere.
 *
 * Who may call what:
 * - token: a confidential client, authenticated as at the IdP role's token endpoint (a
 *   `private_key_jwt` assertion's `aud` is this issuer).
 * - introspection: a confidential client listed in the resource's `introspectionClientIds`: the
 *   resource's own resource servers (the MCP server or API that receives the access tokens), and
 *   nobody else. Any other authenticated client is refused with `unauthorized_client`; a token of
 *   another resource answers `active: false`.
 * - revocation: a confidential client, for its own access tokens only (`unauthorized_client`
 *   otherwise); an unknown, invalid or expired token answers 200 (RFC 7009 §2.2).
 *
 * Every request that reaches a known authorization server leaves exactly one audit event (allowed
 * or refused, with the reason); every answer is `no-store`. No token is ever logged or audited, only
 * `jti`s.
 * @see RFC 6749 §3.2, §5; RFC 7523 §2.1; RFC 7662 §2; RFC 7009 §2; SPEC.md §3, §4
 */
import type { IncomingHttpHeaders } from 'node:http';

import { Inject, Injectable, Logger } from '@nestjs/common';

import type { Config } from '@crossgate/config';
import type { AuditEntry } from '@crossgate/store';

import { type AuthenticatedClient, clientAuthenticationParameters, ClientAuthenticator, type Form, type FormEndpoint, type FormRequest, IssuanceRecorder, oauthAuditEntry } from '../oauth/index.ts';
import { OAuthError } from '../http/index.ts';
import { type DirectoryResourceRow, PolicyEngineService, servingSnapshot } from '../policies/index.ts';
import { Clock, InjectConfig } from '../platform/index.ts';
import { RasAccessTokens } from './access-tokens.service.ts';
import * as jwtBearer from './grants/jwt-bearer.grant.ts';
import { rasIssuer } from './ras-issuer.ts';

/** The protected resource behind `slug` and its issuer identifier. */
export interface AuthorizationServer {
  resource: DirectoryResourceRow;
  issuer: string;
}

export interface IntrospectionResponse {
  active: boolean;
  scope?: string;
  client_id?: string;
  sub?: string;
  aud?: string;
  iss?: string;
  jti?: string;
  exp?: number;
  iat?: number;
  token_type?: string;
}

/** What the audit event of one introspection, revocation or gateway request says. */
export interface TokenRequestTrail {
  step: string;
  client?: AuthenticatedClient;
  jti?: string;
  tokenClientId?: string;
  userId?: string | null;
  outcome?: string;
  /** More context for the event (never a secret). */
  context?: Record<string, unknown>;
  /** A decision the caller reports (the gateway's on a tool call), recorded instead of the request's own. */
  reported?: { decision: 'allow' | 'deny'; reason: string | null };
}

/** One item of a request that reports many ({@link RasEndpoints.itemsRequest}): its trail, and its refusal, if it is refused. */
export interface RequestItem {
  trail: TokenRequestTrail;
  refusal: OAuthError | null;
}

export interface TokenRequestContext {
  server: AuthorizationServer;
  client: AuthenticatedClient;
  form: Form;
  token: () => string;
  trail: TokenRequestTrail;
}

function allowListed(form: Form, allowed: readonly string[]): Form {
  return Object.fromEntries(Object.entries(form).filter(([name]) => allowed.includes(name) || clientAuthenticationParameters.includes(name)));
}

@Injectable()
export class RasEndpoints {
  private readonly logger = new Logger('ras');

  constructor(
    @Inject(ClientAuthenticator) private readonly authenticator: ClientAuthenticator,
    @Inject(jwtBearer.JwtBearerServices) private readonly grantServices: jwtBearer.JwtBearerServices,
    @Inject(RasAccessTokens) private readonly accessTokens: RasAccessTokens,
    @Inject(IssuanceRecorder) private readonly recorder: IssuanceRecorder,
    @Inject(PolicyEngineService) private readonly policyEngine: PolicyEngineService,
    @InjectConfig() private readonly config: Config,
    private readonly clock: Clock,
  ) {}

  /** `POST <issuer>/token`. */
  async token({ headers, form: readForm, requestId, params }: FormRequest): Promise<jwtBearer.AccessTokenResponse> {
    const server = this.authorizationServer(params['slug']);
    const trail: jwtBearer.RedemptionTrail = { step: 'request', resourceId: server.resource.id };
    try {
      const form = readForm();
      trail.step = 'grant_type';
      if (form['grant_type'] === undefined) {
        throw new OAuthError('invalid_request', 'grant_type is required');
      }
      if (form['grant_type'] !== jwtBearer.grantType) {
        throw new OAuthError('unsupported_grant_type', 'The grant type is not supported');
      }
      trail.step = 'client_authentication';
      const client = await this.authenticateConfidential(headers, form, server.issuer);
      trail.client = client;
      return await jwtBearer.handle(this.grantServices, {
        client,
        resource: server.resource,
        issuer: server.issuer,
        parameters: allowListed(form, jwtBearer.parameters),
        trail,
        requestId,
      });
    } catch (error) {
      await this.audit(jwtBearer.redemptionAuditEntry(trail, requestId, error instanceof OAuthError ? error : new OAuthError('server_error', 'Internal error')));
      throw error;
    }
  }

  /** `POST <issuer>/introspect`: only the resource's own resource servers may ask. */
  introspect(request: FormRequest): Promise<IntrospectionResponse> {
    return this.tokenRequest('token_introspection', request, async ({ server, client, token, trail }) => {
      assertResourceServer(server, client, trail, 'introspect');
      trail.step = 'token';
      const status = await this.accessTokens.status(server.resource, server.issuer, token());
      trail.jti = status.claims?.jti;
      trail.tokenClientId = status.claims?.client_id;
      trail.outcome = status.active ? 'active' : status.reason;
      if (!status.active) {
        return { active: false };
      }
      trail.userId = status.userId;
      const { claims } = status;
      return { active: true, ...(claims.scope === undefined ? {} : { scope: claims.scope }), client_id: claims.client_id, sub: claims.sub, aud: claims.aud, iss: claims.iss, jti: claims.jti, exp: claims.exp, iat: claims.iat, token_type: 'Bearer' };
    });
  }

  /** `POST <issuer>/revoke`: a client revokes its own access tokens; anything unknown is 200. */
  revoke(request: FormRequest): Promise<Record<string, never>> {
    return this.tokenRequest('token_revocation', request, async ({ server, client, token, trail }) => {
      trail.step = 'token';
      // RFC 7009 §2.1: the hint only speeds up the lookup; every token is looked up as an access token (no refresh tokens are issued).
      const claims = await this.accessTokens.verify(server.resource, server.issuer, token());
      if (typeof claims === 'string') {
        trail.outcome = `ignored: ${claims}`;
        return {};
      }
      trail.jti = claims.jti;
      trail.tokenClientId = claims.client_id;
      if (claims.client_id !== client.clientId) {
        throw new OAuthError('unauthorized_client', 'A client may revoke only its own tokens');
      }
      if (claims.exp * 1000 <= this.clock.now().getTime()) {
        trail.outcome = 'ignored: expired';
        return {};
      }
      trail.step = 'revoke';
      try {
        await this.accessTokens.revoke(claims);
      } catch (cause) {
        this.logger.error(`Could not revoke access token ${claims.jti}: ${cause instanceof Error ? cause.message : String(cause)}`);
        throw new OAuthError('temporarily_unavailable', 'The token could not be revoked; try again shortly', { cause });
      }
      trail.outcome = 'revoked';
      return {};
    });
  }

  /**
   * The steps introspection and revocation share: the authorization server, the form, a confidential
   * client, then `run`; the answer leaves once its audit event is committed, and a refusal at any
   * step is audited too. `token()` is the `token` parameter, or `invalid_request`.
   */
  tokenRequest<T>(action: string, request: FormRequest, run: (context: TokenRequestContext) => Promise<T>): Promise<T> {
    return this.authenticatedRequest(action, request, async (context) => {
      const answer = await run(context);
      await this.record(this.tokenAuditEntry(action, context.server, context.trail, request.requestId, null));
      return answer;
    });
  }

  /**
   * A request that reports many items at once (the gateway's batch of tool calls): the same steps as
   * {@link tokenRequest}, but `run` gives each item a trail of its own, and each item leaves its own
   * `action` event (a refusal when it has one) instead of one for the request; the answer leaves once
   * they are all committed. A refusal of the request itself (its client, its form) is one event.
   */
  itemsRequest<T>(action: string, request: FormRequest, run: (context: TokenRequestContext) => Promise<{ items: RequestItem[]; answer: T }>): Promise<T> {
    return this.authenticatedRequest(action, request, async (context) => {
      const { items, answer } = await run(context);
      await Promise.all(items.map((item) => this.record(this.tokenAuditEntry(action, context.server, { ...item.trail, client: context.client }, request.requestId, item.refusal))));
      return answer;
    });
  }

  private async authenticatedRequest<T>(action: string, { headers, form: readForm, requestId, params }: FormRequest, run: (context: TokenRequestContext) => Promise<T>): Promise<T> {
    const server = this.authorizationServer(params['slug']);
    const trail: TokenRequestTrail = { step: 'request' };
    try {
      const form = readForm();
      trail.step = 'client_authentication';
      const client = await this.authenticateConfidential(headers, form, server.issuer);
      trail.client = client;
      const token = () => {
        const value = form['token'];
        if (value === undefined || value === '') {
          throw new OAuthError('invalid_request', 'token is required');
        }
        return value;
      };
      const answer = await run({ server, client, form, token, trail });
      trail.step = 'recorded';
      return answer;
    } catch (error) {
      if (trail.step !== 'recorded') {
        await this.audit(this.tokenAuditEntry(action, server, trail, requestId, error));
      }
      throw error;
    }
  }

  /** The protected resource behind `slug`, from the directory; 404 for anything else. */
  private authorizationServer(slug: string | undefined): AuthorizationServer {
    const resource = slug === undefined ? undefined : servingSnapshot(this.policyEngine).directory.protectedResource(slug);
    if (resource === undefined) {
      throw new OAuthError('not_found', 'No authorization server is published here');
    }
    return { resource, issuer: rasIssuer(this.config.http.publicUrl, resource.slug) };
  }

  /** Client authentication with this issuer as the only accepted assertion audience; public clients are refused. */
  private async authenticateConfidential(headers: IncomingHttpHeaders, form: Form, issuer: string): Promise<AuthenticatedClient> {
    const client = await this.authenticator.authenticate({ headers, body: form, tokenEndpointAudience: issuer });
    if (client.isPublic) {
      throw new OAuthError('unauthorized_client', 'A public client may not use this endpoint');
    }
    return client;
  }

  private tokenAuditEntry(action: string, server: AuthorizationServer, trail: TokenRequestTrail, requestId: string | null, error: unknown): AuditEntry {
    const entry = oauthAuditEntry({
      action,
      client: trail.client,
      step: trail.step,
      refusal: error === null ? null : error instanceof OAuthError ? error : new OAuthError('server_error', 'Internal error'),
      requestId,
      target: { type: 'resource', id: server.resource.id },
      context: {
        jti: trail.jti ?? null,
        // Not named "token…": the audit log redacts keys that name secrets.
        issuedToClientId: trail.tokenClientId ?? null,
        userId: trail.userId ?? null,
        outcome: trail.outcome ?? null,
        ...trail.context,
      },
    });
    return error === null && trail.reported !== undefined ? { ...entry, ...trail.reported } : entry;
  }

  /** Records an allowed request's audit event; the answer waits for it, and is withheld when it cannot be written. */
  private async record(audit: AuditEntry): Promise<void> {
    try {
      await this.recorder.record({ audit, at: this.clock.now() });
    } catch (cause) {
      this.logger.error(`Could not record a ${audit.action} event: ${cause instanceof Error ? cause.message : String(cause)}`);
      throw new OAuthError('temporarily_unavailable', 'The request could not be recorded; try again shortly', { cause });
    }
  }

  /** A refusal's audit event; a failure to write it is logged, and the refusal still answered. */
  private async audit(audit: AuditEntry): Promise<void> {
    try {
      await this.recorder.record({ audit, at: this.clock.now() });
    } catch (cause) {
      this.logger.error(`Could not record a refused ${audit.action}: ${cause instanceof Error ? cause.message : String(cause)}`);
    }
  }
}

/** Only the resource's own resource servers (its `introspectionClientIds`) may `what`; anyone else is `unauthorized_client`. */
export function assertResourceServer(server: AuthorizationServer, client: AuthenticatedClient, trail: TokenRequestTrail, what: string): void {
  trail.step = 'caller';
  if (!server.resource.introspectionClientIds.includes(client.id)) {
    throw new OAuthError('unauthorized_client', `This client is not one of the resource's resource servers, so it may not ${what}`);
  }
}

/** Where each form endpoint is served (Express path syntax), for app.factory.ts. */
export function rasFormEndpoints(endpoints: RasEndpoints): [path: string, endpoint: FormEndpoint][] {
  return [
    ['/ras/:slug/token', { handle: (request) => endpoints.token(request) }],
    ['/ras/:slug/introspect', { handle: (request) => endpoints.introspect(request) }],
    ['/ras/:slug/revoke', { handle: (request) => endpoints.revoke(request) }],
  ];
}
