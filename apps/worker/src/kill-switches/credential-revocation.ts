/**
 * @overview The receipt lines of a kill switch that reach credentials rather than receivers:
 * - an STS consent: its refresh token revoked at the provider (RFC 7009), then the consent ended. While
 *   the provider fails, the line is retried (the consent cannot be used meanwhile: the switch stops its
 *   token requests); on the last attempt the consent is ended here anyway and the line says the
 *   provider never confirmed;
 * - a vaulted key or service account: rotated through the rotation path (a forced
 *   `connection-credential.rotate` job, whose outcome the line waits for), so a leaked key is dead at
 *   the target, not just hidden; a connection with no rotation hook is disabled instead.
 */
import { Inject, Injectable } from '@nestjs/common';

import { Clock } from '@crossgate/domain';
import { type CatalogueQueue, jobId, JobName } from '@crossgate/jobs';
import { ConnectionRotationRepository, KillSwitchRepository, type PrismaClient, StsConsentEnding } from '@crossgate/store';

import { InjectPrisma } from '../platform/platform.module.ts';

/** One attempt's end: done, or not with a reason for people (never a secret). */
export type Attempt = { ok: true; subject?: unknown } | { ok: false; error: string; subject?: unknown; permanent?: boolean };

const actor = { type: 'system' as const, label: 'worker' };

@Injectable()
export class CredentialRevocation {
  constructor(
    @Inject(StsConsentEnding) private readonly consents: StsConsentEnding,
    @Inject(ConnectionRotationRepository) private readonly rotations: ConnectionRotationRepository,
    @Inject(KillSwitchRepository) private readonly killSwitches: KillSwitchRepository,
    @InjectPrisma() private readonly prisma: PrismaClient,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async revokeConsent(consentId: string, killSwitchId: string, last: boolean): Promise<Attempt> {
    const consent = await this.prisma.stsConsent.findUnique({ where: { id: consentId }, select: { id: true, connectionId: true, userId: true, refreshTokenSecretId: true, status: true } });
    if (consent === null) {
      return { ok: false, error: 'The consent no longer exists', permanent: true };
    }
    if (consent.status !== 'active') {
      // Ended already (by the user, an admin, another switch): nothing is left to revoke.
      return { ok: true };
    }
    const how = { status: 'revoked' as const, actor, requestId: null, revokedBy: `kill-switch:${killSwitchId}` };
    const { upstream, error } = await this.consents.revokeUpstream(consent);
    if (upstream === 'failed' && !last) {
      return { ok: false, error: `The provider did not revoke the refresh token: ${error ?? 'unknown error'}` };
    }
    await this.consents.finish(consent, how, upstream, error, this.clock.now());
    return upstream === 'failed' ? { ok: false, error: `The consent was ended here, but the provider never revoked its refresh token: ${error ?? 'unknown error'}` } : { ok: true };
  }

  async rotateOrDisable(connectionId: string, killSwitchId: string, redrives: number, rotationQueue: CatalogueQueue): Promise<Attempt> {
    const target = await this.rotations.find(connectionId);
    if (target === null || !target.active) {
      return { ok: true };
    }
    if (target.rotationHookUrl === null || target.rotationVerifyUrl === null || target.rotationHookSecretId === null || target.credentialSecretId === null) {
      await this.killSwitches.disableConnection(
        connectionId,
        {
          actor,
          action: 'connection_disabled',
          target: { type: 'connections', id: connectionId },
          decision: 'allow',
          reason: 'A kill switch reached it and it has no rotation hook, so its credential cannot be rotated',
          context: { killSwitchId },
        },
        this.clock.now(),
      );
      return { ok: true };
    }
    const id = jobId(JobName.ConnectionCredentialRotate, connectionId, `kill-${killSwitchId}`, String(redrives));
    const existing = await rotationQueue.getJob(id);
    if (existing === undefined) {
      await rotationQueue.add(JobName.ConnectionCredentialRotate, { connectionId, force: true, compromised: true }, { jobId: id });
      return { ok: false, error: 'Rotation queued; waiting for it to finish' };
    }
    const state = await existing.getState();
    if (state === 'completed') {
      return { ok: true };
    }
    if (state === 'failed') {
      return { ok: false, error: `The rotation failed: ${existing.failedReason ?? 'unknown reason'}`, permanent: true };
    }
    return { ok: false, error: `Rotation ${state}; waiting for it to finish` };
  }
}
