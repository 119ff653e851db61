/**
 * @overview The catalogue of background jobs: which queues exist, which jobs run on them and what
 * each job carries. The API enqueues and the worker consumes through these types only, so neither
 * imports the other.
 */
import type { Job } from 'bullmq';

/** BullMQ queues. One worker per queue; BullMQ forbids `:` in the name. */
export const QueueName = {
  /** Housekeeping that may run late but must run: audit-chain verification, later exports and reminders. */
  Maintenance: 'maintenance',
  /** Connection credential rotation: many small HTTP-bound jobs, run with high concurrency. */
  Rotation: 'rotation',
  /** Kill-switch fan-out: planning a switch's receipt and one job per downstream target (SET pushes, RFC 7009 revocations, rotations). */
  KillSwitch: 'kill-switch',
  /** Outbound audit streams: the SIEM webhook, apart from the slow chain verification. */
  AuditStream: 'audit-stream',
  /** Reviewer notifications (e-mail, webhook): slow third parties, retried apart from the housekeeping. */
  Notifications: 'notifications',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

/** Job names, `<concept>.<verb-phrase>`. A name is also the id of the job's scheduler, if it has one. */
export const JobName = {
  /** Re-walks the audit hash chain and records the outcome as an `audit.chain_verified` event. */
  AuditVerifyChain: 'audit.verify-chain',
  /**
   * Posts the audit events after the SIEM webhook's cursor, a page at a time, until caught up; the
   * cursor (in PostgreSQL) advances only on a 2xx. Scheduled every second while AUDIT_WEBHOOK_URL is set.
   */
  AuditStreamDeliver: 'audit.stream-deliver',
  /**
   * Rotates an issuer role's signing keys (next → active → retired). Scheduled runs rotate only when
   * the active key is due; `force` rotates now.
   */
  SigningKeysRotate: 'signing-keys.rotate',
  /**
   * After a KEK rotation: re-wraps every vault data key and re-seals every private signing key still
   * under an earlier KEK with the current one, in batches, each row on its own (so a run cut short
   * resumes where it stopped). Enqueued at worker start when anything is left under an older KEK.
   */
  VaultRewrap: 'vault.rewrap',
  /**
   * Rotates a vaulted_key or service_account connection's credential: generate → pending version →
   * push to the rotation hook → verify at the target → activate (the old version retires after the
   * overlap). Resumable: a re-run continues the pending version instead of making another. Each
   * scheduled connection has a scheduler whose id is `connection-credential.rotate/<connection id>`.
   */
  ConnectionCredentialRotate: 'connection-credential.rotate',
  /** Brings the rotation schedulers in line with the connections' schedules (added, changed, removed). */
  ConnectionRotationReconcile: 'connection-rotation.reconcile',
  /** Retires every credential version whose overlap window has ended. */
  ConnectionCredentialRetireDue: 'connection-credential.retire-due',
  /**
   * Plans a fired kill switch's revocation receipt: marks the covered live tokens revoked, writes one
   * delivery line per downstream target (from the same queries as the preview) and enqueues one
   * `kill-switch.deliver` per line. Idempotent: lines are unique per target, job ids per line.
   * Job id `kill-switch.fan-out/<kill switch id>`.
   */
  KillSwitchFanOut: 'kill-switch.fan-out',
  /**
   * Carries out one receipt line: pushes a SET to an SSF receiver (RFC 8935), revokes an STS refresh
   * token at its provider (RFC 7009), or rotates (or disables) a vaulted credential. A line already
   * delivered is not sent again. Job id `kill-switch.deliver/<delivery id>`, plus `/redrive-<n>` for a re-drive.
   */
  KillSwitchDeliver: 'kill-switch.deliver',
  /** Marks every active switch past its `expiresAt` as expired, with its audit event. */
  KillSwitchExpireDue: 'kill-switch.expire-due',
  /** Re-adds the fan-out of switches never planned and the jobs of receipt lines not finished (Redis may have lost them). */
  KillSwitchReconcile: 'kill-switch.reconcile',
  /** Sends an SSF verification SET (SSF 1.0 §8.1.4) to a stream's receiver, carrying the `state` it asked for. */
  SsfVerify: 'ssf.verify',
  /**
   * Walks the active access-review campaigns: records the reminder step now due for each reviewer with
   * undecided items (once per reviewer and step), escalates a campaign past due to its fallback
   * reviewer (once), and adds an `access-review.notify` for every notification not yet delivered.
   */
  AccessReviewRemind: 'access-review.remind',
  /**
   * Sends one recorded notification by e-mail and by the signed review webhook, each channel once.
   * Job id `access-review.notify/<notification id>`.
   */
  AccessReviewNotify: 'access-review.notify',
} as const;
export type JobName = (typeof JobName)[keyof typeof JobName];

/** No payload: the job reads everything it needs from the database when it runs. */
export type NoPayload = Record<string, never>;

/** What each job carries, by name. Payloads are JSON: ids and small values, never rows or secrets. */
interface JobPayloads {
  [JobName.AuditVerifyChain]: NoPayload;
  [JobName.AuditStreamDeliver]: NoPayload;
  [JobName.SigningKeysRotate]: { role: string; force?: boolean };
  [JobName.VaultRewrap]: NoPayload;
  /** `compromised`: the current credential must stop working now (no overlap window), as after a kill switch. */
  [JobName.ConnectionCredentialRotate]: { connectionId: string; force?: boolean; compromised?: boolean };
  [JobName.ConnectionRotationReconcile]: NoPayload;
  [JobName.ConnectionCredentialRetireDue]: NoPayload;
  [JobName.KillSwitchFanOut]: { killSwitchId: string };
  [JobName.KillSwitchDeliver]: { deliveryId: string };
  [JobName.KillSwitchExpireDue]: NoPayload;
  [JobName.KillSwitchReconcile]: NoPayload;
  [JobName.SsfVerify]: { streamId: string; state?: string };
  [JobName.AccessReviewRemind]: NoPayload;
  [JobName.AccessReviewNotify]: { notificationId: string };
}

/** Where each job runs. The `satisfies` makes adding a job without a queue a compile error. */
const jobQueues = {
  [JobName.AuditVerifyChain]: QueueName.Maintenance,
  [JobName.AuditStreamDeliver]: QueueName.AuditStream,
  [JobName.SigningKeysRotate]: QueueName.Maintenance,
  [JobName.VaultRewrap]: QueueName.Maintenance,
  [JobName.ConnectionCredentialRotate]: QueueName.Rotation,
  [JobName.ConnectionRotationReconcile]: QueueName.Rotation,
  [JobName.ConnectionCredentialRetireDue]: QueueName.Rotation,
  [JobName.KillSwitchFanOut]: QueueName.KillSwitch,
  [JobName.KillSwitchDeliver]: QueueName.KillSwitch,
  [JobName.KillSwitchExpireDue]: QueueName.KillSwitch,
  [JobName.KillSwitchReconcile]: QueueName.KillSwitch,
  [JobName.SsfVerify]: QueueName.KillSwitch,
  [JobName.AccessReviewRemind]: QueueName.Maintenance,
  [JobName.AccessReviewNotify]: QueueName.Notifications,
} as const satisfies Record<JobName, QueueName>;

/** The queue a job runs on. */
export function queueOf(name: JobName): QueueName {
  return jobQueues[name];
}

/** The payload of job `N`: `JobOf<'audit.verify-chain'>`. */
export type JobOf<N extends JobName> = JobPayloads[N];

/** A job to enqueue, discriminated by `name`: `{ name: JobName.AuditVerifyChain, data: {} }`. */
export type JobItem = { [N in JobName]: { name: N; data: JobOf<N> } }[JobName];

/** Any payload in the catalogue, as BullMQ's `Queue` and `Worker` see it. */
export type JobPayload = JobItem['data'];

/** A BullMQ job of the catalogue, narrowed to one name when `N` is given. */
export type CatalogueJob<N extends JobName = JobName> = Job<JobOf<N>, unknown, N>;

/** Runs one kind of job; whatever it returns is kept as the job's return value. */
export type JobHandler<N extends JobName> = (job: CatalogueJob<N>) => Promise<unknown>;

/** One handler per job name; a job added to the catalogue without a handler is a compile error. */
export type JobHandlers = { [N in JobName]: JobHandler<N> };

/** A job that a scheduler adds at a fixed interval. The id is the job's name: one scheduler per job. */
export interface JobSchedule {
  item: JobItem;
  /** Milliseconds between runs; the first run is added at once. */
  every: number;
}
