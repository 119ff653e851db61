/**
 * @overview Admins sign in to the console through the company's IdP (OpenID Connect, authorization
 * code with PKCE, as an openid-client of the IdP's OAuth provider record):
 *
 * 1. start: a fresh `state`, PKCE verifier and nonce, kept once for ten minutes and bound to the
 *    browser by a cookie, so a response started in another browser is refused (login CSRF);
 * 2. callback: the code is redeemed and the ID token checked (issuer, audience, signature, nonce);
 *    the IdP's groups, through the IdP's group mappings, give the admin role (the most privileged
 *    one mapped); roles configured to need a second factor need an `amr` or `acr` that says so;
 *    the admin is created or updated from the token (SSO decides the role every time) and gets a
 *    session, as a password sign-in does.
 *
 * Every refusal is audited and stores nothing.
 *
 * @see RFC 6749 §4.1 and §10.12, RFC 7636, RFC 8176 (amr values), OpenID Connect Core §3.1
 */
import { createHash } from 'node:crypto';

import { Inject, Injectable, Logger } from '@nestjs/common';
import * as oidc from 'openid-client';

import type { Config } from '@crossgate/config';
import { adminRoles, isAdminRole } from '@crossgate/domain';
import { AuditLogRepository, authorizationRequest, OAuthProviderClients, type PendingAuthorizationCode, type PrismaClient, type ProviderClient, reasonOf, redeemAuthorizationCode } from '@crossgate/store';

import { InjectConfig, InjectPrisma, randomTicket, StsTickets } from '../platform/index.ts';
import { AuthService, type SignedInSession } from './auth.service.ts';
import type { RequestContext } from './authorize.decorator.ts';

export const adminSsoCallbackPath = '/api/auth/sso/callback';

/** Why an SSO sign-in was refused, for the sign-in page: a code and a sentence for the admin. */
export class AdminSsoError extends Error {
  constructor(
    readonly code: 'unknown_idp' | 'invalid_state' | 'idp_refused' | 'idp_unavailable' | 'no_email' | 'no_admin_role' | 'mfa_required' | 'account_disabled',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

interface PendingSignIn extends PendingAuthorizationCode {
  idpId: string;
  /** SHA-256 of the browser-binding cookie's value. */
  browser: string;
}


const hashOf = (value: string) => createHash('sha256').update(value).digest('base64url');

@Injectable()
export class AdminSsoService {
  private readonly logger = new Logger('admin-sso');

  constructor(
    @InjectPrisma() private readonly prisma: PrismaClient,
    @InjectConfig() private readonly config: Config,
    @Inject(OAuthProviderClients) private readonly providers: OAuthProviderClients,
    @Inject(StsTickets) private readonly tickets: StsTickets,
    @Inject(AuditLogRepository) private readonly audit: AuditLogRepository,
    @Inject(AuthService) private readonly auth: AuthService,
  ) {
    const unknown = config.adminSignIn.mfa.roles.filter((role) => !isAdminRole(role));
    if (unknown.length > 0) {
      // A misspelt role would silently need no second factor: refuse to start instead.
      throw new Error(`ADMIN_MFA_ROLES: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not an admin role' : 'are not admin roles'} (roles: ${adminRoles.join(', ')})`);
    }
  }

  /** What the sign-in page offers: the IdPs admins sign in through, and whether passwords work. */
  async options(): Promise<{ password: boolean; idps: { id: string; name: string }[] }> {
    const idps = await this.prisma.trustedIdp.findMany({
      where: { status: 'active', deletedAt: null, adminSignInProviderId: { not: null }, adminSignInProvider: { status: 'active', deletedAt: null } },
      select: { id: true, name: true },
      orderBy: { name: 'asc' },
    });
    return { password: this.config.adminSignIn.password, idps };
  }

  /** Step 1: the IdP's authorization URL, and the browser-binding value to set as a cookie. */
  async start(idpId: string, context: RequestContext): Promise<{ url: URL; browser: string }> {
    const client = await this.clientOf(idpId, context);
    // The provider's scopes (Okta, for one, sends groups only for a `groups` scope), always with openid.
    const scopes = [...new Set(['openid', ...client.provider.scopes])];
    const { url, state, pending } = await authorizationRequest(client.configuration, { redirectUri: this.redirectUri(), scopes }).catch((cause: unknown) => {
      throw new AdminSsoError('idp_unavailable', 'The identity provider could not be reached; try again shortly', { cause });
    });
    const browser = randomTicket();
    await this.tickets.put('admin_sign_in', state, { ...pending, idpId, browser: hashOf(browser) } satisfies PendingSignIn);
    return { url, browser };
  }

  /** Step 2: the IdP's redirect back → a session, or an AdminSsoError for the sign-in page. */
  async callback(query: Record<string, unknown>, browser: string | undefined, context: RequestContext): Promise<SignedInSession> {
    const state = typeof query['state'] === 'string' ? query['state'] : '';
    const pending = await this.tickets.take<PendingSignIn>('admin_sign_in', state);
    if (pending === null || browser === undefined || hashOf(browser) !== pending.browser) {
      await this.refused(context, null, pending === null ? 'unknown, used or expired state' : 'the sign-in started in another browser');
      throw new AdminSsoError('invalid_state', 'This sign-in response is not valid: it was used already, has expired or started elsewhere. Sign in again.');
    }
    const client = await this.clientOf(pending.idpId, context);
    const idp = await this.prisma.trustedIdp.findUniqueOrThrow({ where: { id: pending.idpId } });
    let claims: oidc.IDToken;
    try {
      const tokens = await redeemAuthorizationCode(client.configuration, this.redirectUri(), query, state, pending);
      claims = tokens.claims() ?? {} as oidc.IDToken;
    } catch (error) {
      await this.refused(context, idp, reasonOf(error));
      if (error instanceof oidc.ResponseBodyError || error instanceof oidc.AuthorizationResponseError) {
        throw new AdminSsoError('idp_refused', `${idp.name} did not sign you in (${error.error})`);
      }
      this.logger.warn(`The code exchange with ${idp.name} failed: ${reasonOf(error)}`);
      throw new AdminSsoError('idp_unavailable', `${idp.name} could not be reached; try again shortly`);
    }
    const email = typeof claims['email'] === 'string' && claims['email_verified'] !== false ? claims['email'].toLowerCase() : undefined;
    if (email === undefined) {
      await this.refused(context, idp, 'the ID token carries no verified email', claims.sub);
      throw new AdminSsoError('no_email', `${idp.name} did not say which verified e-mail address you have, so no admin account can be found`);
    }
    const groups = claims[idp.groupsClaim];
    const groupNames = Array.isArray(groups) ? groups.filter((group): group is string => typeof group === 'string') : [];
    const mapped = await this.prisma.groupMapping.findMany({ where: { idpId: idp.id, externalGroup: { in: groupNames }, adminRole: { not: null } }, select: { adminRole: true } });
    // adminRoles lists the most privileged first: an admin in several mapped groups gets the highest role.
    const role = adminRoles.find((candidate) => mapped.some((mapping) => mapping.adminRole === candidate));
    if (role === undefined) {
      await this.refused(context, idp, `no group mapping gives ${email} an admin role`, email);
      throw new AdminSsoError('no_admin_role', `None of your groups at ${idp.name} is mapped to a Crossgate admin role; ask an it-admin to map one`);
    }
    const amr = Array.isArray(claims.amr) ? claims.amr.filter((value): value is string => typeof value === 'string') : [];
    const acr = typeof claims.acr === 'string' ? claims.acr : undefined;
    const mfa = this.config.adminSignIn.mfa;
    const secondFactor = amr.some((value) => mfa.amr.includes(value)) || (acr !== undefined && mfa.acr.includes(acr));
    if (mfa.roles.includes(role) && !secondFactor) {
      await this.refused(context, idp, `the ${role} role needs a second factor; amr ${amr.join(' ') || 'none'}, acr ${acr ?? 'none'}`, email);
      throw new AdminSsoError('mfa_required', `The ${role} role signs in with a second factor, and ${idp.name} reported none: sign in again with multi-factor authentication`);
    }
    const displayName = typeof claims['name'] === 'string' && claims['name'].trim() !== '' ? claims['name'].trim().slice(0, 200) : email;
    const existing = await this.prisma.adminUser.findUnique({ where: { email } });
    if (existing !== null && (existing.status !== 'active' || existing.deletedAt !== null)) {
      await this.refused(context, idp, 'account disabled', email);
      throw new AdminSsoError('account_disabled', 'Your Crossgate admin account is disabled');
    }
    // The IdP's groups decide the role at every sign-in; a password, if any, stays for break-glass.
    const admin = await this.prisma.adminUser.upsert({ where: { email }, create: { email, displayName, role }, update: { role, displayName } });
    return this.auth.openSession(admin, context, { via: 'sso', idpId: idp.id, idp: idp.issuer, subject: claims.sub, amr, acr: acr ?? null, role, previousRole: existing?.role ?? null });
  }

  private async clientOf(idpId: string, context: RequestContext): Promise<ProviderClient> {
    const idp = /^[0-9a-f-]{36}$/i.test(idpId) ? await this.prisma.trustedIdp.findFirst({ where: { id: idpId, status: 'active', deletedAt: null } }) : null;
    const client = idp?.adminSignInProviderId ? await this.providers.byId(idp.adminSignInProviderId).catch((cause: unknown) => {
      throw new AdminSsoError('idp_unavailable', 'The identity provider could not be reached; try again shortly', { cause });
    }) : null;
    if (idp === null || client === null) {
      await this.refused(context, idp, 'not an IdP admins sign in through');
      throw new AdminSsoError('unknown_idp', 'Admins do not sign in through this identity provider');
    }
    return client;
  }

  private redirectUri(): string {
    return `${this.config.http.publicUrl}${adminSsoCallbackPath}`;
  }

  private async refused(context: RequestContext, idp: { id: string; issuer: string } | null, reason: string, who?: string): Promise<void> {
    await this.audit.record({
      actor: { type: 'anonymous', label: (who ?? context.actor.label ?? 'unknown').slice(0, 200) },
      action: 'admin.sign_in',
      decision: 'deny',
      reason,
      requestId: context.requestId,
      context: { via: 'sso', ...(idp === null ? {} : { idpId: idp.id, idp: idp.issuer }) },
    });
  }
}
