/** The write-only credential of a vaulted-key or service-account connection, and its versions' metadata. */
import { Body, Controller, Get, Header, Param, Put, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';

import type { SecretVersionInfo } from '@crossgate/store';
import { maxSecretBytes } from '@crossgate/vault';

import { Authorize, Context, type RequestContext } from '../auth/index.ts';
import { contentRange } from '../http/index.ts';
import { ConnectionCredentialService, type CredentialSetView } from './connection-credential.service.ts';

@ApiTags('connections')
@Controller('api/connections')
export class ConnectionCredentialController {
  constructor(private readonly credentials: ConnectionCredentialService) {}

  @Put(':id/credential')
  @Authorize('connections:write')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: "Set the connection's key or password: a new active version; the previous one retires now. The value is never shown again" })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['value'],
      properties: { value: { type: 'string', minLength: 1, description: `at most ${maxSecretBytes} bytes (UTF-8)` }, expiresAt: { type: 'string', format: 'date-time', nullable: true } },
    },
  })
  set(@Param('id') id: string, @Body() body: unknown, @Context() context: RequestContext): Promise<CredentialSetView> {
    return this.credentials.set(id, body, context);
  }

  @Get(':id/versions')
  @Authorize('connections:read')
  @ApiOperation({ summary: "The versions of the connection's credential, newest first (metadata only, never values)" })
  async versions(@Param('id') id: string, @Res({ passthrough: true }) response: Response): Promise<SecretVersionInfo[]> {
    const versions = await this.credentials.versions(id);
    response.setHeader('Content-Range', contentRange('versions', 0, versions.length, versions.length));
    return versions;
  }
}
