/**
 * @overview This server as an OAuth protected resource: its RFC 9728 metadata, which names Crossgate's
 * RAS as the one authorization server, and the bearer gate in front of `/mcp`. The gate answers:
 *
 * - no credentials: 401 `WWW-Authenticate: Bearer resource_metadata="…"`, without an error code
 *   (RFC 6750 §3.1), so an MCP client discovers the authorization server from it (RFC 9728 §5.1);
 * - a token that fails validation: 401 `error="invalid_token"` (the SDK's challenge formatter);
 * - the authorization server unreachable: 503, never the request served (fail closed).
 *
 * A valid token lacking a tool's scope gets 403 `insufficient_scope` from the SDK's per-tool scope
 * challenge (see notes/notes.tools.ts), before the tool runs.
 *
 * @see RFC 9728 §2–3, §5.1; RFC 6750 §3
 */
import {
  type AuthInfo,
  bearerAuthChallengeResponse,
  getOAuthProtectedResourceMetadataUrl,
  type OAuthTokenVerifier,
  verifyBearerToken,
} from '@modelcontextprotocol/server';

import { AuthorizationServerUnavailableError } from '../authorization-server/authorization-server.ts';

/** The RFC 9728 §2 document. */
export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers: string[];
  scopes_supported: string[];
  bearer_methods_supported: ['header'];
  resource_name: string;
}

export function protectedResourceMetadata(options: { resource: string; issuer: string; scopes: string[] }): ProtectedResourceMetadata {
  return {
    resource: options.resource,
    authorization_servers: [options.issuer],
    scopes_supported: options.scopes,
    // Tokens in a query string or form body are refused (RFC 9700 §2.6, OAuth 2.1).
    bearer_methods_supported: ['header'],
    resource_name: 'Crossgate demo MCP server',
  };
}

/**
 * The metadata URLs for a resource identifier: the path-specific one (RFC 9728 §3.1, inserted before
 * the resource's path), which the challenges advertise, and the host-level one older clients probe.
 */
export function protectedResourceMetadataUrls(resource: string): { pathSpecific: string; root: string } {
  return {
    pathSpecific: getOAuthProtectedResourceMetadataUrl(new URL(resource)),
    root: `${new URL(resource).origin}/.well-known/oauth-protected-resource`,
  };
}

export class BearerGate {
  constructor(
    private readonly verifier: OAuthTokenVerifier,
    private readonly resource: string,
    private readonly resourceMetadataUrl: string,
    private readonly reportUnavailable: (error: AuthorizationServerUnavailableError) => void,
  ) {}

  /** The verified caller, or the response that refuses the request. */
  async authenticate(request: Request): Promise<AuthInfo | Response> {
    const authorization = request.headers.get('authorization');
    if (!authorization) {
      return Response.json(
        { error: 'invalid_request', error_description: 'This resource needs a bearer access token' },
        { status: 401, headers: { 'www-authenticate': `Bearer resource_metadata="${this.resourceMetadataUrl}"` } },
      );
    }
    try {
      return await verifyBearerToken(authorization, {
        verifier: this.verifier,
        expectedResource: new URL(this.resource),
        resourceMetadataUrl: this.resourceMetadataUrl,
      });
    } catch (error) {
      if (error instanceof AuthorizationServerUnavailableError) {
        this.reportUnavailable(error);
        return Response.json(
          { error: 'temporarily_unavailable', error_description: 'The access token cannot be validated right now' },
          { status: 503, headers: { 'retry-after': '5' } },
        );
      }
      return bearerAuthChallengeResponse(error, { resourceMetadataUrl: this.resourceMetadataUrl });
    }
  }
}
