/**
 * @overview The SIEM webhook: every audit event, in sequence order, posted as it commits. Each run
 * posts pages after the cursor until caught up (or its time is up); a page is acknowledged by a 2xx
 * and only then does the cursor move, so delivery is at least once and a crash resends, never skips.
 * A failing collector is retried with exponential backoff, and the failures show on the cursor.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';

import type { Config } from '@crossgate/config';
import { Clock } from '@crossgate/domain';
import { JobName, type JobSchedule } from '@crossgate/jobs';
import { auditStreamEvents, auditStreamPosts } from '@crossgate/logging';
import { AuditStreamRepository, type AuditStreamStep } from '@crossgate/store';

import { InjectConfig } from '../platform/platform.module.ts';
import { postSignedWebhook, WebhookPostError } from '../platform/signed-webhook.ts';

/** The cursor row's name for the webhook of AUDIT_WEBHOOK_URL. */
export const auditWebhookStream = 'webhook';

/** How long one run keeps posting before it leaves the rest to the next run. */
const runBudgetMs = 10_000;

/** After `failures` failed posts in a row, the wait before the next: 1 s doubling, at most 5 minutes. */
export function auditStreamBackoffMs(failures: number): number {
  return failures <= 0 ? 0 : Math.min(1000 * 2 ** (failures - 1), 300_000);
}

export interface AuditStreamRun {
  delivered: number;
  /** Where the cursor stands after the run. */
  lastSeq: string | null;
  outcome: 'caught-up' | 'budget-spent' | 'busy' | 'backing-off' | 'failed' | 'not-configured';
}

@Injectable()
export class AuditStreamProcessor {
  private readonly logger = new Logger('AuditStream');

  constructor(
    @Inject(AuditStreamRepository) private readonly streams: AuditStreamRepository,
    @InjectConfig() private readonly config: Config,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /** Every second while the webhook is configured. */
  get schedules(): JobSchedule[] {
    return this.config.audit.webhook === null ? [] : [{ item: { name: JobName.AuditStreamDeliver, data: {} }, every: 1000 }];
  }

  /** Handles `audit.stream-deliver`. */
  async deliver(): Promise<AuditStreamRun> {
    const webhook = this.config.audit.webhook;
    if (webhook === null) {
      return { delivered: 0, lastSeq: null, outcome: 'not-configured' };
    }
    const position = await this.streams.position(auditWebhookStream);
    if (position !== null && position.failures > 0) {
      const waited = this.clock.now().getTime() - position.updatedAt.getTime();
      if (waited < auditStreamBackoffMs(position.failures)) {
        return { delivered: 0, lastSeq: position.lastSeq.toString(), outcome: 'backing-off' };
      }
    }
    const started = Date.now();
    let delivered = 0;
    let step: AuditStreamStep;
    do {
      try {
        step = await this.streams.deliverNext(
          auditWebhookStream,
          webhook.batchSize,
          webhook.timeoutMs,
          (page) => postSignedWebhook(webhook, `audit-${page.events[0]!.seq}-${page.next}`, JSON.stringify(page), this.clock.now()),
          () => this.clock.now(),
        );
      } catch (error) {
        if (!(error instanceof WebhookPostError)) {
          throw error;
        }
        auditStreamPosts.inc({ outcome: 'failed' });
        await this.streams.recordFailure(auditWebhookStream, error.message, this.clock.now());
        this.logger.warn(`The SIEM webhook refused audit events: ${error.message}; retrying with backoff`);
        return { delivered, lastSeq: position?.lastSeq.toString() ?? null, outcome: 'failed' };
      }
      if (step.kind === 'delivered') {
        delivered += step.count;
        auditStreamPosts.inc({ outcome: 'delivered' });
        auditStreamEvents.inc(step.count);
      }
    } while (step.kind === 'delivered' && Date.now() - started < runBudgetMs);
    if (step.kind === 'busy') {
      return { delivered, lastSeq: null, outcome: 'busy' };
    }
    const lastSeq = (step.kind === 'delivered' ? step.to : step.lastSeq).toString();
    return { delivered, lastSeq, outcome: step.kind === 'delivered' ? 'budget-spent' : 'caught-up' };
  }
}
