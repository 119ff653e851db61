/**
 * @overview How an STS consent ends, whoever ends it (the user, an admin, a kill switch, a provider
 * that refused a refresh): the provider is asked to revoke the refresh token (RFC 7009), then the
 * consent is marked, its vaulted token retired and the end audited in one transaction, even when the
 * provider cannot be reached (fail closed: the vaulted token is never used again, and the audit says
 * the upstream revocation failed). Only the first of two concurrent ends changes anything.
 *
 * @see RFC 7009
 */
import * as oidc from 'openid-client';

import type { AuditActor } from '../audit/audit-chain.ts';
import type { AuditLogRepository } from '../audit/audit-log.repository.ts';
import type { PrismaClient } from '../database.ts';
import type { SecretStore } from '../vault/secret-store.ts';
import type { OAuthProviderClients } from './oauth-provider-clients.ts';

/** What the provider's RFC 7009 endpoint did with the refresh token when the consent ended. */
export type UpstreamRevocation = 'revoked' | 'failed' | 'unsupported' | 'none';

export interface EndingConsent {
  id: string;
  connectionId: string;
  userId: string;
  refreshTokenSecretId: string | null;
}

export interface ConsentEnd {
  status: 'withdrawn' | 'revoked';
  actor: AuditActor;
  requestId: string | null;
  /** Who revoked it: an admin's e-mail, `provider`, `kill-switch:<id>`. */
  revokedBy?: string;
}

export interface EndedConsent {
  id: string;
  status: 'withdrawn' | 'revoked';
  upstreamRevocation: UpstreamRevocation;
  /** False when another end got there first and this one changed nothing. */
  ended: boolean;
  /** Why the provider did not revoke, for people; null when it did (or was not asked). */
  upstreamError: string | null;
}

/** A provider's or openid-client's refusal, as words for the log and the audit (never a token). */
export function reasonOf(error: unknown): string {
  if (error instanceof oidc.ResponseBodyError || error instanceof oidc.AuthorizationResponseError) {
    return `${error.error}${error.error_description ? `: ${error.error_description}` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}

export class StsConsentEnding {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly secrets: SecretStore,
    private readonly auditLog: AuditLogRepository,
    private readonly providers: OAuthProviderClients,
  ) {}

  /** Revokes upstream, then ends the consent locally whatever the provider said. */
  async end(consent: EndingConsent, how: ConsentEnd, now: Date): Promise<EndedConsent> {
    const { upstream, error } = await this.revokeUpstream(consent);
    const ended = await this.finish(consent, how, upstream, null, now);
    return { id: consent.id, status: how.status, upstreamRevocation: upstream, ended, upstreamError: error };
  }

  /**
   * Ends the consent locally: marks it, retires the vaulted refresh token, audits.
   * @returns false when it was no longer active.
   */
  async finish(consent: EndingConsent, how: ConsentEnd, upstream: UpstreamRevocation, reason: string | null, now: Date): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.stsConsent.updateMany({
        where: { id: consent.id, status: 'active' },
        data:
          how.status === 'withdrawn'
            ? { status: 'withdrawn', withdrawnAt: now, upstreamRevocation: upstream }
            : { status: 'revoked', revokedAt: now, revokedBy: how.revokedBy ?? null, upstreamRevocation: upstream },
      });
      if (count === 0) {
        return false;
      }
      if (consent.refreshTokenSecretId !== null) {
        await this.secrets.retire(consent.refreshTokenSecretId, tx, now);
      }
      await this.auditLog.append(
        tx,
        {
          actor: how.actor,
          action: how.status === 'withdrawn' ? 'sts_consent_withdrawn' : 'sts_consent_revoked',
          target: { type: 'sts-consents', id: consent.id },
          decision: 'allow',
          reason,
          requestId: how.requestId,
          context: { connectionId: consent.connectionId, userId: consent.userId, upstreamRevocation: upstream, revokedBy: how.revokedBy ?? null },
        },
        now,
      );
      return true;
    });
  }

  /** RFC 7009 at the provider; its failure is reported, never thrown. */
  async revokeUpstream(consent: EndingConsent): Promise<{ upstream: UpstreamRevocation; error: string | null }> {
    if (consent.refreshTokenSecretId === null) {
      return { upstream: 'none', error: null };
    }
    try {
      const client = await this.providers.forConnection(consent.connectionId);
      if (client === null) {
        return { upstream: 'failed', error: 'The connection or its provider is no longer active' };
      }
      if (client.configuration.serverMetadata().revocation_endpoint === undefined) {
        return { upstream: 'unsupported', error: 'The provider has no revocation endpoint' };
      }
      const refreshToken = (await this.secrets.current(consent.refreshTokenSecretId)).value.toString('utf8');
      await oidc.tokenRevocation(client.configuration, refreshToken, { token_type_hint: 'refresh_token' });
      return { upstream: 'revoked', error: null };
    } catch (error) {
      return { upstream: 'failed', error: reasonOf(error) };
    }
  }
}
