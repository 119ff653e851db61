/**
 * Kill switches: the admin API (preview, fire, approve, lift, receipt) and the gate every token path
 * asks. The gate is the module's public surface for the rest of the API.
 */
import { Module } from '@nestjs/common';

import { KillSwitchGate } from './kill-switch-gate.service.ts';
import { KillSwitchesController } from './kill-switches.controller.ts';
import { KillSwitchesService } from './kill-switches.service.ts';

@Module({
  controllers: [KillSwitchesController],
  providers: [
    KillSwitchGate,
    KillSwitchesService,
  ],
  exports: [KillSwitchGate],
})
export class KillSwitchesModule {}
