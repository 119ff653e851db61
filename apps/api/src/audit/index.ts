export { AuditController } from './audit.controller.ts';
export { AuditService } from './audit.service.ts';
export { AuditModule } from './audit.module.ts';
