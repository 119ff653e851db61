import { Inject, Injectable } from '@nestjs/common';

import type { Config } from '@crossgate/config';
import { type AdminProfile, type AdminRole, isAdminRole, permissionsOf } from '@crossgate/domain';
import { AuditLogRepository, type PrismaClient } from '@crossgate/store';

import { AdminApiError } from '../http/index.ts';
import { Clock, CONFIG, PRISMA } from '../platform/index.ts';
import type { AdminPrincipal } from './admin-principal.ts';
import type { RequestContext } from './authorize.decorator.ts';
import { apiTokenPrefix, digest, randomSecret, verifyPassword } from './credentials.ts';
import { SignInThrottle } from './sign-in-throttle.ts';

export interface SignedInSession {
  sessionToken: string;
  csrfToken: string;
  expiresAt: Date;
  admin: AdminProfile;
}


/** API tokens are touched at most this often, so each request is not a write. */
const lastUsedResolutionMs = 60_000;


@Injectable()
export class AuthService {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(CONFIG) private readonly config: Config,
    private readonly audit: AuditLogRepository,
    private readonly clock: Clock,
    private readonly throttle: SignInThrottle,
  ) {}

  async signIn(email: string, password: string, context: RequestContext): Promise<SignedInSession> {
    if (!this.config.adminSignIn.password) {
      await this.refused(email, 'password sign-in is switched off', context);
      throw new AdminApiError('forbidden', 'Password sign-in is switched off here (ADMIN_PASSWORD_SIGN_IN): sign in through your company SSO');
    }
    const retryAfter = await this.throttle.retryAfter(email);
    if (retryAfter > 0) {
      await this.refused(email, 'too many failed attempts', context);
      throw new AdminApiError(
        'too_many_requests',
        `Too many failed sign-ins for this account; try again in ${Math.ceil(retryAfter / 60)} minutes`,
      );
    }
    const admin = await this.prisma.adminUser.findUnique({ where: { email: email.toLowerCase() } });
    const usable = admin !== null && admin.status === 'active' && admin.deletedAt === null;
    const passwordMatches = await verifyPassword(usable ? admin.passwordHash : null, password);
    if (!usable || !passwordMatches || !isAdminRole(admin.role)) {
      await this.refused(email, !admin ? 'unknown email' : !usable ? 'account disabled' : 'wrong password', context, admin?.id);
      await this.throttle.recordFailure(email);
      throw new AdminApiError('unauthenticated', 'Email or password is incorrect');
    }
    await this.throttle.recordSuccess(email);
    return this.openSession(admin, context, { via: 'password' });
  }

  private async refused(email: string, reason: string, context: RequestContext, adminId?: string): Promise<void> {
    await this.audit.record({
      actor: { type: 'anonymous', label: email.toLowerCase().slice(0, 200) },
      action: 'admin.sign_in',
      target: adminId === undefined ? null : { type: 'admin-users', id: adminId },
      decision: 'deny',
      reason,
      requestId: context.requestId,
    });
  }

  /**
   * A new UI session for `admin`, who has just proved who they are (`how`: by password or through an
   * IdP, recorded in the sign-in's audit event), with its cookie and CSRF values.
   */
  async openSession(admin: { id: string; email: string; displayName: string; role: string }, context: RequestContext, how: Record<string, unknown>): Promise<SignedInSession> {
    const sessionToken = randomSecret();
    const csrfToken = randomSecret();
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + this.config.session.ttlSeconds * 1000);
    await this.prisma.$transaction(async (tx) => {
      const session = await tx.adminSession.create({
        data: { adminUserId: admin.id, tokenHash: digest(sessionToken), csrfHash: digest(csrfToken), expiresAt },
      });
      await tx.adminUser.update({ where: { id: admin.id }, data: { lastLoginAt: now } });
      await this.audit.append(
        tx,
        {
          actor: { type: 'admin', id: admin.id, label: admin.email },
          action: 'admin.sign_in',
          target: { type: 'admin-users', id: admin.id },
          decision: 'allow',
          requestId: context.requestId,
          context: { ...how, sessionId: session.id, expiresAt },
        },
        now,
      );
    });
    return { sessionToken, csrfToken, expiresAt, admin: this.profile(admin) };
  }

  async signOut(principal: AdminPrincipal, context: RequestContext): Promise<void> {
    if (principal.via !== 'session' || !principal.sessionId) {
      return;
    }
    const sessionId = principal.sessionId;
    await this.prisma.$transaction(async (tx) => {
      await tx.adminSession.update({ where: { id: sessionId }, data: { revokedAt: this.clock.now() } });
      await this.audit.append(tx, {
        actor: context.actor,
        action: 'admin.sign_out',
        target: { type: 'admin-users', id: principal.adminUserId },
        decision: 'allow',
        requestId: context.requestId,
        context: { sessionId },
      });
    });
  }

  async profileOf(principal: AdminPrincipal): Promise<AdminProfile> {
    const admin = await this.prisma.adminUser.findUniqueOrThrow({ where: { id: principal.adminUserId } });
    return this.profile(admin);
  }

  private profile(admin: { id: string; email: string; displayName: string; role: string }): AdminProfile {
    const role = admin.role as AdminRole;
    return { id: admin.id, email: admin.email, displayName: admin.displayName, role, permissions: permissionsOf(role) };
  }

  /** The admin behind a session cookie, or undefined when it is unknown, expired, revoked or disabled. */
  async fromSession(sessionToken: string): Promise<AdminPrincipal | undefined> {
    const session = await this.prisma.adminSession.findUnique({
      where: { tokenHash: digest(sessionToken) },
      include: { adminUser: true },
    });
    const now = this.clock.now();
    if (!session || session.revokedAt || session.expiresAt <= now) {
      return undefined;
    }
    const admin = session.adminUser;
    if (admin.status !== 'active' || admin.deletedAt || !isAdminRole(admin.role)) {
      return undefined;
    }
    return {
      adminUserId: admin.id,
      email: admin.email,
      role: admin.role,
      via: 'session',
      sessionId: session.id,
      csrfHash: session.csrfHash,
    };
  }

  /** The admin behind an API token, or undefined when it is unknown, expired, revoked or disabled. */
  async fromApiToken(value: string): Promise<AdminPrincipal | undefined> {
    if (!value.startsWith(apiTokenPrefix) || value.length > 200) {
      return undefined;
    }
    const token = await this.prisma.apiToken.findUnique({
      where: { tokenHash: digest(value) },
      include: { adminUser: true },
    });
    const now = this.clock.now();
    if (!token || token.revokedAt || token.expiresAt <= now) {
      return undefined;
    }
    const admin = token.adminUser;
    if (admin.status !== 'active' || admin.deletedAt || !isAdminRole(admin.role)) {
      return undefined;
    }
    if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > lastUsedResolutionMs) {
      await this.prisma.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: now } });
    }
    return {
      adminUserId: admin.id,
      email: admin.email,
      role: admin.role,
      via: 'api_token',
      tokenId: token.id,
      tokenName: token.name,
    };
  }
}
