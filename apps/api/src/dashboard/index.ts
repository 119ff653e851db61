export { DashboardController } from './dashboard.controller.ts';
export { type Dashboard, DashboardService, exchangeDays, sunsetWarningDays } from './dashboard.service.ts';
