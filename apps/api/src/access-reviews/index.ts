export { AccessReviewExport } from './access-review-export.service.ts';
export { AccessReviewRemediation } from './access-review-remediation.service.ts';
export { AccessReviewsController } from './access-reviews.controller.ts';
export { AccessReviewsService } from './access-reviews.service.ts';
export { AccessReviewsModule } from './access-reviews.module.ts';
