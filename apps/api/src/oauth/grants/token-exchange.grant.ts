/**
 * @overview The RFC 8693 token-exchange grant as the ID-JAG draft profiles it: an upstream OIDC ID
 * token in, an ID-JAG out. Data (`grantType`, `parameters`) plus one function (`handle`), whose
 * steps run in the order below and stop at the first failure.
 *
 * 1. parameters: `requested_token_type` = id-jag, `subject_token_type` = id_token, `audience`
 *    present, no `actor_token` (DESIGN decision 6) → `invalid_request`
 * 2. subject token: issued by an active trusted IdP (exact `iss`), verified against its pinned JWKS
 *    or `jwks_uri` (discovered from the issuer when unset), `aud` = the client's `idpClientId`
 *    → any failure `invalid_grant` (DESIGN decision 2)
 * 3. user: found or created just in time from `iss` + `sub`, with the IdP's groups → must be
 *    active, else `invalid_grant`
 * 4. kill switches on the user, the client, the IdP, everything, and (when the target below is
 *    known) the resource, the app pair or the connection that would serve it → `invalid_grant`
 *    (KillSwitchGate: at most 100 ms old; unreadable → `temporarily_unavailable`)
 * 5. target: an active resource whose `authorizationServer` is `audience` and, when `resource` is
 *    given, lists it; an audience with exactly one resource implies it (DESIGN decision 4)
 *    → `invalid_target`
 * 6. policy: `step_up_required` → `insufficient_user_authentication`, `no_allowed_scope` →
 *    `invalid_scope`, any other refusal → `invalid_grant`, a stale index → `temporarily_unavailable`
 * 7. mint the ID-JAG; its IssuedToken row and the one audit event are committed (in a group with
 *    concurrent requests, see IssuanceRecorder) before the answer leaves.
 *
 * When the (client, resource) pair has managed connections, PairConnections (connections/) decides what step 7
 * hands out (the strongest active pattern, xaa > sts > vaulted_key > service_account, unless
 * `requested_token_type` names one; a pattern the pair has no connection for → `invalid_request`):
 * an ID-JAG (xaa), an upstream access token from the StsBroker (sts), or the current version of the
 * vaulted key or service-account password, whose `secret_retrieval` audit event is committed before
 * the answer leaves. A disabled connection, a service account past its sunset date or a connection
 * without a credential → `invalid_grant`. A pair without connections is served as XAA, exactly as
 * before connections existed.
 *
 * `handleForSession` runs steps 4–7 for a user known from a live session instead of an ID token
 * (the MCP gateway acting for the user of an access token it introspected), so nothing of the
 * exchange's policy path exists twice.
 *
 * Clients, IdPs, resources and policies come from one snapshot (policy index and directory at one
 * PolicyVersion), so a request never mixes two versions; the database is read only for a user
 * whose claims or record changed, and for the kill switches a few times a second.
 *
 * The ID-JAG's `sub`, `client_id` and `email` follow the resource's registration (SPEC §2.2):
 * `sub` is the IdP's subject or a pairwise one per authorization server, `client_id` the client's
 * id at that authorization server when an admin registered one, and `email` only for resources
 * configured to receive it.
 *
 * @see RFC 8693 §2; draft-ietf-oauth-identity-assertion-authz-grant-03; SPEC.md §2; DESIGN.md decisions 2–6
 */
import { Inject, Injectable, Logger } from '@nestjs/common';

import type { Config } from '@crossgate/config';
import { type ConnectionPattern, connectionTokenTypes } from '@crossgate/domain';
import { type Decision, decide } from '@crossgate/policy';
import { type AuditEntry, SigningKeyRepository } from '@crossgate/store';
import {
  grantTypes,
  idJagSubjectClaims,
  idJagTokenTypeValue,
  maxIdJagLifetimeSeconds,
  mintIdJag,
  randomJti,
  tokenTypes,
  type VerifiedIdToken,
} from '@crossgate/token';

import { type HandedOut, PairConnections } from '../../connections/index.ts';
import { OAuthError } from '../../http/index.ts';
import { KillSwitchGate } from '../../kill-switches/index.ts';
import { Clock, InjectConfig } from '../../platform/index.ts';
import { type Directory, type DirectoryIdpRow, type DirectoryResourceRow, PolicyEngineService, type PolicySnapshot, servingSnapshot } from '../../policies/index.ts';
import { IdTokenVerifier } from '../../trusted-idps/index.ts';
import { type ProvisionedUser, UserProvisioningService } from '../../users/index.ts';
import type { AuthenticatedClient } from '../client-authentication/client-authenticator.ts';
import { type Issuance, IssuanceRecorder } from '../issuance-recorder.service.ts';
import { idpRole } from '../issuer-keys.service.ts';
import { assertNoKillSwitch } from '../kill-switch-check.ts';
import { oauthAuditEntry } from '../oauth-audit.ts';

export const grantType = grantTypes.tokenExchange;

/** The parameters this grant reads; the controller drops every other one (client authentication aside). */
export const parameters = [
  'grant_type',
  'requested_token_type',
  'subject_token',
  'subject_token_type',
  'audience',
  'resource',
  'scope',
  'actor_token',
  'actor_token_type',
] as const;

export type TokenExchangeParameters = Partial<Record<(typeof parameters)[number], string>>;

/** RFC 8693 §2.2.1: an ID-JAG, or what the pair's managed connection hands out. */
export type TokenExchangeResponse = HandedOut;

/**
 * What the audit event of one exchange says, filled in as the steps run, so a refusal at any step
 * is recorded with what was known by then. Never holds a token.
 */
export interface ExchangeTrail {
  step: string;
  client?: AuthenticatedClient;
  userId?: string;
  idpId?: string;
  resourceId?: string;
  requestedScopes?: string[];
  grantedScopes?: string[];
  jti?: string;
  policyIds?: string[];
  decision?: string;
  trace?: string[];
  /** Set once a managed connection other than XAA serves the request. */
  connectionId?: string;
  pattern?: Exclude<ConnectionPattern, 'xaa'>;
  keyVersion?: number;
}

export interface GrantRequest {
  client: AuthenticatedClient;
  parameters: TokenExchangeParameters;
  trail: ExchangeTrail;
  requestId: string | null;
}

interface TargetResource {
  row: DirectoryResourceRow;
  /** The granted RFC 8707 indicator, when one is known. */
  indicator: string | undefined;
}

/** The collaborators of the grant: storage, keys, policy and time. */
@Injectable()
export class TokenExchangeServices {
  readonly logger = new Logger('token-exchange');

  constructor(
    @InjectConfig() readonly config: Config,
    readonly clock: Clock,
    @Inject(SigningKeyRepository) readonly signingKeys: SigningKeyRepository,
    @Inject(IssuanceRecorder) readonly recorder: IssuanceRecorder,
    @Inject(PolicyEngineService) readonly policyEngine: PolicyEngineService,
    @Inject(UserProvisioningService) readonly users: UserProvisioningService,
    @Inject(KillSwitchGate) readonly killSwitches: KillSwitchGate,
    @Inject(IdTokenVerifier) readonly idTokens: IdTokenVerifier,
    @Inject(PairConnections) readonly connections: PairConnections,
  ) {}
}

// ── Steps ───────────────────────────────────────────────────────────────────────────────────────

interface ExchangeParameters {
  subjectToken: string;
  audience: string;
  resource: string | undefined;
  requestedScopes: string[] | undefined;
}

const patternOfTokenType = new Map<string, ConnectionPattern>(Object.entries(connectionTokenTypes).map(([pattern, type]) => [type, pattern as ConnectionPattern]));

/**
 * Step 1, RFC 8693 §2.1 and DESIGN decision 6. `requested_token_type` must be the ID-JAG's, unless
 * the pair named by `audience`/`resource` has managed connections (`pairHasConnections`): then it may
 * be left out or name a pattern's token type.
 * @returns the pattern `requested_token_type` names, or undefined when it is left out.
 */
function checkRequestedTokenType(input: TokenExchangeParameters, pairHasConnections: () => boolean): ConnectionPattern | undefined {
  if (input.requested_token_type === tokenTypes.idJag) {
    return 'xaa';
  }
  const named = input.requested_token_type === undefined ? undefined : patternOfTokenType.get(input.requested_token_type);
  if ((input.requested_token_type === undefined || named !== undefined) && pairHasConnections()) {
    return named;
  }
  throw new OAuthError('invalid_request', `requested_token_type must be ${tokenTypes.idJag}`);
}

/** Step 1, the other parameters. */
function checkParameters(input: TokenExchangeParameters): ExchangeParameters {
  if (input.subject_token === undefined || input.subject_token === '') {
    throw new OAuthError('invalid_request', 'subject_token is required');
  }
  if (input.subject_token_type !== tokenTypes.idToken) {
    throw new OAuthError('invalid_request', `subject_token_type must be ${tokenTypes.idToken}`);
  }
  if (input.audience === undefined || input.audience === '') {
    throw new OAuthError('invalid_request', 'audience is required');
  }
  if (input.actor_token !== undefined || input.actor_token_type !== undefined) {
    throw new OAuthError('invalid_request', 'actor_token is not supported');
  }
  const scopes = input.scope?.split(' ').filter((scope) => scope !== '');
  return {
    subjectToken: input.subject_token,
    audience: input.audience,
    resource: input.resource === '' ? undefined : input.resource,
    requestedScopes: scopes === undefined || scopes.length === 0 ? undefined : [...new Set(scopes)],
  };
}

/** Step 2: the ID token is from a trusted IdP, signed by its keys, and issued to this client. */
async function verifySubjectToken(services: TokenExchangeServices, directory: Directory, client: AuthenticatedClient, token: string): Promise<{ idp: DirectoryIdpRow; idToken: VerifiedIdToken }> {
  try {
    return await services.idTokens.verify(directory, client.idpClientId, token);
  } catch (error) {
    if (error instanceof OAuthError) {
      throw error;
    }
    const reason = error instanceof Error ? error.message : String(error);
    if (!(error instanceof Error && error.name === 'TokenError')) {
      services.logger.warn(`Subject token refused: ${reason}`);
    }
    throw new OAuthError('invalid_grant', `The subject token is not valid: ${reason}`, { cause: error });
  }
}


/** Step 3: the user by `iss` + `sub`, created or refreshed from the ID token, with their groups. */
function resolveUser(services: TokenExchangeServices, snapshot: PolicySnapshot, idp: DirectoryIdpRow, idToken: VerifiedIdToken): Promise<ProvisionedUser> {
  return services.users.provision(
    {
      idpId: idp.id,
      subject: idToken.subject,
      email: idToken.email,
      displayName: idToken.name,
      groups: idToken.groups,
    },
    snapshot.version,
  );
}

/**
 * Step 5: the registered (audience, resource) pair, MCP stable §7.6.1 and DESIGN decision 4; the
 * refusal is returned, not thrown, because the kill switches are checked first.
 */
function resolveTarget(directory: Directory, audience: string, resource: string | undefined): TargetResource | OAuthError {
  const candidates = directory.resourcesAt(audience).filter((candidate) => resource === undefined || candidate.resourceIndicators.includes(resource));
  if (candidates.length === 0) {
    return new OAuthError('invalid_target', resource === undefined ? 'The audience is not a registered authorization server' : 'The audience and resource are not a registered pair');
  }
  if (candidates.length > 1) {
    return new OAuthError('invalid_target', resource === undefined ? 'The audience serves several resources; name one with the resource parameter' : 'The audience and resource are ambiguous');
  }
  const [row] = candidates as [DirectoryResourceRow];
  return { row, indicator: resource ?? (row.resourceIndicators.length === 1 ? row.resourceIndicators[0] : undefined) };
}

/** Step 6: the app-pair policy (DESIGN decision 3). */
function decidePolicy(services: TokenExchangeServices, snapshot: PolicySnapshot, client: AuthenticatedClient, resource: TargetResource, user: ProvisionedUser, idToken: Subject['authenticated'], requestedScopes: string[] | undefined): Decision {
  return decide(snapshot.index, {
      clientId: client.id,
      resourceId: resource.row.id,
      user: { id: user.id, groupIds: user.groupIds },
      ...(requestedScopes === undefined ? {} : { requestedScopes }),
      now: services.clock.now(),
      authentication: { ...(idToken.acr === undefined ? {} : { acr: idToken.acr }), ...(idToken.amr === undefined ? {} : { amr: idToken.amr }) },
  });
}

function assertAllowed(decision: Decision): void {
  switch (decision.code) {
    case 'allowed':
      return;
    case 'step_up_required': {
      const acrValues = decision.acrValues ?? [];
      throw new OAuthError(
        'insufficient_user_authentication',
        acrValues.length > 0 ? `A stronger authentication is required (acr_values: ${acrValues.join(' ')})` : 'A stronger authentication is required',
        acrValues.length > 0 ? { wwwAuthenticate: `Bearer error="insufficient_user_authentication", acr_values="${acrValues.join(' ')}"` } : {},
      );
    }
    case 'no_allowed_scope':
      throw new OAuthError('invalid_scope', 'None of the requested scopes is allowed');
    case 'no_policy':
      throw new OAuthError('invalid_grant', 'No policy allows this user to reach this resource through this client');
    case 'denied_by_policy':
      throw new OAuthError('invalid_grant', 'A policy denies this user access to this resource through this client');
    case 'outside_time_window':
      throw new OAuthError('invalid_grant', 'Access is allowed only at other times');
    default: {
      const unreachable: never = decision.code;
      throw new Error(`Unknown decision ${String(unreachable)}`);
    }
  }
}

function traceSummary(decision: Decision): string[] {
  return decision.trace.filter((step) => step.check === 'result' || !step.passed).map((step) => `${step.check}: ${step.outcome}`).slice(0, 20);
}

/** Step 7b: the token leaves only once its record is committed; when it cannot be, nothing is issued. */
async function recordIssuance(services: TokenExchangeServices, issuance: Issuance): Promise<void> {
  try {
    await services.recorder.record(issuance);
  } catch (cause) {
    services.logger.error(`Could not record what the exchange issues, so it is withheld: ${cause instanceof Error ? cause.message : String(cause)}`);
    throw new OAuthError('temporarily_unavailable', 'The token could not be recorded; try again shortly', { cause });
  }
}

// ── The grant ───────────────────────────────────────────────────────────────────────────────────

export async function handle(services: TokenExchangeServices, request: GrantRequest): Promise<TokenExchangeResponse> {
  const { client, trail } = request;

  trail.step = 'parameters';
  let early: PolicySnapshot | undefined;
  const requested = checkRequestedTokenType(request.parameters, () => {
    early = servingSnapshot(services.policyEngine);
    const pair = resolveTarget(early.directory, request.parameters.audience ?? '', request.parameters.resource === '' ? undefined : request.parameters.resource);
    return !(pair instanceof OAuthError) && early.directory.connectionsOf(client.id, pair.row.id).length > 0;
  });
  const exchange = checkParameters(request.parameters);
  if (exchange.requestedScopes !== undefined) {
    trail.requestedScopes = exchange.requestedScopes;
  }

  const snapshot = early ?? servingSnapshot(services.policyEngine);

  trail.step = 'subject_token';
  const { idp, idToken } = await verifySubjectToken(services, snapshot.directory, client, exchange.subjectToken);
  trail.idpId = idp.id;

  trail.step = 'user';
  const user = await resolveUser(services, snapshot, idp, idToken);
  trail.userId = user.id;
  return issueFor(services, request, snapshot, exchange, requested, { idp, user, authenticated: idToken });
}

/** A request of the MCP gateway for the user of a live session it introspected (see {@link handleForSession}). */
export interface SessionGrantRequest {
  client: AuthenticatedClient;
  userId: string;
  audience: string;
  resource: string | undefined;
  scope: string | undefined;
  /** The connection pattern asked for, as `requested_token_type` names one at the token endpoint. */
  pattern: ConnectionPattern;
  trail: ExchangeTrail;
  requestId: string | null;
}

/**
 * The exchange for a user Crossgate already knows from a live session rather than from an ID token:
 * the MCP gateway, as its own client, acting for the user of an access token it has just
 * introspected, with the pattern it asks for (an ID-JAG for xaa, an upstream token for sts, the
 * password of a service account). From the kill switches on (steps 4–7), it is exactly the
 * exchange above: the same kill switches, target, app-pair policy (for the gateway's client),
 * connection choice and recorded issuance. The user must still be active, and the IdP that vouched
 * for them still trusted. There is no authentication context (`acr`, `amr`), so a policy that asks
 * for step-up refuses.
 */
export async function handleForSession(services: TokenExchangeServices, request: SessionGrantRequest): Promise<TokenExchangeResponse> {
  const { trail } = request;
  trail.step = 'parameters';
  const scopes = request.scope?.split(' ').filter((scope) => scope !== '') ?? [];
  const exchange: Target = { audience: request.audience, resource: request.resource, requestedScopes: scopes.length === 0 ? undefined : [...new Set(scopes)] };
  if (exchange.requestedScopes !== undefined) {
    trail.requestedScopes = exchange.requestedScopes;
  }
  const snapshot = servingSnapshot(services.policyEngine);
  const pair = resolveTarget(snapshot.directory, exchange.audience, exchange.resource);
  if (request.pattern !== 'xaa' && (pair instanceof OAuthError || snapshot.directory.connectionsOf(request.client.id, pair.row.id).length === 0)) {
    // At the token endpoint, step 1 refuses a pattern for a pair without connections; so here.
    throw new OAuthError('invalid_request', `Wrong pattern for the request: this client has no ${request.pattern} connection to this resource`);
  }
  trail.step = 'user';
  const user = await services.users.known(request.userId);
  trail.userId = user.id;
  const idp = snapshot.directory.idp(user.idpIssuer);
  if (idp === undefined) {
    throw new OAuthError('invalid_grant', 'The IdP that vouched for the user is no longer trusted');
  }
  trail.idpId = idp.id;
  return issueFor(services, request, snapshot, exchange, request.pattern, { idp, user, authenticated: { subject: user.subject, email: user.email } });
}

/** What steps 4–7 read of a request. */
type IssueRequest = Pick<GrantRequest, 'client' | 'trail' | 'requestId'>;
type Target = Omit<ExchangeParameters, 'subjectToken'>;

/** Who the exchange is for: the user, the IdP that vouched for them, and what it said about their sign-in. */
interface Subject {
  idp: DirectoryIdpRow;
  user: ProvisionedUser;
  authenticated: Pick<VerifiedIdToken, 'subject' | 'email'> & Partial<Pick<VerifiedIdToken, 'acr' | 'amr' | 'authTime'>>;
}

/** Steps 4–7, for a user known from an ID token or from a live session. */
async function issueFor(services: TokenExchangeServices, request: IssueRequest, snapshot: PolicySnapshot, exchange: Target, requested: ConnectionPattern | undefined, { idp, user, authenticated: idToken }: Subject): Promise<TokenExchangeResponse> {
  const { client, trail } = request;
  const target = resolveTarget(snapshot.directory, exchange.audience, exchange.resource);
  const resource = target instanceof OAuthError ? undefined : target;
  trail.resourceId = resource?.row.id;
  const choice = resource === undefined ? undefined : services.connections.choose(snapshot.directory.connectionsOf(client.id, resource.row.id), requested);
  if (choice?.connection !== undefined && choice.connection !== null && choice.connection.pattern !== 'xaa') {
    trail.connectionId = choice.connection.id;
    trail.pattern = choice.connection.pattern;
  }
  trail.step = 'kill_switch';
  const serving = choice !== undefined && 'connection' in choice ? choice.connection : undefined;
  await assertNoKillSwitch(services, {
    userId: user.id,
    clientId: client.id,
    idpId: idp.id,
    resourceId: resource?.row.id,
    connectionId: serving?.id,
    xaa: serving === undefined || serving === null || serving.pattern === 'xaa',
  });

  trail.step = 'target';
  if (resource === undefined) {
    throw target as OAuthError;
  }

  trail.step = 'policy';
  const decision = decidePolicy(services, snapshot, client, resource, user, idToken, exchange.requestedScopes);
  trail.decision = decision.code;
  trail.policyIds = [...decision.policyIds];
  trail.trace = traceSummary(decision);
  assertAllowed(decision);
  trail.grantedScopes = [...decision.grantedScopes];

  trail.step = 'connection';
  if (choice === undefined || 'refusal' in choice) {
    throw (choice as { refusal: OAuthError }).refusal;
  }
  const connection = choice.connection;
  if (connection !== null && connection.pattern !== 'xaa') {
    return services.connections.handOut(connection, {
      userId: user.id,
      scopes: trail.requestedScopes === undefined ? undefined : decision.grantedScopes,
      trail,
      record: (at) => recordIssuance(services, { audit: exchangeAuditEntry(trail, request.requestId, null), at }),
    });
  }

  trail.step = 'mint';
  const now = services.clock.now();
  const subject = idJagSubjectClaims({
    subjectType: resource.row.subjectType,
    sector: resource.row.authorizationServer,
    idpIssuer: idp.issuer,
    upstreamSubject: idToken.subject,
    pairwiseSecret: services.config.subjects.pairwiseSecret,
    crossgateClientId: client.clientId,
    remoteClientId: snapshot.directory.remoteClientId(client.id, resource.row.id) ?? null,
    releaseEmail: resource.row.releaseEmail,
    email: idToken.email ?? null,
  });
  const minted = await mintIdJag({
    signingKey: await services.signingKeys.activeKey(idpRole),
    issuer: services.config.http.publicUrl,
    subject: subject.sub,
    audience: resource.row.authorizationServer,
    clientId: subject.clientId,
    ...(subject.email === undefined ? {} : { email: subject.email }),
    ...(resource.indicator === undefined ? {} : { resource: resource.indicator }),
    scope: decision.grantedScopes,
    lifetimeSeconds: Math.min(maxIdJagLifetimeSeconds, decision.maxLifetimeSeconds ?? maxIdJagLifetimeSeconds),
    now,
    jti: randomJti,
    ...(idToken.authTime === undefined ? {} : { authTime: idToken.authTime }),
    ...(idToken.acr === undefined ? {} : { acr: idToken.acr }),
    ...(idToken.amr === undefined ? {} : { amr: idToken.amr }),
  });
  trail.jti = minted.claims.jti;

  trail.step = 'record';
  await recordIssuance(services, {
    audit: exchangeAuditEntry(trail, request.requestId, null),
    at: now,
    issuedToken: {
      jti: minted.claims.jti,
      kind: 'id_jag',
      clientId: client.id,
      resourceId: resource.row.id,
      userId: user.id,
      scopes: [...decision.grantedScopes],
      policyIds: [...decision.policyIds],
      // The moment to the millisecond (`iat` has whole seconds): a kill switch that took effect after it killed it.
      issuedAt: now,
      expiresAt: new Date(minted.claims.exp * 1000),
    },
  });

  return {
    issued_token_type: tokenTypes.idJag,
    access_token: minted.token,
    token_type: idJagTokenTypeValue,
    expires_in: minted.claims.exp - minted.claims.iat,
    scope: decision.grantedScopes.join(' '),
  };
}

/** The audit action of an exchange: a credential handed out is a `secret_retrieval`, anything else a `token_exchange`. */
function exchangeAction(trail: ExchangeTrail): string {
  return trail.pattern === 'vaulted_key' || trail.pattern === 'service_account' ? 'secret_retrieval' : 'token_exchange';
}

/** The one audit event of an exchange: allowed when `refusal` is null. */
export function exchangeAuditEntry(trail: ExchangeTrail, requestId: string | null, refusal: OAuthError | null): AuditEntry {
  return oauthAuditEntry({
    action: exchangeAction(trail),
    client: trail.client,
    step: trail.step,
    refusal,
    requestId,
    target: trail.resourceId === undefined ? null : { type: 'resource', id: trail.resourceId },
    context: {
      userId: trail.userId ?? null,
      idpId: trail.idpId ?? null,
      resourceId: trail.resourceId ?? null,
      requestedScopes: trail.requestedScopes ?? null,
      grantedScopes: trail.grantedScopes ?? [],
      jti: trail.jti ?? null,
      policyDecision: trail.decision ?? null,
      policyIds: trail.policyIds ?? [],
      trace: trail.trace ?? [],
      ...(trail.pattern === undefined ? {} : { connectionId: trail.connectionId ?? null, pattern: trail.pattern, keyVersion: trail.keyVersion ?? null }),
    },
  });
}
