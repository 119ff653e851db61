export { DashboardController } from './dashboard.controller.ts';
export { type Dashboard, DashboardService, exchangeDays, sunsetWarningDays } from './dashboard.service.ts';
export { DashboardModule } from './dashboard.module.ts';
