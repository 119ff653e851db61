import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';

import { Authorize, Context, type RequestContext } from '../auth/index.ts';
import { AdminApiError } from '../http/index.ts';
import { type PolicySetApplied, type PolicySetDocument, type PolicySetPlan, policySetSchema, PolicySetService } from './policy-set.service.ts';

const documentSchema = z.toJSONSchema(policySetSchema, { io: 'input', unrepresentable: 'any' }) as object;

@ApiTags('policies')
@Controller('api/policy-set')
export class PolicySetController {
  constructor(private readonly policySet: PolicySetService) {}

  @Get()
  @Authorize('policies:read')
  @ApiOperation({ summary: 'The whole policy set as one document keyed by names (resources, clients, groups, group mappings, policies), in a stable order' })
  export(): Promise<PolicySetDocument> {
    return this.policySet.export();
  }

  /** A read: it compares and writes nothing. */
  @Post('plan')
  @HttpCode(200)
  @Authorize('policies:read')
  @ApiOperation({ summary: 'What applying a policy set document would create, change and delete here, with its access impact' })
  @ApiBody({ schema: documentSchema })
  plan(@Body() body: unknown): Promise<PolicySetPlan> {
    return this.policySet.plan(body);
  }

  @Post('apply')
  @HttpCode(200)
  @Authorize('policies:write')
  @ApiOperation({ summary: 'Apply a policy set document: widening policy changes as drafts with approval requests, or at once with direct=true where POLICY_APPLY_DIRECT allows it' })
  @ApiQuery({ name: 'direct', required: false, type: Boolean })
  @ApiBody({ schema: documentSchema })
  apply(@Body() body: unknown, @Query('direct') direct: string | undefined, @Context() context: RequestContext): Promise<PolicySetApplied> {
    if (direct !== undefined && direct !== 'true' && direct !== 'false') {
      throw AdminApiError.validation({ direct: 'must be true or false' });
    }
    return this.policySet.apply(body, { direct: direct === 'true' }, context);
  }
}
