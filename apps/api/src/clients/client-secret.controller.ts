/** The one admin route that reveals a credential: a client secret, generated here and shown once. */
import { Controller, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';

import { Authorize, Context, type RequestContext } from '../auth/index.ts';
import { ClientSecretService, type IssuedClientSecret } from './client-secret.service.ts';

@ApiTags('clients')
@Controller('api/clients')
export class ClientSecretController {
  constructor(private readonly secrets: ClientSecretService) {}

  @Post(':id/secret')
  @HttpCode(201)
  // The body is a credential: no cache, proxy or browser history may keep it.
  @Header('Cache-Control', 'no-store')
  @Authorize('clients:write')
  @ApiOperation({ summary: 'Generate a new client secret (replacing any old one); it is shown only in this response' })
  rotate(@Param('id') id: string, @Context() context: RequestContext): Promise<IssuedClientSecret> {
    return this.secrets.rotate(id, context);
  }
}
