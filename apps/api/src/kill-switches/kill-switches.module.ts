/**
 * Kill switches: the admin API (preview, fire, approve, lift, receipt) and the gate every token path
 * asks. The gate, and the service's revocation of one user's access at a pair, are the module's
 * public surface for the rest of the API.
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
  exports: [KillSwitchGate, KillSwitchesService],
})
export class KillSwitchesModule {}
