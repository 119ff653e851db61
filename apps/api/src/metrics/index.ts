export { MetricsController } from './metrics.controller.ts';
export { MetricsService } from './metrics.service.ts';
