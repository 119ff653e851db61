/** The MCP gateway's endpoints and the tool-call approvals inbox. */
import { Module } from '@nestjs/common';

import { ConnectionsModule } from '../connections/index.ts';
import { KillSwitchesModule } from '../kill-switches/index.ts';
import { OAuthModule } from '../oauth/index.ts';
import { PoliciesModule } from '../policies/index.ts';
import { RasModule } from '../ras/index.ts';
import { GatewayEndpoints } from './gateway-endpoints.ts';
import { ToolCallApprovalsController } from './tool-call-approvals.controller.ts';
import { ToolCallApprovalsService } from './tool-call-approvals.service.ts';

@Module({
  imports: [ConnectionsModule, KillSwitchesModule, OAuthModule, PoliciesModule, RasModule],
  controllers: [ToolCallApprovalsController],
  providers: [GatewayEndpoints, ToolCallApprovalsService],
})
export class GatewayModule {}
