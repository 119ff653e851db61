export { HealthController } from './health.controller.ts';
