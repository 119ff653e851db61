/**
 * Kill switches: the admin API (preview, fire, approve, lift, receipt) and the gate every token path
 * asks. The gate is the module's public surface for the rest of the API.
 */
import { Module } from '@nestjs/common';

import { AuditLogRepository, KillSwitchRepository, type PrismaClient } from '@crossgate/store';

import { PRISMA } from '../platform/platform.module.ts';
import { KillSwitchGate } from './kill-switch-gate.service.ts';
import { KillSwitchesController } from './kill-switches.controller.ts';
import { KillSwitchesService } from './kill-switches.service.ts';

@Module({
  controllers: [KillSwitchesController],
  providers: [
    {
      provide: KillSwitchRepository,
      inject: [PRISMA, AuditLogRepository],
      useFactory: (prisma: PrismaClient, auditLog: AuditLogRepository) => new KillSwitchRepository(prisma, auditLog),
    },
    KillSwitchGate,
    KillSwitchesService,
  ],
  exports: [KillSwitchGate],
})
export class KillSwitchesModule {}
