/**
 * @overview A user's consent on an `sts` connection, from the consent URI to its end.
 *
 * 1. consent URI: minted when the broker finds no active consent, bound to the (user, connection)
 *    the token exchange proved with the user's ID token; single use, 10 minutes, 256 random bits.
 * 2. start: redeeming it stores a fresh `state` (with the PKCE verifier, and a nonce when the
 *    provider speaks OpenID Connect) and redirects to the provider's authorization endpoint.
 * 3. callback: the `state` is taken once; the code is exchanged with the verifier; the refresh
 *    token is vaulted (purpose `sts_refresh_token`) and the consent row written with its audit
 *    event in one transaction. Any refusal stores nothing and is audited.
 * 4. end: the user withdraws (their ID token, verified as the token exchange does) or an admin
 *    revokes; both ask the provider to revoke the refresh token (RFC 7009), then mark the consent,
 *    retire the vaulted token and audit, even when the provider cannot be reached (fail closed: the
 *    vaulted token is never used again, and the audit says the upstream revocation failed).
 *
 * @see RFC 6749 §4.1, RFC 7636 (PKCE), RFC 7009 (revocation), OpenID Connect Core §3.1.2.1 (nonce)
 */
import { Injectable, Logger } from '@nestjs/common';
import * as oidc from 'openid-client';

import type { Config } from '@crossgate/config';
import { type AuditActor, AuditLogRepository, authorizationRequest, type PendingAuthorizationCode, redeemAuthorizationCode, type EndedConsent as ConsentEnding, type EndingConsent, OAuthProviderClients, type PrismaClient, type ProviderClient, reasonOf, SecretStore, StsConsentEnding } from '@crossgate/store';

import type { RequestContext } from '../auth/index.ts';
import { AdminApiError, OAuthError } from '../http/index.ts';
import { IdTokenVerifier } from '../trusted-idps/index.ts';
import { PolicyEngineService, servingSnapshot } from '../policies/index.ts';
import { Clock, InjectConfig, InjectPrisma, randomTicket, StsTickets } from '../platform/index.ts';
import { StsPageError } from './sts.error.ts';

/** What withdrawing or revoking a consent answers. */
export type EndedConsent = Pick<ConsentEnding, 'id' | 'status' | 'upstreamRevocation'>;

export const stsCallbackPath = '/sts/callback';
export const stsConsentPath = '/sts/consent';

interface ConsentTicket {
  connectionId: string;
  userId: string;
}

interface PendingAuthorization extends ConsentTicket, PendingAuthorizationCode {
  scopes: string[];
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class StsConsentService {
  private readonly logger = new Logger('sts');

  constructor(
    @InjectPrisma() private readonly prisma: PrismaClient,
    @InjectConfig() private readonly config: Config,
    private readonly clock: Clock,
    private readonly secrets: SecretStore,
    private readonly audit: AuditLogRepository,
    private readonly providers: OAuthProviderClients,
    private readonly tickets: StsTickets,
    private readonly idTokens: IdTokenVerifier,
    private readonly policyEngine: PolicyEngineService,
    private readonly ending: StsConsentEnding,
  ) {}

  /**
   * The error the agent shows its user when there is no usable consent: `invalid_grant` with a
   * fresh `consent_uri` bound to this user and connection.
   */
  async consentRequired(connectionId: string, userId: string, description: string): Promise<OAuthError> {
    const ticket = randomTicket();
    try {
      await this.tickets.put('consent', ticket, { connectionId, userId } satisfies ConsentTicket);
    } catch (cause) {
      return new OAuthError('temporarily_unavailable', 'A consent link cannot be made right now; try again shortly', { cause });
    }
    return new OAuthError('invalid_grant', description, { members: { consent_uri: `${this.config.http.publicUrl}${stsConsentPath}/${ticket}` } });
  }

  // ── Consent ─────────────────────────────────────────────────────────────────────────────────

  /** Step 2: the consent URI's ticket → the provider's authorization URL. */
  async start(ticket: string, requestId: string | null): Promise<URL> {
    const bound = await this.take<ConsentTicket>('consent', ticket);
    if (bound === null) {
      await this.refused(null, null, requestId, 'consent_uri', 'unknown, used or expired consent URI');
      throw new StsPageError('invalid_consent_uri', 'This consent link is not valid: it was used already or has expired. Ask your agent again for a new one.');
    }
    const client = await this.providerFor(bound.connectionId);
    if (client === null) {
      await this.refused(bound, null, requestId, 'connection', 'not an active STS connection');
      throw new StsPageError('connection_unavailable', 'This connection no longer brokers consent.');
    }
    const scopes = client.provider.scopes;
    const { url, state, pending } = await authorizationRequest(client.configuration, { redirectUri: this.redirectUri(), scopes });
    await this.tickets.put('state', state, { ...bound, ...pending, scopes } satisfies PendingAuthorization).catch((cause: unknown) => {
      throw new StsPageError('temporarily_unavailable', 'Consent cannot start right now; try again shortly.', { cause });
    });
    return url;
  }

  /** Step 3: the provider's redirect back, with `code` and `state` (or `error`) in `query`. */
  async callback(query: Record<string, unknown>, requestId: string | null): Promise<{ providerName: string }> {
    const state = typeof query['state'] === 'string' ? query['state'] : '';
    const pending = await this.take<PendingAuthorization>('state', state);
    if (pending === null) {
      await this.refused(null, null, requestId, 'state', state === '' ? 'no state' : 'unknown, used or expired state');
      throw new StsPageError('invalid_state', 'This consent response is not valid: it was used already, has expired, or did not start here. Ask your agent again for a new consent link.');
    }
    const client = await this.providerFor(pending.connectionId);
    if (client === null) {
      await this.refused(pending, null, requestId, 'connection', 'not an active STS connection');
      throw new StsPageError('connection_unavailable', 'This connection no longer brokers consent.');
    }
    let tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
    try {
      tokens = await redeemAuthorizationCode(client.configuration, this.redirectUri(), query, state, pending);
    } catch (error) {
      const reason = reasonOf(error);
      await this.refused(pending, client, requestId, 'code', reason);
      if (error instanceof oidc.ResponseBodyError || error instanceof oidc.AuthorizationResponseError) {
        throw new StsPageError('provider_refused', `${client.provider.name} did not grant access (${error.error}). Nothing was stored.`);
      }
      this.logger.warn(`The code exchange with ${client.provider.name} failed: ${reason}`);
      throw new StsPageError('temporarily_unavailable', `${client.provider.name} could not be reached; nothing was stored. Try again shortly.`);
    }
    const refreshToken = tokens.refresh_token;
    if (refreshToken === undefined) {
      await this.refused(pending, client, requestId, 'code', 'the provider issued no refresh token');
      throw new StsPageError('provider_refused', `${client.provider.name} issued no refresh token, so the agent could not act later. Nothing was stored.`);
    }
    const scopes = tokens.scope === undefined ? pending.scopes : tokens.scope.split(' ').filter((scope) => scope !== '');
    await this.grant(pending, client, refreshToken, scopes, requestId);
    return { providerName: client.provider.name };
  }

  private async grant(pending: PendingAuthorization, client: ProviderClient, refreshToken: string, scopes: string[], requestId: string | null): Promise<void> {
    const now = this.clock.now();
    await this.prisma.$transaction(async (tx) => {
      const existing = await tx.stsConsent.findUnique({ where: { connectionId_userId: { connectionId: pending.connectionId, userId: pending.userId } } });
      if (existing?.refreshTokenSecretId) {
        await this.secrets.retire(existing.refreshTokenSecretId, tx, now);
      }
      const refreshTokenSecretId = await this.secrets.create({ purpose: 'sts_refresh_token', label: `Refresh token at ${client.provider.name}`, value: refreshToken }, tx, now);
      const fields = { status: 'active' as const, scopes, refreshTokenSecretId, grantedAt: now, withdrawnAt: null, revokedAt: null, revokedBy: null, upstreamRevocation: null, lastRefreshedAt: null };
      const consent = await tx.stsConsent.upsert({
        where: { connectionId_userId: { connectionId: pending.connectionId, userId: pending.userId } },
        create: { connectionId: pending.connectionId, userId: pending.userId, ...fields },
        update: fields,
      });
      await this.audit.append(
        tx,
        {
          actor: await this.userActor(pending.userId),
          action: 'sts_consent_granted',
          target: { type: 'sts-consents', id: consent.id },
          decision: 'allow',
          requestId,
          context: { connectionId: pending.connectionId, userId: pending.userId, providerId: client.provider.id, scopes, renewed: existing !== null },
        },
        now,
      );
    });
  }

  // ── Withdrawal and revocation ───────────────────────────────────────────────────────────────

  /** The user withdraws their consent on a connection, proving who they are with their ID token. */
  async withdraw(connectionId: string, authorization: string | undefined, requestId: string | null): Promise<EndedConsent> {
    const idToken = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (idToken === undefined) {
      throw new OAuthError('invalid_request', 'Send your ID token as Authorization: Bearer <id_token>', { wwwAuthenticate: 'Bearer realm="crossgate"' });
    }
    if (!uuidPattern.test(connectionId)) {
      throw new OAuthError('not_found', 'No such connection');
    }
    const userId = await this.verifiedUser(connectionId, idToken);
    const consent = await this.prisma.stsConsent.findFirst({ where: { connectionId, userId, status: 'active' } });
    if (consent === null) {
      throw new OAuthError('not_found', 'You have no active consent on this connection');
    }
    return this.end(consent, { status: 'withdrawn', actor: await this.userActor(userId), requestId });
  }

  /** An admin revokes a consent (`POST /api/sts-consents/:id/revoke`). */
  async revoke(consentId: string, request: RequestContext): Promise<EndedConsent> {
    const consent = uuidPattern.test(consentId) ? await this.prisma.stsConsent.findUnique({ where: { id: consentId } }) : null;
    if (consent === null) {
      throw new AdminApiError('not_found', `No STS consent with id "${consentId.slice(0, 64)}"`);
    }
    if (consent.status !== 'active') {
      throw new AdminApiError('conflict', `This STS consent is already ${consent.status}`);
    }
    return this.end(consent, { status: 'revoked', actor: request.actor, requestId: request.requestId, revokedBy: request.principal?.email ?? request.actor.label ?? 'admin' });
  }

  /**
   * Ends an active consent whose refresh token the provider refused at a refresh: nothing to revoke
   * upstream, the vaulted token is retired.
   */
  async markRefusedByProvider(consentId: string, reason: string): Promise<void> {
    const consent = await this.prisma.stsConsent.findUnique({ where: { id: consentId } });
    if (consent?.status === 'active') {
      await this.ending.finish(consent, { status: 'revoked', actor: { type: 'system', label: 'sts broker' }, requestId: null, revokedBy: 'provider' }, 'none', reason, this.clock.now());
    }
  }

  private async end(consent: EndingConsent, how: { status: 'withdrawn' | 'revoked'; actor: AuditActor; requestId: string | null; revokedBy?: string }): Promise<EndedConsent> {
    const ended = await this.ending.end(consent, how, this.clock.now());
    if (ended.upstreamError !== null && ended.upstreamRevocation === 'failed') {
      this.logger.warn(`The provider did not revoke a refresh token; the consent ends here anyway: ${ended.upstreamError}`);
    }
    return { id: ended.id, status: ended.status, upstreamRevocation: ended.upstreamRevocation };
  }

  /**
   * Step 4's proof of the user: an ID token from a trusted IdP, issued to the connection's client,
   * verified as the token exchange verifies its subject token; the user must be known and active.
   */
  private async verifiedUser(connectionId: string, idToken: string): Promise<string> {
    const connection = await this.prisma.connection.findFirst({ where: { id: connectionId, pattern: 'sts', deletedAt: null }, select: { client: { select: { idpClientId: true } } } });
    if (connection === null) {
      throw new OAuthError('not_found', 'No such connection');
    }
    const directory = servingSnapshot(this.policyEngine).directory;
    let verified;
    try {
      const { idp, idToken: token } = await this.idTokens.verify(directory, connection.client.idpClientId, idToken);
      verified = { idpId: idp.id, subject: token.subject };
    } catch (cause) {
      throw new OAuthError('invalid_token', `The ID token is not valid: ${cause instanceof Error ? cause.message : String(cause)}`, { cause, wwwAuthenticate: 'Bearer realm="crossgate", error="invalid_token"' });
    }
    const user = await this.prisma.user.findFirst({ where: { idpId: verified.idpId, subject: verified.subject, status: 'active', deletedAt: null }, select: { id: true } });
    if (user === null) {
      throw new OAuthError('not_found', 'You have no consent on this connection');
    }
    return user.id;
  }

  // ── Helpers ─────────────────────────────────────────────────────────────────────────────────

  private async take<T>(kind: 'consent' | 'state', value: string): Promise<T | null> {
    try {
      return await this.tickets.take<T>(kind, value);
    } catch (cause) {
      throw new StsPageError('temporarily_unavailable', 'Consent cannot be checked right now; try again shortly.', { cause });
    }
  }

  private async providerFor(connectionId: string): Promise<ProviderClient | null> {
    try {
      return await this.providers.forConnection(connectionId);
    } catch (cause) {
      this.logger.warn(`The provider of connection ${connectionId} cannot be reached: ${reasonOf(cause)}`);
      throw new StsPageError('temporarily_unavailable', 'The provider cannot be reached right now; try again shortly.', { cause });
    }
  }

  private redirectUri(): string {
    return `${this.config.http.publicUrl}${stsCallbackPath}`;
  }

  private async userActor(userId: string): Promise<AuditActor> {
    const user = await this.prisma.user.findUnique({ where: { id: userId }, select: { email: true, subject: true } });
    return { type: 'user', id: userId, label: user?.email ?? user?.subject ?? null };
  }

  /** A refused consent step: audited as `sts_consent_granted` denied, with what was known then. */
  private async refused(bound: ConsentTicket | null, client: ProviderClient | null, requestId: string | null, step: string, reason: string): Promise<void> {
    await this.audit.record({
      actor: bound === null ? { type: 'anonymous' } : await this.userActor(bound.userId),
      action: 'sts_consent_granted',
      target: bound === null ? null : { type: 'connections', id: bound.connectionId },
      decision: 'deny',
      reason: `${step}: ${reason}`.slice(0, 500),
      requestId,
      context: { connectionId: bound?.connectionId ?? null, userId: bound?.userId ?? null, providerId: client?.provider.id ?? null },
    });
  }
}
