/**
 * @overview The resource's authorization server (Crossgate's RAS for this resource), found by RFC 8414
 * discovery from its issuer identifier. Endpoints are never configured by hand: the metadata is the
 * one source, and its `issuer` must equal the configured one exactly (RFC 8414 §3.3), so a metadata
 * document for another issuer can never redirect validation elsewhere.
 *
 * Discovery is lazy and retried until it succeeds: the demo server may start before Crossgate has
 * its resource, and a request that arrives meanwhile is refused (503), never served.
 *
 * @see RFC 8414 §3 (metadata URL: well-known segment inserted before the issuer's path)
 */
import { z } from 'zod';

/** The RFC 8414 members this server uses; anything else in the document is ignored. */
const metadataSchema = z.object({
  issuer: z.string(),
  jwks_uri: z.url().optional(),
  introspection_endpoint: z.url().optional(),
});

export type AuthorizationServerMetadata = z.infer<typeof metadataSchema>;

/**
 * The authorization server could not be reached or answered something unusable. Validation fails
 * closed on it: the request is refused with 503, and the reason is logged, not sent.
 */
export class AuthorizationServerUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuthorizationServerUnavailableError';
  }
}

/** Requests to the authorization server give up after this long, so a hung RAS cannot hang clients. */
export const authorizationServerTimeoutMs = 5_000;

/** `https://as.example/ras/x` → `https://as.example/.well-known/oauth-authorization-server/ras/x`. */
export function authorizationServerMetadataUrl(issuer: string): string {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '');
  return `${url.origin}/.well-known/oauth-authorization-server${path}`;
}

export class AuthorizationServer {
  private metadata?: AuthorizationServerMetadata;

  constructor(readonly issuer: string) {}

  /** The discovered metadata; fetched on first use and kept once valid. */
  async discover(): Promise<AuthorizationServerMetadata> {
    this.metadata ??= await this.fetchMetadata();
    return this.metadata;
  }

  private async fetchMetadata(): Promise<AuthorizationServerMetadata> {
    const metadataUrl = authorizationServerMetadataUrl(this.issuer);
    const parsed = metadataSchema.safeParse(await fetchJson(metadataUrl, { headers: { accept: 'application/json' } }));
    if (!parsed.success) {
      throw new AuthorizationServerUnavailableError(`${metadataUrl} is not RFC 8414 metadata: ${parsed.error.message}`);
    }
    if (parsed.data.issuer !== this.issuer) {
      throw new AuthorizationServerUnavailableError(
        `${metadataUrl} names the issuer "${parsed.data.issuer}", not "${this.issuer}" (RFC 8414 §3.3)`,
      );
    }
    return parsed.data;
  }
}

/**
 * One request to the authorization server and its JSON answer. Anything but a 2xx JSON answer within
 * the timeout (unreachable, redirected, an error status, not JSON) is AuthorizationServerUnavailableError.
 */
export async function fetchJson(url: string, init: RequestInit): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(authorizationServerTimeoutMs) });
  } catch (error) {
    throw new AuthorizationServerUnavailableError(`${url} could not be reached`, { cause: error });
  }
  if (!response.ok) {
    // For introspection, 401 means this server's own client credentials are wrong: an operator problem, not the caller's.
    throw new AuthorizationServerUnavailableError(`${url} answered ${response.status}`);
  }
  try {
    return await response.json();
  } catch (error) {
    throw new AuthorizationServerUnavailableError(`${url} answered something other than JSON`, { cause: error });
  }
}
