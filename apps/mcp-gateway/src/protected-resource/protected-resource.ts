/**
 * @overview Each fronted resource as an OAuth protected resource: its RFC 9728 metadata, which names
 * the resource's Crossgate issuer as the one authorization server, and the 401 challenges that point
 * MCP clients to it (RFC 9728 §5.1): without credentials no error code (RFC 6750 §3.1), with a token
 * that fails validation `error="invalid_token"`, both as OAuth error JSON.
 *
 * @see RFC 9728 §2–3, §5.1; RFC 6750 §3
 */
import type { Route } from '../crossgate/crossgate.client.ts';

/** RFC 9728 §3.1: the well-known suffix goes between the host and the resource's path. */
export function metadataUrlOf(resource: string): string {
  const url = new URL(resource);
  return `${url.origin}/.well-known/oauth-protected-resource${url.pathname}`;
}

/**
 * The request header an agent may send the user's IdP ID token in instead of a bearer access token,
 * authenticating as its own Crossgate client with HTTP Basic (RFC 6749 §2.3.1); the gateway then
 * does the token exchange as that client. Published in the metadata as
 * `crossgate_id_token_header` (an extension member, RFC 9728 §2).
 */
export const idTokenHeader = 'crossgate-id-token';

export function protectedResourceMetadata(route: Route) {
  return {
    resource: route.resource,
    authorization_servers: [route.issuer],
    scopes_supported: [...new Set(Object.values(route.toolScopes))].sort(),
    bearer_methods_supported: ['header'],
    resource_name: `${route.slug} (through the Crossgate MCP gateway)`,
    crossgate_id_token_header: idTokenHeader,
    crossgate_id_token_client_authentication: ['client_secret_basic'],
  };
}

const quoted = (value: string) => value.replace(/[\\"]/g, '\\$&');

/** 401 with a `resource_metadata` challenge; `error` absent when the request carried no credentials. */
export function unauthorized(route: Route, error?: { code: 'invalid_token' | 'invalid_request' | 'invalid_client'; description: string }): Response {
  const parameters = [...(error === undefined ? [] : [`error="${error.code}"`, `error_description="${quoted(error.description)}"`]), `resource_metadata="${metadataUrlOf(route.resource)}"`];
  return Response.json(
    { error: error?.code ?? 'invalid_request', error_description: error?.description ?? 'This resource needs a bearer access token' },
    { status: 401, headers: { 'www-authenticate': `Bearer ${parameters.join(', ')}`, 'cache-control': 'no-store' } },
  );
}
