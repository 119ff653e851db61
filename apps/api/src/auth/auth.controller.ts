import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';

import type { Config } from '@crossgate/config';
import type { AdminProfile } from '@crossgate/domain';

import { parseBody } from '../http/index.ts';
import { InjectConfig } from '../platform/index.ts';
import { csrfCookie, sessionCookie } from './auth.guard.ts';
import { AdminSsoError, AdminSsoService } from './admin-sso.service.ts';
import { AuthService, type SignedInSession } from './auth.service.ts';
import { Context, Public, type RequestContext, SignedIn } from './authorize.decorator.ts';

/** Binds an SSO sign-in to the browser that started it; Lax, so the IdP's redirect back carries it. */
const ssoBrowserCookie = 'crossgate_sso';
const ssoPath = '/api/auth/sso';

const signInSchema = z.strictObject({
  email: z.email().max(320),
  password: z.string().min(1).max(1024),
});

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly sso: AdminSsoService,
    @InjectConfig() private readonly config: Config,
  ) {}

  private setSessionCookies(response: Response, session: SignedInSession): void {
    const cookie = {
      sameSite: 'strict' as const,
      secure: this.config.session.secureCookies,
      path: '/',
      expires: session.expiresAt,
    };
    response.cookie(sessionCookie, session.sessionToken, { ...cookie, httpOnly: true });
    response.cookie(csrfCookie, session.csrfToken, { ...cookie, httpOnly: false });
  }

  /** Starts a UI session: an HTTP-only, SameSite=Strict cookie plus a CSRF token for writes. */
  @Post('sign-in')
  @HttpCode(200)
  @Public()
  @ApiBody({ schema: z.toJSONSchema(signInSchema) as object })
  async signIn(
    @Body() body: unknown,
    @Context() context: RequestContext,
    @Res({ passthrough: true }) response: Response,
  ): Promise<{ admin: AdminProfile; csrfToken: string; expiresAt: Date }> {
    const { email, password } = parseBody(signInSchema, body);
    const session = await this.auth.signIn(email, password, context);
    this.setSessionCookies(response, session);
    return { admin: session.admin, csrfToken: session.csrfToken, expiresAt: session.expiresAt };
  }

  @Get('sso')
  @Public()
  @ApiOperation({ summary: 'How admins sign in here: the IdPs of the company SSO, and whether local passwords work' })
  ssoOptions(): Promise<{ password: boolean; idps: { id: string; name: string }[] }> {
    return this.sso.options();
  }

  /** Redirects to the IdP; an IdP admins cannot sign in through lands back on the sign-in page with why. */
  @Get('sso/:idpId/start')
  @Public()
  @ApiOperation({ summary: 'Start an admin sign-in at an IdP (authorization code + PKCE): redirects to the IdP' })
  async ssoStart(@Param('idpId') idpId: string, @Context() context: RequestContext, @Res() response: Response): Promise<void> {
    try {
      const { url, browser } = await this.sso.start(idpId, context);
      response.cookie(ssoBrowserCookie, browser, { httpOnly: true, sameSite: 'lax', secure: this.config.session.secureCookies, path: ssoPath, maxAge: 600_000 });
      response.redirect(302, url.href);
    } catch (error) {
      this.toSignInPage(response, error);
    }
  }

  @Get('sso/callback')
  @Public()
  @ApiExcludeEndpoint()
  async ssoCallback(@Query() query: Record<string, unknown>, @Req() request: Request, @Context() context: RequestContext, @Res() response: Response): Promise<void> {
    response.clearCookie(ssoBrowserCookie, { path: ssoPath });
    try {
      const browser = (request.cookies as Record<string, string> | undefined)?.[ssoBrowserCookie];
      this.setSessionCookies(response, await this.sso.callback(query, browser, context));
      response.redirect(302, '/#/');
    } catch (error) {
      this.toSignInPage(response, error);
    }
  }

  /** Back to the console's sign-in page, which shows why (`sso_error`); anything unexpected is rethrown. */
  private toSignInPage(response: Response, error: unknown): void {
    if (!(error instanceof AdminSsoError)) {
      throw error;
    }
    response.redirect(302, `/?${new URLSearchParams({ sso_error: error.message, sso_code: error.code })}#/login`);
  }

  @Post('sign-out')
  @HttpCode(204)
  @SignedIn()
  async signOut(@Context() context: RequestContext, @Res({ passthrough: true }) response: Response): Promise<void> {
    if (context.principal) {
      await this.auth.signOut(context.principal, context);
    }
    response.clearCookie(sessionCookie, { path: '/' });
    response.clearCookie(csrfCookie, { path: '/' });
  }

  @Get('me')
  @SignedIn()
  me(@Context() context: RequestContext): Promise<AdminProfile> {
    return this.auth.profileOf(context.principal!);
  }
}
