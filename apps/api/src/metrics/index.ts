export { MetricsController } from './metrics.controller.ts';
export { MetricsService } from './metrics.service.ts';
export { MetricsModule } from './metrics.module.ts';
