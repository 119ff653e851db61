import { Body, Controller, Get, HttpCode, Post, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';

import { Authorize, Context, type RequestContext } from '../auth/index.ts';
import { contentRange } from '../http/index.ts';
import { type RotationView, SigningKeysService, type SigningKeyView } from './signing-keys.service.ts';

@ApiTags('signing-keys')
@Controller('api/signing-keys')
export class SigningKeysController {
  constructor(private readonly signingKeys: SigningKeysService) {}

  @Get()
  @Authorize('signing-keys:read')
  @ApiOperation({ summary: 'List signing keys, newest first (public parts only)' })
  async list(@Res({ passthrough: true }) response: Response): Promise<SigningKeyView[]> {
    const keys = await this.signingKeys.list();
    response.setHeader('Content-Range', contentRange('signing-keys', 0, keys.length, keys.length));
    return keys;
  }

  @Post('rotate')
  @Authorize('signing-keys:write')
  @HttpCode(200)
  @ApiOperation({ summary: "Rotate a role's keys now: next becomes active, active retires (still published), a new next is made" })
  @ApiBody({ schema: { type: 'object', required: ['role'], properties: { role: { type: 'string', pattern: '^(idp|ras:[a-z0-9]+(-[a-z0-9]+)*)$' } } } })
  rotate(@Body() body: unknown, @Context() context: RequestContext): Promise<RotationView> {
    return this.signingKeys.rotate(body, context);
  }
}
