/** The audit log in the admin API: list, read, export. */
import { Module } from '@nestjs/common';

import { AuditController } from './audit.controller.ts';
import { AuditService } from './audit.service.ts';

@Module({ controllers: [AuditController], providers: [AuditService] })
export class AuditModule {}
