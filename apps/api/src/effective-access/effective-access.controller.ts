import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';

import { Authorize } from '../auth/index.ts';
import { type EffectiveAccess, EffectiveAccessService } from './effective-access.service.ts';

@ApiTags('policies')
@Controller('api/effective-access')
export class EffectiveAccessController {
  constructor(private readonly effectiveAccess: EffectiveAccessService) {}

  /** A plain JSON object, not a react-admin list: the rows are computed, not stored, and not paged. */
  @Get()
  @Authorize('policies:read')
  @ApiOperation({ summary: 'Who can reach what, with which scopes: by clientId, resourceId or userId (exactly one)' })
  @ApiQuery({ name: 'clientId', required: false })
  @ApiQuery({ name: 'resourceId', required: false })
  @ApiQuery({ name: 'userId', required: false })
  query(@Query() query: Record<string, unknown>): Promise<EffectiveAccess> {
    return this.effectiveAccess.query(query);
  }
}
