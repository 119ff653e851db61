/**
 * @overview The STS pattern's answer to a token exchange: a short-lived upstream access token for
 * the user on the connection, minted from their vaulted refresh token (openid-client's refresh
 * grant). The token-exchange grant calls `accessTokenFor` once policy has allowed the request.
 *
 * - No active consent → `invalid_grant` with a fresh `consent_uri` the agent shows its user.
 * - Access tokens are kept in memory until shortly before they expire, never logged, never stored.
 * - One refresh at a time per consent: callers in this process share the one in flight, and a
 *   PostgreSQL advisory lock serialises instances, each reading the newest vaulted refresh token
 *   under the lock. A rotating provider therefore never sees an old refresh token presented again
 *   (which it would treat as theft and answer by revoking the whole grant).
 * - A rotated refresh token is stored back as the secret's new active version.
 * - The provider refusing the refresh token (`invalid_grant`) ends the consent as revoked by the
 *   provider, and the agent gets a consent URI again.
 *
 * @see RFC 6749 §6 (refresh), OAuth 2.0 Security BCP §4.14.2 (refresh token rotation)
 */
import { Injectable, Logger } from '@nestjs/common';
import * as oidc from 'openid-client';

import { AuditLogRepository, OAuthProviderClients, type PrismaClient, SecretStore } from '@crossgate/store';

import { OAuthError } from '../http/index.ts';
import { Clock, InjectPrisma } from '../platform/index.ts';
import { StsConsentService } from './sts-consent.service.ts';

export interface StsAccessTokenRequest {
  connectionId: string;
  userId: string;
  /** Upstream scopes the caller needs; they must be among the consented ones (STS scopes are fixed at consent). */
  scopes?: readonly string[];
}

export interface StsAccessToken {
  /** The upstream access token: hand it to the agent, never log or store it. */
  accessToken: string;
  expiresAt: Date;
  /** The scopes the provider granted it, space-separated. */
  scope: string;
}

/** A cached token is not handed out when it has less than this left, so the agent can still use it. */
export const expiryMarginMs = 30_000;
/** Used when the provider does not say how long its access token lives. */
const defaultLifetimeSeconds = 300;
/** How long a refresh may hold the per-consent lock (the provider's timeout is 5 s). */
const refreshTransactionMs = 20_000;

interface ActiveConsent {
  id: string;
  connectionId: string;
  userId: string;
  scopes: string[];
  refreshTokenSecretId: string;
}

/** Internal: the provider said the refresh token is no good. */
class RefreshRefused extends Error {}

@Injectable()
export class StsBroker {
  private readonly logger = new Logger('sts');
  /** By refresh-token secret id, so a renewed consent never gets the old grant's token. */
  private readonly tokens = new Map<string, StsAccessToken>();
  private readonly inFlight = new Map<string, Promise<StsAccessToken>>();

  constructor(
    @InjectPrisma() private readonly prisma: PrismaClient,
    private readonly clock: Clock,
    private readonly secrets: SecretStore,
    private readonly audit: AuditLogRepository,
    private readonly providers: OAuthProviderClients,
    private readonly consents: StsConsentService,
  ) {}

  async accessTokenFor(request: StsAccessTokenRequest): Promise<StsAccessToken> {
    // Read every time: a consent withdrawn or revoked through another instance stops here at once.
    const row = await this.prisma.stsConsent.findUnique({ where: { connectionId_userId: { connectionId: request.connectionId, userId: request.userId } } });
    if (row === null || row.status !== 'active' || row.refreshTokenSecretId === null) {
      throw await this.consents.consentRequired(request.connectionId, request.userId, row === null || row.status === 'active' ? 'The user has not consented to this connection yet' : `The user's consent was ${row.status}; they must consent again`);
    }
    const consent: ActiveConsent = { id: row.id, connectionId: row.connectionId, userId: row.userId, scopes: row.scopes, refreshTokenSecretId: row.refreshTokenSecretId };
    const missing = (request.scopes ?? []).filter((scope) => !consent.scopes.includes(scope));
    if (missing.length > 0) {
      throw new OAuthError('invalid_scope', `The user consented to ${consent.scopes.join(' ') || 'no scopes'}, not ${missing.join(' ')}`);
    }
    const cached = this.tokens.get(consent.refreshTokenSecretId);
    if (cached !== undefined && cached.expiresAt.getTime() - expiryMarginMs > this.clock.now().getTime()) {
      return cached;
    }
    let flight = this.inFlight.get(consent.refreshTokenSecretId);
    if (flight === undefined) {
      flight = this.refresh(consent).finally(() => this.inFlight.delete(consent.refreshTokenSecretId));
      this.inFlight.set(consent.refreshTokenSecretId, flight);
    }
    return flight;
  }

  private async refresh(consent: ActiveConsent): Promise<StsAccessToken> {
    const client = await this.providers.forConnection(consent.connectionId).catch((cause: unknown) => {
      throw new OAuthError('temporarily_unavailable', 'The provider cannot be reached; try again shortly', { cause });
    });
    if (client === null) {
      throw new OAuthError('invalid_grant', 'The connection no longer brokers tokens');
    }
    try {
      return await this.prisma.$transaction(
        async (tx) => {
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`sts_refresh:${consent.refreshTokenSecretId}`}))`;
          const stored = await this.secrets.current(consent.refreshTokenSecretId);
          let tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
          try {
            tokens = await oidc.refreshTokenGrant(client.configuration, stored.value.toString('utf8'));
          } catch (error) {
            if (error instanceof oidc.ResponseBodyError && error.error === 'invalid_grant') {
              throw new RefreshRefused(error.error_description ?? error.error);
            }
            throw error;
          }
          const now = this.clock.now();
          const rotated = tokens.refresh_token !== undefined && tokens.refresh_token !== stored.value.toString('utf8');
          const keyVersion = rotated ? await this.secrets.addVersion(consent.refreshTokenSecretId, tokens.refresh_token as string, { state: 'active', previous: 'retire-now' }, now) : stored.version;
          const lifetime = tokens.expiresIn() ?? defaultLifetimeSeconds;
          const token: StsAccessToken = {
            accessToken: tokens.access_token,
            expiresAt: new Date(now.getTime() + lifetime * 1000),
            scope: tokens.scope ?? consent.scopes.join(' '),
          };
          await tx.stsConsent.update({ where: { id: consent.id }, data: { lastRefreshedAt: now } });
          await this.audit.append(tx, this.refreshEntry(consent, 'allow', null, { keyVersion, rotated, expiresIn: lifetime }), now);
          this.tokens.set(consent.refreshTokenSecretId, token);
          return token;
        },
        { timeout: refreshTransactionMs, maxWait: refreshTransactionMs },
      );
    } catch (error) {
      if (error instanceof RefreshRefused) {
        this.tokens.delete(consent.refreshTokenSecretId);
        await this.audit.record(this.refreshEntry(consent, 'deny', `the provider refused the refresh token: ${error.message}`.slice(0, 500), {}));
        await this.consents.markRefusedByProvider(consent.id, 'the provider refused the refresh token');
        throw await this.consents.consentRequired(consent.connectionId, consent.userId, 'The provider no longer honours the user’s consent; they must consent again');
      }
      if (error instanceof OAuthError) {
        throw error;
      }
      this.logger.warn(`A refresh at the provider failed: ${error instanceof Error ? error.message : String(error)}`);
      await this.audit.record(this.refreshEntry(consent, 'deny', 'the provider could not be reached', {})).catch(() => undefined);
      throw new OAuthError('temporarily_unavailable', 'The provider cannot be reached; try again shortly', { cause: error });
    }
  }

  private refreshEntry(consent: ActiveConsent, decision: 'allow' | 'deny', reason: string | null, context: Record<string, unknown>) {
    return {
      actor: { type: 'system' as const, label: 'sts broker' },
      action: 'sts_token_refresh',
      target: { type: 'sts-consents', id: consent.id },
      decision,
      reason,
      requestId: null,
      context: { connectionId: consent.connectionId, userId: consent.userId, ...context },
    };
  }
}
