/** App-pair policies: the engine every decision reads, simulation and approvals. The engine, simulation and approvals are the public surface. */
import { Module } from '@nestjs/common';

import { CrudModule } from '../crud/index.ts';
import { PolicyApprovalsController } from './policy-approvals.controller.ts';
import { PolicyApprovalsService } from './policy-approvals.service.ts';
import { PolicyEngineService } from './policy-engine.service.ts';
import { PolicySimulationController } from './policy-simulation.controller.ts';
import { PolicySimulationService } from './policy-simulation.service.ts';

@Module({
  imports: [CrudModule],
  controllers: [PolicySimulationController, PolicyApprovalsController],
  providers: [PolicyEngineService, PolicySimulationService, PolicyApprovalsService],
  exports: [PolicyEngineService, PolicySimulationService, PolicyApprovalsService],
})
export class PoliciesModule {}
