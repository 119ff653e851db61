/** Access review campaigns: decisions, remediation and the evidence export. */
import { Module } from '@nestjs/common';

import { AuthModule } from '../auth/index.ts';
import { CrudModule } from '../crud/index.ts';
import { KillSwitchesModule } from '../kill-switches/index.ts';
import { PoliciesModule } from '../policies/index.ts';
import { AccessReviewExport } from './access-review-export.service.ts';
import { AccessReviewRemediation } from './access-review-remediation.service.ts';
import { AccessReviewsController } from './access-reviews.controller.ts';
import { AccessReviewsService } from './access-reviews.service.ts';

@Module({
  imports: [AuthModule, CrudModule, KillSwitchesModule, PoliciesModule],
  controllers: [AccessReviewsController],
  providers: [AccessReviewsService, AccessReviewRemediation, AccessReviewExport],
})
export class AccessReviewsModule {}
