export { HealthController } from './health.controller.ts';
export { HealthModule } from './health.module.ts';
