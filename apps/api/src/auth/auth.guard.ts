/**
 * @overview The one gate in front of every route: find the admin (session cookie or API token),
 * check CSRF for cookie-authenticated writes, then ask the access control for the route's permission.
 * A route that declares nothing is refused: failing closed beats a forgotten decorator.
 */
import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

import type { Permission } from '@crossgate/domain';

import { AdminApiError } from '../http/index.ts';
import { AccessControl } from './access-control.ts';
import type { AdminPrincipal } from './admin-principal.ts';
import { AuthService } from './auth.service.ts';
import {
  type AuthenticatedRequest,
  PERMISSION_KEY,
  PUBLIC_KEY,
  SIGNED_IN_KEY,
} from './authorize.decorator.ts';
import { digestMatches } from './credentials.ts';

export const sessionCookie = 'cg_session';
export const csrfCookie = 'cg_csrf';
export const csrfHeader = 'x-csrf-token';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly accessControl: AccessControl,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) {
      return true;
    }
    const permission = this.reflector.getAllAndOverride<Permission | undefined>(PERMISSION_KEY, targets);
    const signedInOnly = this.reflector.getAllAndOverride<boolean>(SIGNED_IN_KEY, targets);
    if (!permission && !signedInOnly) {
      throw new AdminApiError('forbidden', 'This route declares no permission');
    }

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = await this.authenticate(request);
    if (!principal) {
      throw new AdminApiError('unauthenticated', 'Sign in, or send a valid API token as a Bearer token');
    }
    if (principal.via === 'session' && !safeMethods.has(request.method)) {
      const presented = request.header(csrfHeader);
      if (!presented || !principal.csrfHash || !digestMatches(presented, principal.csrfHash)) {
        throw new AdminApiError('forbidden', `Missing or wrong ${csrfHeader} header for this session`);
      }
    }
    request.principal = principal;
    if (permission && !this.accessControl.allows(principal.role, permission)) {
      throw new AdminApiError('forbidden', `The ${principal.role} role does not have ${permission}`);
    }
    return true;
  }

  private async authenticate(request: AuthenticatedRequest): Promise<AdminPrincipal | undefined> {
    const authorization = request.header('authorization');
    if (authorization) {
      const match = /^Bearer ([^\s]+)$/i.exec(authorization);
      return match?.[1] ? this.auth.fromApiToken(match[1]) : undefined;
    }
    const cookies = (request.cookies ?? {}) as Record<string, unknown>;
    const session = cookies[sessionCookie];
    return typeof session === 'string' && session.length <= 200 ? this.auth.fromSession(session) : undefined;
  }
}
