/**
 * @overview The credential of one upstream request, by the route's pattern. Whatever it is, it goes
 * only into the upstream request's headers: never to the agent, never into a log.
 *
 * - `xaa`: the gateway, as its own client, gets an ID-JAG for the call's user and the upstream
 *   resource from Crossgate (CrossgateClient.exchange, the token-exchange policy path), redeems it
 *   at the upstream's authorization server with the RFC 7523 JWT-bearer grant (its token endpoint
 *   found by RFC 8414 discovery from the route's `upstreamIssuer`, the issuer checked exactly), and
 *   sends the access token as a bearer token (RFC 6750 §2.1).
 * - `sts`: the user's upstream access token, brokered by Crossgate, as a bearer token.
 * - `service_account`: a shared account's user name and password, as HTTP Basic (RFC 7617); the
 *   audit entry of every such call is flagged legacy.
 * - `vaulted_key`: the API key in the route's key header (`authorization` carries `Bearer <key>`).
 * - `none`: nothing.
 *
 * Reuse: an access token (xaa, sts) per user × resource × scopes until {@link expiryMarginMs} before
 * it expires; a password or key for `cache.credentialMs`. `fresh` (after an upstream 401/403)
 * skips the cache. A user, agent or resource kill switch reaches live sessions through
 * introspection of the agent's token, which runs before any of this; one on the gateway's
 * connection alone reaches them when the cached credential is next fetched.
 *
 * @see draft-ietf-oauth-identity-assertion-authz-grant §4; RFC 7523 §2.1; RFC 8414 §3; RFC 7617 §2
 */
import { createHash } from 'node:crypto';

import { z } from 'zod';

import type { GatewayConfig } from '../config/gateway.config.ts';
import { type Caller, type CrossgateClient, CrossgateUnavailableError, Expiring, type Route } from '../crossgate/crossgate.client.ts';

/** A cached access token is not used when it has less than this left, so the upstream still takes it. */
export const expiryMarginMs = 30_000;
/** Used when an access token's lifetime is not said. */
const defaultLifetimeSeconds = 60;

const jwtBearerGrant = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const metadataSchema = z.object({ issuer: z.string(), token_endpoint: z.url() });
const tokenSchema = z.object({ access_token: z.string().min(1), token_type: z.string().regex(/^bearer$/i), expires_in: z.number().optional() });

/** The live call the credential is for: the agent's token (Crossgate checks it again) and its caller. */
export interface Session {
  token: string;
  caller: Caller;
}

/** RFC 8414 §3.1: the well-known segment goes between the host and the issuer's path. */
function metadataUrlOf(issuer: string): string {
  const url = new URL(issuer);
  return `${url.origin}/.well-known/oauth-authorization-server${url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '')}`;
}

export class OutboundCredentials {
  private readonly tokens = new Expiring<Promise<Record<string, string>>>();
  private readonly tokenEndpoints = new Expiring<Promise<string>>(1_000);

  constructor(
    private readonly crossgate: CrossgateClient,
    private readonly cache: GatewayConfig['cache'],
    private readonly now: () => number = Date.now,
  ) {}

  /** The headers that carry the route's credential for this session. */
  async headers(route: Route, session: Session, fresh: boolean): Promise<Record<string, string>> {
    switch (route.pattern) {
      case 'none':
        return {};
      case 'vaulted_key': {
        const { key } = await this.crossgate.credential(route, session.token, fresh);
        return { [route.keyHeader]: route.keyHeader === 'authorization' ? `Bearer ${key}` : key };
      }
      case 'xaa':
      case 'sts':
      case 'service_account':
        return this.cached(route, session, fresh);
      default: {
        const unreachable: never = route.pattern;
        throw new Error(`Unknown outbound pattern ${String(unreachable)}`);
      }
    }
  }

  private cached(route: Route, session: Session, fresh: boolean): Promise<Record<string, string>> {
    const scopes = [...session.caller.scopes].sort();
    const key = createHash('sha256').update(JSON.stringify([route.slug, route.pattern, session.caller.sub, scopes])).digest('base64url');
    const now = this.now();
    const cached = fresh ? undefined : this.tokens.get(key, now);
    if (cached !== undefined) {
      return cached;
    }
    const obtained = this.obtain(route, session, scopes);
    // Held while in flight, so concurrent calls share one exchange; replaced by the real lifetime below.
    const pending = obtained.then(({ headers }) => headers);
    this.tokens.set(key, pending, now + 60_000);
    obtained.then(
      ({ lifetimeMs }) => (lifetimeMs > 0 ? this.tokens.set(key, pending, this.now() + lifetimeMs) : this.tokens.delete(key)),
      () => this.tokens.delete(key),
    );
    return pending;
  }

  private async obtain(route: Route, session: Session, scopes: readonly string[]): Promise<{ headers: Record<string, string>; lifetimeMs: number }> {
    // Only an ID-JAG narrows to the caller's scopes: an STS token carries what the user consented to at
    // the provider, and a service account is all or nothing.
    const exchanged = await this.crossgate.exchange(route, session.token, route.pattern === 'xaa' ? scopes : []);
    if (route.pattern === 'service_account') {
      const basic = Buffer.from(`${exchanged.username ?? ''}:${exchanged.token}`, 'utf8').toString('base64');
      return { headers: { authorization: `Basic ${basic}` }, lifetimeMs: this.cache.credentialMs };
    }
    if (route.pattern === 'sts') {
      return { headers: { authorization: `Bearer ${exchanged.token}` }, lifetimeMs: (exchanged.expiresIn ?? defaultLifetimeSeconds) * 1000 - expiryMarginMs };
    }
    const redeemed = await this.redeem(route, exchanged.token);
    return { headers: { authorization: `Bearer ${redeemed.accessToken}` }, lifetimeMs: redeemed.expiresIn * 1000 - expiryMarginMs };
  }

  /** RFC 7523 §2.1 at the upstream's authorization server, as the gateway's client. */
  private async redeem(route: Route, idJag: string): Promise<{ accessToken: string; expiresIn: number }> {
    if (route.upstreamIssuer === undefined) {
      throw new CrossgateUnavailableError(`${route.slug} is served over XAA, but Crossgate names no authorization server for its upstream`);
    }
    const answer = tokenSchema.safeParse(await this.crossgate.postAsGateway(await this.tokenEndpointOf(route.upstreamIssuer), { grant_type: jwtBearerGrant, assertion: idJag }));
    if (!answer.success) {
      throw new CrossgateUnavailableError(`The token endpoint of ${route.upstreamIssuer} answered something other than a bearer access token`);
    }
    return { accessToken: answer.data.access_token, expiresIn: answer.data.expires_in ?? defaultLifetimeSeconds };
  }

  private tokenEndpointOf(issuer: string): Promise<string> {
    const now = this.now();
    const cached = this.tokenEndpoints.get(issuer, now);
    if (cached !== undefined) {
      return cached;
    }
    const discovered = (async () => {
      const url = metadataUrlOf(issuer);
      let body: unknown;
      try {
        const response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(5_000), redirect: 'manual' });
        body = response.ok ? await response.json() : undefined;
      } catch (cause) {
        throw new CrossgateUnavailableError(`${url} cannot be reached`, { cause });
      }
      const metadata = metadataSchema.safeParse(body);
      // RFC 8414 §3.3: the metadata is for exactly this issuer, or it is not used.
      if (!metadata.success || metadata.data.issuer !== issuer) {
        throw new CrossgateUnavailableError(`${url} is not RFC 8414 metadata of ${issuer}`);
      }
      return metadata.data.token_endpoint;
    })();
    this.tokenEndpoints.set(issuer, discovered, now + this.cache.routeMs);
    discovered.catch(() => this.tokenEndpoints.delete(issuer));
    return discovered;
  }
}
