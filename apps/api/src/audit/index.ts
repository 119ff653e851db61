export { AuditController } from './audit.controller.ts';
export { AuditService } from './audit.service.ts';
