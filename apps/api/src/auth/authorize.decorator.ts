/**
 * @overview Every route says who may call it: `@Authorize('clients:write')`, `@SignedIn()` for any
 * signed-in admin, or `@Public()`. The guard refuses routes that say none of these, and a test walks
 * the route table so such a route never ships.
 */
import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';

import type { Permission } from '@crossgate/domain';
import type { AuditActor } from '@crossgate/store';

import type { IdentifiedRequest } from '../http/index.ts';
import type { AdminPrincipal } from './admin-principal.ts';

export const PERMISSION_KEY = 'crossgate:permission';
export const PUBLIC_KEY = 'crossgate:public';
export const SIGNED_IN_KEY = 'crossgate:signed-in';

export const Authorize = (permission: Permission) => SetMetadata(PERMISSION_KEY, permission);
export const Public = () => SetMetadata(PUBLIC_KEY, true);
export const SignedIn = () => SetMetadata(SIGNED_IN_KEY, true);

export interface AuthenticatedRequest extends IdentifiedRequest {
  principal?: AdminPrincipal;
}

/** Who did it and in which request: what an audit event needs from the HTTP layer. */
export interface RequestContext {
  actor: AuditActor;
  requestId: string | null;
  principal: AdminPrincipal | null;
}

export function requestContextOf(request: AuthenticatedRequest): RequestContext {
  const principal = request.principal ?? null;
  const actor: AuditActor = principal
    ? {
        type: principal.via === 'api_token' ? 'api_token' : 'admin',
        id: principal.adminUserId,
        label: principal.via === 'api_token' ? `${principal.email} (token ${principal.tokenName})` : principal.email,
      }
    : { type: 'anonymous', id: null, label: request.ip ?? null };
  return { actor, requestId: request.requestId ?? null, principal };
}

export const Context = createParamDecorator((_: unknown, context: ExecutionContext) =>
  requestContextOf(context.switchToHttp().getRequest<AuthenticatedRequest>()),
);
