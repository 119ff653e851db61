import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';

import { Authorize } from '../auth/index.ts';
import { type Dashboard, DashboardService } from './dashboard.service.ts';

@ApiTags('dashboard')
@Controller('api/dashboard')
export class DashboardController {
  constructor(private readonly dashboardService: DashboardService) {}

  /** Counts and short lists drawn from the audit log and the inventory: every role that reads the audit log may see it. */
  @Get()
  @Authorize('audit:read')
  @ApiOperation({ summary: 'What needs attention now, exchanges and refusals per day, the last audit-chain check, and whether the development KEK is in use' })
  get(): Promise<Dashboard> {
    return this.dashboardService.dashboard();
  }
}
