import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';

import { Authorize } from '../auth/index.ts';
import { type Simulation, simulationSchema, PolicySimulationService } from './policy-simulation.service.ts';

@ApiTags('policies')
@Controller('api/policies')
export class PolicySimulationController {
  constructor(private readonly simulation: PolicySimulationService) {}

  /** A read: it evaluates and writes nothing, so it needs only `policies:read` and is not audited. */
  @Post('simulate')
  @HttpCode(200)
  @Authorize('policies:read')
  @ApiOperation({ summary: 'What if: the decision and trace for a client, user or groups, resource and scopes, optionally with a draft policy and its impact' })
  @ApiBody({ schema: z.toJSONSchema(simulationSchema, { io: 'input', unrepresentable: 'any' }) as object })
  simulate(@Body() body: unknown): Promise<Simulation> {
    return this.simulation.simulate(body);
  }
}
