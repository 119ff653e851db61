/**
 * @overview Access-review reminders and escalation. A scan, every ACCESS_REVIEW_SCAN_SECONDS, walks
 * the active campaigns and, by the worker's clock:
 *
 * - records the reminder step now due for every reviewer with undecided items. The cadence tightens
 *   toward the due date: at launch, then 7 days, 3 days, 1 day and 2 hours before it; past due, once
 *   a day (`overdue-1d`, `overdue-2d`, …) until the campaign is closed. Only the latest step that has
 *   come is recorded, so a worker that was down sends one reminder, not the ones it missed; a step
 *   that fell before the launch is skipped (a campaign due in two days gets `launch`, then `due-1d`);
 * - at the due date, once, escalates: undecided items move to the fallback reviewer (audited as
 *   `campaign.items_escalated`), who is notified (step `escalated`). Separation of duties still holds:
 *   an item granting the fallback reviewer's own access stays with its reviewer, marked
 *   `escalation_held = separation_of_duties`;
 * - adds one `access-review.notify` job per notification not yet delivered (and re-drives one whose
 *   retries ran out).
 *
 * Each (campaign, reviewer, step) is one row under a unique key, recorded in one idempotent statement,
 * so restarts and concurrent workers send every step at most once. A notification goes out by e-mail
 * (SMTP_URL) and by the signed review webhook (REVIEW_WEBHOOK_URL), each channel marked when it is
 * accepted, so a retry resends only the channel that failed. A worker that dies between a channel's
 * acceptance and its mark resends that channel: e-mails keep their Message-ID and webhooks their
 * `webhook-id`, for the receiver's de-duplication.
 */
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';

import type { Config } from '@crossgate/config';
import { Clock } from '@crossgate/domain';
import { type CatalogueJob, type CatalogueQueue, createQueue, enqueue, jobId, JobName, type JobSchedule, queueBackendOf, QueueName } from '@crossgate/jobs';
import { queueTelemetry } from '@crossgate/logging';
import { type AccessReviewCampaignRecord, type AccessReviewNotificationRecord, AccessReviewRepository, type AuditEntry, type EscalationCounts } from '@crossgate/store';

import { Mailer } from '../platform/mailer.ts';
import { InjectConfig } from '../platform/platform.module.ts';
import { postSignedWebhook } from '../platform/signed-webhook.ts';

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

/** The reminders before the due date, latest last: how long before it each is sent. */
export const reminderSteps: readonly { step: string; beforeDueMs: number }[] = [
  { step: 'due-7d', beforeDueMs: 7 * dayMs },
  { step: 'due-3d', beforeDueMs: 3 * dayMs },
  { step: 'due-1d', beforeDueMs: dayMs },
  { step: 'due-2h', beforeDueMs: 2 * hourMs },
];

/** The escalation's step: the fallback reviewer's notice at the due date. */
export const escalationStep = 'escalated';

/**
 * The reminder step due at `now` for a campaign launched at `launchedAt` and due at `dueAt`: `launch`,
 * the latest of {@link reminderSteps} past and after the launch, or `overdue-<n>d` once `n` whole days
 * past due. Null on the due day itself, which the escalation covers.
 */
export function reminderStepAt(campaign: { launchedAt: Date; dueAt: Date }, now: Date): string | null {
  const due = campaign.dueAt.getTime();
  const at = now.getTime();
  if (at >= due) {
    const days = Math.floor((at - due) / dayMs);
    return days === 0 ? null : `overdue-${days}d`;
  }
  const launched = campaign.launchedAt.getTime();
  const reached = reminderSteps.filter(({ beforeDueMs }) => due - beforeDueMs <= at && due - beforeDueMs > launched);
  return reached.at(-1)?.step ?? 'launch';
}

/** Most undelivered notifications one scan hands to the queue; the next scan takes the rest. */
const notifyBatch = 1_000;

export interface ReminderScan {
  campaigns: number;
  recorded: number;
  escalated: number;
  queued: number;
}

/** What a reviewer is told, the same on every channel. */
export interface ReviewNotice {
  type: 'access_review.reminder' | 'access_review.escalated';
  notificationId: string;
  campaign: { id: string; name: string; dueAt: string };
  reviewer: string;
  step: string;
  undecided: number;
  url: string;
}

@Injectable()
export class AccessReviewRemindersProcessor implements OnApplicationShutdown {
  private readonly logger = new Logger('AccessReviewReminders');
  private queue: CatalogueQueue | undefined;
  private mailer: Mailer | undefined;

  constructor(
    @Inject(AccessReviewRepository) private readonly reviews: AccessReviewRepository,
    @InjectConfig() private readonly config: Config,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  get schedules(): JobSchedule[] {
    return [{ item: { name: JobName.AccessReviewRemind, data: {} }, every: this.config.accessReviews.scanEveryMs }];
  }

  async onApplicationShutdown(): Promise<void> {
    this.mailer?.close();
    await this.queue?.close();
  }

  /** Handles `access-review.remind`. */
  async remind(): Promise<ReminderScan> {
    const now = this.clock.now();
    const campaigns = await this.reviews.activeCampaigns();
    let recorded = 0;
    let escalated = 0;
    for (const campaign of campaigns) {
      if (campaign.launchedAt === null) {
        continue;
      }
      if (now >= campaign.dueAt && campaign.escalatedAt === null) {
        escalated += await this.escalate(campaign, now);
      }
      const step = reminderStepAt({ launchedAt: campaign.launchedAt, dueAt: campaign.dueAt }, now);
      if (step !== null) {
        recorded += await this.reviews.recordNotifications(campaign.id, step, 'reminder', now);
      }
    }
    const queued = await this.queueUndelivered();
    return { campaigns: campaigns.length, recorded, escalated, queued };
  }

  private async escalate(campaign: AccessReviewCampaignRecord, now: Date): Promise<number> {
    const fallback = campaign.fallbackReviewer;
    const identity = (await this.reviews.identities([fallback])).get(fallback) ?? { userIds: [], groupIds: [] };
    const counts = await this.reviews.escalate(campaign.id, identity, (record, done) => escalationAudit(record, done), now);
    if (counts === null) {
      return 0;
    }
    this.logger.log(
      `Campaign ${campaign.id} is past due: ${counts.escalated} undecided items escalated to its fallback reviewer` +
        (counts.heldForSeparationOfDuties > 0 ? `, ${counts.heldForSeparationOfDuties} held because they grant the fallback reviewer's own access` : ''),
    );
    return counts.escalated;
  }

  /** Adds a notify job for every undelivered notification; one whose retries ran out is retried afresh. */
  private async queueUndelivered(): Promise<number> {
    const queue = this.notificationsQueue();
    let queued = 0;
    for (const id of await this.reviews.undeliveredNotifications(notifyBatch)) {
      const name = jobId(JobName.AccessReviewNotify, id);
      const existing = await queue.getJob(name);
      const state = existing === undefined ? 'missing' : await existing.getState();
      if (state === 'failed') {
        // Another worker's scan may have re-driven it first; then it is no longer failed, and that is fine.
        const retried = await existing!.retry('failed').then(
          () => true,
          () => false,
        );
        if (!retried) {
          continue;
        }
      } else if (state === 'missing' || state === 'unknown') {
        await enqueue(queue, { name: JobName.AccessReviewNotify, data: { notificationId: id } }, { jobId: name, backoff: { type: 'exponential', delay: this.config.accessReviews.retryDelayMs } });
      } else {
        continue;
      }
      queued += 1;
    }
    return queued;
  }

  /** Handles `access-review.notify`: each configured channel not yet sent, then the notification is delivered. */
  async notify(job: CatalogueJob<typeof JobName.AccessReviewNotify>): Promise<{ sent: string[]; outcome: 'delivered' | 'already-delivered' | 'campaign-closed' | 'not-configured' | 'missing' }> {
    const notification = await this.reviews.findNotification(job.data.notificationId);
    if (notification === null) {
      return { sent: [], outcome: 'missing' };
    }
    if (notification.deliveredAt !== null) {
      return { sent: [], outcome: 'already-delivered' };
    }
    if (notification.campaign.status !== 'active') {
      await this.reviews.markNotification(notification.id, 'deliveredAt', this.clock.now());
      return { sent: [], outcome: 'campaign-closed' };
    }
    const { email, webhook } = this.config.accessReviews;
    if (email === null && webhook === null) {
      // Notifications are off: nothing is owed, and turning a channel on later does not send the backlog.
      await this.reviews.markNotification(notification.id, 'deliveredAt', this.clock.now());
      return { sent: [], outcome: 'not-configured' };
    }
    const notice = this.noticeOf(notification);
    const sent: string[] = [];
    if (email !== null && notification.emailSentAt === null) {
      this.mailer ??= new Mailer(email);
      await this.mailer.send({ to: notification.reviewer, messageId: `<access-review-${notification.id}@crossgate>`, ...mailOf(notice) });
      await this.reviews.markNotification(notification.id, 'emailSentAt', this.clock.now());
      sent.push('email');
    }
    if (webhook !== null && notification.webhookSentAt === null) {
      await postSignedWebhook(webhook, `access-review-${notification.id}`, JSON.stringify(notice), this.clock.now());
      await this.reviews.markNotification(notification.id, 'webhookSentAt', this.clock.now());
      sent.push('webhook');
    }
    await this.reviews.markNotification(notification.id, 'deliveredAt', this.clock.now());
    return { sent, outcome: 'delivered' };
  }

  private noticeOf(notification: AccessReviewNotificationRecord): ReviewNotice {
    return {
      type: notification.kind === 'escalation' ? 'access_review.escalated' : 'access_review.reminder',
      notificationId: notification.id,
      campaign: { id: notification.campaignId, name: notification.campaign.name, dueAt: notification.campaign.dueAt.toISOString() },
      reviewer: notification.reviewer,
      step: notification.step,
      undecided: notification.undecided,
      url: this.config.accessReviews.myReviewsUrl,
    };
  }

  private notificationsQueue(): CatalogueQueue {
    this.queue ??= createQueue(queueBackendOf(this.config), QueueName.Notifications, queueTelemetry());
    return this.queue;
  }
}

function escalationAudit(campaign: AccessReviewCampaignRecord, counts: EscalationCounts): AuditEntry {
  return {
    actor: { type: 'system', label: 'worker' },
    action: 'campaign.items_escalated',
    target: { type: 'access-reviews', id: campaign.id },
    decision: 'allow',
    reason: 'past due: undecided items go to the fallback reviewer',
    before: { reviewers: counts.byReviewer },
    after: { reviewer: campaign.fallbackReviewer },
    context: { dueAt: campaign.dueAt.toISOString(), escalated: counts.escalated, heldForSeparationOfDuties: counts.heldForSeparationOfDuties },
  };
}

function mailOf(notice: ReviewNotice): { subject: string; text: string } {
  const items = `${notice.undecided} undecided item${notice.undecided === 1 ? '' : 's'}`;
  const due = notice.campaign.dueAt;
  if (notice.type === 'access_review.escalated') {
    return {
      subject: `Access review "${notice.campaign.name}" is past due: ${items} escalated to you`,
      text: `The access review "${notice.campaign.name}" was due ${due}. As its fallback reviewer you now have ${items} to decide.\n\nMy reviews: ${notice.url}\n`,
    };
  }
  return {
    subject: `Access review "${notice.campaign.name}": ${items} waiting for you`,
    text: `You have ${items} to decide in the access review "${notice.campaign.name}", due ${due}.\n\nMy reviews: ${notice.url}\n`,
  };
}
