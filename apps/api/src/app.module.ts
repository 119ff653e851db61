/** The composition root: feature modules and the global guard, nothing else. */
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';

import type { Config } from '@crossgate/config';

import { adminResources } from './admin-resources.ts';
import { AuditController } from './audit/audit.controller.ts';
import { AuditService } from './audit/audit.service.ts';
import { AccessControl } from './auth/access-control.ts';
import { AuthController } from './auth/auth.controller.ts';
import { AuthGuard } from './auth/auth.guard.ts';
import { AuthService } from './auth/auth.service.ts';
import { SignInThrottle } from './auth/sign-in-throttle.ts';
import { crudController } from './crud/crud.controller.ts';
import { CrudService } from './crud/crud.service.ts';
import { HealthController } from './health/health.controller.ts';
import { ProblemFilter } from './http/problem.filter.ts';
import { type Clock, PlatformModule } from './platform/platform.module.ts';

@Module({})
export class AppModule {
  static forRoot(config: Config, clock?: Clock): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot(config, clock)],
      controllers: [
        HealthController,
        AuthController,
        AuditController,
        ...adminResources.map((resource) => crudController(resource)),
      ],
      providers: [
        AccessControl,
        AuthService,
        SignInThrottle,
        CrudService,
        AuditService,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
