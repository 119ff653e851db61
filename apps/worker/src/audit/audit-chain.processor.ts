/**
 * @overview Periodic re-verification of the audit hash chain, so tampering with the stored log is
 * noticed without anyone asking. Each run records its outcome in the chain it checked: an
 * `audit.chain_verified` event, allowed when intact and denied, with the problem, when broken.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';

import type { Config } from '@crossgate/config';
import { type CatalogueJob, JobName, type JobSchedule } from '@crossgate/jobs';
import { recordAuditChainStatus } from '@crossgate/logging';
import { AuditLogRepository, type ChainCheck } from '@crossgate/store';

import { InjectConfig } from '../platform/platform.module.ts';

/**
 * The check result as the event's context. The head hash goes under `chainHead`: the audit log redacts
 * any key that names a hash, and this one is evidence, not a secret.
 */
function toEventContext(check: ChainCheck) {
  if (!check.intact) {
    return check;
  }
  const { headHash, ...rest } = check;
  return { ...rest, chainHead: headHash };
}

@Injectable()
export class AuditChainProcessor {
  private readonly logger = new Logger('AuditChain');

  constructor(
    @Inject(AuditLogRepository) private readonly auditLog: AuditLogRepository,
    @InjectConfig() private readonly config: Config,
  ) {}

  /** Every AUDIT_VERIFY_EVERY_MINUTES, starting when the scheduler is first created. */
  get schedule(): JobSchedule {
    return { item: { name: JobName.AuditVerifyChain, data: {} }, every: this.config.audit.verifyEveryMinutes * 60_000 };
  }

  /** Handles `audit.verify-chain`. The job id is the event's request id, to find one run's event. */
  async verifyChain(job: CatalogueJob<typeof JobName.AuditVerifyChain>): Promise<ChainCheck> {
    const check = await this.auditLog.verifyChain();
    const event = await this.auditLog.record({
      actor: { type: 'system', label: 'worker' },
      action: 'audit.chain_verified',
      target: { type: 'audit_log' },
      decision: check.intact ? 'allow' : 'deny',
      reason: check.intact ? null : check.problem,
      requestId: job.id ?? null,
      context: toEventContext(check),
    });
    recordAuditChainStatus({ intact: check.intact, verifiedAt: event.at });
    if (check.intact) {
      this.logger.log(`Audit chain intact: ${check.checked} events checked, recorded as event ${event.seq}`);
    } else {
      this.logger.error(
        `AUDIT CHAIN BROKEN at event ${check.firstBrokenSeq}: ${check.problem}. ` +
          `${check.checked} events before it are intact. Recorded as event ${event.seq}; ` +
          'treat the audit log from that event on as tampered and compare it with an export or backup.',
      );
    }
    return check;
  }
}
