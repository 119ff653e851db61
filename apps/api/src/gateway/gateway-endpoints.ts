/**
 * @overview What the MCP gateway (apps/mcp-gateway) asks of a gateway-fronted resource's
 * authorization server, under its issuer `<public URL>/ras/<slug>`, as form endpoints beside
 * introspection and with the same caller rule: a confidential client listed in the resource's
 * `introspectionClientIds` (the gateway is that resource's resource server), else
 * `unauthorized_client`.
 *
 * - `gateway/route`: how the gateway fronts the resource (upstream URL, tool → scope map, key
 *   header) and which pattern its outbound calls use: the gateway client's own strongest active
 *   connection to the resource (xaa > sts > vaulted_key > service_account; a disabled one when it
 *   has no active one, so the call is refused rather than sent bare), or `none` for an upstream that
 *   takes no credential. For `xaa`, `upstream_issuer` is the authorization server of the resource
 *   the upstream URL is registered as (one of its resource indicators).
 * - `gateway/credential`: the active version of that vaulted key, for a live call only: `token` is
 *   the agent's access token the call came with, and it must be active (not revoked, expired or
 *   killed) and no kill switch may cover the user, the agent, the resource or the connection. The
 *   value goes to the gateway and upstream, never to the agent; the `secret_retrieval` event names
 *   the version, never the value, and is committed before the answer leaves.
 * - `gateway/exchange`: for `xaa`, `sts` and `service_account`, the RFC 8693 token exchange as the
 *   gateway's client, for the user of `token` (the agent's live access token, which must be active):
 *   the same steps as at the token endpoint from the kill switches on (the token-exchange grant's
 *   `handleForSession`), so users, groups, app-pair policies (for the gateway's client) and kill
 *   switches apply exactly as there, and the exchange leaves its own `token_exchange` or
 *   `secret_retrieval` event (and, for an ID-JAG, its IssuedToken row) beside this endpoint's. For
 *   `xaa` the target is the upstream's own resource (an ID-JAG the gateway redeems there with the
 *   RFC 7523 grant); for the others it is this resource and the gateway's connection to it.
 * - `gateway/tool-calls`: the gateway's record of a batch of tool calls (each with its decision,
 *   pattern, upstream status, latency, the SHA-256 of the arguments, never their values, and the
 *   approval it waited for), each call a `gateway_tool_call` event of its own, attributed from that
 *   call's own access token (its user and agent), so the gateway cannot name somebody else; a call
 *   whose token names no caller of the resource is recorded as a refusal naming nobody, and the
 *   answer lists it. Malformed input refuses the whole request (one refused event).
 * - `gateway/approval`: opens the approval request of a live call of one of the resource's
 *   high-risk tools (`token`, `tool`, `arguments_sha256`, an optional `summary`), for the user and
 *   agent of that active token; it times out after the resource's approval timeout.
 * - `gateway/approval-wait`: the request's decision, held open up to `wait` seconds (at most 25)
 *   while it is pending, for the same token only. The token must still be active: when it is not
 *   (a kill switch, a revocation), the request is cancelled and the answer is `invalid_grant`, so
 *   the call is refused even if it was approved.
 *
 * Every request leaves exactly one audit event of its own, but for `gateway/tool-calls`: one per
 * call it reports (or one refusal when the request itself is refused).
 * @see RFC 6749 §2.3 (client authentication), RFC 7662 §2 (the caller rule it mirrors)
 */
import { Inject, Injectable, Logger } from '@nestjs/common';

import { type ConnectionPattern, connectionPatternStrength, connectionTokenTypes, type ToolCallApprovalStatus } from '@crossgate/domain';
import { defaultMaxTokenBytes } from '@crossgate/token';

import { ConnectionCredentialService, openConnectionCredential } from '../connections/index.ts';
import { KillSwitchGate } from '../kill-switches/index.ts';
import { assertNoKillSwitch, type ExchangeTrail, type FormEndpoint, handleForSession, type TokenExchangeResponse, TokenExchangeServices } from '../oauth/index.ts';

import { OAuthError } from '../http/index.ts';
import { PolicyEngineService, servingSnapshot } from '../policies/index.ts';
import { Clock } from '../platform/index.ts';
import { assertResourceServer, type AuthorizationServer, RasAccessTokens, RasEndpoints, type RequestItem, type TokenRequestContext, type TokenRequestTrail } from '../ras/index.ts';
import { ToolCallApprovalsService } from './tool-call-approvals.service.ts';

export interface GatewayRouteResponse {
  resource_indicators: string[];
  upstream_url: string;
  tool_scopes: Record<string, string>;
  key_header: string;
  /** Tools whose calls wait for an admin's approval, and how long (seconds) they wait at most. */
  approval_tools: string[];
  approval_timeout_seconds: number;
  pattern: ConnectionPattern | 'none';
  /** For `xaa`: the issuer of the upstream's authorization server, where the gateway redeems its ID-JAG. */
  upstream_issuer?: string;
}

export interface GatewayApprovalResponse {
  approval_id: string;
  status: ToolCallApprovalStatus;
  /** Seconds until it times out (0 once decided). */
  expires_in: number;
  /** Why it was rejected, expired or cancelled (an approver's words). */
  reason?: string;
  decided_by?: string;
}

export interface GatewayCredentialResponse {
  access_token: string;
  issued_token_type: string;
  token_type: 'N_A';
  key_version: number;
  expires_in?: number;
}

export interface GatewayToolCallsResponse {
  /** How many of the calls were recorded as the gateway reported them. */
  recorded: number;
  /** The calls whose token names no caller of this resource: each recorded as a refusal, attributed to nobody. */
  refused: { index: number; error: string; error_description: string }[];
}

/** One tool call as the gateway reports it: the live call's access token, and what it decided. */
interface ReportedToolCall {
  token: string;
  tool: string;
  decision: (typeof decisions)[number];
  pattern: string | null;
  latencyMs: number;
  argumentsSha256: string;
  downstreamStatus: number | null;
  reason: string;
  approvalId?: string;
}

const decisions = ['allow', 'deny'] as const;
/** The most calls one `gateway/tool-calls` request may report. */
export const maxToolCallsPerRequest = 100;
const toolCallParameters = new Set(['token', 'tool', 'decision', 'pattern', 'latency_ms', 'arguments_sha256', 'downstream_status', 'reason', 'approval_id']);
const sha256Hex = /^[0-9a-f]{64}$/;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The longest an approval wait is held open, below the proxies' usual 30 s idle timeouts. */
const maxWaitSeconds = 25;
/** What a summary is cut to: a few words for the approver, not a payload. */
const maxSummaryLength = 200;

@Injectable()
export class GatewayEndpoints {
  private readonly logger = new Logger('mcp-gateway');

  constructor(
    @Inject(RasEndpoints) private readonly ras: RasEndpoints,
    @Inject(RasAccessTokens) private readonly accessTokens: RasAccessTokens,
    @Inject(ConnectionCredentialService) private readonly credentials: ConnectionCredentialService,
    @Inject(KillSwitchGate) private readonly killSwitches: KillSwitchGate,
    @Inject(PolicyEngineService) private readonly policyEngine: PolicyEngineService,
    @Inject(TokenExchangeServices) private readonly exchanges: TokenExchangeServices,
    @Inject(ToolCallApprovalsService) private readonly approvals: ToolCallApprovalsService,
    private readonly clock: Clock,
  ) {}

  /** `POST <issuer>/gateway/route`. */
  route: FormEndpoint['handle'] = (request) =>
    this.ras.tokenRequest('gateway_route_lookup', request, async (context): Promise<GatewayRouteResponse> => {
      const { gateway, resource } = this.fronted(context);
      const pattern = this.outbound(context)?.pattern ?? 'none';
      const upstream = pattern === 'xaa' ? this.upstreamResource(gateway.upstreamUrl, resource.id) : undefined;
      return {
        resource_indicators: resource.resourceIndicators,
        upstream_url: gateway.upstreamUrl,
        tool_scopes: gateway.toolScopes,
        key_header: gateway.keyHeader,
        approval_tools: gateway.approvalTools,
        approval_timeout_seconds: gateway.approvalTimeoutSeconds,
        pattern,
        ...(upstream === undefined ? {} : { upstream_issuer: upstream.authorizationServer }),
      };
    });

  /** `POST <issuer>/gateway/exchange`. */
  exchange: FormEndpoint['handle'] = (request) =>
    this.ras.tokenRequest('gateway_exchange', request, async (context): Promise<TokenExchangeResponse> => {
      const { server, client, trail } = context;
      const { gateway, resource } = this.fronted(context);
      trail.step = 'token';
      const status = await this.accessTokens.status(server.resource, server.issuer, context.token());
      trail.jti = status.claims?.jti;
      trail.tokenClientId = status.claims?.client_id;
      if (!status.active || status.userId === null) {
        throw new OAuthError('invalid_grant', `The access token the call came with is not active${status.active ? ' for a user' : ` (${status.reason})`}`);
      }
      trail.userId = status.userId;
      trail.step = 'connection';
      const connection = this.outbound(context);
      if (connection === undefined || connection.pattern === 'vaulted_key' || connection.status !== 'active') {
        throw new OAuthError('invalid_grant', 'The gateway has no active xaa, sts or service_account connection to this resource');
      }
      trail.context = { connectionId: connection.id, pattern: connection.pattern, via: 'mcp_gateway' };
      trail.step = 'kill_switch';
      await assertNoKillSwitch({ killSwitches: this.killSwitches, logger: this.logger }, { userId: status.userId, clientId: client.id, idpId: '', resourceId: resource.id, connectionId: connection.id });
      const target = connection.pattern === 'xaa' ? this.upstreamResource(gateway.upstreamUrl, resource.id) : resource;
      if (target === undefined) {
        throw new OAuthError('invalid_target', 'The upstream URL is not a resource indicator of exactly one other registered resource, so no ID-JAG can name it');
      }
      const exchangeTrail: ExchangeTrail = { step: 'request', client };
      try {
        return await handleForSession(this.exchanges, {
          client,
          userId: status.userId,
          audience: target.authorizationServer,
          resource: connection.pattern === 'xaa' ? gateway.upstreamUrl : status.claims.aud,
          scope: context.form['scope'],
          pattern: connection.pattern,
          trail: exchangeTrail,
          requestId: request.requestId,
        });
      } catch (error) {
        trail.step = `exchange.${exchangeTrail.step}`;
        if (exchangeTrail.policyIds !== undefined) {
          trail.context = { ...trail.context, policyDecision: exchangeTrail.decision ?? null, policyIds: exchangeTrail.policyIds };
        }
        throw error;
      }
    });

  /** `POST <issuer>/gateway/credential`. */
  credential: FormEndpoint['handle'] = (request) =>
    this.ras.tokenRequest('secret_retrieval', request, async (context): Promise<GatewayCredentialResponse> => {
      const { server, client, trail } = context;
      this.fronted(context);
      const status = await this.liveToken(context);
      trail.step = 'connection';
      const connection = this.connectionsToResource(context).find((candidate) => candidate.pattern === 'vaulted_key');
      if (connection === undefined || connection.status !== 'active' || connection.credentialSecretId === null) {
        throw new OAuthError('invalid_grant', 'The gateway has no active vaulted_key connection with a credential to this resource');
      }
      trail.context = { connectionId: connection.id, pattern: 'vaulted_key', via: 'mcp_gateway' };
      trail.step = 'kill_switch';
      // The token's status covered the user, the agent and the resource; this covers the connection and the gateway's own pair.
      await assertNoKillSwitch(
        { killSwitches: this.killSwitches, logger: this.logger },
        { userId: status.userId ?? '', clientId: client.id, idpId: '', resourceId: server.resource.id, connectionId: connection.id },
      );
      trail.step = 'credential';
      const now = this.clock.now();
      const opened = await openConnectionCredential({ credentials: this.credentials, logger: this.logger }, { id: connection.id, credentialSecretId: connection.credentialSecretId }, now, (keyVersion) => {
        trail.context = { ...trail.context, keyVersion };
      });
      try {
        this.credentials.markUsed(connection.id);
        return {
          access_token: opened.value.toString('utf8'),
          issued_token_type: connectionTokenTypes.vaulted_key,
          token_type: 'N_A',
          key_version: opened.version,
          ...(opened.expiresAt === null ? {} : { expires_in: Math.floor((opened.expiresAt.getTime() - now.getTime()) / 1000) }),
        };
      } finally {
        opened.value.fill(0);
      }
    });

  /** `POST <issuer>/gateway/tool-calls`. */
  toolCalls: FormEndpoint['handle'] = (request) =>
    this.ras.itemsRequest('gateway_tool_call', request, async (context): Promise<{ items: RequestItem[]; answer: GatewayToolCallsResponse }> => {
      const { server, trail } = context;
      this.fronted(context);
      trail.step = 'parameters';
      const calls = parseToolCalls(context.form['calls']);
      // Each call's own token decides who it is attributed to; a token the batch repeats is looked up once.
      const statuses = new Map<string, Promise<TokenStatus>>();
      const statusOf = (token: string) => {
        let status = statuses.get(token);
        if (status === undefined) {
          status = this.accessTokens.status(server.resource, server.issuer, token);
          statuses.set(token, status);
        }
        return status;
      };
      const items = await Promise.all(calls.map(async (call) => toolCallItem(server, call, await statusOf(call.token))));
      const refused = items.flatMap((item, index) => (item.refusal === null ? [] : [{ index, error: item.refusal.code, error_description: item.refusal.description }]));
      return { items, answer: { recorded: items.length - refused.length, refused } };
    });

  /** `POST <issuer>/gateway/approval`. */
  approval: FormEndpoint['handle'] = (request) =>
    this.ras.tokenRequest('gateway_approval_request', request, async (context): Promise<GatewayApprovalResponse> => {
      const { server, trail, form } = context;
      const { gateway } = this.fronted(context);
      trail.step = 'parameters';
      const tool = form['tool'] ?? '';
      const argumentsSha256 = form['arguments_sha256'] ?? '';
      if (!gateway.approvalTools.includes(tool) || !sha256Hex.test(argumentsSha256)) {
        throw new OAuthError('invalid_request', 'tool (one of the resource\'s tools that need approval) and arguments_sha256 (hex SHA-256) are required');
      }
      const summary = (form['summary'] ?? '').replace(/\s+/g, ' ').trim().slice(0, maxSummaryLength);
      const status = await this.liveToken(context);
      trail.step = 'approval';
      const opened = await this.approvals.open(
        { resourceId: server.resource.id, userId: status.userId, subject: status.claims.sub, agentClientId: status.claims.client_id, tokenJti: status.claims.jti, tool, argumentsSha256, summary: summary === '' ? null : summary },
        gateway.approvalTimeoutSeconds,
      );
      trail.context = { approvalId: opened.id, tool, argumentsSha256, sub: status.claims.sub, agentClientId: status.claims.client_id, expiresAt: opened.expiresAt.toISOString() };
      return this.approvalAnswer(opened);
    });

  /** `POST <issuer>/gateway/approval-wait`. */
  approvalWait: FormEndpoint['handle'] = (request) =>
    this.ras.tokenRequest('gateway_approval_wait', request, async (context): Promise<GatewayApprovalResponse> => {
      const { server, trail, form, client } = context;
      this.fronted(context);
      trail.step = 'parameters';
      const id = form['approval_id'] ?? '';
      const wait = Number(form['wait'] ?? '0');
      if (!uuid.test(id) || !Number.isFinite(wait) || wait < 0 || wait > maxWaitSeconds) {
        throw new OAuthError('invalid_request', `approval_id (a UUID) and wait (0–${maxWaitSeconds} seconds) are required`);
      }
      trail.context = { approvalId: id };
      trail.step = 'token';
      const check = async () => {
        const status = await this.accessTokens.status(server.resource, server.issuer, context.token());
        trail.jti = status.claims?.jti;
        trail.tokenClientId = status.claims?.client_id;
        return status;
      };
      const before = await check();
      const pending = await this.approvals.await(id, 0);
      if (pending === null || pending.resourceId !== server.resource.id || pending.tokenJti !== before.claims?.jti) {
        throw new OAuthError('invalid_request', 'No such approval request for this call');
      }
      trail.context = { ...trail.context, tool: pending.tool };
      const refuseInactive = async (reason: string) => {
        await this.approvals.cancel(pending, { type: 'client', id: client.id, label: client.clientId }, `The call's access token is no longer active (${reason})`);
        throw new OAuthError('invalid_grant', `The access token the call came with is no longer active (${reason}): the call is refused`);
      };
      if (!before.active) {
        return refuseInactive(before.reason);
      }
      trail.userId = before.userId;
      trail.step = 'approval';
      // A kill switch fired (or a revocation) while the call waits refuses it, approved or not:
      // the token is checked again at least every second of the wait, and before an approval is answered.
      const until = this.clock.now().getTime() + wait * 1000;
      let current = pending;
      for (;;) {
        current = (await this.approvals.await(id, Math.min(1000, Math.max(0, until - this.clock.now().getTime())))) ?? current;
        if (current.status !== 'pending' && current.status !== 'approved') {
          break;
        }
        const after = await check();
        if (!after.active) {
          return refuseInactive(after.reason);
        }
        if (current.status === 'approved' || this.clock.now().getTime() >= until) {
          break;
        }
      }
      trail.outcome = current.status;
      return this.approvalAnswer(current);
    });

  private approvalAnswer(record: { id: string; status: ToolCallApprovalStatus; expiresAt: Date; reason: string | null; decidedBy: string | null }): GatewayApprovalResponse {
    const left = record.status === 'pending' ? Math.max(0, Math.ceil((record.expiresAt.getTime() - this.clock.now().getTime()) / 1000)) : 0;
    return {
      approval_id: record.id,
      status: record.status,
      expires_in: left,
      ...(record.reason === null ? {} : { reason: record.reason }),
      ...(record.decidedBy === null ? {} : { decided_by: record.decidedBy }),
    };
  }

  /** The live call's access token (`token`), which must be active; its jti, agent and user go into the trail. */
  private async liveToken({ server, trail, token }: TokenRequestContext) {
    trail.step = 'token';
    const status = await this.accessTokens.status(server.resource, server.issuer, token());
    trail.jti = status.claims?.jti;
    trail.tokenClientId = status.claims?.client_id;
    if (!status.active) {
      throw new OAuthError('invalid_grant', `The access token the call came with is not active (${status.reason})`);
    }
    trail.userId = status.userId;
    return status;
  }

  /** The resource's gateway settings; a resource that is not gateway-fronted is refused. */
  private fronted({ server, client, trail }: TokenRequestContext): { gateway: NonNullable<AuthorizationServer['resource']['gateway']>; resource: AuthorizationServer['resource'] } {
    assertResourceServer(server, client, trail, 'act as its MCP gateway');
    const gateway = server.resource.gateway;
    if (gateway === null) {
      throw new OAuthError('invalid_target', 'This resource is not fronted by the MCP gateway');
    }
    return { gateway, resource: server.resource };
  }

  /** The calling gateway's own connections to the resource (any status). */
  private connectionsToResource({ server, client }: TokenRequestContext) {
    return servingSnapshot(this.policyEngine).directory.connectionsOf(client.id, server.resource.id);
  }

  /** The connection the gateway's outbound calls use: the strongest active one, else the strongest (so a disabled one refuses). */
  private outbound(context: TokenRequestContext) {
    const connections = this.connectionsToResource(context);
    const strongest = (active: boolean) => connectionPatternStrength.map((pattern) => connections.find((connection) => connection.pattern === pattern && (!active || connection.status === 'active'))).find((connection) => connection !== undefined);
    return strongest(true) ?? strongest(false);
  }

  /** The one other registered resource the upstream URL names (RFC 8707), which an ID-JAG for the upstream targets. */
  private upstreamResource(upstreamUrl: string, frontedId: string) {
    const named = servingSnapshot(this.policyEngine).directory.resourcesNamed(upstreamUrl).filter((candidate) => candidate.id !== frontedId);
    return named.length === 1 ? named[0] : undefined;
  }
}

type TokenStatus = Awaited<ReturnType<RasAccessTokens['status']>>;

/**
 * The `calls` parameter: a JSON array of 1 to {@link maxToolCallsPerRequest} objects, each with the
 * string parameters of one call (`token`, `tool`, `decision`, `pattern`, `latency_ms`,
 * `arguments_sha256`, `downstream_status`, optional `reason` and `approval_id`).
 * @throws OAuthError `invalid_request` naming the first call that is wrong (the whole request is refused).
 */
function parseToolCalls(value: string | undefined): ReportedToolCall[] {
  const shape = `calls (a JSON array of 1 to ${maxToolCallsPerRequest} objects of string parameters) is required`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value ?? '');
  } catch {
    throw new OAuthError('invalid_request', shape);
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || parsed.length > maxToolCallsPerRequest) {
    throw new OAuthError('invalid_request', shape);
  }
  return parsed.map((call: unknown, index) => {
    if (typeof call !== 'object' || call === null || Array.isArray(call) || !Object.entries(call).every(([name, field]) => toolCallParameters.has(name) && typeof field === 'string')) {
      throw new OAuthError('invalid_request', `Call ${index}: ${shape}`);
    }
    const fields = call as Record<string, string>;
    const token = fields['token'] ?? '';
    const tool = fields['tool'] ?? '';
    const decision = fields['decision'] as (typeof decisions)[number];
    const argumentsSha256 = fields['arguments_sha256'] ?? '';
    const latencyMs = Number(fields['latency_ms']);
    const downstreamStatus = fields['downstream_status'] === undefined || fields['downstream_status'] === '' ? null : Number(fields['downstream_status']);
    if (token === '' || token.length > defaultMaxTokenBytes || tool === '' || tool.length > 128 || !decisions.includes(decision) || !sha256Hex.test(argumentsSha256) || !Number.isFinite(latencyMs) || latencyMs < 0 || (downstreamStatus !== null && !Number.isInteger(downstreamStatus))) {
      throw new OAuthError('invalid_request', `Call ${index}: token, tool, decision (allow|deny), arguments_sha256 (hex SHA-256), latency_ms and an integer downstream_status are required`);
    }
    const approvalId = fields['approval_id'];
    return {
      token,
      tool,
      decision,
      pattern: fields['pattern'] ?? null,
      latencyMs,
      argumentsSha256,
      downstreamStatus,
      reason: (fields['reason'] ?? '').slice(0, 500),
      // The approval a high-risk call waited for (approved, rejected, expired or cancelled).
      ...(approvalId !== undefined && uuid.test(approvalId) ? { approvalId } : {}),
    };
  });
}

/**
 * The audit event of one reported call, attributed from its token itself: its user when it is still
 * known, else its claims (a killed token still names who). A token that names no caller of this
 * resource (forged, another resource's) is a refusal attributed to nobody, as the gateway's word
 * alone names no one.
 */
function toolCallItem(server: AuthorizationServer, call: ReportedToolCall, status: TokenStatus): RequestItem {
  const { claims } = status;
  if (claims === undefined) {
    return { trail: { step: 'token' }, refusal: new OAuthError('invalid_request', `The token does not name a caller of this resource (${status.active ? 'no claims' : status.reason})`) };
  }
  const trail: TokenRequestTrail = {
    step: 'token',
    jti: claims.jti,
    tokenClientId: claims.client_id,
    userId: status.active ? status.userId : null,
    outcome: status.active ? 'active' : status.reason,
    context: {
      sub: claims.sub,
      agentClientId: claims.client_id,
      resourceId: server.resource.id,
      tool: call.tool,
      pattern: call.pattern,
      // A shared account's password is the weakest pattern: flagged wherever it is used.
      ...(call.pattern === 'service_account' ? { legacy: true } : {}),
      downstreamStatus: call.downstreamStatus,
      latencyMs: Math.round(call.latencyMs * 1000) / 1000,
      argumentsSha256: call.argumentsSha256,
      ...(call.approvalId === undefined ? {} : { approvalId: call.approvalId }),
    },
    reported: { decision: call.decision, reason: call.decision === 'deny' ? call.reason || 'refused by the gateway' : null },
  };
  return { trail, refusal: null };
}

/** Where each gateway form endpoint is served (Express path syntax), for app.factory.ts. */
export function gatewayFormEndpoints(endpoints: GatewayEndpoints): [path: string, endpoint: FormEndpoint][] {
  return [
    ['/ras/:slug/gateway/route', { handle: endpoints.route }],
    ['/ras/:slug/gateway/credential', { handle: endpoints.credential }],
    ['/ras/:slug/gateway/exchange', { handle: endpoints.exchange }],
    ['/ras/:slug/gateway/tool-calls', { handle: endpoints.toolCalls, longParameters: new Set(['calls']) }],
    ['/ras/:slug/gateway/approval', { handle: endpoints.approval }],
    ['/ras/:slug/gateway/approval-wait', { handle: endpoints.approvalWait }],
  ];
}
