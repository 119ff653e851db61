/** The admin route that makes a trusted IdP's SCIM token; the token is in this response only. */
import { Controller, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';

import { Authorize, Context, type RequestContext } from '../auth/index.ts';
import { type IssuedScimToken, ScimTokenService } from './scim-token.service.ts';

@ApiTags('trusted-idps')
@Controller('api/trusted-idps')
export class ScimTokenController {
  constructor(private readonly tokens: ScimTokenService) {}

  @Post(':id/scim-token')
  @HttpCode(201)
  // The body is a credential: no cache, proxy or browser history may keep it.
  @Header('Cache-Control', 'no-store')
  @Authorize('trusted-idps:write')
  @ApiOperation({ summary: "Make the IdP's SCIM 2.0 bearer token (replacing any old one); it is shown only in this response" })
  rotate(@Param('id') id: string, @Context() context: RequestContext): Promise<IssuedScimToken> {
    return this.tokens.rotate(id, context);
  }
}
