/** The admin console's dashboard. */
import { Module } from '@nestjs/common';

import { DashboardRepository, type PrismaClient } from '@crossgate/store';

import { PRISMA } from '../platform/index.ts';
import { DashboardController } from './dashboard.controller.ts';
import { DashboardService } from './dashboard.service.ts';

@Module({
  controllers: [DashboardController],
  providers: [DashboardService, { provide: DashboardRepository, inject: [PRISMA], useFactory: (prisma: PrismaClient) => new DashboardRepository(prisma) }],
})
export class DashboardModule {}
