/** Admin sign-in (password and SSO), the permission model, and the global guard every route passes. */
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';

import { AccessControl } from './access-control.ts';
import { AdminSsoService } from './admin-sso.service.ts';
import { AuthController } from './auth.controller.ts';
import { AuthGuard } from './auth.guard.ts';
import { AuthService } from './auth.service.ts';
import { SignInThrottle } from './sign-in-throttle.ts';

@Module({
  controllers: [AuthController],
  providers: [AccessControl, AuthService, AdminSsoService, SignInThrottle, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AccessControl],
})
export class AuthModule {}
