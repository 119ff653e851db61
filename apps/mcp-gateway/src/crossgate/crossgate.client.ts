/**
 * @overview Everything the gateway asks Crossgate, always as its own client (client_secret_basic)
 * at the fronted resource's authorization server `<Crossgate>/ras/<slug>`:
 *
 * - `caller(slug, token)`: RFC 7662 introspection of the agent's access token. Why introspection
 *   rather than local JWKS verification: the answer is Crossgate's whole verdict at that moment
 *   (revoked, expired, the user, agent, IdP or resource kill-switched, the agent disabled), so
 *   users, groups, policies and kill switches apply exactly as at the token endpoint, and a kill
 *   switch stops a live session's next call once the short cache below has lapsed (a signature
 *   check alone would honour a killed token until it expired). The answer is reused for
 *   `cache.tokenMs` (default 1 s), never past the token's `exp`, and asked again in the background
 *   while it is in use (see {@link AskedAhead}), which keeps a busy session at about one and a third
 *   introspections a second, none of its calls waiting for them.
 * - `route(slug)`: the resource's gateway settings, reused for `cache.routeMs` (asked ahead likewise).
 * - `credential(slug, token)`: the vaulted API key for the upstream, retrieved for a live call
 *   (Crossgate audits the retrieval); reused for `cache.credentialMs` (asked ahead likewise) unless
 *   `fresh` is asked for.
 * - `exchange(route, token, scope)`: the RFC 8693 token exchange as the gateway's client for the
 *   user of the live call's token: an ID-JAG for the upstream's authorization server (xaa), the
 *   user's brokered upstream token (sts) or a service account's password (service_account). Not
 *   cached here (see upstream/outbound-credentials.ts).
 * - `accessTokenFromIdToken(route, clientAuthorization, idToken)`: for an agent that presents the
 *   user's IdP ID token instead of an access token, the token exchange and redemption done as that
 *   agent's client.
 * - `recordToolCall(slug, token, call)`: the audit event of one tool call, sent in a batch with the
 *   resource's other calls of the moment (tool-call-batches.ts); never delays the call.
 * - `openApproval(route, token, call)` and `awaitApproval(route, token, id, wait)`: the approval
 *   request of a call of a high-risk tool, and its decision by long poll (see approval/tool-approval.ts).
 *
 * A failure to get a clear answer is {@link CrossgateUnavailableError} (the gateway fails closed).
 */
import { createHash } from 'node:crypto';

import { z } from 'zod';

import type { GatewayConfig } from '../config/gateway.config.ts';
import { bodyText, OutboundHttp } from '../http/outbound-http.ts';
import { ToolCallBatches } from './tool-call-batches.ts';

export class CrossgateUnavailableError extends Error {
  override readonly name = 'CrossgateUnavailableError';
}

/** Crossgate refused the gateway's request with an OAuth error (RFC 6749 §5.2). */
export class CrossgateRefusalError extends Error {
  override readonly name = 'CrossgateRefusalError';
  constructor(
    readonly status: number,
    readonly code: string,
    description: string,
    /** STS: where the user consents to the connection (an extension member of the error, RFC 6749 §5.2). */
    readonly consentUri?: string,
  ) {
    super(description);
  }
}

/** The agent and user behind a valid access token. */
export interface Caller {
  sub: string;
  clientId: string;
  scopes: string[];
  exp: number;
}

export interface Route {
  slug: string;
  /** The resource identifier agents' tokens carry as `aud`: `<gateway URL>/mcp/<slug>`. */
  resource: string;
  issuer: string;
  upstreamUrl: string;
  toolScopes: Record<string, string>;
  keyHeader: string;
  /** Tools whose every call waits for an admin's approval, and how long at most (seconds). */
  approvalTools: string[];
  approvalTimeoutSeconds: number;
  pattern: OutboundPattern;
  /** For `xaa`: the issuer of the upstream's authorization server, where the ID-JAG is redeemed. */
  upstreamIssuer?: string;
}

/** How the gateway authenticates to the upstream: a connection pattern, or no credential at all. */
export const outboundPatterns = ['xaa', 'sts', 'vaulted_key', 'service_account', 'none'] as const;
export type OutboundPattern = (typeof outboundPatterns)[number];

/** What `exchange` hands out: never for the agent, only for the upstream request. */
export interface Exchanged {
  token: string;
  /** service_account: the account the password belongs to. */
  username?: string;
  /** Seconds, when Crossgate says how long the token lives. */
  expiresIn?: number;
}

export interface ToolCallRecord {
  tool: string;
  decision: 'allow' | 'deny';
  reason?: string;
  pattern: Route['pattern'];
  downstreamStatus: number | null;
  latencyMs: number;
  argumentsSha256: string;
  /** The approval a high-risk call waited for. */
  approvalId?: string;
}

/** An approval request as Crossgate answers it. */
export interface Approval {
  id: string;
  status: 'pending' | 'approved' | 'rejected' | 'expired' | 'cancelled';
  /** Seconds until it times out, while pending. */
  expiresIn: number;
  reason?: string;
  decidedBy?: string;
}

const introspectionSchema = z.object({
  active: z.boolean(),
  sub: z.string().optional(),
  client_id: z.string().optional(),
  scope: z.string().optional(),
  exp: z.number().optional(),
  iss: z.string().optional(),
  aud: z.union([z.string(), z.array(z.string())]).optional(),
});
const routeSchema = z.object({
  resource_indicators: z.array(z.string()),
  upstream_url: z.url(),
  tool_scopes: z.record(z.string(), z.string()),
  key_header: z.string().min(1),
  approval_tools: z.array(z.string()),
  approval_timeout_seconds: z.number().int().positive(),
  pattern: z.enum(outboundPatterns),
  upstream_issuer: z.url().optional(),
});
const approvalSchema = z.object({
  approval_id: z.uuid(),
  status: z.enum(['pending', 'approved', 'rejected', 'expired', 'cancelled']),
  expires_in: z.number().min(0),
  reason: z.string().optional(),
  decided_by: z.string().optional(),
});
const exchangeSchema = z.object({ access_token: z.string().min(1), issued_token_type: z.string(), expires_in: z.number().optional(), username: z.string().optional() });
const credentialSchema = z.object({ access_token: z.string().min(1), key_version: z.number() });
const exchangedSchema = z.object({ access_token: z.string().min(1), expires_in: z.number() });
/** An access token obtained from an ID token is not reused when it has less than this left. */
export const accessTokenMarginMs = 30_000;
const errorSchema = z.object({ error: z.string(), error_description: z.string().optional(), consent_uri: z.url().optional() });

/** RFC 6749 §2.3.1: the client id and secret are form-encoded before they are joined and base64-encoded. */
export function clientSecretBasic(clientId: string, clientSecret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

/** A small time-bounded map that forgets everything when it grows past `max` entries. */
export class Expiring<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();
  constructor(private readonly max = 10_000) {}

  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined || entry.until <= now) {
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V, until: number): void {
    if (this.entries.size >= this.max) {
      this.entries.clear();
    }
    this.entries.set(key, { value, until });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

/**
 * Answers asked for by key and reused until a deadline each answer sets: callers asking meanwhile
 * share one question, and an answer still in use is asked again in the background once three
 * quarters of its lifetime has passed, so a busy key rarely waits for Crossgate while no caller
 * ever gets an answer older than its lifetime (it counts from when it was asked).
 */
export class AskedAhead<V> {
  private readonly entries: Expiring<{ answer: Promise<V>; refreshAt: number; refreshing: boolean }>;

  constructor(
    private readonly now: () => number,
    max?: number,
  ) {
    this.entries = new Expiring(max);
  }

  /** `ask`'s answer for `key`; `until(value, askedAt)` is the deadline of an answer asked at `askedAt`. */
  get(key: string, ask: () => Promise<V>, until: (value: V, askedAt: number) => number, fresh = false): Promise<V> {
    const now = this.now();
    const cached = fresh ? undefined : this.entries.get(key, now);
    if (cached === undefined) {
      return this.ask(key, ask, until, now, false);
    }
    if (now >= cached.refreshAt && !cached.refreshing) {
      cached.refreshing = true;
      // A failure leaves the answer in use to its own deadline; the next caller after it asks again.
      this.ask(key, ask, until, now, true).catch(() => undefined);
    }
    return cached.answer;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  private ask(key: string, ask: () => Promise<V>, until: (value: V, askedAt: number) => number, now: number, inBackground: boolean): Promise<V> {
    const answer = ask();
    const entry = { answer, refreshAt: Infinity, refreshing: false };
    if (!inBackground) {
      // Shared while in flight; replaced by its real deadline below.
      this.entries.set(key, entry, now + 60_000);
    }
    answer.then(
      (value) => {
        const deadline = until(value, now);
        entry.refreshAt = now + ((deadline - now) * 3) / 4;
        if (deadline > this.now()) {
          this.entries.set(key, entry, deadline);
        } else if (!inBackground) {
          this.entries.delete(key);
        }
      },
      () => {
        if (!inBackground) {
          this.entries.delete(key);
        }
      },
    );
    return answer;
  }
}

const tokenKey = (slug: string, token: string) => `${slug}\n${createHash('sha256').update(token).digest('base64url')}`;

export class CrossgateClient {
  private readonly callers: AskedAhead<Caller | null>;
  private readonly routes: AskedAhead<Route | null>;
  private readonly credentials: AskedAhead<{ key: string; version: number }>;
  private readonly exchangedTokens = new Expiring<Promise<string>>();
  private readonly toolCalls: ToolCallBatches;

  constructor(
    private readonly config: Pick<GatewayConfig, 'crossgate' | 'cache' | 'http' | 'auditFlushMs'>,
    private readonly warn: (message: string) => void,
    private readonly outbound = new OutboundHttp(),
    private readonly now: () => number = Date.now,
  ) {
    this.routes = new AskedAhead(now, 1_000);
    this.callers = new AskedAhead(now);
    this.credentials = new AskedAhead(now, 1_000);
    this.toolCalls = new ToolCallBatches((slug, form) => this.post(slug, 'gateway/tool-calls', form), config.auditFlushMs, warn);
  }

  get configured(): boolean {
    return this.config.crossgate.client !== undefined;
  }

  issuerOf(slug: string): string {
    return `${this.config.crossgate.url}/ras/${slug}`;
  }

  resourceOf(slug: string): string {
    return `${this.config.http.publicUrl}/mcp/${slug}`;
  }

  /** The gateway-fronted resource behind `slug`, or null when there is none (or it is not fronted, or not by this gateway). */
  route(slug: string): Promise<Route | null> {
    return this.routes.get(slug, () => this.lookUpRoute(slug), (_route, askedAt) => askedAt + this.config.cache.routeMs);
  }

  private lookUpRoute(slug: string): Promise<Route | null> {
    return this.post(slug, 'gateway/route', { resource: this.resourceOf(slug) }).then(
      (body): Route | null => {
        const parsed = routeSchema.safeParse(body);
        if (!parsed.success) {
          throw new CrossgateUnavailableError(`${this.issuerOf(slug)}/gateway/route answered something unexpected`);
        }
        const resource = this.resourceOf(slug);
        if (!parsed.data.resource_indicators.includes(resource)) {
          this.warn(`${slug} is gateway-fronted, but ${resource} is not one of its resource indicators`);
          return null;
        }
        const { upstream_url, tool_scopes, key_header, approval_tools, approval_timeout_seconds, pattern, upstream_issuer } = parsed.data;
        return {
          slug,
          resource,
          issuer: this.issuerOf(slug),
          upstreamUrl: upstream_url,
          toolScopes: tool_scopes,
          keyHeader: key_header,
          approvalTools: approval_tools,
          approvalTimeoutSeconds: approval_timeout_seconds,
          pattern,
          ...(upstream_issuer === undefined ? {} : { upstreamIssuer: upstream_issuer }),
        };
      },
      (error: unknown) => {
        if (error instanceof CrossgateRefusalError && error.status < 500) {
          if (error.status !== 404) {
            this.warn(`Crossgate does not let this gateway front ${slug}: ${error.code}: ${error.message}`);
          }
          return null;
        }
        throw error;
      },
    );
  }

  /** The caller behind `token` if Crossgate says it is active for this route's resource, else null (asked ahead, see {@link AskedAhead}). */
  caller(route: Route, token: string): Promise<Caller | null> {
    return this.callers.get(
      tokenKey(route.slug, token),
      () => this.introspect(route, token),
      (caller, askedAt) => Math.min(askedAt + this.config.cache.tokenMs, caller === null ? Infinity : caller.exp * 1000),
    );
  }

  private async introspect(route: Route, token: string): Promise<Caller | null> {
    const answer = introspectionSchema.safeParse(await this.post(route.slug, 'introspect', { token, token_type_hint: 'access_token' }));
    if (!answer.success) {
      throw new CrossgateUnavailableError(`${route.issuer}/introspect answered something other than an RFC 7662 response`);
    }
    const { active, iss, aud, sub, client_id, exp, scope } = answer.data;
    const audiences = typeof aud === 'string' ? [aud] : (aud ?? []);
    // RFC 7662 §4: the resource server checks the audience and issuer itself.
    return active && iss === route.issuer && audiences.includes(route.resource) && sub !== undefined && client_id !== undefined && exp !== undefined ? { sub, clientId: client_id, scopes: scope?.split(' ').filter(Boolean) ?? [], exp } : null;
  }

  /** The vaulted API key for the route's upstream, retrieved with the live call's token (asked ahead, see {@link AskedAhead}); `fresh` skips the cache. */
  credential(route: Route, token: string, fresh = false): Promise<{ key: string; version: number }> {
    const retrieve = () =>
      this.post(route.slug, 'gateway/credential', { token }).then((body) => {
        const parsed = credentialSchema.safeParse(body);
        if (!parsed.success) {
          throw new CrossgateUnavailableError(`${route.issuer}/gateway/credential answered something unexpected`);
        }
        return { key: parsed.data.access_token, version: parsed.data.key_version };
      });
    return this.credentials.get(route.slug, retrieve, (_key, askedAt) => askedAt + this.config.cache.credentialMs, fresh);
  }

  /** The token exchange for the user of `token` with the route's pattern (xaa, sts, service_account), as the gateway's client. */
  async exchange(route: Route, token: string, scopes: readonly string[]): Promise<Exchanged> {
    const parsed = exchangeSchema.safeParse(await this.post(route.slug, 'gateway/exchange', { token, ...(scopes.length === 0 ? {} : { scope: scopes.join(' ') }) }));
    if (!parsed.success) {
      throw new CrossgateUnavailableError(`${route.issuer}/gateway/exchange answered something unexpected`);
    }
    const { access_token, expires_in, username } = parsed.data;
    return { token: access_token, ...(expires_in === undefined ? {} : { expiresIn: expires_in }), ...(username === undefined ? {} : { username }) };
  }

  /** Records one tool call in Crossgate's audit log, in the resource's next batch (tool-call-batches.ts); a failure is reported, never thrown. */
  recordToolCall(route: Route, token: string, call: ToolCallRecord): void {
    const parameters: Record<string, string> = {
      token,
      tool: call.tool,
      decision: call.decision,
      pattern: call.pattern,
      latency_ms: call.latencyMs.toFixed(3),
      arguments_sha256: call.argumentsSha256,
      downstream_status: call.downstreamStatus === null ? '' : String(call.downstreamStatus),
      ...(call.reason === undefined ? {} : { reason: call.reason }),
      ...(call.approvalId === undefined ? {} : { approval_id: call.approvalId }),
    };
    this.toolCalls.add(route.slug, { parameters, describe: `the ${call.decision === 'allow' ? 'allowed' : 'refused'} call of ${call.tool}` });
  }

  /** Resolves once every tool call recorded so far has been sent to Crossgate (for a graceful stop). */
  flushed(): Promise<void> {
    return this.toolCalls.flushed();
  }

  /** Opens the approval request of a live call of a high-risk tool (the call named by its argument digest, never its arguments). */
  async openApproval(route: Route, token: string, call: { tool: string; argumentsSha256: string; summary?: string }): Promise<Approval> {
    return this.approvalOf(route, await this.post(route.slug, 'gateway/approval', { token, tool: call.tool, arguments_sha256: call.argumentsSha256, ...(call.summary === undefined ? {} : { summary: call.summary }) }));
  }

  /** The approval's decision, Crossgate holding the answer up to `waitSeconds` while it is pending (a long poll). */
  async awaitApproval(route: Route, token: string, approvalId: string, waitSeconds: number): Promise<Approval> {
    const form = { token, approval_id: approvalId, wait: String(waitSeconds) };
    return this.approvalOf(route, await this.postAsGateway(`${this.issuerOf(route.slug)}/gateway/approval-wait`, form, (waitSeconds + 5) * 1000));
  }

  private approvalOf(route: Route, body: unknown): Approval {
    const parsed = approvalSchema.safeParse(body);
    if (!parsed.success) {
      throw new CrossgateUnavailableError(`${route.issuer}'s approval endpoints answered something unexpected`);
    }
    const { approval_id, status, expires_in, reason, decided_by } = parsed.data;
    return { id: approval_id, status, expiresIn: expires_in, ...(reason === undefined ? {} : { reason }), ...(decided_by === undefined ? {} : { decidedBy: decided_by }) };
  }

  /**
   * An access token for the route's resource from the user's ID token, obtained as the agent's own
   * Crossgate client (`clientAuthorization`, its HTTP Basic credentials as the agent sent them): the
   * RFC 8693 exchange at Crossgate's token endpoint, so users, groups, policies and kill switches
   * apply exactly as there, then the RFC 7523 redemption at the resource's issuer. The ID-JAG must
   * name the agent's own client there (no client registration to another client id). Reused per
   * credentials × ID token until {@link accessTokenMarginMs} before it expires; a refusal is
   * {@link CrossgateRefusalError} with Crossgate's own error code.
   */
  accessTokenFromIdToken(route: Route, clientAuthorization: string, idToken: string): Promise<string> {
    const key = `${route.slug}\n${createHash('sha256').update(`${clientAuthorization}\n${idToken}`).digest('base64url')}`;
    const now = this.now();
    const cached = this.exchangedTokens.get(key, now);
    if (cached !== undefined) {
      return cached;
    }
    const obtained = (async () => {
      const grant = exchangedSchema.safeParse(
        await this.postForm(`${this.config.crossgate.url}/oauth2/token`, clientAuthorization, {
          grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
          requested_token_type: 'urn:ietf:params:oauth:token-type:id-jag',
          subject_token: idToken,
          subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
          audience: route.issuer,
          resource: route.resource,
        }),
      );
      if (!grant.success) {
        throw new CrossgateUnavailableError(`${this.config.crossgate.url}/oauth2/token answered something other than an ID-JAG`);
      }
      const access = exchangedSchema.safeParse(await this.postForm(`${route.issuer}/token`, clientAuthorization, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: grant.data.access_token }));
      if (!access.success) {
        throw new CrossgateUnavailableError(`${route.issuer}/token answered something other than an access token`);
      }
      return access.data;
    })();
    const token = obtained.then(({ access_token }) => access_token);
    this.exchangedTokens.set(key, token, now + 60_000);
    obtained.then(
      ({ expires_in }) => (expires_in * 1000 > accessTokenMarginMs ? this.exchangedTokens.set(key, token, this.now() + expires_in * 1000 - accessTokenMarginMs) : this.exchangedTokens.delete(key)),
      () => this.exchangedTokens.delete(key),
    );
    return token;
  }

  /** A form POST to `url` as the gateway's own client (client_secret_basic). */
  postAsGateway(url: string, form: Record<string, string>, timeoutMs?: number): Promise<unknown> {
    const client = this.config.crossgate.client;
    if (client === undefined) {
      return Promise.reject(new CrossgateUnavailableError('The gateway has no client at Crossgate (MCP_GATEWAY_CLIENT_ID, MCP_GATEWAY_CLIENT_SECRET)'));
    }
    return this.postForm(url, clientSecretBasic(client.clientId, client.clientSecret), form, timeoutMs);
  }

  /** A form POST with this `authorization`: the JSON answer, or {@link CrossgateRefusalError} / {@link CrossgateUnavailableError}. */
  private async postForm(url: string, authorization: string, form: Record<string, string>, timeoutMs = 5_000): Promise<unknown> {
    let status: number;
    let text: string;
    try {
      const body = Buffer.from(new URLSearchParams(form).toString(), 'utf8');
      const answer = await this.outbound.send(new URL(url), { method: 'POST', headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body, timeoutMs });
      status = answer.statusCode ?? 0;
      text = await bodyText(answer);
    } catch (cause) {
      throw new CrossgateUnavailableError(`${url} cannot be reached`, { cause });
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (status >= 200 && status <= 299) {
      return body;
    }
    const refusal = errorSchema.safeParse(body);
    if (!refusal.success || status >= 500) {
      throw new CrossgateUnavailableError(`${url} answered ${status}${refusal.success ? ` ${refusal.data.error}` : ''}`);
    }
    throw new CrossgateRefusalError(status, refusal.data.error, refusal.data.error_description ?? refusal.data.error, refusal.data.consent_uri);
  }

  private post(slug: string, endpoint: string, form: Record<string, string>): Promise<unknown> {
    return this.postAsGateway(`${this.issuerOf(slug)}/${endpoint}`, form);
  }
}
