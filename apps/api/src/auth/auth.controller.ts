import { Body, Controller, Get, HttpCode, Post, Res } from '@nestjs/common';
import { ApiBody, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';

import type { Config } from '@crossgate/config';
import type { AdminProfile } from '@crossgate/domain';

import { parseBody } from '../http/validation.ts';
import { InjectConfig } from '../platform/platform.module.ts';
import { csrfCookie, sessionCookie } from './auth.guard.ts';
import { AuthService } from './auth.service.ts';
import { Context, Public, type RequestContext, SignedIn } from './authorize.decorator.ts';

const signInSchema = z.strictObject({
  email: z.email().max(320),
  password: z.string().min(1).max(1024),
});

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    @InjectConfig() private readonly config: Config,
  ) {}

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
    const cookie = {
      sameSite: 'strict' as const,
      secure: this.config.session.secureCookies,
      path: '/',
      expires: session.expiresAt,
    };
    response.cookie(sessionCookie, session.sessionToken, { ...cookie, httpOnly: true });
    response.cookie(csrfCookie, session.csrfToken, { ...cookie, httpOnly: false });
    return { admin: session.admin, csrfToken: session.csrfToken, expiresAt: session.expiresAt };
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
