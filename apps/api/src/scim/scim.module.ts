/** SCIM 2.0 provisioning from IdPs, and the SCIM tokens admins make for them. */
import { Module } from '@nestjs/common';

import { KillSwitchesModule } from '../kill-switches/index.ts';
import { PoliciesModule } from '../policies/index.ts';
import { ScimAuthGuard } from './scim-auth.guard.ts';
import { ScimTokenController } from './scim-token.controller.ts';
import { ScimTokenService } from './scim-token.service.ts';
import { ScimController } from './scim.controller.ts';
import { ScimService } from './scim.service.ts';

@Module({
  imports: [KillSwitchesModule, PoliciesModule],
  controllers: [ScimTokenController, ScimController],
  providers: [ScimTokenService, ScimService, ScimAuthGuard],
})
export class ScimModule {}
