/**
 * @overview Crossgate's IdP role has no front channel: people sign in at their own IdP, and
 * requesting apps come with the ID token. This endpoint exists because schema-validating clients
 * require `authorization_endpoint` in RFC 8414 metadata; it refuses every request the way RFC 6749
 * §4.1.2.1 describes, without redirecting anywhere (no redirect URI is registered here).
 */
import { Controller, Get, HttpCode, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';

import { Public } from '../auth/index.ts';

const refusal = {
  error: 'unsupported_response_type',
  error_description: 'Crossgate issues ID-JAGs only through token exchange at /oauth2/token; sign in at your IdP',
};

@ApiTags('oauth')
@Controller('oauth2/authorize')
export class AuthorizeController {
  @Get()
  @Public()
  @HttpCode(400)
  @ApiOperation({ summary: 'Always refused: this issuer has no authorization code flow' })
  refuseGet(@Res({ passthrough: true }) response: Response): typeof refusal {
    response.setHeader('Cache-Control', 'no-store');
    return refusal;
  }

  @Post()
  @Public()
  @HttpCode(400)
  @ApiOperation({ summary: 'Always refused: this issuer has no authorization code flow' })
  refusePost(@Res({ passthrough: true }) response: Response): typeof refusal {
    response.setHeader('Cache-Control', 'no-store');
    return refusal;
  }
}
