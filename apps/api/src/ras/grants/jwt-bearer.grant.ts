/**
 * @overview The RFC 7523 JWT-bearer grant at a protected resource's authorization server, as the
 * ID-JAG draft profiles it: an ID-JAG in, an RFC 9068 access token for that one resource out. Data
 * (`grantType`, `parameters`) plus one function (`handle`), whose steps run in this order and stop at
 * the first failure (SPEC.md §3.2; the controller has already authenticated a confidential client):
 *
 * 1. parameters: `assertion` present → `invalid_request`
 * 2. assertion: compact JWS, `typ` exactly `oauth-id-jag+jwt`, `alg` asymmetric, `iss` trusted by
 *    this resource (Crossgate's IdP role unless switched off, or a configured issuer) with keys from
 *    configuration only, signature, `aud` = this issuer (string or one-element array), `exp`/`nbf`/
 *    `iat` with 30 s skew, `exp` − `iat` ≤ 600 s, `jti` and `sub` present, no `cnf` (DPoP-bound
 *    redemption is not supported, so a key-bound ID-JAG is refused) → `invalid_grant`
 * 3. `client_id` = the authenticated client (its id at this resource when registered) → `invalid_grant`
 * 4. target: the ID-JAG's `resource` values are this resource's indicators (`invalid_grant`); the
 *    request's `resource` is one of them (`invalid_target`); one audience for the access token
 * 5. scope: the ID-JAG's scopes are in the resource's catalogue (`invalid_grant`); requested scopes
 *    are within the ID-JAG's (`invalid_scope`); granted = requested, or the ID-JAG's
 * 6. single use: (`iss`, `jti`) recorded once across instances, durably (AssertionRedemptions);
 *    a replay, or Crossgate's own ID-JAG revoked → `invalid_grant`
 * 7. user: resolved (from the IdP role's record, or `iss` + `sub` at a trusted IdP) and active
 *    → `invalid_grant`
 * 8. kill switches on the user, the client, the IdP, the resource, the pair, its XAA connection → `invalid_grant`
 * 9. mint the access token (no refresh token); its IssuedToken row and the one audit event are
 *    committed before the answer leaves (IssuanceRecorder).
 *
 * Never logs or audits the assertion itself: only its issuer and `jti` (MCP stable §7.4.2).
 * @see RFC 7521 §4.1, §5.2; RFC 7523 §2.1, §3; RFC 9068; draft-ietf-oauth-identity-assertion-authz-grant-03 §4.4
 */
import { Inject, Injectable, Logger } from '@nestjs/common';

import type { Config } from '@crossgate/config';
import type { AuditEntry } from '@crossgate/store';
import {
  type AsymmetricAlgorithm,
  defaultMaxTokenBytes,
  grantTypes,
  idJagJwtType,
  type IdJagClaims,
  type InspectedJwt,
  inspectJwt,
  type JwtKeyResolver,
  mintAccessToken,
  randomJti,
  RemoteJwksCache,
  TokenError,
  verifyIdJag,
} from '@crossgate/token';

import { KillSwitchGate } from '../../kill-switches/index.ts';
import { assertNoKillSwitch, type AuthenticatedClient, IssuanceRecorder, oauthAuditEntry } from '../../oauth/index.ts';
import { type Directory, type DirectoryResourceRow, PolicyEngineService, servingSnapshot } from '../../policies/index.ts';
import { Clock, InjectConfig } from '../../platform/index.ts';
import { OAuthError } from '../../http/index.ts';
import { AssertionRedemptions } from '../assertion-redemptions.service.ts';
import { rasKeyRole } from '../ras-issuer.ts';
import { RasKeysService } from '../ras-keys.service.ts';

export const grantType = grantTypes.jwtBearer;

/** The parameters this grant reads; the controller drops every other one (client authentication aside). */
export const parameters = ['grant_type', 'assertion', 'scope', 'resource'] as const;
export type JwtBearerParameters = Partial<Record<(typeof parameters)[number], string>>;

export interface AccessTokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/** The algorithms an ID-JAG may be signed with (SPEC.md §3.2, RFC 8725 §3.2): no `none`, no HS*. */
export const idJagAlgorithms: readonly AsymmetricAlgorithm[] = ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'];
/** RFC 7523 §3 lets an AS refuse an `exp` unreasonably far after `iat` (SPEC.md §3.2: ≤ 600 s). */
export const maxIdJagLifetimeAtRedemptionSeconds = 600;
export const idJagClockToleranceSeconds = 30;

/** What the audit event of one redemption says, filled in as the steps run. Never holds a token. */
export interface RedemptionTrail {
  step: string;
  client?: AuthenticatedClient;
  resourceId?: string;
  idJagIssuer?: string;
  idJagJti?: string;
  userId?: string;
  requestedScopes?: string[];
  grantedScopes?: string[];
  audience?: string;
  jti?: string;
  /** A redemption of an ID-JAG redeemed before, where the resource allows it. */
  reused?: boolean;
}

export interface RedemptionRequest {
  client: AuthenticatedClient;
  resource: DirectoryResourceRow;
  /** This authorization server's issuer identifier. */
  issuer: string;
  parameters: JwtBearerParameters;
  trail: RedemptionTrail;
  requestId: string | null;
}

@Injectable()
export class JwtBearerServices {
  readonly logger = new Logger('jwt-bearer');

  constructor(
    @InjectConfig() readonly config: Config,
    readonly clock: Clock,
    @Inject(IssuanceRecorder) readonly recorder: IssuanceRecorder,
    @Inject(PolicyEngineService) readonly policyEngine: PolicyEngineService,
    @Inject(KillSwitchGate) readonly killSwitches: KillSwitchGate,
    @Inject(RemoteJwksCache) readonly jwksCache: RemoteJwksCache,
    @Inject(RasKeysService) readonly keys: RasKeysService,
    @Inject(AssertionRedemptions) readonly redemptions: AssertionRedemptions,
  ) {}
}

// ── Steps ───────────────────────────────────────────────────────────────────────────────────────

function splitScope(scope: string | undefined): string[] | undefined {
  const scopes = scope?.split(' ').filter((token) => token !== '');
  return scopes === undefined || scopes.length === 0 ? undefined : [...new Set(scopes)];
}

/** Step 2's trust decision: the issuer's keys from configuration, or a refusal. Never from the token. */
async function trustedKeysOf(services: JwtBearerServices, directory: Directory, resource: DirectoryResourceRow, issuer: string): Promise<JwtKeyResolver> {
  const crossgate = services.config.http.publicUrl;
  if (issuer === crossgate) {
    if (!resource.rasTrustsCrossgateIdp) {
      throw new TokenError('untrusted_issuer', 'This authorization server does not accept ID-JAGs of that issuer');
    }
    return services.keys.verificationKeys('idp');
  }
  const trusted = directory.rasTrustedIssuer(resource.id, issuer);
  if (trusted === undefined) {
    throw new TokenError('untrusted_issuer', 'This authorization server does not accept ID-JAGs of that issuer');
  }
  if (trusted.jwks !== null && trusted.jwks !== undefined) {
    return directory.pinnedKeysOf(trusted);
  }
  if (trusted.jwksUri !== null) {
    return services.jwksCache.keyResolver(trusted.jwksUri);
  }
  throw new TokenError('keys_unavailable', 'The issuer has no keys configured');
}

/** The unverified `iss`, to choose the keys by; everything else waits for the signature. */
function claimedIssuer(inspected: InspectedJwt): string {
  const iss = inspected.payload['iss'];
  if (typeof iss === 'string' && iss.length > 0 && iss.length <= 2048) {
    return iss;
  }
  throw new TokenError('invalid_claim', 'The assertion names no issuer');
}

/** Step 2. */
async function verifyAssertion(services: JwtBearerServices, directory: Directory, request: RedemptionRequest, assertion: string): Promise<IdJagClaims> {
  try {
    // The structural checks first (size, compact JWS, typ, alg, header), so a hostile token never reaches key selection.
    const inspected = inspectJwt(assertion, { maxBytes: defaultMaxTokenBytes, algorithms: idJagAlgorithms, acceptType: (typ) => typ === idJagJwtType });
    const issuer = claimedIssuer(inspected);
    request.trail.idJagIssuer = issuer;
    if (issuer === request.issuer) {
      throw new TokenError('untrusted_issuer', 'An ID-JAG is never redeemed under the issuer that minted it');
    }
    const claims = await verifyIdJag(inspected, {
      issuer,
      audience: request.issuer,
      keys: await trustedKeysOf(services, directory, request.resource, issuer),
      now: services.clock.now(),
      clockToleranceSeconds: idJagClockToleranceSeconds,
      maxLifetimeSeconds: maxIdJagLifetimeAtRedemptionSeconds,
      allowedAlgorithms: idJagAlgorithms,
    });
    request.trail.idJagJti = claims.jti;
    assertNotSenderConstrained(inspected.payload);
    return claims;
  } catch (error) {
    if (error instanceof TokenError) {
      if (error.code === 'keys_unavailable') {
        services.logger.warn(`ID-JAG issuer keys unavailable: ${error.message}`);
      }
      throw new OAuthError('invalid_grant', `The assertion is not valid: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/**
 * Step 2, last check: an ID-JAG bound to a key (`cnf`, SPEC.md §3.2) may be redeemed only with a
 * DPoP proof of that key, which this server does not take yet, so it is refused rather than
 * redeemed as a bearer assertion. Read from the whole payload, now verified (verifyIdJag returns
 * only the claims it knows).
 */
function assertNotSenderConstrained(payload: InspectedJwt['payload']): void {
  if ('cnf' in payload) {
    throw new OAuthError('invalid_grant', 'The assertion is bound to a key (cnf), and DPoP-bound redemption is not supported');
  }
}

/** Step 3: the ID-JAG was issued to the client redeeming it (SPEC.md §2.2 "Map `client_id`"). */
function assertIssuedToClient(directory: Directory, request: RedemptionRequest, claims: IdJagClaims): void {
  const expected = directory.remoteClientId(request.client.id, request.resource.id) ?? request.client.clientId;
  if (claims.client_id !== expected) {
    throw new OAuthError('invalid_grant', 'The assertion was issued to another client');
  }
}

/** Step 4: the one resource indicator the access token is for. */
function resolveAudience(resource: DirectoryResourceRow, claims: IdJagClaims, requested: string | undefined): string {
  const granted = claims.resource === undefined ? undefined : typeof claims.resource === 'string' ? [claims.resource] : claims.resource;
  if (granted !== undefined && (granted.length === 0 || granted.some((indicator) => !resource.resourceIndicators.includes(indicator)))) {
    throw new OAuthError('invalid_grant', 'The assertion is for another resource');
  }
  const candidates = granted ?? resource.resourceIndicators;
  if (requested !== undefined) {
    if (!candidates.includes(requested)) {
      throw new OAuthError('invalid_target', 'The requested resource is not one the assertion grants');
    }
    return requested;
  }
  if (candidates.length !== 1) {
    throw new OAuthError('invalid_target', 'The assertion grants several resources; name one with the resource parameter');
  }
  return candidates[0]!;
}

/** Step 5: granted ⊆ ID-JAG scopes ∩ requested (SPEC.md §3.2 "scope"; MCP stable: within the registered scopes). */
function grantScopes(resource: DirectoryResourceRow, claims: IdJagClaims, requested: string[] | undefined): string[] {
  const asserted = splitScope(claims.scope) ?? [];
  if (asserted.some((scope) => !resource.scopeNames.includes(scope))) {
    throw new OAuthError('invalid_grant', 'The assertion carries a scope this resource does not define');
  }
  if (requested === undefined) {
    return asserted;
  }
  if (requested.some((scope) => !asserted.includes(scope))) {
    throw new OAuthError('invalid_scope', 'The requested scope exceeds what the assertion grants');
  }
  return requested;
}

/** Steps 6 and 7: once only, and about an active user. */
async function redeemOnce(services: JwtBearerServices, request: RedemptionRequest, claims: IdJagClaims) {
  let outcome;
  try {
    outcome = await services.redemptions.redeem({
      issuer: claims.iss,
      jti: claims.jti,
      subject: claims.sub,
      recordedHere: claims.iss === services.config.http.publicUrl,
      resourceId: request.resource.id,
      redeemedAt: services.clock.now(),
      expiresAt: new Date((claims.exp + idJagClockToleranceSeconds) * 1000),
    });
  } catch (cause) {
    services.logger.error(`Could not record an ID-JAG redemption, so none is made: ${cause instanceof Error ? cause.message : String(cause)}`);
    throw new OAuthError('temporarily_unavailable', 'The assertion could not be recorded; try again shortly', { cause });
  }
  // DESIGN decision 1: single use unless the resource lets a client come back with the same
  // unexpired ID-JAG for a fresh access token (the ID-JAG draft §4.4.3).
  if (!outcome.first && !request.resource.idJagReusable) {
    throw new OAuthError('invalid_grant', 'The assertion was already redeemed (jti replay)');
  }
  request.trail.reused = !outcome.first;
  if (outcome.revoked) {
    throw new OAuthError('invalid_grant', 'The assertion was revoked');
  }
  request.trail.step = 'user';
  if (outcome.user === null) {
    throw new OAuthError('invalid_grant', 'The subject of the assertion is not a known user');
  }
  request.trail.userId = outcome.user.id;
  if (!outcome.user.active) {
    throw new OAuthError('invalid_grant', 'The user is not active');
  }
  return outcome.user;
}

// ── The grant ───────────────────────────────────────────────────────────────────────────────────

export async function handle(services: JwtBearerServices, request: RedemptionRequest): Promise<AccessTokenResponse> {
  const { client, resource, trail } = request;
  trail.resourceId = resource.id;

  trail.step = 'parameters';
  const assertion = request.parameters.assertion;
  if (assertion === undefined || assertion === '') {
    throw new OAuthError('invalid_request', 'assertion is required');
  }
  const requestedScopes = splitScope(request.parameters.scope);
  if (requestedScopes !== undefined) {
    trail.requestedScopes = requestedScopes;
  }
  const requestedResource = request.parameters.resource === '' ? undefined : request.parameters.resource;

  const { directory } = servingSnapshot(services.policyEngine);

  trail.step = 'assertion';
  const claims = await verifyAssertion(services, directory, request, assertion);

  trail.step = 'client_id';
  assertIssuedToClient(directory, request, claims);

  trail.step = 'target';
  const audience = resolveAudience(resource, claims, requestedResource);
  trail.audience = audience;

  trail.step = 'scope';
  const scopes = grantScopes(resource, claims, requestedScopes);

  trail.step = 'replay';
  const user = await redeemOnce(services, request, claims);

  trail.step = 'kill_switch'; // step 8
  await assertNoKillSwitch(services, { userId: user.id, clientId: client.id, idpId: user.idpId, resourceId: resource.id, xaa: true }, new Date(claims.iat * 1000 + 999));
  trail.grantedScopes = scopes;

  trail.step = 'mint';
  const now = services.clock.now();
  const minted = await mintAccessToken({
    signingKey: await services.keys.signingKey(rasKeyRole(resource.slug)),
    issuer: request.issuer,
    audience,
    subject: claims.sub,
    clientId: client.clientId,
    scope: scopes,
    lifetimeSeconds: resource.accessTokenLifetimeSeconds,
    now,
    jti: randomJti,
  });
  trail.jti = minted.claims.jti;

  trail.step = 'record';
  try {
    await services.recorder.record({
      audit: redemptionAuditEntry(trail, request.requestId, null),
      // The moment, not `iat` (whole seconds), so the event sorts after the exchange that preceded it.
      at: now,
      issuedToken: {
        jti: minted.claims.jti,
        kind: 'access_token',
        clientId: client.id,
        resourceId: resource.id,
        userId: user.id,
        scopes,
        policyIds: [],
        // The moment to the millisecond (`iat` has whole seconds): a kill switch that took effect after it killed it.
        issuedAt: now,
        expiresAt: new Date(minted.claims.exp * 1000),
      },
    });
  } catch (cause) {
    services.logger.error(`Could not record an issued access token, so it is withheld: ${cause instanceof Error ? cause.message : String(cause)}`);
    throw new OAuthError('temporarily_unavailable', 'The token could not be recorded; try again shortly', { cause });
  }

  return { access_token: minted.token, token_type: 'Bearer', expires_in: minted.claims.exp - minted.claims.iat, scope: scopes.join(' ') };
}

/** The one audit event of a redemption: allowed when `refusal` is null. The agent (client) and the user are its subjects. */
export function redemptionAuditEntry(trail: RedemptionTrail, requestId: string | null, refusal: OAuthError | null): AuditEntry {
  return oauthAuditEntry({
    action: 'jwt_bearer_redemption',
    client: trail.client,
    step: trail.step,
    refusal,
    requestId,
    target: trail.resourceId === undefined ? null : { type: 'resource', id: trail.resourceId },
    context: {
      userId: trail.userId ?? null,
      resourceId: trail.resourceId ?? null,
      idJagIssuer: trail.idJagIssuer ?? null,
      idJagJti: trail.idJagJti ?? null,
      reused: trail.reused ?? false,
      audience: trail.audience ?? null,
      requestedScopes: trail.requestedScopes ?? null,
      grantedScopes: trail.grantedScopes ?? [],
      jti: trail.jti ?? null,
    },
  });
}
