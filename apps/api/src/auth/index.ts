export { AccessControl } from './access-control.ts';
export type { AdminPrincipal } from './admin-principal.ts';
export { AdminSsoService } from './admin-sso.service.ts';
export { AuthController } from './auth.controller.ts';
export { AuthGuard } from './auth.guard.ts';
export { AuthService } from './auth.service.ts';
export { type AuthenticatedRequest, Authorize, Context, PERMISSION_KEY, Public, PUBLIC_KEY, type RequestContext, SIGNED_IN_KEY } from './authorize.decorator.ts';
export { digest, digestMatches, hashPassword, newApiToken, randomSecret, verifyPassword } from './credentials.ts';
export { SignInThrottle } from './sign-in-throttle.ts';
