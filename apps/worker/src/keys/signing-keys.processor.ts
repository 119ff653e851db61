/**
 * @overview Signing-key rotation in the background. Every SIGNING_KEY_ROTATE_DAYS the scheduler
 * runs `signing-keys.rotate` for the IdP role; a run rotates only when the active key is due, so the
 * scheduler's first run at start (and a re-created scheduler) does not churn a fresh key. A job with
 * `force: true` rotates at once. Each rotation is one transaction, audited as `signing_key.rotate`.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';

import type { Config } from '@crossgate/config';
import { Clock } from '@crossgate/domain';
import { type CatalogueJob, JobName, type JobSchedule } from '@crossgate/jobs';
import { maxSignedLifetimeSeconds, type SigningKeyRecord, SigningKeyRepository } from '@crossgate/store';

import { InjectConfig } from '../platform/platform.module.ts';

const day = 24 * 3600 * 1000;
/** A scheduled run this close to the due time still rotates, so a slightly early run is not skipped for a whole period. */
const earlyTolerance = 3600 * 1000;

export type RotationOutcome =
  | { rotated: true; role: string; activeKid: string; nextKid: string; retiredKid: string | null }
  | { rotated: false; role: string; activeKid: string; dueAt: string };

@Injectable()
export class SigningKeysProcessor {
  private readonly logger = new Logger('SigningKeys');

  constructor(
    @Inject(SigningKeyRepository) private readonly keys: SigningKeyRepository,
    @InjectConfig() private readonly config: Config,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /** Every SIGNING_KEY_ROTATE_DAYS, for the IdP role. */
  get schedule(): JobSchedule {
    return { item: { name: JobName.SigningKeysRotate, data: { role: 'idp' } }, every: this.config.keys.rotateEveryDays * day };
  }

  /** Handles `signing-keys.rotate`. The job id is the audit event's request id. */
  async rotate(job: CatalogueJob<typeof JobName.SigningKeysRotate>): Promise<RotationOutcome> {
    const { role, force = false } = job.data;
    const now = this.clock.now();
    const active = await this.keys.findActive(role);
    const dueAt = active ? this.dueAt(active) : now;
    if (!force && active && dueAt.getTime() - earlyTolerance > now.getTime()) {
      this.logger.log(`Signing key ${active.kid} of role ${role} is not due for rotation until ${dueAt.toISOString()}`);
      return { rotated: false, role, activeKid: active.kid, dueAt: dueAt.toISOString() };
    }
    const result = await this.keys.rotate(role, now, maxSignedLifetimeSeconds(role), {
      alg: this.config.keys.signingAlg,
      actor: { type: 'system', label: 'worker' },
      requestId: job.id ?? null,
    });
    this.logger.log(
      `Rotated the signing keys of role ${role}: ${result.activated.kid} signs now` +
        (result.retired ? `, ${result.retired.kid} stays published until ${result.retired.publishUntil?.toISOString()}` : ''),
    );
    return {
      rotated: true,
      role,
      activeKid: result.activated.kid,
      nextKid: result.next.kid,
      retiredKid: result.retired?.kid ?? null,
    };
  }

  private dueAt(active: SigningKeyRecord): Date {
    const since = active.activatedAt ?? active.createdAt;
    return new Date(since.getTime() + this.config.keys.rotateEveryDays * day);
  }
}
