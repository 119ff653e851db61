/**
 * The composition root, and the map from the job catalogue to the code that runs it: one handler per
 * job name (the compiler rejects a missing one) and the schedules the processors declare.
 */
import { type DynamicModule, Module } from '@nestjs/common';

import type { Config } from '@crossgate/config';
import type { Clock } from '@crossgate/domain';
import { type JobHandlers, JobName, type JobSchedule } from '@crossgate/jobs';

import { AccessReviewRemindersProcessor } from './access-reviews/access-review-reminders.processor.ts';
import { AuditChainProcessor } from './audit/audit-chain.processor.ts';
import { AuditStreamProcessor } from './audit/audit-stream.processor.ts';
import { CredentialRevocation } from './kill-switches/credential-revocation.ts';
import { KillSwitchProcessor } from './kill-switches/kill-switch.processor.ts';
import { SigningKeysProcessor } from './keys/signing-keys.processor.ts';
import { PlatformModule } from './platform/platform.module.ts';
import { ConnectionRotationProcessor } from './rotation/connection-rotation.processor.ts';
import { JOB_AT_START, JOB_HANDLERS, JOB_SCHEDULES, QueuesService, type StartupJobs } from './queues/queues.service.ts';
import { VaultRewrapProcessor } from './vault/vault-rewrap.processor.ts';

@Module({})
export class WorkerModule {
  /** `clock` decides every time the processors act on (the system clock unless a test fixes it). */
  static forRoot(config: Config, clock?: Clock): DynamicModule {
    return {
      module: WorkerModule,
      imports: [PlatformModule.forRoot(config, clock)],
      providers: [
        AuditChainProcessor,
        AuditStreamProcessor,
        SigningKeysProcessor,
        VaultRewrapProcessor,
        ConnectionRotationProcessor,
        CredentialRevocation,
        KillSwitchProcessor,
        AccessReviewRemindersProcessor,
        {
          provide: JOB_HANDLERS,
          inject: [AuditChainProcessor, AuditStreamProcessor, SigningKeysProcessor, VaultRewrapProcessor, ConnectionRotationProcessor, KillSwitchProcessor, AccessReviewRemindersProcessor],
          useFactory: (auditChain: AuditChainProcessor, auditStream: AuditStreamProcessor, signingKeys: SigningKeysProcessor, vault: VaultRewrapProcessor, rotation: ConnectionRotationProcessor, killSwitches: KillSwitchProcessor, reviews: AccessReviewRemindersProcessor): JobHandlers => ({
            [JobName.AuditVerifyChain]: (job) => auditChain.verifyChain(job),
            [JobName.AuditStreamDeliver]: () => auditStream.deliver(),
            [JobName.SigningKeysRotate]: (job) => signingKeys.rotate(job),
            [JobName.VaultRewrap]: (job) => vault.rewrap(job),
            [JobName.ConnectionCredentialRotate]: (job) => rotation.rotate(job),
            [JobName.ConnectionRotationReconcile]: () => rotation.reconcile(),
            [JobName.ConnectionCredentialRetireDue]: () => rotation.retireDue(),
            [JobName.KillSwitchFanOut]: (job) => killSwitches.fanOut(job),
            [JobName.KillSwitchDeliver]: (job) => killSwitches.deliver(job),
            [JobName.KillSwitchExpireDue]: () => killSwitches.expireDue(),
            [JobName.KillSwitchReconcile]: () => killSwitches.reconcile(),
            [JobName.SsfVerify]: (job) => killSwitches.verify(job),
            [JobName.AccessReviewRemind]: () => reviews.remind(),
            [JobName.AccessReviewNotify]: (job) => reviews.notify(job),
          }),
        },
        {
          provide: JOB_AT_START,
          inject: [VaultRewrapProcessor],
          useFactory: (vault: VaultRewrapProcessor): StartupJobs => () => vault.startupItems(),
        },
        {
          provide: JOB_SCHEDULES,
          inject: [AuditChainProcessor, AuditStreamProcessor, SigningKeysProcessor, ConnectionRotationProcessor, KillSwitchProcessor, AccessReviewRemindersProcessor],
          useFactory: (auditChain: AuditChainProcessor, auditStream: AuditStreamProcessor, signingKeys: SigningKeysProcessor, rotation: ConnectionRotationProcessor, killSwitches: KillSwitchProcessor, reviews: AccessReviewRemindersProcessor): JobSchedule[] => [
            auditChain.schedule,
            ...auditStream.schedules,
            signingKeys.schedule,
            ...rotation.schedules,
            ...killSwitches.schedules,
            ...reviews.schedules,
          ],
        },
        QueuesService,
      ],
      exports: [QueuesService],
    };
  }
}
